/**
 * Cold migration (KubeVirt has no API for it): stop the VM, wait until its VMI is gone, pin it to
 * the target node with `kubernetes.io/hostname` in the template's nodeSelector, start it, and wait
 * until it runs there. If it does not, restore the previous placement and start it on the source.
 *
 * Progress is recorded on the VM itself (annotation `vmshift.io/cold-migration`), so a new
 * process can read it back and `attachMigration` can resume a driver that stopped mid-way.
 */
import { type MigrationPhase, type MigrationResult, type MigrationSnapshot, type NormalizedMigrationRequest, type OperationContext, VmshiftError, backoffDelay, isTerminalPhase, isVmshiftError, pollUntil } from "@vmshift/core";
import { type ColdMigrationRef, type ObjectRef, formatColdId, formatRef, parseColdId, requestToken } from "./ids.ts";
import type { KubevirtApi } from "./resources/api.ts";
import { powerStateOf } from "./resources/vm.ts";
import { type KubeNode, type KvRunStrategy, type KvVirtualMachine, type KvVmi, LABELS } from "./types.ts";

/** What the annotation holds. */
export interface ColdRecord {
  readonly v: 1;
  readonly token: string;
  readonly requestId: string;
  readonly phase: MigrationPhase;
  readonly source?: string;
  readonly target: string;
  /** The template's nodeSelector before the pin (null: none). */
  readonly previousNodeSelector: Record<string, string> | null;
  readonly previousRunStrategy?: KvRunStrategy;
  readonly restartOnSource: boolean;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly message?: string;
  readonly outcome?: MigrationResult["outcome"];
  readonly location?: MigrationResult["vmLocation"];
  readonly error?: { readonly code: string; readonly message: string };
}

/** Timing of cold migrations. */
export interface ColdOptions {
  /** Longest wait for the VMI to go away after stop, ms. Default 300 000 (or the request's shutdownTimeoutMs). */
  readonly stopTimeoutMs?: number;
  /** Longest wait for the VMI to run after start, ms. Default 300 000. */
  readonly startTimeoutMs?: number;
  /** How long a VMI may stay unschedulable before the start counts as failed, ms. Default 30 000. */
  readonly unschedulableGraceMs?: number;
  /** Poll backoff while waiting, ms. Default 250 → 2000. */
  readonly pollInitialDelayMs?: number;
  readonly pollMaxDelayMs?: number;
}

/** Drivers running in this process, shared by every adapter instance (a simulated restart must not start a second one). */
const DRIVERS = new Map<string, Promise<void>>();

