/**
 * The mover's own preflight rules, read from the definition alone (Forklift's validation rules as
 * far as a definition shows them; see docs/move.md). Pure: no I/O, nothing written.
 */
import type { MoveCheck } from "./checks.ts";
import type { VmDefinition } from "./definition.ts";
import { type NameMap, type StorageMap, isCopied } from "./mapping.ts";

/** What a target accepts, for the definition checks. */
export interface TargetAccepts {
  /** Disk buses the target can attach. */
  readonly buses: readonly string[];
  /** Firmware kinds it can boot. */
  readonly firmware: readonly ("bios" | "uefi" | "kernel")[];
}

/** Every unmapped network and storage, one error each, naming it. */
export function mappingChecks(definition: VmDefinition, networkMap: NameMap, storageMap: StorageMap): MoveCheck[] {
  const checks: MoveCheck[] = [];
  const networks = [...new Set(definition.nics.map((n) => n.network))];
  for (const net of networks) {
    if (networkMap[net] === undefined) {
      const nics = definition.nics.filter((n) => n.network === net).map((n) => n.mac ?? n.key);
      checks.push({ id: "network.unmapped", category: "network", severity: "error", subject: net, message: `network ${net} (used by NIC ${nics.join(", ")}) is not in the network map` });
    }
  }
  const storages = [...new Set(definition.disks.filter(isCopied).map((d) => d.storage))];
  for (const s of storages) {
    if (storageMap[s] === undefined) {
      const disks = definition.disks.filter((d) => isCopied(d) && d.storage === s).map((d) => d.key);
      checks.push({ id: "storage.unmapped", category: "storage", severity: "error", subject: s, message: `storage ${s} (disk ${disks.join(", ")}) is not in the storage map` });
    }
  }
  for (const name of Object.keys(networkMap)) if (!networks.includes(name)) checks.push({ id: "network.unmapped", category: "network", severity: "info", subject: name, message: `network map entry ${name} is not used by this VM` });
  for (const name of Object.keys(storageMap)) if (!storages.includes(name)) checks.push({ id: "storage.unmapped", category: "storage", severity: "info", subject: name, message: `storage map entry ${name} is not used by this VM` });
  return checks;
}

/** Rules on the definition itself: disks, snapshots, firmware, buses, devices. */
export function definitionChecks(definition: VmDefinition, accepts: TargetAccepts): MoveCheck[] {
  const checks: MoveCheck[] = [];
  for (const d of definition.disks) {
    if (d.shared) checks.push({ id: "disk.shared", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} is shared with other VMs; a move cannot copy a multi-writer disk consistently` });
    else if (d.rawDevice) checks.push({ id: "disk.rawDevice", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} is a raw device (passthrough/LUN), not an image; it cannot be copied` });
    else if (d.device === "disk" && d.format === undefined) checks.push({ id: "disk.noFormat", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} has no known image format` });
    else if (d.device !== "disk") checks.push({ id: "disk.removableSkipped", category: "device", severity: "warning", subject: d.key, message: `${d.device} ${d.key} is removable media and is not carried to the target` });
    if (d.device === "disk" && !accepts.buses.includes(d.bus)) checks.push({ id: "device.unsupportedBus", category: "device", severity: "error", subject: d.key, message: `disk ${d.key} uses bus ${d.bus}, which the target does not attach (it does: ${accepts.buses.join(", ")})` });
  }
  if (definition.snapshotCount > 0) checks.push({ id: "source.snapshots", category: "state", severity: "error", subject: definition.name, message: `${definition.name} has ${definition.snapshotCount} snapshot(s); remove or consolidate them first (only the current state would be moved)` });
  const fw = definition.firmware;
  if (fw.kind === "other" || !accepts.firmware.includes(fw.kind)) {
    checks.push({ id: "firmware.unsupported", category: "compatibility", severity: "error", subject: fw.kind === "other" ? fw.name : fw.kind, message: `firmware ${fw.kind === "other" ? fw.name : fw.kind} is not supported by the target` });
  } else if (fw.kind === "kernel") {
    checks.push({ id: "firmware.kernelBoot", category: "compatibility", severity: "warning", subject: fw.kernel, message: `direct kernel boot: ${fw.kernel}${fw.initrd ? ` and ${fw.initrd}` : ""} must exist at the same path on the target host (they are not copied)` });
  }
  for (const dev of definition.unsupportedDevices ?? []) checks.push({ id: "device.unsupported", category: "device", severity: "warning", subject: dev, message: `device ${dev} is not carried to the target` });
  if (definition.powerState === "other") checks.push({ id: "vm.state", category: "state", severity: "error", subject: definition.name, message: `${definition.name} is neither running nor stopped (paused, suspended or migrating): settle it first` });
  return checks;
}
