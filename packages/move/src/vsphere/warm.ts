/**
 * Warm moves from vSphere through changed block tracking, in the order backup products use (VMware
 * VDDK programming guide, "Changed Block Tracking on Virtual Disks": retain each disk's changeId
 * with the data read from the snapshot, query the next snapshot against it): each pass takes a
 * snapshot `vmshift-<move id>-<pass>` (CreateSnapshot_Task, memory and quiesce false), reads the
 * snapshot's disk, lists what to copy with QueryChangedDiskAreas(snapshot, deviceKey, startOffset,
 * changeId) — `"*"` (every allocated area) on the full pass, the changeId the previous pass
 * carried in its checkpoint on a delta pass — and closing the pass removes its snapshot
 * (RemoveSnapshot_Task, which consolidates the VM's delta into the base disk). The changeIds stay
 * valid after their snapshot is gone, so every snapshot is taken on a VM without one: on ESXi the
 * snapshot freezes the file the VM was writing — the flat base disk — and the VM continues on a new
 * delta. A move's snapshot left over (a close that failed) is removed before the next is taken. The
 * final pass runs after the VM was powered off, the same way. `finish` removes the move's snapshots
 * that are left.
 *
 * The checkpoint of a pass is `<snapshot name>?<deviceKey>=<changeId>&…` (the move's pass state).
 *
 * Only the listed areas are fetched, neighbours merged (the copier's rule): the frozen disk's
 * descriptor must name one raw extent (FLAT or VMFS at offset 0 — ESXi datastore disks), read with
 * HTTP Range requests through the datastore interface (`/folder/<path>`) into a sparse raw file in a
 * private staging directory (0700), which the copier reads. A disk that is not flat (vSAN, vVols, a
 * seSparse or vmfsSparse delta because the VM has snapshots) is refused in preflight and by the
 * pass, never staged as a descriptor. A cancel while CreateSnapshot_Task runs keeps following it
 * (without the move's signal, bounded) and removes the snapshot it made. The session cookie stays
 * inside the {@link VsphereMoveApi}.
 */