const parseRecord = (vm: KvVirtualMachine): ColdRecord | undefined => {
  const raw = vm.metadata?.annotations?.[LABELS.coldMigration];
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as ColdRecord;
    return parsed && parsed.v === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/** Cold migrations on one cluster. */
export class ColdMigrations {
  readonly #api: KubevirtApi;
  readonly #options: ColdOptions;

  constructor(api: KubevirtApi, options: ColdOptions = {}) {
    this.#api = api;
    this.#options = options;
  }

  /** The snapshot of the cold migration an earlier start with this request id recorded on the VM, if any. */
  earlier(vmRef: ObjectRef, vm: KvVirtualMachine, vmi: KvVmi | undefined, request: NormalizedMigrationRequest, ctx: OperationContext): MigrationSnapshot | undefined {
    const token = requestToken(request.requestId);
    const existing = parseRecord(vm);
    return existing?.token === token ? this.#snapshot({ ...vmRef, token }, existing, vm, vmi, ctx) : undefined;
  }

  /**
   * Records the migration on the VM and asks it to stop in the same write, then starts the driver;
   * idempotent on the request id. `node` is the target Node as read (undefined: it does not exist;
   * null: this identity may not read nodes, so the start goes on).
   */
  async start(vmRef: ObjectRef, vm: KvVirtualMachine, vmi: KvVmi | undefined, node: KubeNode | undefined | null, request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    const token = requestToken(request.requestId);
    const ref: ColdMigrationRef = { ...vmRef, token };
    const id = formatColdId(ref);
    const existing = parseRecord(vm);
    if (existing?.token === token) return this.#snapshot(ref, existing, vm, vmi, ctx);
    if (existing && !isTerminalPhase(existing.phase)) {
      throw new VmshiftError("CONFLICT", `cold migration ${formatColdId({ ...vmRef, token: existing.token })} of this VM is in progress`, { adapter: "kubevirt", retryable: false });
    }
    const target = request.targetHostId;
    if (!target) throw new VmshiftError("INVALID_ARGUMENT", "a cold migration needs targetHostId (KubeVirt's scheduler cannot pick a different node for a restart)", { adapter: "kubevirt" });
    if (node === undefined) throw new VmshiftError("NOT_FOUND", `node ${target} does not exist`, { adapter: "kubevirt" });
    const source = vmi?.status?.nodeName;
    if (source === target) throw new VmshiftError("INVALID_ARGUMENT", `the VM already runs on ${target}`, { adapter: "kubevirt" });
    const selector = vm.spec.template?.spec?.nodeSelector;
    const stop = stopAction(vm);
    const record: ColdRecord = {
      v: 1,
      token,
      requestId: request.requestId,
      phase: "stopping",
      message: "stopping the VM",
      target,
      ...(source ? { source } : {}),
      previousNodeSelector: selector ? { ...selector } : null,
      ...(vm.spec.runStrategy ? { previousRunStrategy: vm.spec.runStrategy as KvRunStrategy } : {}),
      restartOnSource: request.restartOnSourceOnFailure ?? true,
      startedAt: new Date(ctx.clock.now()).toISOString(),
    };
    // The resourceVersion precondition makes two concurrent starts of different requests collide (409) instead of both winning.
    const written = await this.#api.patchVm(vmRef, { metadata: { resourceVersion: vm.metadata?.resourceVersion, annotations: { [LABELS.coldMigration]: JSON.stringify(record) } }, ...(stop.patch ? { spec: stop.patch } : {}) }, ctx.signal);
    if (stop.subresource) await stopSubresource(this.#api, vmRef, ctx.signal);
    this.#launch(id, ref, record, request.shutdownTimeoutMs, ctx, true);
    return this.#snapshot(ref, record, written, vmi, ctx);
  }

  /** Reads the record back. `NOT_FOUND` when the VM carries another (or no) cold migration. */
  async get(id: string, ctx: OperationContext, operation = "migration.get"): Promise<MigrationSnapshot> {
    const ref = parseColdId(id, operation);
    const { vm, record } = await this.#load(ref, ctx, operation);
    const vmi = await this.#api.findVmi(ref, ctx.signal);
    return this.#snapshot(ref, record, vm, vmi, ctx);
  }

  /** Like `get`, and resumes the driver when no driver of this process runs it (after a restart). */
  async attach(id: string, ctx: OperationContext): Promise<MigrationSnapshot> {
    const snapshot = await this.get(id, ctx, "migration.attach");
    if (!isTerminalPhase(snapshot.phase) && !DRIVERS.has(id)) {
      const ref = parseColdId(id, "migration.attach");
      const { record } = await this.#load(ref, ctx, "migration.attach");
      ctx.logger.log("info", "resuming a cold migration left unfinished by another process", { migrationId: id, phase: record.phase });
      this.#launch(id, ref, record, undefined, ctx, false);
    }
    return snapshot;
  }

  /** Polls the record until terminal, yielding each change. */
  async *watch(id: string, ctx: OperationContext): AsyncIterable<MigrationSnapshot> {
    let last = "";
    let attempt = 0;
    for (;;) {
      const snapshot = await this.get(id, ctx, "migration.watch");
      const key = `${snapshot.phase}|${snapshot.progress.message ?? ""}`;
      if (key !== last) {
        last = key;
        attempt = 0;
        yield snapshot;
      }
      if (isTerminalPhase(snapshot.phase)) return;
      await ctx.clock.sleep(backoffDelay(attempt++, { initialDelayMs: this.#options.pollInitialDelayMs ?? 250, maxDelayMs: this.#options.pollMaxDelayMs ?? 2000 }), ctx.signal);
    }
  }

  async #load(ref: ColdMigrationRef, ctx: OperationContext, operation: string): Promise<{ vm: KvVirtualMachine; record: ColdRecord }> {
    const vm = await this.#api.getVm(ref, ctx.signal);
    const record = parseRecord(vm);
    if (!record || record.token !== ref.token) throw new VmshiftError("NOT_FOUND", `cold migration ${formatColdId(ref)} is not recorded on the VM`, { adapter: "kubevirt", operation });
    return { vm, record };
  }

  /** Starts the driver; `stopSent`: the start already asked the VM to stop (with the record). */
  #launch(id: string, ref: ColdMigrationRef, record: ColdRecord, shutdownTimeoutMs: number | undefined, ctx: OperationContext, stopSent: boolean): void {
    // The driver outlives the call that started it: it must not stop when the caller's signal fires.
    const driverCtx: OperationContext = { clock: ctx.clock, logger: ctx.logger };
    const run = new ColdDriver(this.#api, ref, record, this.#options, shutdownTimeoutMs, driverCtx, stopSent)
      .run()
      .catch((error: unknown) => ctx.logger.log("error", "cold migration driver failed", { migrationId: id, error: error instanceof Error ? error.message : String(error) }))
      .finally(() => DRIVERS.delete(id));
    DRIVERS.set(id, run);
  }

  #snapshot(ref: ColdMigrationRef, record: ColdRecord, vm: KvVirtualMachine, vmi: KvVmi | undefined, ctx: OperationContext): MigrationSnapshot {
    const id = formatColdId(ref);
    const vmId = formatRef(ref);
    const terminal = isTerminalPhase(record.phase);
    const durationMs = record.endedAt ? Date.parse(record.endedAt) - Date.parse(record.startedAt) : undefined;
    return {
      id,
      vmId,
      mode: "cold",
      phase: record.phase,
      progress: { phase: record.phase, observedAt: new Date(ctx.clock.now()).toISOString(), ...(record.message ? { message: record.message } : {}) },
      targetHostId: record.target,
      ...(record.source ? { sourceHostId: record.source } : {}),
      startedAt: record.startedAt,
      ...(record.endedAt ? { endedAt: record.endedAt } : {}),
      ...(terminal
        ? {
            result: {
              migrationId: id,
              vmId,
              mode: "cold" as const,
              outcome: record.phase as MigrationResult["outcome"],
              vmLocation: record.location ?? { side: "unknown" as const, powerState: powerStateOf(vm, vmi), ...(vmi?.status?.nodeName ? { hostId: vmi.status.nodeName } : {}) },
              targetHostId: record.target,
              ...(record.source ? { sourceHostId: record.source } : {}),
              ...(durationMs === undefined ? {} : { durationMs }),
              ...(record.error ? { error: record.error } : {}),
            },
          }
        : {}),
    };
  }
}

/** Runs one cold migration from its recorded phase to the end. */
class ColdDriver {
  readonly #api: KubevirtApi;
  readonly #ref: ColdMigrationRef;
  #record: ColdRecord;
  readonly #options: ColdOptions;
  readonly #shutdownTimeoutMs: number | undefined;
  readonly #ctx: OperationContext;
  readonly #stopSent: boolean;

  constructor(api: KubevirtApi, ref: ColdMigrationRef, record: ColdRecord, options: ColdOptions, shutdownTimeoutMs: number | undefined, ctx: OperationContext, stopSent: boolean) {
    this.#api = api;
    this.#ref = ref;
    this.#record = record;
    this.#options = options;
    this.#shutdownTimeoutMs = shutdownTimeoutMs;
    this.#ctx = ctx;
    this.#stopSent = stopSent;
  }

  /**
   * Each step's record change goes in the same merge patch as the step itself (stop, pin, start),
   * so a migration writes the VM five times: record + stop (in the start), pin, start, outcome.
   */
  async run(): Promise<void> {
    try {
      if (this.#record.phase === "preparing" || this.#record.phase === "stopping") {
        if (!this.#stopSent) await this.#stop({ phase: "stopping", message: "stopping the VM" });
        await this.#waitGone(this.#shutdownTimeoutMs ?? this.#options.stopTimeoutMs ?? 300_000);
      }
      if (this.#record.phase === "stopping" || this.#record.phase === "relocating") {
        await this.#place({ ...(this.#record.previousNodeSelector ?? {}), [LABELS.hostname]: this.#record.target }, { phase: "relocating", message: `pinning the VM to ${this.#record.target}` });
      }
      await this.#start({ phase: "starting", message: `starting the VM on ${this.#record.target}` });
      const vmi = await this.#waitRunning();
      if (vmi.status?.nodeName !== this.#record.target) throw new StartFailure(`the VM started on ${vmi.status?.nodeName ?? "an unknown node"}, not on ${this.#record.target}`);
      await this.#finish("completed", { hostId: this.#record.target, side: "target", powerState: "running" }, undefined, `running on ${this.#record.target}`);
    } catch (error) {
      await this.#recover(error);
    }
  }

  async #recover(error: unknown): Promise<void> {
    const why = error instanceof Error ? error.message : String(error);
    if (!this.#record.restartOnSource) {
      await this.#place(this.#record.previousNodeSelector).catch(() => undefined);
      await this.#finish("failed", { side: "unknown", powerState: "stopped" }, { code: "MIGRATION_FAILED", message: `${why}; the VM was left stopped as requested (restartOnSourceOnFailure: false)` });
      return;
    }
    try {
      await this.#stop({ message: `start on ${this.#record.target} failed (${why}); restarting on ${this.#record.source ?? "the source"}` });
      await this.#waitGone(this.#options.stopTimeoutMs ?? 300_000);
      // Back to the previous placement and started, in one write.
      await this.#start({ message: `starting the VM again on ${this.#record.source ?? "the source"}` }, this.#record.previousNodeSelector);
      const vmi = await this.#waitRunning();
      const node = vmi.status?.nodeName;
      await this.#finish("failed", { side: node !== undefined && node === this.#record.source ? "source" : "unknown", powerState: "running", ...(node ? { hostId: node } : {}) }, { code: "MIGRATION_FAILED", message: `${why}; the VM runs again on ${node ?? "an unknown node"}` });
    } catch (second) {
      const again = second instanceof Error ? second.message : String(second);
      await this.#finish("failed", { side: "unknown", powerState: "unknown" }, { code: "MIGRATION_PARTIAL", message: `${why}; restarting on the source failed too: ${again}. Manual action is needed.` }).catch(() => undefined);
    }
  }

  /** The merge patch that replaces the template's nodeSelector by `selector` (null removes it; keys not in `selector` are dropped). */
  #placement(vm: KvVirtualMachine, selector: Record<string, string> | null): { nodeSelector: Record<string, string | null> | null } {
    const current = vm.spec.template?.spec?.nodeSelector ?? {};
    const patch: Record<string, string | null> = {};
    for (const key of Object.keys(current)) if (!selector || !(key in selector)) patch[key] = null;
    Object.assign(patch, selector ?? {});
    return { nodeSelector: Object.keys(patch).length === 0 ? null : patch };
  }

  /** Replaces the template's nodeSelector, recording `change` in the same write. */
  async #place(selector: Record<string, string> | null, change: Partial<ColdRecord> = {}): Promise<void> {
    const vm = await this.#api.getVm(this.#ref, this.#ctx.signal);
    this.#record = { ...this.#record, ...change };
    await this.#api.patchVm(this.#ref, { metadata: this.#annotation(), spec: { template: { spec: this.#placement(vm, selector) } } }, this.#ctx.signal);
  }

  /** Asks the VM to stop, recording `change` in the same write. */
  async #stop(change: Partial<ColdRecord>): Promise<void> {
    const vm = await this.#api.getVm(this.#ref, this.#ctx.signal);
    this.#record = { ...this.#record, ...change };
    const stop = stopAction(vm);
    await this.#api.patchVm(this.#ref, { metadata: this.#annotation(), ...(stop.patch ? { spec: stop.patch } : {}) }, this.#ctx.signal);
    if (stop.subresource) await stopSubresource(this.#api, this.#ref, this.#ctx.signal);
  }

  /** Asks the VM to start (placed by `selector` when given), recording `change` in the same write. */
  async #start(change: Partial<ColdRecord>, selector?: Record<string, string> | null): Promise<void> {
    const vm = await this.#api.getVm(this.#ref, this.#ctx.signal);
    this.#record = { ...this.#record, ...change };
    const previous = this.#record.previousRunStrategy;
    const subresource = previous === "Manual" || previous === "RerunOnFailure";
    const run = subresource ? {} : vm.spec.running !== undefined ? { running: true } : { runStrategy: previous && previous !== "Halted" ? previous : "Always" };
    const place = selector === undefined ? {} : { template: { spec: this.#placement(vm, selector) } };
    await this.#api.patchVm(this.#ref, { metadata: this.#annotation(), spec: { ...run, ...place } }, this.#ctx.signal);
    if (subresource) {
      await this.#api.vmSubresource(this.#ref, "start", this.#ctx.signal).catch((e: unknown) => {
        if (!isVmshiftError(e, "INVALID_STATE")) throw e;
      });
    }
  }

  #annotation(): { annotations: Record<string, string> } {
    return { annotations: { [LABELS.coldMigration]: JSON.stringify(this.#record) } };
  }

  #poll<T>(check: () => Promise<T | undefined>, maxWaitMs: number, what: string): Promise<T> {
    return pollUntil(check, {
      clock: this.#ctx.clock,
      maxWaitMs,
      initialDelayMs: this.#options.pollInitialDelayMs ?? 250,
      maxDelayMs: this.#options.pollMaxDelayMs ?? 2000,
      operation: "migration.cold",
      subject: `${formatRef(this.#ref)} (${what})`,
    });
  }

  async #waitGone(maxWaitMs: number): Promise<void> {
    await this.#poll(async () => ((await this.#api.findVmi(this.#ref)) === undefined ? true : undefined), maxWaitMs, "waiting for the VM to stop");
  }

  async #waitRunning(): Promise<KvVmi> {
    let unschedulableSince: number | undefined;
    const grace = this.#options.unschedulableGraceMs ?? 30_000;
    try {
      return await this.#poll(async () => {
        const vmi = await this.#api.findVmi(this.#ref);
        if (!vmi) return undefined;
        const phase = vmi.status?.phase;
        if (phase === "Running") return vmi;
        if (phase === "Failed" || phase === "Succeeded") throw new StartFailure(`the VM instance ended ${phase} while starting`);
        const scheduled = vmi.status?.conditions?.find((c) => c.type === "PodScheduled");
        if (scheduled?.status === "False" && scheduled.reason === "Unschedulable") {
          unschedulableSince ??= this.#ctx.clock.now();
          if (this.#ctx.clock.now() - unschedulableSince >= grace) throw new StartFailure(`the VM cannot be scheduled: ${scheduled.message ?? "Unschedulable"}`);
        }
        return undefined;
      }, this.#options.startTimeoutMs ?? 300_000, "waiting for the VM to run");
    } catch (error) {
      if (isVmshiftError(error, "TIMEOUT")) throw new StartFailure(`the VM did not reach Running: ${error.reason}`);
      throw error;
    }
  }

  async #finish(outcome: MigrationResult["outcome"], location: MigrationResult["vmLocation"], error?: { code: string; message: string }, message?: string): Promise<void> {
    this.#record = { ...this.#record, phase: outcome, outcome, location, endedAt: new Date(this.#ctx.clock.now()).toISOString(), ...(error ? { error, message: error.message } : {}), ...(message ? { message } : {}) };
    await this.#api.patchVm(this.#ref, { metadata: this.#annotation() }, this.#ctx.signal);
  }
}

/** How to stop a VM: a merge patch of its spec, or (runStrategy Manual / RerunOnFailure) the `stop` subresource. */
function stopAction(vm: KvVirtualMachine): { readonly patch?: Record<string, unknown>; readonly subresource?: true } {
  const strategy = vm.spec.runStrategy as KvRunStrategy | undefined;
  if (strategy === "Manual" || strategy === "RerunOnFailure") return { subresource: true };
  return vm.spec.running !== undefined ? { patch: { running: false } } : { patch: { runStrategy: "Halted" } };
}

async function stopSubresource(api: KubevirtApi, ref: ObjectRef, signal: AbortSignal | undefined): Promise<void> {
  await api.vmSubresource(ref, "stop", signal).catch((e: unknown) => {
    if (!isVmshiftError(e, "INVALID_STATE")) throw e; // "VM is not running": already stopped
  });
}

class StartFailure extends Error {}
