/**
 * Cold migration, driven by this process: stop (guest shutdown when VMware Tools run, power-off
 * otherwise or after the shutdown timeout), RelocateVM_Task, power on at the target. If the move
 * or the start fails, the VM is moved back (when needed) and powered on at its source; when even
 * that fails the result is `MIGRATION_PARTIAL` with the VM's observed location.
 */
import { type Clock, type Logger, type MigrationPhase, type MigrationResult, type MigrationSnapshot, type VmLocation, VmshiftError, isVmshiftError } from "@vmshift/core";
import { faultToError } from "../errors.ts";
import { type MigrationRef, encodeMigrationId } from "../ids.ts";
import type { ServiceContent, VimSession } from "../session.ts";
import type { MoRef } from "../xml.ts";
import { getVm } from "./inventory.ts";
import { powerOf, relocateParams } from "./live.ts";
import type { VmFacts } from "./placement.ts";
import { type TaskState, cancelTask, startTask, watchTask } from "./tasks.ts";
import type { TaskFeed, VmPlace } from "./feed.ts";

/** What a cold migration needs. */
export interface ColdDeps {
  readonly session: VimSession;
  readonly content: ServiceContent;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The session's task feed: each step's task is one filter on it (default: a collector per task). */
  readonly feed?: TaskFeed;
}

/** Options of one cold migration. */
export interface ColdOptions {
  readonly restartOnSourceOnFailure: boolean;
  /** How long a guest shutdown may take before power-off, ms. Default 120 000. */
  readonly shutdownTimeoutMs: number;
  readonly targetPool?: MoRef;
  readonly sourcePool?: MoRef;
  readonly datastore?: string;
}

type Listener = (s: MigrationSnapshot) => void;

class Cancelled extends Error {}

/** One cold migration in flight (or finished) in this process. */
export class ColdMigration {
  readonly id: string;
  readonly ref: MigrationRef;
  #snapshot: MigrationSnapshot;
  readonly #listeners = new Set<Listener>();
  readonly #deps: ColdDeps;
  readonly #vm: VmFacts;
  readonly #options: ColdOptions;
  #cancelRequested = false;
  #task: MoRef | undefined;
  /** Where the VM was when the last task ended, as its filter pushed it (each task's filter watches the VM too). */
  #place: VmPlace | undefined;
  readonly #startedAt: string;

  constructor(deps: ColdDeps, ref: MigrationRef, vm: VmFacts, options: ColdOptions) {
    this.#deps = deps;
    this.ref = ref;
    this.id = encodeMigrationId(ref);
    this.#vm = vm;
    this.#options = options;
    this.#startedAt = new Date(deps.clock.now()).toISOString();
    this.#snapshot = this.#make("preparing");
  }

  /** The last state. */
  snapshot(): MigrationSnapshot {
    return this.#snapshot;
  }

  /** Runs the migration in the background. */
  start(): void {
    void this.#run();
  }

