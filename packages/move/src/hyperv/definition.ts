/**
 * Reads what `moveSourceDefinition` prints into a platform-neutral {@link VmDefinition}. Enum
 * fields accept names (what the script writes) and Windows PowerShell 5.1's numbers (Hyper-V's
 * WMI values: controller IDE 0 / SCSI 1; VhdFormat VHD 2 / VHDX 3 / VHDSet 4; VhdType Fixed 2 /
 * Dynamic 3 / Differencing 4; OnOffState On 0 / Off 1; VM state Running 2 / Off 3 / Saved 6 /
 * Paused 9). A field of the wrong shape is `INTERNAL`, naming it.
 */
import { VmshiftError } from "@vmshift/core";
import type { DiskDefinition, DiskFormat, Firmware, NicDefinition, VmDefinition } from "../definition.ts";

const CONTROLLER: Readonly<Record<number, string>> = { 0: "IDE", 1: "SCSI" };
const VHD_FORMAT: Readonly<Record<number, string>> = { 2: "VHD", 3: "VHDX", 4: "VHDSet" };
const VHD_TYPE: Readonly<Record<number, string>> = { 2: "Fixed", 3: "Dynamic", 4: "Differencing" };
const ON_OFF: Readonly<Record<number, string>> = { 0: "On", 1: "Off" };
const VM_STATE: Readonly<Record<number, string>> = { 2: "Running", 3: "Off", 4: "Stopping", 6: "Saved", 9: "Paused", 10: "Starting" };

/** Hyper-V VM state name → the mover's power state. */
export function powerOf(state: string): "running" | "stopped" | "other" {
  return state === "Running" ? "running" : state === "Off" ? "stopped" : "other";
}

type Obj = Record<string, unknown>;

function shape(what: string, want: string, got: unknown): VmshiftError {
  return new VmshiftError("INTERNAL", `Hyper-V answered an unexpected shape: ${what} should be ${want}, got ${JSON.stringify(got)?.slice(0, 80)}`, { adapter: "hyperv", operation: "move.readDefinition" });
}
function obj(v: unknown, what: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw shape(what, "an object", v);
  return v as Obj;
}
function arr(v: unknown, what: string): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw shape(what, "an array", v);
  return v;
}
function num(o: Obj, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isFinite(v)) throw shape(`${what}.${k}`, "a number", v);
  return v;
}
function str(o: Obj, k: string, what: string): string {
  const v = o[k];
  if (v === null || v === undefined) return "";
  if (typeof v !== "string") throw shape(`${what}.${k}`, "a string", v);
  return v;
}
function enumName(o: Obj, k: string, names: Readonly<Record<number, string>>, what: string): string {
  const v = o[k];
  if (typeof v === "number") return names[v] ?? `Unknown(${v})`;
  if (typeof v !== "string") throw shape(`${what}.${k}`, "a name or number", v);
  return v;
}

/** What the definition holds beyond the neutral fields: the Hyper-V facts the source's own checks read. */
export interface HypervFacts {
  /** Gen 2 Secure Boot template (`MicrosoftWindows`, `MicrosoftUEFICertificateAuthority`, `OpenSourceShieldedVM`). */
  readonly secureBootTemplate?: string;
  /** Disk key → parent path of a differencing disk. */
  readonly differencing: ReadonlyMap<string, string>;
  /** Host the VM is registered on (Get-VM's ComputerName). */
  readonly host: string;
  /** VM configuration version (RCT needs 8.0 or later). */
  readonly version: string;
  /** Dynamic memory's range when it is on (the definition carries the startup memory). */
  readonly dynamicMemory?: { readonly minimumBytes: number; readonly maximumBytes: number };
}

