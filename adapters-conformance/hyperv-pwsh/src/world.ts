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

  get requestCount(): number {
    return this.update((s) => s.requestCount);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
