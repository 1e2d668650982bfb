/**
 * Cold migration, driven by this process: stop (guest shutdown, then turn off after the caller's
 * timeout), move while stopped, start on the target; when the target start fails, move back and
 * start on the source (unless the caller opted out), reporting MIGRATION_PARTIAL if even that fails.
 */
import type { Clock, Logger, MigrationPhase, MigrationResult, MigrationSnapshot, NormalizedMigrationRequest, PowerState } from "@vmshift/core";
import { isVmshiftError } from "@vmshift/core";
import { type MigrationRef, encodeMigrationId } from "./migration-id.ts";
import { Reader } from "./psjson.ts";
import { type HvVm, hostOf, parseVm, powerStateOf, sameHost } from "./resources/vm.ts";
import type { PowerShellRunner } from "./runner.ts";
import { SCRIPTS } from "./scripts/index.ts";

/** Default guest shutdown time before power-off, ms. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 120_000;

/** A cold migration this process drives. */
export class ColdMigration {
  readonly ref: MigrationRef;
  readonly id: string;
  #phase: MigrationPhase = "preparing";
  #message: string | undefined;
  #result: MigrationResult | undefined;
  #endedAt: string | undefined;
  readonly #runner: PowerShellRunner;
  readonly #hosts: string[];
  readonly #request: NormalizedMigrationRequest;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Settles when the flow has ended (never rejects). */
  readonly done: Promise<void>;

  constructor(runner: PowerShellRunner, hosts: readonly string[], request: NormalizedMigrationRequest, ref: MigrationRef, deps: { clock: Clock; logger: Logger }) {
    this.#runner = runner;
    this.#hosts = [...hosts];
    this.#request = request;
    this.ref = ref;
    this.id = encodeMigrationId(ref);
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.done = this.#run();
  }

  snapshot(): MigrationSnapshot {
    const observedAt = new Date(this.#clock.now()).toISOString();
    return {
      id: this.id,
      vmId: this.ref.vmId,
      mode: "cold",
      phase: this.#phase,
      sourceHostId: this.ref.sourceHost,
      targetHostId: this.ref.targetHost,
      startedAt: this.ref.startedAt,
      progress: { phase: this.#phase, observedAt, ...(this.#message === undefined ? {} : { message: this.#message }) },
      ...(this.#endedAt === undefined ? {} : { endedAt: this.#endedAt }),
      ...(this.#result === undefined ? {} : { result: this.#result }),
    };
  }

  async #step<T>(phase: MigrationPhase, message: string, fn: () => Promise<T>): Promise<T> {
    this.#phase = phase;
    this.#message = message;
    return fn();
  }

  async #vmCall(script: "stopVm" | "moveStopped" | "startVm", params: Record<string, string | number | string[]>, operation: string): Promise<{ vm: HvVm; how?: string; shutdownError?: string }> {
    const data = await this.#runner.run(SCRIPTS[script], { vmId: this.ref.vmId, hostList: this.#hosts, ...params }, { operation, subject: this.id });
    const r = new Reader(data, script);
    const how = r.optionalString("how");
    const shutdownError = r.optionalString("shutdownError");
    return { vm: parseVm(r.raw("vm")), ...(how === undefined ? {} : { how }), ...(shutdownError === undefined ? {} : { shutdownError }) };
  }

  async #run(): Promise<void> {
    const { sourceHost, targetHost } = this.ref;
    const storagePath = this.ref.storagePath ?? "";
    let wasRunning = true;
    try {
      const timeoutSeconds = Math.max(1, Math.ceil((this.#request.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS) / 1000));
      const stopped = await this.#step("stopping", "shutting the guest down", () => this.#vmCall("stopVm", { timeoutSeconds }, "migration.cold.stop"));
      wasRunning = stopped.how !== "alreadyOff";
      if (stopped.how === "turnedOff") this.#logger.log("warn", "the guest shutdown failed or did not finish in time; the VM was turned off", { migrationId: this.id, timeoutSeconds, ...(stopped.shutdownError === undefined ? {} : { shutdownError: stopped.shutdownError }) });
    } catch (error) {
      return this.#finish("failed", await this.#where(), errorOf(error));
    }
    try {
      await this.#step("relocating", `moving to ${targetHost}`, () => this.#vmCall("moveStopped", { targetHost, storagePath }, "migration.cold.move"));
    } catch (error) {
      return this.#recoverOnSource(errorOf(error), wasRunning, false);
    }
    if (!wasRunning) return this.#finish("completed", { hostId: targetHost, side: "target", powerState: "stopped" });
    try {
      const started = await this.#step("starting", `starting on ${targetHost}`, () => this.#vmCall("startVm", {}, "migration.cold.start"));
      return this.#finish("completed", { hostId: targetHost, side: "target", powerState: powerStateOf(started.vm.state) });
    } catch (error) {
      return this.#recoverOnSource(errorOf(error), wasRunning, true);
    }
  }

  /** Puts the VM back on its source and starts it (when it ran before); MIGRATION_PARTIAL when that fails too. */
  async #recoverOnSource(cause: { code: string; message: string }, wasRunning: boolean, moved: boolean): Promise<void> {
    const { sourceHost, targetHost } = this.ref;
    if (this.#request.restartOnSourceOnFailure === false) {
      const where = await this.#where();
      return this.#finish("failed", where, { code: "MIGRATION_PARTIAL", message: `${cause.message}; the VM was left ${where.powerState} on ${where.hostId ?? "an unknown host"} because restartOnSourceOnFailure is false` });
    }
    try {
      this.#message = `recovering on ${sourceHost}: ${cause.message}`;
      if (moved) await this.#vmCall("moveStopped", { targetHost: sourceHost, storagePath: "" }, "migration.cold.moveBack");
      if (wasRunning) await this.#vmCall("startVm", {}, "migration.cold.restartOnSource");
      const where = await this.#where();
      return this.#finish("failed", where, { code: cause.code === "MIGRATION_PARTIAL" ? "MIGRATION_FAILED" : cause.code, message: `${cause.message}; the VM runs again on its source ${sourceHost}` });
    } catch (error) {
      const where = await this.#where();
      return this.#finish("failed", where, { code: "MIGRATION_PARTIAL", message: `${cause.message}; restarting on the source failed too (${errorOf(error).message}): the VM is ${where.powerState} on ${where.hostId ?? targetHost}` });
    }
  }

  async #where(): Promise<MigrationResult["vmLocation"]> {
    try {
      const data = await this.#runner.run(SCRIPTS.getVm, { vmId: this.ref.vmId, hostList: this.#hosts }, { operation: "migration.cold.locate", subject: this.id });
      if (data === null) return { side: "unknown", powerState: "unknown" };
      return locationOf(parseVm(data), this.ref);
    } catch {
      return { side: "unknown", powerState: "unknown" };
    }
  }

  #finish(outcome: "completed" | "failed", vmLocation: MigrationResult["vmLocation"], error?: { code: string; message: string }): void {
    const nowMs = this.#clock.now();
    this.#phase = outcome;
    this.#message = error?.message;
    this.#endedAt = new Date(nowMs).toISOString();
    this.#result = {
      migrationId: this.id,
      vmId: this.ref.vmId,
      mode: "cold",
      outcome,
      vmLocation,
      sourceHostId: this.ref.sourceHost,
      targetHostId: this.ref.targetHost,
      durationMs: Math.max(0, nowMs - Date.parse(this.ref.startedAt)),
      ...(error ? { error } : {}),
    };
  }
}

