/**
 * The stand-in's Hyper-V as a move source: a VM's hard disk drives (Get-VMHardDiskDrive), their
 * virtual hard disks (Get-VHD, read from real VHDX/VHD files with `qemu-img info`), DVD drives,
 * network adapters (Get-VMNetworkAdapter), firmware (Get-VMFirmware) and checkpoints, and the
 * scripts @vmshift/move's Hyper-V source runs. Every host's administrative shares are one local
 * directory, `shareRoot`: `D:\VMs\a.vhdx` on host HV-A is the file `<shareRoot>/HV-A/D$/VMs/a.vhdx`
 * (the test maps the UNC prefix `\\` to `shareRoot`, as a mover would mount `\\HV-A\D$`).
 * Object shapes are the scripts' (enum names; 5.1's numbers come from ps51.ts).
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ModelState, ModelVm } from "./model.ts";

/** One hard disk drive: a virtual hard disk file (`path`) or a pass-through physical disk (`diskNumber`). */
export interface ModelHardDisk {
  controllerType: "IDE" | "SCSI";
  controllerNumber: number;
  controllerLocation: number;
  /** Windows path on the VM's host; for a pass-through disk Hyper-V's description of the disk. */
  path: string;
  diskNumber?: number;
  /** Shared VHDX (guest clustering). */
  supportPersistentReservations?: boolean;
  /** Get-VHD's VhdType (the file's format and size come from the file itself). */
  vhdType?: "Fixed" | "Dynamic" | "Differencing";
  parentPath?: string;
}

/** One DVD drive. */
export interface ModelDvd {
  controllerType: "IDE" | "SCSI";
  controllerNumber: number;
  controllerLocation: number;
  path: string;
}

/** One network adapter, as Get-VMNetworkAdapter shows it (MacAddress without separators). */
export interface ModelNic {
  name: string;
  switchName: string;
  macAddress: string;
  dynamicMacAddressEnabled: boolean;
  isLegacy: boolean;
}

/** A VM's devices for a move. */
export interface ModelDevices {
  disks: ModelHardDisk[];
  dvds: ModelDvd[];
  nics: ModelNic[];
  /** Get-VMFirmware (generation 2). */
  secureBoot?: "On" | "Off";
  secureBootTemplate?: string;
  /** Get-VMSnapshot count. */
  checkpoints?: number;
  /** KVP exchange OSName, when integration services report it. */
  guestOs?: string;
  /** Dynamic memory (Set-VMMemory -DynamicMemoryEnabled), with its range. */
  dynamicMemory?: { minimumBytes: number; maximumBytes: number };
  /** Resilient change tracking: see {@link ModelRct}. */
  rct?: ModelRct;
  /**
   * Get-VHD `ParentPath` of virtual hard disk files that are no drive's (older checkpoints' AVHDX
   * files down a chain), by Windows path; a drive's own parent is its `parentPath`.
   */
  vhdParents?: Record<string, string>;
}

/** A guest write to one virtual hard disk. */
export interface ModelWrite {
  path: string;
  offset: number;
  length: number;
  pattern: number;
}

/**
 * Resilient change tracking of a VM's disks: every write applied to a VHDX gets a sequence number;
 * a reference point remembers the sequence number it was made at, so the changes since it are the
 * writes after it. While a recovery checkpoint exists the VHDX files are frozen: writes wait in
 * `pending` (the AVHDX) and are applied when the checkpoint becomes a reference point or is removed.
 */
export interface ModelRct {
  seq: number;
  changes: { seq: number; path: string; offset: number; length: number }[];
  points: { name: string; seq: number }[];
  /** The recovery checkpoint the move's CreateSnapshot made (Get-VMSnapshot's Id, Name, CreationTime). */
  checkpoint?: ModelCheckpoint & { pending: ModelWrite[] };
  /** Recovery checkpoints someone else made (a backup product's); the move must leave them alone. */
  foreign?: ModelCheckpoint[];
  /**
   * Fault: the next CreateSnapshot of the move is joined by another recovery checkpoint of this
   * name, made a moment later (so it is the newest by creation time).
   */
  concurrentCheckpoint?: string;
}

/** A recovery checkpoint as Get-VMSnapshot lists it. */
export interface ModelCheckpoint {
  id: string;
  name: string;
  /** CreationTime, ms since the epoch. */
  createdMs: number;
}

/** Applies a write to the VHDX file with qemu-io and records it for RCT. */
function applyWrite(state: ModelState, vm: ModelVm, rct: ModelRct, w: ModelWrite): void {
  execFileSync("qemu-io", ["-f", "vhdx", "-c", `write -P ${w.pattern} ${w.offset} ${w.length}`, shareFile(state, vm.host, w.path)], { stdio: ["ignore", "ignore", "pipe"] });
  rct.changes.push({ seq: ++rct.seq, path: w.path, offset: w.offset, length: w.length });
}

