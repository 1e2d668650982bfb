/**
 * Cold migration on AHV, run by vmshift one step per observation:
 *
 * 1. stopping: `guest-shutdown` when Nutanix Guest Tools are reachable, else `shutdown` (ACPI);
 *    a hard `power-off` once `shutdownTimeoutMs` has passed.
 * 2. relocating: across clusters `$actions/migrate` with `isLiveMigration: false`. Within a
 *    cluster there is nothing to move: AHV does not pin a powered-off VM to a host.
 * 3. starting: `power-on` (AHV's scheduler places the VM), then a live `migrate-to-host` to the
 *    requested host when the scheduler chose another one.
 * On a failed start the VM is started again and moved back to its source host (unless the caller
 * opted out); if even that fails the result is `MIGRATION_PARTIAL` with the VM's state.
 *
 * Each step's `NTNX-Request-Id` derives from the caller's request id, so re-sending a step (after
 * a lost answer or a process restart) finds the step's first task instead of acting twice.
 */
import type { MigrationPhase, MigrationResult, MigrationSnapshot, NormalizedMigrationRequest, OperationContext, VmLocation } from "@vmshift/core";
import { VmshiftError } from "@vmshift/core";
import type { NutanixContext } from "./context.ts";
import { faultFromTask, toVmshiftError } from "./errors.ts";
import { vmLocation } from "./live.ts";
import { type ColdId, formatMigrationId } from "./migration-id.ts";
import { crossClusterBody, refuseOnError, runChecks } from "./preflight.ts";
import { stepRequestId } from "./request-id.ts";
import { getTask } from "./resources/tasks.ts";
import type { V4Task, V4Vm } from "./resources/v4-types.ts";
import { type VmAction, getVm, postVmAction } from "./resources/vms.ts";

type Step = "shutdown" | "power-off" | "relocate" | "power-on" | "place" | "restart" | "return";

interface ColdState {
  readonly tasks: Map<Step, string>;
  /** Steps whose task ended: a finished task does not change, so it is not read again. */
  readonly ended: Map<Step, V4Task>;
  readonly startedAtMs: number;
  stopRequestedAtMs?: number;
  final?: MigrationSnapshot;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 300_000;

/** Runs cold migrations; state lives in memory and is rebuilt from Prism after a restart. */
export class ColdMigrations {
  readonly #ctx: NutanixContext;
  readonly #state = new Map<string, ColdState>();

  constructor(ctx: NutanixContext) {
    this.#ctx = ctx;
  }