/** Where a VM is relative to a migration. */
export function locationOf(vm: HvVm, ref: MigrationRef): MigrationResult["vmLocation"] {
  const here = hostOf(vm);
  const side = sameHost(here, ref.targetHost) ? "target" : sameHost(here, ref.sourceHost) ? "source" : "unknown";
  const powerState: PowerState = powerStateOf(vm.state);
  return { hostId: side === "target" ? ref.targetHost : side === "source" ? ref.sourceHost : here, side, powerState };
}

function errorOf(error: unknown): { code: string; message: string } {
  if (isVmshiftError(error)) return { code: error.code, message: error.reason };
  return { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
}

/**
 * The snapshot of a cold migration this process does not drive (after a restart): reported from
 * where the VM is, since the steps cannot be resumed.
 */
export function orphanColdSnapshot(ref: MigrationRef, vm: HvVm | undefined, nowMs: number): MigrationSnapshot {
  const id = encodeMigrationId(ref);
  const observedAt = new Date(nowMs).toISOString();
  const location = vm ? locationOf(vm, ref) : ({ side: "unknown", powerState: "unknown" } as const);
  const completed = location.side === "target" && location.powerState === "running";
  const error = completed
    ? undefined
    : location.powerState === "running"
      ? { code: "MIGRATION_FAILED", message: `the process that drove this cold migration ended; the VM runs on ${location.hostId}` }
      : { code: "MIGRATION_PARTIAL", message: `the process that drove this cold migration ended; the VM is ${location.powerState} on ${location.hostId ?? "an unknown host"}: start it` };
  const phase = completed ? "completed" : "failed";
  return {
    id,
    vmId: ref.vmId,
    mode: "cold",
    phase,
    sourceHostId: ref.sourceHost,
    targetHostId: ref.targetHost,
    startedAt: ref.startedAt,
    endedAt: observedAt,
    progress: { phase, observedAt, ...(error ? { message: error.message } : {}) },
    result: { migrationId: id, vmId: ref.vmId, mode: "cold", outcome: phase, vmLocation: location, sourceHostId: ref.sourceHost, targetHostId: ref.targetHost, ...(error ? { error } : {}) },
  };
}
