/**
 * Runs a plan: starts migrations in plan order as the limiter admits them (a blocked one does not
 * hold back those behind it whose hosts are free), follows each to its end, and reports where
 * every VM ended up. Per-VM cancel, whole-plan cancel, stop-on-failure, and an event stream.
 */
import type { VmshiftClient } from "../client.ts";
import type { Clock } from "../clock.ts";
import { VmshiftError, isVmshiftError } from "../errors.ts";
import { type MigrationResult, type Vm, isTerminalPhase } from "../model.ts";
import type { MigrationTask } from "../task.ts";
import { validateMigrationRequest } from "../validate.ts";
import { EventChannel } from "./events.ts";
import { MigrationLimiter, type SlotClaim } from "./limiter.ts";
import type { ExecuteOptions } from "./options.ts";
import { fleetReport, locatedOutcome, needsLocation, outcomeFromResult, slotClaimOf, untouchedOutcome } from "./outcome.ts";
import type { FleetEvent, FleetPlan, FleetReport, PlannedMigration, PlannedMove, VmOutcome, VmOutcomeStatus } from "./types.ts";

interface Item {
  readonly m: PlannedMigration;
  readonly claim: SlotClaim;
  state: "pending" | "starting" | "running" | "done";
  acquired: boolean;
  cancelRequested: boolean;
  task?: MigrationTask;
  startedAtMs?: number;
}

const OPERATION = "fleet.execute";

/** Checks a plan handed to {@link FleetExecution} (it may come from a file written by a dry run). */
export function validatePlan(plan: FleetPlan): void {
  if (typeof plan !== "object" || plan === null || !Array.isArray(plan.migrations) || !Array.isArray(plan.skipped) || typeof plan.limits !== "object" || plan.limits === null) {
    throw new VmshiftError("INVALID_ARGUMENT", "not a fleet plan (expected migrations, skipped and limits)", { operation: OPERATION });
  }
  const l = plan.limits as Partial<FleetPlan["limits"]>;
  for (const key of ["perSourceHost", "perTargetHost", "perCluster", "maxInFlight"] as const) {
    const n = l[key];
    if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < 1)) throw new VmshiftError("INVALID_ARGUMENT", `plan limits.${key} must be an integer ≥ 1, got ${String(n)}`, { operation: OPERATION });
  }
  if (typeof l.perHost !== "object" || l.perHost === null || Object.values(l.perHost).some((n) => typeof n !== "number" || !Number.isInteger(n) || n < 1)) {
    throw new VmshiftError("INVALID_ARGUMENT", "plan limits.perHost must map host ids to integers ≥ 1", { operation: OPERATION });
  }
  const seen = new Set<string>();
  for (const m of plan.migrations) {
    validateMigrationRequest(m.request, OPERATION);
    if (m.request.vmId !== m.vmId) throw new VmshiftError("INVALID_ARGUMENT", `plan entry ${m.vmId} carries a request for ${m.request.vmId}`, { operation: OPERATION });
    if (m.move !== undefined) validateMoveStep(m);
    if (seen.has(m.vmId)) throw new VmshiftError("INVALID_ARGUMENT", `VM ${m.vmId} appears twice in the plan`, { operation: OPERATION });
    seen.add(m.vmId);
  }
}

function validateMoveStep(m: PlannedMigration): void {
  const mv = m.move as Partial<PlannedMove> | null;
  const bad = (what: string) => new VmshiftError("INVALID_ARGUMENT", `plan step of ${m.vmId}: move.${what}`, { operation: OPERATION, subject: m.vmId });
  if (typeof mv !== "object" || mv === null) throw bad("must be an object");
  if (typeof mv.from !== "string" || mv.from === "" || typeof mv.to !== "string" || mv.to === "") throw bad("from and to must name profiles");
  if (mv.mode !== "cold" && mv.mode !== "warm") throw bad(`mode must be cold or warm, got ${JSON.stringify(mv.mode)}`);
  if (typeof mv.options !== "object" || mv.options === null || Array.isArray(mv.options)) throw bad("options must be an object");
}

/** The handle on a running plan. Build it with `executePlan`. */
export class FleetExecution {
  /** The plan being executed. */
  readonly plan: FleetPlan;
  readonly #client: VmshiftClient;
  readonly #clock: Clock;
  readonly #limiter: MigrationLimiter;
  readonly #channel = new EventChannel();
  readonly #items: Item[];
  readonly #outcomes = new Map<string, VmOutcome>();
  readonly #startedAtMs: number;
  readonly #stopOnFailure: boolean;
  readonly #runMove: ExecuteOptions["runMove"];
  #stopping: { readonly reason: string; readonly cancelInFlight: boolean } | undefined;
  #report: FleetReport | undefined;
  #resolve!: (report: FleetReport) => void;
  readonly #done: Promise<FleetReport>;