  /** Starts a cold migration (sends its first step). Idempotent on `request.requestId`. */
  async start(request: NormalizedMigrationRequest, op: OperationContext): Promise<MigrationSnapshot> {
    const signalOpt = op.signal ? { signal: op.signal } : {};
    const { vm } = await getVm(this.#ctx.transport, request.vmId, { operation: "migration.start", ...signalOpt });
    refuseOnError(await runChecks(this.#ctx, request, vm, { full: false, ...signalOpt }), request);
    const sourceHostId = vm.host?.extId ?? undefined;
    const crossCluster = request.targetClusterId !== undefined && request.targetClusterId !== vm.cluster?.extId;
    const timeout = request.shutdownTimeoutMs ?? this.#ctx.behaviour.shutdownTimeoutMs;
    const id: ColdId = {
      kind: "cold",
      vmExtId: request.vmId,
      ...(sourceHostId ? { sourceHostId } : {}),
      ...(request.targetHostId ? { targetHostId: request.targetHostId } : {}),
      ...(crossCluster && request.targetClusterId ? { targetClusterId: request.targetClusterId } : {}),
      wasOn: vm.powerState === "ON",
      ...(timeout === undefined ? {} : { shutdownTimeoutMs: timeout }),
      restartOnSource: request.restartOnSourceOnFailure !== false,
      requestId: request.requestId,
    };
    return this.observe(id, op);
  }

  /** Observes the migration and sends its next step when the current one is done. */
  async observe(id: ColdId, op: OperationContext): Promise<MigrationSnapshot> {
    const key = formatMigrationId(id);
    let state = this.#state.get(key);
    if (!state) {
      state = { tasks: new Map(), ended: new Map(), startedAtMs: op.clock.now() };
      this.#state.set(key, state);
    }
    if (state.final) return state.final;
    const snapshot = await this.#advance(id, state, op);
    if (snapshot.result) state.final = snapshot;
    return snapshot;
  }

  /** Cold migrations cannot be cancelled part-way by vmshift. */
  cancel(id: ColdId): never {
    throw new VmshiftError("CAPABILITY_UNAVAILABLE", "a cold migration on AHV is a sequence of power and placement tasks; vmshift does not cancel it part-way (wait for it to finish)", {
      adapter: "nutanix",
      operation: "migration.cancel",
      subject: formatMigrationId(id),
    });
  }

  async #advance(id: ColdId, state: ColdState, op: OperationContext): Promise<MigrationSnapshot> {
    const signalOpt = op.signal ? { signal: op.signal } : {};
    const readVm = async (): Promise<V4Vm> => (await getVm(this.#ctx.transport, id.vmExtId, { operation: "migration.get", ...signalOpt })).vm;
    const step = (name: Step, action: VmAction, body?: unknown): Promise<V4Task> => this.#step(id, state, op, name, action, body);
    const at = (phase: MigrationPhase, task: V4Task | undefined, message: string): MigrationSnapshot => this.#snapshot(id, state, phase, op, message, task);

    let vm = await readVm();
    // Already running on the requested host: nothing left to do. This also keeps an attach to a
    // finished migration from replaying its steps (Prism remembers request ids only for a while).
    if (id.wasOn && id.targetHostId !== undefined && vm.powerState === "ON" && vm.host?.extId === id.targetHostId && !state.tasks.has("restart")) return this.#done(id, state, op);
    // 1. stopping. Done when the VM is off, or when a stop task succeeded (the VM may be on
    // again because a later step started it: this observation may come after a restart).
    if (id.wasOn && vm.powerState !== "OFF") {
      const ngt = vm.guestTools?.isInstalled === true && vm.guestTools.isReachable === true;
      state.stopRequestedAtMs ??= op.clock.now();
      const shutdown = await step("shutdown", ngt ? "guest-shutdown" : "shutdown", ngt ? { guestPowerStateTransitionConfig: { shouldEnableScriptExec: false, shouldFailOnScriptFailure: false } } : undefined);
      if (shutdown.status !== "SUCCEEDED") {
        const timeout = id.shutdownTimeoutMs ?? this.#ctx.behaviour.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
        const giveUp = op.clock.now() - state.stopRequestedAtMs >= timeout || shutdown.status === "FAILED" || shutdown.status === "CANCELED";
        if (!giveUp && !state.tasks.has("power-off")) return at("stopping", shutdown, ngt ? "guest shutdown through Nutanix Guest Tools" : "ACPI shutdown");
        const off = await step("power-off", "power-off");
        if (off.status === "FAILED" || off.status === "CANCELED") return this.#fail(id, state, op, off, "the VM could not be powered off", "INVALID_STATE");
        if (off.status !== "SUCCEEDED") return at("stopping", off, "hard power-off after the shutdown timeout");
      }
    }
    // 2. relocating (across clusters only)
    if (id.targetClusterId !== undefined) {
      const move = await step("relocate", "migrate", crossClusterBody(this.#ctx, { ...this.#request(id), mode: "cold" }));
      if (move.status === "FAILED" || move.status === "CANCELED") return this.#recover(id, state, op, move, "the cross-cluster move failed");
      if (move.status !== "SUCCEEDED") return at("relocating", move, "cross-cluster move");
    }
    if (!id.wasOn) return this.#done(id, state, op);
    // 3. starting
    const on = await step("power-on", "power-on");
    if (on.status === "FAILED" || on.status === "CANCELED") return this.#recover(id, state, op, on, "the VM could not be started on the target");
    if (on.status !== "SUCCEEDED") return at("starting", on, "powering on");
    vm = await readVm();
    if (id.targetHostId !== undefined && (vm.host?.extId !== id.targetHostId || state.tasks.has("place"))) {
      const place = await step("place", "migrate-to-host", { host: { extId: id.targetHostId } });
      if (place.status === "FAILED" || place.status === "CANCELED") return this.#recover(id, state, op, place, "the VM started but could not be placed on the target host");
      if (place.status !== "SUCCEEDED") return at("starting", place, "placing on the target host (live migrate-to-host after power-on)");
    }
    return this.#done(id, state, op);
  }

  /**
   * Sends step `name` once (its `NTNX-Request-Id` derives from the migration's request id, so a
   * resend after a restart finds the same task) and reads its task.
   */
  async #step(id: ColdId, state: ColdState, op: OperationContext, name: Step, action: VmAction, body: unknown): Promise<V4Task> {
    const ended = state.ended.get(name);
    if (ended) return ended;
    const signalOpt = op.signal ? { signal: op.signal } : {};
    let taskId = state.tasks.get(name);
    if (taskId === undefined) {
      taskId = await postVmAction(this.#ctx.transport, {
        vmExtId: id.vmExtId,
        action,
        requestId: stepRequestId(id.requestId, name),
        ...(body === undefined ? {} : { body }),
        operation: "migration.cold",
        ...signalOpt,
      });
      state.tasks.set(name, taskId);
    }
    const task = await getTask(this.#ctx.transport, taskId, { operation: "migration.get", ...signalOpt });
    if (task.status === "SUCCEEDED" || task.status === "FAILED" || task.status === "CANCELED") state.ended.set(name, task);
    return task;
  }

  /** After a failed step: start the VM again and bring it back to its source host. */
  async #recover(id: ColdId, state: ColdState, op: OperationContext, failed: V4Task, what: string): Promise<MigrationSnapshot> {
    const cause = toVmshiftError(faultFromTask(failed), { operation: "migration.cold", subject: id.vmExtId });
    const reason = `${what}: ${cause.reason}`;
    const signalOpt = op.signal ? { signal: op.signal } : {};
    let vm = (await getVm(this.#ctx.transport, id.vmExtId, { operation: "migration.get", ...signalOpt })).vm;
    if (!id.restartOnSource) {
      return vm.powerState === "ON" ? this.#fail(id, state, op, failed, reason, cause.code) : this.#fail(id, state, op, failed, `${reason}; the VM was left stopped as asked (restartOnSourceOnFailure: false)`, "MIGRATION_PARTIAL");
    }
    const post = (name: Step, action: VmAction, body?: unknown): Promise<V4Task> => this.#step(id, state, op, name, action, body);
    if (vm.powerState !== "ON" || state.tasks.has("restart")) {
      const restart = await post("restart", "power-on");
      if (restart.status === "FAILED" || restart.status === "CANCELED") {
        return this.#fail(id, state, op, restart, `${reason}; starting it again on the source failed too`, "MIGRATION_PARTIAL");
      }
      if (restart.status !== "SUCCEEDED") return this.#snapshot(id, state, "starting", op, "starting the VM again after a failed start on the target", restart);
      vm = (await getVm(this.#ctx.transport, id.vmExtId, { operation: "migration.get", ...signalOpt })).vm;
    }
    if (id.sourceHostId !== undefined && id.targetClusterId === undefined && (vm.host?.extId !== id.sourceHostId || state.tasks.has("return"))) {
      const back = await post("return", "migrate-to-host", { host: { extId: id.sourceHostId } });
      if (back.status !== "SUCCEEDED" && back.status !== "FAILED" && back.status !== "CANCELED") return this.#snapshot(id, state, "starting", op, "moving the VM back to its source host", back);
    }
    return this.#fail(id, state, op, failed, `${reason}; the VM was started again`, "MIGRATION_FAILED");
  }

  async #done(id: ColdId, state: ColdState, op: OperationContext): Promise<MigrationSnapshot> {
    const location = await vmLocation(this.#ctx, id, op);
    return this.#snapshot(id, state, "completed", op, "completed", undefined, this.#result(id, state, op, "completed", location));
  }

  async #fail(id: ColdId, state: ColdState, op: OperationContext, task: V4Task | undefined, reason: string, code: string): Promise<MigrationSnapshot> {
    const location: VmLocation = await vmLocation(this.#ctx, id, op);
    const result = this.#result(id, state, op, "failed", location, { code, message: reason });
    return this.#snapshot(id, state, "failed", op, reason, task, result);
  }

  #result(id: ColdId, state: ColdState, op: OperationContext, outcome: "completed" | "failed", location: VmLocation, error?: { code: string; message: string }): MigrationResult {
    return {
      migrationId: formatMigrationId(id),
      vmId: id.vmExtId,
      mode: "cold",
      outcome,
      vmLocation: location,
      ...(id.sourceHostId ? { sourceHostId: id.sourceHostId } : {}),
      ...(id.targetHostId ? { targetHostId: id.targetHostId } : {}),
      durationMs: Math.max(0, op.clock.now() - state.startedAtMs),
      ...(error ? { error } : {}),
    };
  }

  #snapshot(id: ColdId, state: ColdState, phase: MigrationPhase, op: OperationContext, message: string, task?: V4Task, result?: MigrationResult): MigrationSnapshot {
    const observedAt = new Date(op.clock.now()).toISOString();
    const percent = task && typeof task.progressPercentage === "number" && phase !== "completed" && phase !== "failed" ? Math.max(0, Math.min(100, task.progressPercentage)) : undefined;
    return {
      id: formatMigrationId(id),
      vmId: id.vmExtId,
      mode: "cold",
      phase,
      ...(id.sourceHostId ? { sourceHostId: id.sourceHostId } : {}),
      ...(id.targetHostId ? { targetHostId: id.targetHostId } : {}),
      progress: { phase, ...(percent === undefined ? {} : { percent }), message, observedAt },
      startedAt: new Date(state.startedAtMs).toISOString(),
      ...(result ? { endedAt: observedAt, result } : {}),
    };
  }

  #request(id: ColdId): NormalizedMigrationRequest {
    return { vmId: id.vmExtId, mode: "cold", requestId: id.requestId, ...(id.targetClusterId ? { targetClusterId: id.targetClusterId } : {}) };
  }
}