import { mkdtempSync, readFileSync, rmSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "../checks.ts";
import { mergeExtents } from "../copy.ts";
import type { DiskDefinition, VmDefinition } from "../definition.ts";
import type { ChangedExtent, SpiContext, WarmPassDisk, WarmSource } from "../spi.ts";
import type { VimRef, VsphereMoveApi } from "./api.ts";
import { devicesOf, vimType } from "./definition.ts";
import { flatExtentPath, parseVmdkDescriptor } from "./vmdk-descriptor.ts";
import { type Obj, list, ref, str, vmRef } from "./decoded.ts";

/** Options of {@link vsphereWarmSource}. */
export interface VsphereWarmOptions {
  readonly api: VsphereMoveApi;
  /** Where each pass stages what it read (a private directory per pass). Default: the OS temp directory. */
  readonly stagingDir?: string;
  /** How long a cancelled CreateSnapshot_Task is still followed to remove the snapshot it makes. Default 120 000 ms. */
  readonly abandonedSnapshotWaitMs?: number;
  /** Range reads in flight per disk (when the client takes `parallel`). Default 4. */
  readonly parallelReads?: number;
}

/** Areas closer than this are read as one Range request (the unchanged bytes between them are frozen too, so reading them is harmless). */
const MERGE_GAP = 256 * 1024;

type WarmApi = Required<Pick<VsphereMoveApi, "createSnapshot" | "removeSnapshot" | "queryChangedDiskAreas" | "readDatastoreFile">> & VsphereMoveApi;

const OP = "move.warmPass";

/** True when `api` has the calls warm moves need. */
export function hasWarmCalls(api: VsphereMoveApi): api is WarmApi {
  return typeof api.createSnapshot === "function" && typeof api.removeSnapshot === "function" && typeof api.queryChangedDiskAreas === "function" && typeof api.readDatastoreFile === "function";
}

/** One disk of a snapshot (or of the VM): backing file name, changeId and capacity (bytes; undefined when not reported). */
interface DiskAt {
  readonly fileName: string;
  readonly changeId: string;
  readonly capacity: number | undefined;
}

/** The snapshot's (or VM's) disks by device key. */
async function disksOf(api: VsphereMoveApi, self: VimRef, path: string, signal: AbortSignal): Promise<Map<number, DiskAt>> {
  const props = await api.properties(self, [path], signal);
  const out = new Map<number, DiskAt>();
  for (const d of devicesOf(props[path])) {
    if (vimType(d) !== "VirtualDisk") continue;
    const backing = (d["backing"] ?? {}) as Obj;
    const bytes = Number(str(d["capacityInBytes"]));
    const kb = Number(str(d["capacityInKB"]));
    const capacity = bytes > 0 ? bytes : kb > 0 ? kb * 1024 : undefined;
    out.set(Number(str(d["key"])), { fileName: str(backing["fileName"]) ?? "", changeId: str(backing["changeId"]) ?? "", capacity });
  }
  return out;
}

/** The VM's snapshots as name → moref, walking the whole tree. */
async function snapshotsOf(api: VsphereMoveApi, vm: VimRef, signal: AbortSignal): Promise<{ readonly name: string; readonly ref: VimRef; readonly depth: number }[]> {
  const props = await api.properties(vm, ["snapshot"], signal);
  const out: { name: string; ref: VimRef; depth: number }[] = [];
  const walk = (trees: unknown, depth: number) => {
    for (const t of list(trees)) {
      const r = ref(t["snapshot"]);
      if (r) out.push({ name: str(t["name"]) ?? "", ref: r, depth });
      walk(t["childSnapshotList"], depth + 1);
    }
  };
  const snapshot = props["snapshot"];
  if (snapshot && typeof snapshot === "object") walk((snapshot as Obj)["rootSnapshotList"], 0);
  return out;
}

/** The inventory path of the VM's datacenter (the `dcPath` of datastore URLs): folder names under the root folder, then the datacenter's. */
async function datacenterPath(api: VsphereMoveApi, vm: VimRef, signal: AbortSignal): Promise<string> {
  let at = ref((await api.properties(vm, ["parent"], signal))["parent"]);
  for (let hops = 0; at && hops < 64; hops++) {
    if (at.type === "Datacenter") {
      const names: string[] = [];
      let node: VimRef | undefined = at;
      while (node) {
        const p: Readonly<Record<string, unknown>> = await api.properties(node, ["name", "parent"], signal);
        const parent = ref(p["parent"]);
        if (!parent) break; // the root folder has no parent and no place in the path
        names.unshift(str(p["name"]) ?? "");
        node = parent;
      }
      return names.join("/");
    }
    at = ref((await api.properties(at, ["parent"], signal))["parent"]);
  }
  throw new VmshiftError("MIGRATION_FAILED", `${vm.value} is in no datacenter`, { adapter: "vsphere", operation: OP, subject: vm.value });
}

/** Every area QueryChangedDiskAreas reports for the disk, following its `startOffset + length` windows to the disk's end. */
async function changedAreas(api: WarmApi, vm: VimRef, snapshot: VimRef, deviceKey: number, changeId: string, capacity: number, signal: AbortSignal): Promise<ChangedExtent[]> {
  const out: ChangedExtent[] = [];
  let start = 0;
  while (start < capacity) {
    const info = await api.queryChangedDiskAreas(vm, snapshot, deviceKey, start, changeId, signal);
    for (const a of info.changedArea) {
      if (!(a.start >= 0 && a.length > 0 && a.start + a.length <= capacity)) {
        throw new VmshiftError("MIGRATION_FAILED", `QueryChangedDiskAreas of disk ${deviceKey} reported an area (${a.start}+${a.length}) outside its ${capacity} bytes`, { adapter: "vsphere", operation: OP, subject: vm.value });
      }
      out.push({ offset: a.start, length: a.length });
    }
    const next = info.startOffset + info.length;
    if (!(info.length > 0) || next <= start) break;
    start = next;
  }
  return out;
}

function fail(definition: VmDefinition, disk: DiskDefinition, what: string): VmshiftError {
  return new VmshiftError("MIGRATION_FAILED", `disk ${disk.key} of ${definition.name} ${what}`, { adapter: "vsphere", operation: OP, subject: definition.id });
}

/** A pass's checkpoint: the snapshot's name and each disk's changeId (`<name>?<deviceKey>=<changeId>&…`). */
export function encodeCheckpoint(name: string, changeIds: ReadonlyMap<number, string>): string {
  return `${name}?${new URLSearchParams([...changeIds].map(([k, id]): [string, string] => [String(k), id])).toString()}`;
}

/** The snapshot name and changeIds of a checkpoint written by {@link encodeCheckpoint}; no ids when it carries none. */
export function decodeCheckpoint(checkpoint: string): { readonly name: string; readonly changeIds: ReadonlyMap<number, string> } {
  const q = checkpoint.indexOf("?");
  if (q < 0) return { name: checkpoint, changeIds: new Map() };
  const changeIds = new Map<number, string>();
  for (const [k, v] of new URLSearchParams(checkpoint.slice(q + 1))) if (/^\d+$/.test(k) && v) changeIds.set(Number(k), v);
  return { name: checkpoint.slice(0, q), changeIds };
}

/** Free bytes for an unprivileged writer under `dir`; undefined when the file system does not say. */
function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** vSphere's changed block tracking as a move's change tracking. */
export function vsphereWarmSource(options: VsphereWarmOptions): WarmSource {
  const { api } = options;
  const stagingRoot = options.stagingDir ?? tmpdir();
  const parallel = Math.max(1, options.parallelReads ?? 4);
  const prefix = (moveId: string) => `vmshift-${moveId}-`;
  const calls = (): WarmApi => {
    if (!hasWarmCalls(api)) throw new VmshiftError("NOT_SUPPORTED", "this vCenter client has no snapshot and change tracking calls (createSnapshot, queryChangedDiskAreas, readDatastoreFile)", { adapter: "vsphere", operation: OP });
    return api;
  };
  const remove = (a: WarmApi, s: VimRef, signal?: AbortSignal) => a.removeSnapshot(s, { removeChildren: false, consolidate: true }, signal);

  /** The descriptor of a datastore disk (its first 64 KiB), read through a private file under `dir`. */
  async function descriptorOf(a: WarmApi, datacenter: string, fileName: string, dir: string, signal: AbortSignal): Promise<string> {
    const head = join(dir, "descriptor");
    try {
      await a.readDatastoreFile({ datacenter, path: fileName }, head, { ranges: [{ offset: 0, length: 64 * 1024 }], signal });
      return readFileSync(head, "latin1");
    } finally {
      rmSync(head, { force: true });
    }
  }

  /** Why a descriptor is not one flat extent, for messages: its createType and extent types. */
  function layoutOf(text: string): string {
    const d = parseVmdkDescriptor(text);
    if (!d) return "not a text descriptor (a hosted sparse disk)";
    return `createType ${d.createType ?? "?"}, extents ${d.extents.map((e) => e.type).join("+") || "none"}`;
  }

  /** Reads `areas` (merged) of the frozen disk's flat extent into a sparse raw file in `dir`. */
  async function stage(a: WarmApi, datacenter: string, definition: VmDefinition, disk: DiskDefinition, fileName: string, capacity: number, areas: readonly ChangedExtent[], dir: string, signal: AbortSignal): Promise<{ location: string; fetched: number }> {
    const text = await descriptorOf(a, datacenter, fileName, dir, signal);
    const flat = flatExtentPath(fileName, text);
    if (!flat) throw fail(definition, disk, `is frozen as ${fileName}, which is not one flat extent (${layoutOf(text)}): warm moves read flat (VMFS/NFS) disks only; consolidate the VM's snapshots or move cold`);
    const ranges = mergeExtents(areas, MERGE_GAP);
    const need = ranges.reduce((n, r) => n + r.length, 0);
    const free = freeBytes(dir);
    if (free !== undefined && free < need) throw fail(definition, disk, `needs ${need} bytes staged in ${stagingRoot}, which has ${free} free: give the source a stagingDir with room`);
    const location = join(dir, `${disk.key}.raw`);
    const fetched = await a.readDatastoreFile({ datacenter, path: flat }, location, { ranges, sizeBytes: capacity, signal, parallel });
    return { location, fetched };
  }

  /** Whether a CreateSnapshot_Task of the VM is queued or running; undefined when the VM's recentTask is not reported. */
  async function creating(a: WarmApi, vm: VimRef, signal: AbortSignal): Promise<boolean | undefined> {
    const props = await a.properties(vm, ["recentTask"], signal);
    if (!("recentTask" in props)) return undefined;
    const tasks = (Array.isArray(props["recentTask"]) ? props["recentTask"] : [props["recentTask"]]).map(ref).filter((r): r is VimRef => r !== undefined);
    for (const t of tasks) {
      const info = await a.properties(t, ["info.descriptionId", "info.state"], signal).catch(() => ({}) as Record<string, unknown>);
      if (str(info["info.descriptionId"]) === "VirtualMachine.createSnapshot" && /^(queued|running)$/.test(str(info["info.state"]) ?? "")) return true;
    }
    return false;
  }

  /**
   * After a cancel stopped following CreateSnapshot_Task (vCenter completes it anyway): watches the
   * VM without the move's signal for at most `abandonedSnapshotWaitMs` and removes snapshot `name`
   * once it appears; stops early when no CreateSnapshot_Task of the VM is left. Best effort.
   */
  async function removeAbandoned(a: WarmApi, vm: VimRef, name: string): Promise<void> {
    const limit = options.abandonedSnapshotWaitMs ?? 120_000;
    const signal = AbortSignal.timeout(limit);
    const deadline = Date.now() + limit;
    const find = async () => (await snapshotsOf(a, vm, signal)).find((s) => s.name === name);
    try {
      for (;;) {
        const made = await find();
        if (made) return await remove(a, made.ref, signal);
        if ((await creating(a, vm, signal)) === false) {
          const late = await find(); // the task may have ended between the two reads
          if (late) await remove(a, late.ref, signal);
          return;
        }
        if (Date.now() >= deadline) return;
        await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
      }
    } catch {
      // best effort: finish() looks again
    }
  }

  return {
    async check(definition, ctx) {
      const checks: MoveCheck[] = [];
      if (!hasWarmCalls(api)) {
        checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: definition.name, message: "this vCenter client has no snapshot and change tracking calls: move cold" });
        return checks;
      }
      const vm = vmRef(definition.id);
      const props = await api.properties(vm, ["config.changeTrackingEnabled"], ctx.signal);
      if (str(props["config.changeTrackingEnabled"]) !== "true") {
        checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: definition.name, message: `${definition.name} has changed block tracking off (config.changeTrackingEnabled); enable it (ReconfigVM_Task with changeTrackingEnabled=true, active after the next power cycle or snapshot) or move cold` });
      }
      // A VM with snapshots of its own runs on deltas: the move's definition checks refuse it
      // (source.snapshots); its live files say nothing about the base's layout, so they are not read here.
      const own = (await snapshotsOf(api, vm, ctx.signal)).filter((s) => !s.name.startsWith("vmshift-"));
      const disks = definition.disks.filter((d) => d.device === "disk");
      for (const d of disks) {
        const mode = String(d.native?.["diskMode"] ?? "persistent");
        if (mode.startsWith("independent")) checks.push({ id: "disk.changeTracking", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} is ${mode}: snapshots do not cover independent disks, so a warm move cannot read a consistent copy of it; make it dependent or move cold` });
      }
      if (own.length === 0 && disks.length > 0) {
        const datacenter = await datacenterPath(api, vm, ctx.signal);
        const live = await disksOf(api, vm, "config.hardware.device", ctx.signal);
        const dir = mkdtempSync(join(stagingRoot, "vmshift-vsphere-check-"));
        try {
          for (const d of disks) {
            const fileName = live.get(Number(d.native?.["deviceKey"]))?.fileName ?? String(d.native?.["fileName"] ?? "");
            if (!fileName) continue;
            const text = await descriptorOf(api, datacenter, fileName, dir, ctx.signal);
            if (!flatExtentPath(fileName, text)) checks.push({ id: "disk.layout", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} (${fileName}) is not one flat extent (${layoutOf(text)}): warm moves read a snapshot's frozen flat disk by byte ranges, which vSAN, vVols and sparse disks do not have; move cold` });
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const need = disks.reduce((n, d) => n + d.sizeBytes, 0);
      const free = freeBytes(stagingRoot);
      if (free !== undefined && free < need) {
        checks.push({ id: "source.staging", category: "storage", severity: "warning", subject: definition.name, message: `the full pass stages up to ${need} bytes (the disks' allocated areas) in ${stagingRoot}, which has ${free} free; a pass that does not fit fails before reading: give the source a stagingDir with room` });
      } else if (need > 0) {
        checks.push({ id: "source.staging", category: "storage", severity: "info", subject: definition.name, message: `the full pass stages up to ${need} bytes (the disks' allocated areas) in ${stagingRoot}${free === undefined ? "" : `, which has ${free} free`}` });
      }
      if (definition.powerState !== "running") checks.push({ id: "vm.state", category: "state", severity: "error", subject: definition.name, message: `warm moves copy while ${definition.name} runs; it is ${definition.powerState}: move it cold` });
      return checks;
    },

    async beginPass(definition, disks, { pass, since, moveId }, ctx) {
      const a = calls();
      const vm = vmRef(definition.id);
      const name = `${prefix(moveId)}${pass}`;
      const previous = since === undefined ? undefined : decodeCheckpoint(since);
      if (previous && previous.changeIds.size === 0) throw new VmshiftError("MIGRATION_FAILED", `checkpoint ${since} of ${definition.name} carries no change ids: the delta cannot be listed`, { adapter: "vsphere", operation: OP, subject: definition.id });
      // Each snapshot must freeze the flat base: a snapshot of this move still there goes first.
      const left = (await snapshotsOf(a, vm, ctx.signal)).filter((s) => s.name.startsWith(prefix(moveId))).sort((x, y) => y.depth - x.depth);
      for (const s of left) await remove(a, s.ref, ctx.signal);
      let snapshot: VimRef;
      try {
        snapshot = await a.createSnapshot(vm, name, { description: `vmshift warm move ${moveId}, pass ${pass}`, memory: false, quiesce: false }, ctx.signal);
      } catch (error) {
        if (ctx.signal.aborted) await removeAbandoned(a, vm, name);
        throw error;
      }
      const dir = mkdtempSync(join(stagingRoot, "vmshift-vsphere-warm-"));
      try {
        const frozen = await disksOf(a, snapshot, "config.hardware.device", ctx.signal);
        const live = await disksOf(a, vm, "config.hardware.device", ctx.signal);
        const datacenter = await datacenterPath(a, vm, ctx.signal);
        const byKey = new Map<string, WarmPassDisk>();
        const changeIds = new Map<number, string>();
        for (const disk of disks) {
          const deviceKey = Number(disk.native?.["deviceKey"]);
          const at = frozen.get(deviceKey);
          if (!at) throw fail(definition, disk, `is not in snapshot ${name}`);
          if (!at.changeId) throw fail(definition, disk, `has no change id in snapshot ${name}: change tracking is not active on it`);
          if (at.fileName === live.get(deviceKey)?.fileName) throw fail(definition, disk, `is still the VM's live file (${at.fileName}) after snapshot ${name}: the snapshot did not freeze it`);
          const capacity = at.capacity ?? disk.sizeBytes;
          if (capacity !== disk.sizeBytes) throw fail(definition, disk, `is ${capacity} bytes in snapshot ${name}, not the ${disk.sizeBytes} bytes the target volume was reserved with: it was resized during the move; cancel the move and start it again`);
          const changeId = previous ? previous.changeIds.get(deviceKey) : "*";
          if (!changeId) throw fail(definition, disk, `has no change id in checkpoint ${previous?.name ?? ""}`);
          const areas = await changedAreas(a, vm, snapshot, deviceKey, changeId, capacity, ctx.signal);
          const staged = await stage(a, datacenter, definition, disk, at.fileName, capacity, areas, dir, ctx.signal);
          const changes: readonly ChangedExtent[] | undefined = previous ? areas : undefined;
          changeIds.set(deviceKey, at.changeId);
          byKey.set(disk.key, { location: staged.location, format: "raw", changedExtents: async () => changes });
        }
        return {
          pass,
          checkpoint: encodeCheckpoint(name, changeIds),
          disks: byKey,
          close: async () => {
            rmSync(dir, { recursive: true, force: true });
            // The changeIds ride in the checkpoint: the snapshot goes now, consolidating the VM's delta into the base.
            await remove(a, snapshot);
          },
        };
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        await remove(a, snapshot).catch(() => undefined);
        throw error;
      }
    },

    async finish(definition, { moveId }, ctx) {
      if (!hasWarmCalls(api)) return;
      const vm = vmRef(definition.id);
      const mine = (await snapshotsOf(api, vm, ctx.signal)).filter((s) => s.name.startsWith(prefix(moveId))).sort((x, y) => y.depth - x.depth);
      for (const s of mine) await api.removeSnapshot(s.ref, { removeChildren: false, consolidate: true }, ctx.signal);
    },
  };
}

/** Read-only: the move's snapshots a VM still has (for tests and diagnostics). */
export async function warmSnapshotsLeft(api: VsphereMoveApi, vmId: string, moveId: string, ctx: SpiContext): Promise<string[]> {
  return (await snapshotsOf(api, vmRef(vmId), ctx.signal)).map((s) => s.name).filter((n) => n.startsWith(`vmshift-${moveId}-`));
}