  /** Snapshots from now until terminal. */
  async *watch(signal?: AbortSignal): AsyncGenerator<MigrationSnapshot> {
    const queue: MigrationSnapshot[] = [this.#snapshot];
    let wake: (() => void) | undefined;
    const listener: Listener = (s) => {
      queue.push(s);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.#listeners.add(listener);
    signal?.addEventListener("abort", onAbort);
    try {
      for (;;) {
        while (queue.length > 0) {
          const s = queue.shift()!;
          yield s;
          if (s.result) return;
        }
        if (signal?.aborted) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      this.#listeners.delete(listener);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Asks to stop: before the move the VM is started again at the source; during the move the task is cancelled. */
  async cancel(): Promise<void> {
    if (this.#snapshot.result) return;
    this.#cancelRequested = true;
    if (this.#task) await cancelTask(this.#deps.session, this.#task).catch(() => undefined);
  }

  #make(phase: MigrationPhase, extra: { percent?: number; message?: string; result?: MigrationResult } = {}): MigrationSnapshot {
    const now = new Date(this.#deps.clock.now()).toISOString();
    return {
      id: this.id,
      vmId: this.ref.vmId,
      mode: "cold",
      phase,
      sourceHostId: this.ref.sourceHostId,
      targetHostId: this.ref.targetHostId,
      progress: { phase, ...(extra.percent === undefined ? {} : { percent: extra.percent }), ...(extra.message === undefined ? {} : { message: extra.message }), observedAt: now },
      startedAt: this.#startedAt,
      ...(extra.result ? { endedAt: now, result: extra.result } : {}),
    };
  }

  #emit(s: MigrationSnapshot): void {
    this.#snapshot = s;
    for (const l of [...this.#listeners]) l(s);
  }

  #checkCancel(): void {
    if (this.#cancelRequested) throw new Cancelled();
  }

  async #runTask(method: "RelocateVM_Task" | "PowerOffVM_Task" | "PowerOnVM_Task", params = relocateParams({ type: "HostSystem", value: this.ref.targetHostId }, undefined, undefined), onProgress?: (t: TaskState) => void): Promise<void> {
    const { session, content } = this.#deps;
    const vm: MoRef = { type: "VirtualMachine", value: this.ref.vmId };
    const task = await startTask(session, method, vm, method === "RelocateVM_Task" ? params : undefined);
    this.#task = method === "RelocateVM_Task" ? task : undefined;
    let final: TaskState | undefined;
    try {
      if (this.#cancelRequested && method === "RelocateVM_Task") await cancelTask(session, task).catch(() => undefined);
      if (this.#deps.feed) {
        this.#place = undefined;
        const subscription = await this.#deps.feed.subscribe(task, vm);
        try {
          for (let u = await subscription.next(); u; u = await subscription.next()) {
            final = u.state;
            if (u.vm) this.#place = u.vm;
            onProgress?.(u.state);
          }
        } finally {
          void subscription.close();
        }
      } else {
        for await (const t of watchTask(session, content, task)) {
          final = t;
          onProgress?.(t);
        }
      }
    } finally {
      this.#task = undefined;
    }
    if (final?.state === "error") {
      if (final.cancelled || final.error?.type === "RequestCanceled") throw new Cancelled();
      throw faultToError(final.error ?? { type: "SystemError", message: "" }, { operation: `migration.cold ${method}`, subject: this.ref.vmId, fallback: "MIGRATION_FAILED" });
    }
  }

  async #stop(): Promise<void> {
    const { session, clock } = this.#deps;
    const vm: MoRef = { type: "VirtualMachine", value: this.ref.vmId };
    if (this.#vm.toolsRunning) {
      await session.call("ShutdownGuest", vm);
      const deadline = clock.now() + this.#options.shutdownTimeoutMs;
      while (clock.now() < deadline) {
        if ((await getVm(session, this.#deps.content, this.ref.vmId)).powerState === "stopped") return;
        await clock.sleep(1000);
      }
      this.#deps.logger.log("warn", "guest shutdown timed out; powering off", { vmId: this.ref.vmId });
    }
    await this.#runTask("PowerOffVM_Task");
  }

  /** Where the VM is: as the last task's filter saw it at the task's end, else read. */
  async #locate(): Promise<VmLocation> {
    const place = this.#place;
    if (place?.hostId !== undefined && place.power !== undefined) {
      const side = place.hostId === this.ref.sourceHostId ? "source" : place.hostId === this.ref.targetHostId ? "target" : "unknown";
      return { hostId: place.hostId, side, powerState: powerOf(place.power) };
    }
    try {
      const vm = await getVm(this.#deps.session, this.#deps.content, this.ref.vmId);
      const side = vm.hostId === this.ref.sourceHostId ? "source" : vm.hostId === this.ref.targetHostId ? "target" : "unknown";
      return { ...(vm.hostId === undefined ? {} : { hostId: vm.hostId }), side, powerState: vm.powerState };
    } catch {
      return { side: "unknown", powerState: "unknown" };
    }
  }

  #finish(outcome: "completed" | "failed" | "cancelled", vmLocation: VmLocation, error?: { code: string; message: string }): void {
    const result: MigrationResult = {
      migrationId: this.id,
      vmId: this.ref.vmId,
      mode: "cold",
      outcome,
      vmLocation,
      sourceHostId: this.ref.sourceHostId,
      targetHostId: this.ref.targetHostId,
      durationMs: Math.max(0, this.#deps.clock.now() - Date.parse(this.#startedAt)),
      ...(error ? { error } : {}),
    };
    this.#emit(this.#make(outcome, { result }));
  }

  /** Puts the VM back on its source (if it moved) and powers it on; true when it runs there. */
  async #restoreAtSource(): Promise<boolean> {
    if (!this.#options.restartOnSourceOnFailure) return false;
    try {
      const where = await this.#locate();
      if (where.hostId !== this.ref.sourceHostId) {
        await this.#runTask("RelocateVM_Task", relocateParams({ type: "HostSystem", value: this.ref.sourceHostId }, this.#options.sourcePool, undefined));
      }
      if ((await this.#locate()).powerState !== "running") await this.#runTask("PowerOnVM_Task");
      return true;
    } catch (error) {
      this.#deps.logger.log("error", "could not start the VM again at its source", { vmId: this.ref.vmId, error: String((error as Error).message) });
      return false;
    }
  }

  async #run(): Promise<void> {
    const wasOn = this.#vm.power === "poweredOn";
    let moved = false;
    try {
      this.#emit(this.#make("stopping"));
      if (wasOn) await this.#stop();
      this.#checkCancel();
      this.#emit(this.#make("relocating", { percent: 0 }));
      await this.#runTask("RelocateVM_Task", relocateParams({ type: "HostSystem", value: this.ref.targetHostId }, this.#options.targetPool, this.#options.datastore), (t) => {
        if (t.state === "running" && t.progress !== undefined) this.#emit(this.#make("relocating", { percent: t.progress }));
      });
      moved = true;
      this.#emit(this.#make("starting"));
      if (wasOn) await this.#runTask("PowerOnVM_Task");
      this.#finish("completed", { hostId: this.ref.targetHostId, side: "target", powerState: wasOn ? "running" : "stopped" });
    } catch (error) {
      const cancelled = error instanceof Cancelled;
      const wrapped = cancelled ? undefined : isVmshiftError(error) ? error : new VmshiftError("MIGRATION_FAILED", String((error as Error).message), { adapter: "vsphere", cause: error });
      const restored = wasOn ? await this.#restoreAtSource() : !moved;
      const location = await this.#locate();
      const stranded = wasOn && location.powerState !== "running";
      const code = stranded ? "MIGRATION_PARTIAL" : (wrapped?.code ?? "ABORTED");
      const message = stranded
        ? `the VM is ${location.powerState} on ${location.hostId ?? "an unknown host"}${restored ? "" : " and could not be started at its source"}: ${wrapped?.reason ?? "cancelled"}`
        : (wrapped?.reason ?? "cancelled by caller; the VM was started again at its source");
      this.#finish(cancelled && !stranded ? "cancelled" : "failed", location, { code, message });
    }
  }
}
