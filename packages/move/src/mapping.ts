/**
 * Network and storage maps: source name → target name. Every network a NIC uses and every
 * storage a copied disk lives in must be mapped; an unmapped one is a preflight error naming it.
 */
import { VmshiftError } from "@vmshift/core";
import type { DiskDefinition, DiskFormat, NicDefinition, VmDefinition } from "./definition.ts";

/** A map from source names to target names. */
export type NameMap = Readonly<Record<string, string>>;

/** Storage map entry: the target storage and, optionally, the format to write there. */
export interface StorageTarget {
  /** Target storage: a libvirt pool, a KubeVirt storage class. */
  readonly storage: string;
  /** Format of the volumes written there. Default: the target decides (libvirt: keep the source format). */
  readonly format?: DiskFormat;
}

/** A storage map: source storage → target storage (a name, or a name and a format). */
export type StorageMap = Readonly<Record<string, string | StorageTarget>>;

// Backslashes and `$` for Hyper-V's storages (a CSV `C:\ClusterStorage\Volume1`, a share `\\fs01\vms`, `\\HV-A\D$`).
const NAME = /^[A-Za-z0-9_\\][A-Za-z0-9_.:/\\$-]{0,252}$/;
// A source's own name, as the platform shows it: vSphere's default port group is "VM Network", a
// datastore may be "datastore1 (1)", Hyper-V's switch "Default Switch". Only matched against the
// definition (never passed on), so anything printable goes except `=`, control characters and
// whitespace at either end.
const SOURCE_NAME = /^[^\s=\p{Cc}](?:[^=\p{Cc}]{0,252}[^\s=\p{Cc}])?$/u;
const FORMATS: readonly DiskFormat[] = ["raw", "qcow2", "vmdk", "vhdx", "vpc"];

/**
 * Parses `a=b` pairs (CLI `--network-map a=b`, repeatable; `--storage-map x=y` or `x=y:qcow2`).
 * Throws `INVALID_ARGUMENT` naming the bad entry; a source named twice is an error too.
 */
export function parsePairs(entries: readonly string[], what: "network" | "storage"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const i = entry.indexOf("=");
    const from = i < 0 ? "" : entry.slice(0, i);
    const to = i < 0 ? "" : entry.slice(i + 1);
    if (!SOURCE_NAME.test(from) || to === "") throw new VmshiftError("INVALID_ARGUMENT", `${what} map entry ${JSON.stringify(entry)} is not <source>=<target>`, { operation: "move.map" });
    if (from in out) throw new VmshiftError("INVALID_ARGUMENT", `${what} map names ${from} twice`, { operation: "move.map" });
    out[from] = to;
  }
  return out;
}

/** Parses a storage map's CLI form: `x=y` or `x=y:<format>`. */
export function parseStorageMap(entries: readonly string[]): Record<string, StorageTarget> {
  const out: Record<string, StorageTarget> = {};
  for (const [from, to] of Object.entries(parsePairs(entries, "storage"))) {
    const m = /^(.+?)(?::(raw|qcow2|vmdk|vhdx|vpc))?$/.exec(to)!;
    if (!NAME.test(m[1]!)) throw new VmshiftError("INVALID_ARGUMENT", `storage map target ${JSON.stringify(to)} is not a storage name`, { operation: "move.map" });
    out[from] = m[2] ? { storage: m[1]!, format: m[2] as DiskFormat } : { storage: m[1]! };
  }
  return out;
}

/** A disk with its target storage and format decided. */
export interface MappedDisk extends DiskDefinition {
  /** Where the disk goes: the storage map's target for its storage. */
  readonly targetStorage: string;
  /** The image format on the target, when the storage map names one (else the target chooses). */
  readonly targetFormat?: DiskFormat;
}

/** A NIC with its target network decided. */
export interface MappedNic extends NicDefinition {
  /** The network map's target for its network. */
  readonly targetNetwork: string;
}

/** The definition the target builds: the source's, with names mapped and the target name chosen. */
export interface MappedDefinition extends Omit<VmDefinition, "disks" | "nics"> {
  /** Name of the VM on the target. */
  readonly targetName: string;
  /** Disks to copy (removable media are not carried). */
  readonly disks: readonly MappedDisk[];
  /** The NICs, each with its target network. */
  readonly nics: readonly MappedNic[];
}

/** True for disks whose bytes a move copies. */
export function isCopied(disk: DiskDefinition): boolean {
  return disk.device === "disk" && !disk.rawDevice && !disk.shared;
}

function storageTarget(map: StorageMap, name: string): StorageTarget | undefined {
  const t = map[name];
  if (t === undefined) return undefined;
  if (typeof t === "string") return { storage: t };
  if (t.format !== undefined && !FORMATS.includes(t.format)) throw new VmshiftError("INVALID_ARGUMENT", `storage map ${name}: unknown format ${String(t.format)}`, { operation: "move.map" });
  return t;
}

/**
 * Applies the maps: the {@link MappedDefinition} a target reserves from (`MoveTarget.reserve`).
 * Entries that are missing are left out here; the mover's preflight reports them (every missing
 * one at once instead of stopping at the first).
 */
export function applyMaps(definition: VmDefinition, maps: { readonly networkMap: NameMap; readonly storageMap: StorageMap; readonly targetName?: string }): MappedDefinition {
  const disks: MappedDisk[] = [];
  for (const d of definition.disks.filter(isCopied)) {
    const t = storageTarget(maps.storageMap, d.storage);
    if (t) disks.push({ ...d, targetStorage: t.storage, ...(t.format ? { targetFormat: t.format } : {}) });
  }
  const nics: MappedNic[] = [];
  for (const n of definition.nics) {
    const t = maps.networkMap[n.network];
    if (t !== undefined) nics.push({ ...n, targetNetwork: t });
  }
  return { ...definition, targetName: maps.targetName ?? definition.name, disks, nics };
}