  constructor(client: VmshiftClient, plan: FleetPlan, options: ExecuteOptions = {}) {
    validatePlan(plan);
    this.plan = plan;
    this.#client = client;
    this.#clock = options.clock ?? client.clock;
    this.#limiter = new MigrationLimiter(plan.limits);
    this.#stopOnFailure = options.stopOnFailure ?? plan.stopOnFailure;
    this.#runMove = options.runMove;
    this.#startedAtMs = this.#clock.now();
    this.#done = new Promise((resolve) => (this.#resolve = resolve));
    this.#items = [...plan.migrations]
      .sort((a, b) => a.order - b.order)
      .map((m) => ({
        m,
        claim: slotClaimOf(m),
        state: "pending",
        acquired: false,
        cancelRequested: false,
      }));
    this.#emit({ type: "plan-started", at: this.#iso(), kind: plan.kind, migrations: plan.migrations.length, skipped: plan.skipped.length });
    const signal = options.signal;
    if (signal?.aborted) this.cancel(reasonOf(signal));
    else signal?.addEventListener("abort", () => this.cancel(reasonOf(signal)), { once: true });
    this.#schedule();
  }

  /** Every event of the plan: lifecycle history first, then live; ends after `plan-finished`. */
  events(options: { readonly signal?: AbortSignal } = {}): AsyncIterable<FleetEvent> {
    return this.#channel.subscribe(options.signal);
  }

  /** Resolves with the final report once every VM is settled. Never rejects. */
  report(): Promise<FleetReport> {
    return this.#done;
  }

  /** Outcomes settled so far, by VM id. */
  outcomes(): ReadonlyMap<string, VmOutcome> {
    return this.#outcomes;
  }

  /** Migrations in flight now. */
  get inFlight(): number {
    return this.#limiter.inFlight;
  }