/** Device name of a disk in controller order (IDE: hda…, SCSI: sda…), the key the mover and targets use. */
function deviceKeys(disks: readonly { controllerType: string; controllerNumber: number; controllerLocation: number }[]): string[] {
  const counters: Record<string, number> = {};
  const order = disks.map((d, i) => ({ d, i })).sort((a, b) => a.d.controllerType.localeCompare(b.d.controllerType) || a.d.controllerNumber - b.d.controllerNumber || a.d.controllerLocation - b.d.controllerLocation);
  const keys: string[] = new Array(disks.length);
  for (const { d, i } of order) {
    const ide = d.controllerType === "IDE";
    const prefix = ide ? "hd" : "sd";
    // IDE keeps its fixed positions (controller 0/1, location 0/1 → hda…hdd); SCSI counts in order.
    const index = ide ? d.controllerNumber * 2 + d.controllerLocation : (counters[prefix] = (counters[prefix] ?? -1) + 1);
    keys[i] = prefix + letters(index);
  }
  return keys;
}
function letters(n: number): string {
  let s = "";
  for (let x = n; x >= 0; x = Math.floor(x / 26) - 1) s = String.fromCharCode(97 + (x % 26)) + s;
  return s;
}

/**
 * The storage a disk lives in, as a storage map names it: a Cluster Shared Volume
 * (`C:\ClusterStorage\Volume1`), an SMB share (`\\server\share`), else the drive (`D:`).
 */
export function storageOf(path: string): string {
  const csv = /^([A-Za-z]:\\ClusterStorage\\[^\\]+)/i.exec(path);
  if (csv) return csv[1]!;
  const unc = /^(\\\\[^\\]+\\[^\\]+)/.exec(path);
  if (unc) return unc[1]!;
  const drive = /^([A-Za-z]:)/.exec(path);
  return drive ? drive[1]!.toUpperCase() : path;
}

/** `00155D0A0B0C` → `00:15:5d:0a:0b:0c`; absent for an unassigned dynamic MAC (all zeros). */
export function macOf(raw: string): string | undefined {
  const hex = raw.replace(/[-:]/g, "").toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex) || /^0+$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(":");
}