/** A guest write: into the AVHDX while a recovery checkpoint holds the VHDX, else into the VHDX. */
export function guestWrite(state: ModelState, vm: ModelVm, w: ModelWrite): void {
  for (const n of [w.offset, w.length, w.pattern]) if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a byte count: ${n}`);
  const rct = rctOf(vm);
  if (rct.checkpoint) rct.checkpoint.pending.push(w);
  else applyWrite(state, vm, rct, w);
}

function rctOf(vm: ModelVm): ModelRct {
  vm.devices ??= { disks: [], dvds: [], nics: [] };
  return (vm.devices.rct ??= { seq: 0, changes: [], points: [] });
}

/** Changed ranges of `path` after sequence number `since`, sorted and merged. */
function changesSince(rct: ModelRct, path: string, since: number): { offset: number; length: number }[] {
  const ranges = rct.changes.filter((c) => c.path === path && c.seq > since).map((c) => ({ offset: c.offset, length: c.length })).sort((a, b) => a.offset - b.offset);
  const out: { offset: number; length: number }[] = [];
  for (const r of ranges) {
    const last = out.at(-1);
    if (last && r.offset <= last.offset + last.length) last.length = Math.max(last.length, r.offset + r.length - last.offset);
    else out.push({ ...r });
  }
  return out;
}

/** The fields of a failed cmdlet's error record (handlers.ts turns them into the script's error envelope). */
export type CmdletFailure = (fields: { fullyQualifiedErrorId: string; category: string; exceptionType: string; message: string }) => Error;

/** The local file standing for `windowsPath` on `host` (through `shareRoot`). */
export function shareFile(state: ModelState, host: string, windowsPath: string): string {
  const m = /^([A-Za-z]):\\(.*)$/.exec(windowsPath);
  if (!state.shareRoot || !m) throw new Error(`no share for ${windowsPath}`);
  return join(state.shareRoot, host, `${m[1]!.toUpperCase()}$`, ...m[2]!.split("\\"));
}

/** Get-VHD -Path on the VM's host: format and sizes from the real file, type and parent from the model. */
function getVhd(state: ModelState, vm: ModelVm, disk: ModelHardDisk, fail: CmdletFailure) {
  const file = shareFile(state, vm.host, disk.path);
  let info: { format: string; "virtual-size": number };
  try {
    info = JSON.parse(execFileSync("qemu-img", ["info", "-U", "--output=json", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as typeof info;
  } catch {
    throw fail({ fullyQualifiedErrorId: "ObjectNotFound,Microsoft.Vhd.PowerShell.Cmdlets.GetVHD", category: "ObjectNotFound", exceptionType: "Microsoft.HyperV.PowerShell.VirtualizationException", message: `Getting the mounted storage instance for the path '${disk.path}' failed. The system cannot find the file specified. (0x80070002)` });
  }
  const vhdFormat = info.format === "vhdx" ? "VHDX" : info.format === "vpc" ? "VHD" : "Unknown";
  return { vhdFormat, vhdType: disk.vhdType ?? "Dynamic", size: info["virtual-size"], fileSize: statSync(file).size, parentPath: disk.parentPath ?? "" };
}

type Params = Record<string, string | string[]>;

/** A checkpoint's differencing disk (Hyper-V names them `<disk>_<checkpoint id>.avhdx`). */
const CHECKPOINT_FILE = /\.avhdx?$/i;
type Handler = (state: ModelState, params: Params, nowMs: number) => unknown;

/** The move source's scripts, given the stand-in's handlers for finding, stopping and starting VMs. */
export function moveHandlers(base: Readonly<Record<string, Handler>>, fail: CmdletFailure): Record<string, Handler> {
  const find = (state: ModelState, p: Params): ModelVm | undefined => {
    const shape = base["getVm"]!(state, p, Date.now()) as { id: string } | null;
    return shape ? state.vms[shape.id.toLowerCase()] : undefined;
  };
  return {
    moveSourceDefinition: (state, p) => {
      const vm = find(state, p);
      if (!vm) return null;
      const dev: ModelDevices = vm.devices ?? { disks: [], dvds: [], nics: [] };
      const disks = dev.disks.map((d) => ({ controllerType: d.controllerType, controllerNumber: d.controllerNumber, controllerLocation: d.controllerLocation, path: d.path, diskNumber: d.diskNumber ?? null, supportPersistentReservations: d.supportPersistentReservations === true, vhd: d.diskNumber === undefined ? getVhd(state, vm, d, fail) : null }));
      return {
        vm: { id: vm.id, name: vm.name, state: vm.state, computerName: vm.host, generation: vm.generation, version: vm.version, processorCount: vm.processorCount, memoryStartupBytes: vm.memoryStartupBytes, dynamicMemoryEnabled: dev.dynamicMemory !== undefined, memoryMinimumBytes: dev.dynamicMemory?.minimumBytes ?? vm.memoryStartupBytes, memoryMaximumBytes: dev.dynamicMemory?.maximumBytes ?? vm.memoryStartupBytes },
        firmware: vm.generation === 2 ? { secureBoot: dev.secureBoot ?? "On", secureBootTemplate: dev.secureBootTemplate ?? "MicrosoftWindows" } : null,
        disks,
        dvds: dev.dvds.map((d) => ({ ...d })),
        nics: dev.nics.map((n) => ({ ...n })),
        checkpointCount: dev.checkpoints ?? 0,
        guestOs: dev.guestOs ?? null,
      };
    },
    moveSourceWarmCheckpoint: (state, p, now) => {
      // Msvm_VirtualSystemSnapshotService.CreateSnapshot, SnapshotType 32768: a recovery checkpoint
      // named as Hyper-V names one; ResultingSnapshot (or the job's affected element) is that one.
      const vm = find(state, p);
      if (!vm) throw fail({ fullyQualifiedErrorId: "VmshiftVmNotFound,VmshiftRequireVm", category: "ObjectNotFound", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: "no virtual machine with this id on the given hosts" });
      const rct = rctOf(vm);
      if (rct.checkpoint) throw fail({ fullyQualifiedErrorId: "VmshiftWmiJobFailed", category: "InvalidResult", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: `CreateSnapshot failed: '${vm.name}' already has a recovery checkpoint in progress.` });
      rct.checkpoint = { id: randomUUID(), name: `${vm.name} - Recovery`, createdMs: now, pending: [] };
      const made = rct.checkpoint.id;
      const other = rct.concurrentCheckpoint;
      if (other !== undefined) {
        // Another product's recovery checkpoint, made a moment later: the newest by creation time.
        delete rct.concurrentCheckpoint;
        (rct.foreign ??= []).push({ id: randomUUID(), name: other, createdMs: now + 1 });
      }
      const recovery = [rct.checkpoint, ...(rct.foreign ?? [])].map((c) => ({ id: c.id, name: c.name, created: new Date(c.createdMs).toISOString() }));
      return { made: made.toUpperCase(), recovery };
    },
    moveSourceWarmPass: (state, p) => {
      const vm = find(state, p);
      if (!vm) throw fail({ fullyQualifiedErrorId: "VmshiftVmNotFound,VmshiftRequireVm", category: "ObjectNotFound", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: "no virtual machine with this id on the given hosts" });
      const rct = rctOf(vm);
      const id = typeof p["checkpointId"] === "string" ? p["checkpointId"].toLowerCase() : "";
      const name = typeof p["checkpointName"] === "string" ? p["checkpointName"] : "";
      const since = typeof p["since"] === "string" ? p["since"] : "";
      if (id !== "") {
        // Rename-VMSnapshot of the recovery checkpoint with this Id, whoever made it.
        const checkpoint = [rct.checkpoint, ...(rct.foreign ?? [])].find((c) => c?.id === id);
        if (!checkpoint) throw fail({ fullyQualifiedErrorId: "VmshiftCheckpointNotFound", category: "ObjectNotFound", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: `the recovery checkpoint ${id} is gone` });
        checkpoint.name = name;
      }
      const point = since ? rct.points.find((x) => x.name === since) : undefined;
      if (since && !point) throw fail({ fullyQualifiedErrorId: "VmshiftReferencePointNotFound", category: "ObjectNotFound", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: "the previous pass left no reference point" });
      const disks = (vm.devices?.disks ?? []).filter((d) => d.diskNumber === undefined).map((d) => ({ controllerType: d.controllerType, controllerNumber: d.controllerNumber, controllerLocation: d.controllerLocation, path: d.path, size: getVhd(state, vm, d, fail).size, changes: point ? changesSince(rct, d.path, point.seq) : null }));
      return { checkpoint: id === "" ? null : name, disks };
    },
    moveSourceWarmSettle: (state, p) => {
      const vm = find(state, p);
      if (!vm) return { referencePoint: false };
      const rct = rctOf(vm);
      const name = typeof p["checkpointName"] === "string" ? p["checkpointName"] : "";
      if (rct.checkpoint?.name === name) {
        rct.points.push({ name, seq: rct.seq });
        const pending = rct.checkpoint.pending;
        delete rct.checkpoint;
        for (const w of pending) applyWrite(state, vm, rct, w);
      } else if (rct.foreign?.some((f) => f.name === name)) {
        // ConvertToReferencePoint of the checkpoint found by that name: someone else's.
        rct.foreign = rct.foreign.filter((f) => f.name !== name);
        rct.points.push({ name, seq: rct.seq });
      }
      // DestroyReferencePoint of the previous pass's point (its changes were read by this pass).
      const previous = typeof p["previousName"] === "string" ? p["previousName"] : "";
      if (previous !== "" && previous !== name) rct.points = rct.points.filter((x) => x.name !== previous);
      return { referencePoint: rct.points.some((x) => x.name === name) };
    },
    moveSourceWarmFinish: (state, p) => {
      const vm = find(state, p);
      if (!vm) return { removed: 0 };
      const rct = rctOf(vm);
      const prefix = typeof p["prefix"] === "string" ? p["prefix"] : "\0";
      let removed = 0;
      if (rct.checkpoint?.name.startsWith(prefix)) {
        // Remove-VMSnapshot of a recovery checkpoint merges its AVHDX: the guest's writes stay.
        const pending = rct.checkpoint.pending;
        delete rct.checkpoint;
        for (const w of pending) applyWrite(state, vm, rct, w);
        removed++;
      }
      const kept = rct.points.filter((x) => !x.name.startsWith(prefix));
      removed += rct.points.length - kept.length;
      rct.points = kept;
      return { removed };
    },
    moveSourceWarmDrop: (state, p) => {
      // Remove-VMSnapshot of the recovery checkpoint with this Id (its AVHDX merged: the guest's writes stay).
      const vm = find(state, p);
      if (!vm) throw fail({ fullyQualifiedErrorId: "VmshiftVmNotFound,VmshiftRequireVm", category: "ObjectNotFound", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: "no virtual machine with this id on the given hosts" });
      const rct = rctOf(vm);
      const id = typeof p["checkpointId"] === "string" ? p["checkpointId"].toLowerCase() : "";
      if (rct.checkpoint?.id === id) {
        const pending = rct.checkpoint.pending;
        delete rct.checkpoint;
        for (const w of pending) applyWrite(state, vm, rct, w);
        return { removed: 1 };
      }
      const before = rct.foreign?.length ?? 0;
      if (rct.foreign) rct.foreign = rct.foreign.filter((f) => f.id !== id);
      return { removed: before - (rct.foreign?.length ?? 0) };
    },
    moveSourceRemove: (state, p) => {
      // Remove-VM (Hyper-V module): deletes the VM's configuration; its virtual hard disk files stay;
      // its checkpoints are deleted and merged into the virtual hard disks. It needs the VM Off here
      // (the script refuses otherwise, as a clustered role).
      const vm = find(state, p);
      if (!vm) throw fail({ fullyQualifiedErrorId: "VmshiftVmNotFound,VmshiftRequireVm", category: "ObjectNotFound", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: "no virtual machine with this id on the given hosts" });
      if (vm.state !== "Off") throw fail({ fullyQualifiedErrorId: "VmshiftVmNotOff", category: "InvalidOperation", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: `${vm.name} is ${vm.state}; only a VM that is Off is removed` });
      if (vm.clustered) throw fail({ fullyQualifiedErrorId: "VmshiftVmClustered", category: "InvalidOperation", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: `${vm.name} is a clustered role; remove the role (Remove-ClusterGroup) before the VM` });
      const rct = vm.devices?.rct;
      if (rct?.checkpoint) {
        const pending = rct.checkpoint.pending;
        delete rct.checkpoint;
        for (const w of pending) applyWrite(state, vm, rct, w);
      }
      // Each drive's chain as Get-VHD reports it: the drive's file, then ParentPath while the file is a
      // checkpoint's (.avhdx/.avhd), which Remove-VM merges into its parent and deletes.
      const dev = vm.devices;
      const disks = (dev?.disks ?? []).filter((d) => d.diskNumber === undefined).map((d) => {
        const chain = [d.path];
        for (let parent = d.parentPath; parent && CHECKPOINT_FILE.test(chain.at(-1)!) && chain.length < 64; parent = dev?.vhdParents?.[parent]) chain.push(parent);
        return { chain };
      });
      for (const { chain } of disks) for (const p of chain.filter((x) => CHECKPOINT_FILE.test(x))) rmSync(shareFile(state, vm.host, p), { force: true });
      delete state.vms[vm.id.toLowerCase()];
      return { name: vm.name, disks };
    },
    moveSourceState: (state, p) => {
      const vm = find(state, p);
      return vm ? { state: vm.state, computerName: vm.host } : null;
    },
    moveSourceStop: (state, p, now) => {
      const r = base["stopVm"]!(state, p, now) as { how: string; shutdownError: string | null };
      return { how: r.how, shutdownError: r.shutdownError };
    },
    moveSourceStart: (state, p, now) => {
      base["startVm"]!(state, p, now);
      return { started: true };
    },
  };
}
