/** Test-side access to a stand-in world: create it, and apply the conformance controls to it. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ModelState, conformanceWorld } from "./model.ts";
import { withState, writeState } from "./state.ts";

/** Path of the stand-in `pwsh` launcher. */
export const STAND_IN_PWSH = join(dirname(fileURLToPath(import.meta.url)), "..", "pwsh");

/** One isolated stand-in world on disk. */
export class StandInWorld {
  readonly dir: string;
  readonly statePath: string;

  constructor(initial: ModelState = conformanceWorld()) {
    this.dir = mkdtempSync(join(tmpdir(), "vmshift-hyperv-"));
    this.statePath = join(this.dir, "state.json");
    writeState(this.statePath, initial);
  }

  /** Environment for node-powershell's child process. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { VMSHIFT_PWSH_STATE: this.statePath, VMSHIFT_PWSH_NODE: process.execPath, ...extra };
  }

  update<T>(fn: (state: ModelState) => T): T {
    return withState<ModelState, T>(this.statePath, fn);
  }

  /** The VM id of a VM by name. */
  vmId(name: string): string {
    return this.update((s) => Object.values(s.vms).find((v) => v.name === name)!.id);
  }

  failDuringTransfer(vmId: string): void {
    this.update((s) => s.faults.failDuringTransfer.push(vmId.toLowerCase()));
  }

  failColdStartOnTarget(vmId: string): void {
    this.update((s) => s.faults.failColdStartOnTarget.push(`${vmId.toLowerCase()}@${s.vms[vmId.toLowerCase()]!.host}`));
  }

  slowDown(vmId: string): void {
    this.update((s) => s.faults.slow.push(vmId.toLowerCase()));
  }

  failTransiently(where: "start" | "progress" | "cancel", times: number): void {
    this.update((s) => {
      s.faults.transient ??= { start: 0, progress: 0, cancel: 0 };
      s.faults.transient[where] += times;
    });
  }

  /**
   * The next start acts, then its shell dies before answering. `lateRetry`: the client's retry of
   * that start is held back until the lost start's migration has finished (the VM already on the
   * target), as happens when the machine is busy.
   */
  loseNextStartResponse(options: { lateRetry?: boolean } = {}): void {
    this.update((s) => {
      s.faults.loseNextStart = true;
      if (options.lateRetry) s.faults.lateRetry = true;
    });
  }

  /** Breaks every open remoting session (PowerShell reports the session state Broken). */
  expireSession(): void {
    this.update((s) => (s.sessionEpoch = (s.sessionEpoch ?? 0) + 1));
  }

  migrationCount(vmId: string): number {
    return this.update((s) => Object.values(s.jobs).filter((j) => j.vmId === vmId.toLowerCase()).length);
  }

  /** Script names received so far, in order. */
  requestLog(): string[] {
    return this.update((s) => [...s.log]);
  }

  /** When the host finished the job with this instance id, ms since the epoch. */
  completedAt(jobId: string): number | undefined {
    return this.update((s) => s.jobs[jobId]?.completedAtMs);
  }

  get requestCount(): number {
    return this.update((s) => s.requestCount);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
