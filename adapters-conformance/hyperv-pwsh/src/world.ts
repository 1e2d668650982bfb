/** Test-side access to a stand-in world: create it, and apply the conformance controls to it. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ModelState, conformanceWorld } from "./model.ts";
import { type ModelDevices, type ModelHardDisk, type ModelRct, guestWrite, shareFile } from "./move-model.ts";
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
    writeState(this.statePath, { ...initial, shareRoot: initial.shareRoot ?? join(this.dir, "shares") });
  }

  /** The directory standing for every host's administrative shares (`<shareRoot>/<host>/<drive>$/…`). */
  get shareRoot(): string {
    return this.update((s) => s.shareRoot!);
  }

  /** Sets devices of VM `vmName` for a move (disks, DVD drives, NICs, firmware, checkpoints). */
  setDevices(vmName: string, patch: Partial<ModelDevices>): void {
    this.update((s) => {
      const vm = Object.values(s.vms).find((v) => v.name === vmName)!;
      vm.devices = { disks: [], dvds: [], nics: [], ...vm.devices, ...patch };
    });
  }

  /** A guest write of `length` bytes of `pattern` at `offset` to VM `vmName`'s disk at `path` (held back while a recovery checkpoint exists). */
  guestWrite(vmName: string, path: string, offset: number, length: number, pattern: number): void {
    this.update((s) => guestWrite(s, Object.values(s.vms).find((v) => v.name === vmName)!, { path, offset, length, pattern }));
  }

  /** VM `vmName`'s change tracking state (checkpoint, reference points, changes). */
  rct(vmName: string): ModelRct | undefined {
    return this.update((s) => Object.values(s.vms).find((v) => v.name === vmName)!.devices?.rct);
  }

  /**
   * Attaches a real virtual hard disk to VM `vmName`: `content` (zero-padded to `sizeBytes`) written
   * with `qemu-img convert` as VHDX (`format: "vhdx"`, default) or VHD (`"vpc"`) at `disk.path` on
   * the VM's host, i.e. under {@link shareRoot}. Returns the local file.
   */
  addVirtualDisk(vmName: string, disk: Omit<ModelHardDisk, "diskNumber"> & { readonly sizeBytes: number; readonly content?: Buffer; readonly format?: "vhdx" | "vpc" }): string {
    const { sizeBytes, content, format = "vhdx", ...model } = disk;
    const file = this.update((s) => shareFile(s, Object.values(s.vms).find((v) => v.name === vmName)!.host, disk.path));
    mkdirSync(dirname(file), { recursive: true });
    const raw = Buffer.alloc(sizeBytes);
    content?.copy(raw);
    const seed = `${file}.seed`;
    writeFileSync(seed, raw);
    const options = format === "vpc" ? ["-o", "subformat=dynamic,force_size=on"] : ["-o", `subformat=${model.vhdType === "Fixed" ? "fixed" : "dynamic"}`];
    try {
      execFileSync("qemu-img", ["convert", "-q", "-f", "raw", "-O", format, ...options, seed, file], { stdio: ["ignore", "ignore", "pipe"] });
    } finally {
      rmSync(seed, { force: true });
    }
    this.update((s) => {
      const vm = Object.values(s.vms).find((v) => v.name === vmName)!;
      vm.devices = { disks: [], dvds: [], nics: [], ...vm.devices };
      vm.devices.disks.push(model);
    });
    return file;
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