/** Parses the script's `data` (non-null) into the definition and the Hyper-V facts. */
export function toDefinition(vmId: string, data: unknown): { definition: VmDefinition; facts: HypervFacts } {
  const root = obj(data, "data");
  const vm = obj(root["vm"], "data.vm");
  const generation = num(vm, "generation", "vm");
  const state = enumName(vm, "state", VM_STATE, "vm");
  const fwRaw = root["firmware"] === null || root["firmware"] === undefined ? undefined : obj(root["firmware"], "data.firmware");
  let firmware: Firmware;
  let secureBootTemplate: string | undefined;
  if (generation === 1) firmware = { kind: "bios" };
  else if (generation === 2) {
    const secureBoot = fwRaw ? enumName(fwRaw, "secureBoot", ON_OFF, "firmware") === "On" : false;
    firmware = { kind: "uefi", secureBoot };
    if (secureBoot && fwRaw) secureBootTemplate = str(fwRaw, "secureBootTemplate", "firmware") || undefined;
  } else firmware = { kind: "other", name: `generation ${generation}` };

  const rawDisks = arr(root["disks"], "data.disks").map((d, i) => obj(d, `data.disks[${i}]`));
  const rawDvds = arr(root["dvds"], "data.dvds").map((d, i) => obj(d, `data.dvds[${i}]`));
  const slots = [...rawDisks, ...rawDvds].map((d, i) => ({ controllerType: enumName(d, "controllerType", CONTROLLER, `disk ${i}`), controllerNumber: num(d, "controllerNumber", `disk ${i}`), controllerLocation: num(d, "controllerLocation", `disk ${i}`) }));
  const keys = deviceKeys(slots);
  const differencing = new Map<string, string>();
  const disks: DiskDefinition[] = rawDisks.map((d, i) => {
    const slot = slots[i]!;
    const key = keys[i]!;
    const path = str(d, "path", `disk ${key}`);
    const bus = slot.controllerType.toLowerCase();
    const native = { controller: `${slot.controllerType} ${slot.controllerNumber}:${slot.controllerLocation}`, path };
    if (d["diskNumber"] !== null && d["diskNumber"] !== undefined) {
      return { key, sizeBytes: 0, bus, storage: `physical disk ${String(d["diskNumber"])}`, device: "disk" as const, rawDevice: true, native: { ...native, diskNumber: String(d["diskNumber"]) } };
    }
    const vhd = obj(d["vhd"], `disk ${key}.vhd`);
    const vhdFormat = enumName(vhd, "vhdFormat", VHD_FORMAT, `disk ${key}.vhd`);
    const vhdType = enumName(vhd, "vhdType", VHD_TYPE, `disk ${key}.vhd`);
    const format: DiskFormat | undefined = vhdFormat === "VHDX" ? "vhdx" : vhdFormat === "VHD" ? "vpc" : undefined;
    const parent = str(vhd, "parentPath", `disk ${key}.vhd`);
    if (vhdType === "Differencing") differencing.set(key, parent || "(unknown parent)");
    const shared = d["supportPersistentReservations"] === true || vhdFormat === "VHDSet";
    return {
      key, sizeBytes: num(vhd, "size", `disk ${key}.vhd`), bus, storage: storageOf(path), device: "disk" as const,
      ...(format ? { format } : {}), ...(shared ? { shared: true } : {}),
      native: { ...native, vhdFormat, vhdType, ...(parent ? { parentPath: parent } : {}) },
    };
  });
  const dvds: DiskDefinition[] = rawDvds.map((d, j) => {
    const i = rawDisks.length + j;
    const path = str(d, "path", `dvd ${j}`);
    return { key: keys[i]!, sizeBytes: 0, bus: slots[i]!.controllerType.toLowerCase(), storage: path ? storageOf(path) : "", device: "cdrom" as const, readOnly: true, native: { controller: `${slots[i]!.controllerType} ${slots[i]!.controllerNumber}:${slots[i]!.controllerLocation}`, path } };
  });
  const unsupportedDevices: string[] = [];
  const nics: NicDefinition[] = arr(root["nics"], "data.nics").map((n, i) => {
    const o = obj(n, `data.nics[${i}]`);
    const name = str(o, "name", `nic ${i}`);
    const mac = macOf(str(o, "macAddress", `nic ${i}`));
    if (o["isLegacy"] === true) unsupportedDevices.push(`legacy network adapter ${name || i} (emulated DEC 21140; the target gets its default NIC model)`);
    return { key: String(i), network: str(o, "switchName", `nic ${i}`) || "(not connected)", ...(mac ? { mac } : {}) };
  });
  const guestOs = typeof root["guestOs"] === "string" && root["guestOs"] !== "" ? (root["guestOs"] as string) : undefined;
  const definition: VmDefinition = {
    id: vmId,
    name: str(vm, "name", "vm"),
    cpus: num(vm, "processorCount", "vm"),
    memoryBytes: num(vm, "memoryStartupBytes", "vm"),
    arch: "x86_64",
    firmware,
    disks: [...disks, ...dvds],
    nics,
    ...(guestOs ? { guestOs } : {}),
    snapshotCount: typeof root["checkpointCount"] === "number" ? root["checkpointCount"] : 0,
    powerState: powerOf(state),
    ...(unsupportedDevices.length > 0 ? { unsupportedDevices } : {}),
  };
  const dynamicMemory = vm["dynamicMemoryEnabled"] === true ? { minimumBytes: num(vm, "memoryMinimumBytes", "vm"), maximumBytes: num(vm, "memoryMaximumBytes", "vm") } : undefined;
  return { definition, facts: { differencing, host: str(vm, "computerName", "vm"), version: str(vm, "version", "vm"), ...(secureBootTemplate ? { secureBootTemplate } : {}), ...(dynamicMemory ? { dynamicMemory } : {}) } };
}