  /**
   * Cancels the whole plan: nothing new starts, queued VMs end `cancelled` (untouched) and
   * in-flight migrations are asked to cancel (each VM stays on its source unless its switch-over
   * had begun, in which case it completes). Idempotent.
   */
  cancel(reason = "cancelled by caller"): void {
    if (this.#stopping?.cancelInFlight) return;
    this.#stop(reason, true);
  }

  /**
   * Stops the plan gently: nothing new starts (queued VMs end `cancelled`, untouched) and
   * in-flight migrations run to their end. A later {@link cancel} still cancels those. Idempotent.
   */
  stop(reason = "stopped by caller"): void {
    if (this.#stopping) return;
    this.#stop(reason, false);
  }

  /**
   * Cancels one VM's migration: a queued one ends `cancelled` without starting; an in-flight one
   * is asked to cancel. Returns false when the VM is not in the plan or already settled.
   */
  cancelVm(vmId: string, reason = "cancelled by caller"): boolean {
    const item = this.#items.find((i) => i.m.vmId === vmId);
    if (!item || item.state === "done") return false;
    if (item.state === "pending") {
      this.#settle(item, this.#untouched(item, "cancelled", `${reason} before it started`));
      this.#schedule();
      return true;
    }
    item.cancelRequested = true;
    if (item.task) this.#cancelTask(item);
    return true;
  }

  #stop(reason: string, cancelInFlight: boolean): void {
    this.#stopping = { reason, cancelInFlight };
    this.#emit({ type: "plan-stopping", at: this.#iso(), reason, cancelInFlight });
    for (const item of this.#items) {
      if (item.state === "pending") this.#settle(item, this.#untouched(item, "cancelled", `not started: ${reason}`));
      else if (cancelInFlight && item.state !== "done") {
        item.cancelRequested = true;
        if (item.task) this.#cancelTask(item);
      }
    }
    this.#finishIfIdle();
  }

  #schedule(): void {
    if (!this.#stopping) {
      for (const item of this.#items) {
        if (item.state !== "pending") continue;
        if (!this.#limiter.tryAcquire(item.claim)) {
          if (this.plan.limits.maxInFlight !== undefined && this.#limiter.inFlight >= this.plan.limits.maxInFlight) break;
          continue;
        }
        item.acquired = true;
        item.state = "starting";
        void this.#run(item);
      }
    }
    this.#finishIfIdle();
  }

  async #run(item: Item): Promise<void> {
    item.startedAtMs = this.#clock.now();
    let task: MigrationTask;
    try {
      task = item.m.move ? await this.#startMove(item.m as PlannedMigration & { readonly move: PlannedMove }) : await this.#client.startMigration(item.m.request);
    } catch (error) {
      const e = toError(error);
      this.#settle(item, { ...(await this.#located(item, "failed", `could not start: ${e.message}`)), error: { code: e.code, message: e.message } });
      this.#schedule();
      return;
    }
    item.task = task;
    item.state = "running";
    const first = task.snapshot();
    this.#emit({
      type: "migration-started",
      at: this.#iso(),
      vmId: item.m.vmId,
      order: item.m.order,
      migrationId: task.id,
      mode: first.mode,
      ...(first.sourceHostId ?? item.m.sourceHostId ? { sourceHostId: (first.sourceHostId ?? item.m.sourceHostId)! } : {}),
      ...(first.targetHostId ?? item.m.targetHostId ? { targetHostId: (first.targetHostId ?? item.m.targetHostId)! } : {}),
    });
    if (item.cancelRequested) this.#cancelTask(item);
    let outcome: VmOutcome;
    try {
      for await (const s of task.events()) {
        if (!isTerminalPhase(s.phase)) this.#emit({ type: "migration-progress", at: this.#iso(), vmId: item.m.vmId, migrationId: task.id, progress: s.progress });
      }
      outcome = await this.#fromResult(item, await task.wait());
    } catch (error) {
      const e = toError(error);
      outcome = { ...(await this.#located(item, "failed", `lost track of the migration: ${e.message}`)), migrationId: task.id, error: { code: e.code, message: e.message } };
    }
    this.#settle(item, outcome);
    this.#schedule();
  }

  #startMove(step: PlannedMigration & { readonly move: PlannedMove }): Promise<MigrationTask> {
    if (!this.#runMove) throw new VmshiftError("NOT_SUPPORTED", `plan step ${step.order} moves ${step.vmId} (${step.move.from} → ${step.move.to}): executing it needs a move runner (ExecuteOptions.runMove)`, { operation: OPERATION, subject: step.vmId });
    return this.#runMove(step);
  }

  #cancelTask(item: Item): void {
    item.task?.cancel().catch(() => undefined); // the follower reports how it ended
  }

  async #fromResult(item: Item, r: MigrationResult): Promise<VmOutcome> {
    const location = needsLocation(r) ? (await this.#located(item, r.outcome, "")).vmLocation : undefined;
    return outcomeFromResult(item.m, r, { cancelRequested: item.cancelRequested, measuredDurationMs: this.#elapsed(item), ...(location ? { location } : {}) });
  }

  /** An outcome whose location is asked of the platform (falls back to the plan's source). */
  async #located(item: Item, status: VmOutcomeStatus, reason: string): Promise<VmOutcome> {
    let vm: Vm | undefined;
    try {
      vm = await this.#client.getVm(item.m.vmId);
    } catch {
      // keep the plan's view: the start did not go through, so the VM was not moved by us
    }
    return locatedOutcome(item.m, status, reason, vm, this.#elapsed(item));
  }

  #elapsed(item: Item): number {
    return this.#clock.now() - (item.startedAtMs ?? this.#startedAtMs);
  }

  #untouched(item: Item, status: VmOutcomeStatus, reason: string): VmOutcome {
    return untouchedOutcome(item.m, status, reason);
  }

  #settle(item: Item, outcome: VmOutcome): void {
    if (item.state === "done") return;
    item.state = "done";
    if (item.acquired) {
      item.acquired = false;
      this.#limiter.release(item.claim);
    }
    this.#outcomes.set(item.m.vmId, outcome);
    this.#emit({ type: "migration-finished", at: this.#iso(), outcome });
    if (outcome.status === "failed" && this.#stopOnFailure && !this.#stopping) this.#stop(`stopped after ${item.m.vmId} failed (stopOnFailure)`, false);
  }

  #finishIfIdle(): void {
    if (this.#report || this.#items.some((i) => i.state !== "done")) return;
    const planned = this.#items.map((i) => this.#outcomes.get(i.m.vmId)!);
    this.#report = fleetReport(this.plan, planned, { startedAtMs: this.#startedAtMs, endedAtMs: this.#clock.now(), cancelled: this.#stopping?.cancelInFlight === true });
    this.#emit({ type: "plan-finished", at: this.#iso(), report: this.#report });
    this.#resolve(this.#report);
  }

  #emit(event: FleetEvent): void {
    this.#channel.emit(event);
  }

  #iso(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

function toError(error: unknown): VmshiftError {
  if (isVmshiftError(error)) return error;
  return new VmshiftError("INTERNAL", error instanceof Error ? error.message : String(error), { operation: OPERATION, cause: error });
}

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error && r.name !== "AbortError" ? `cancelled: ${r.message}` : "cancelled by the caller's signal";
}
