/**
 * Warm moves from vSphere through changed block tracking, as Forklift/VDDK do it: each pass takes a
 * snapshot `vmshift-<move id>-<pass>` (CreateSnapshot_Task, memory and quiesce false), reads the
 * snapshot's disk — frozen at the snapshot while the VM keeps writing — and lists what to copy with
 * QueryChangedDiskAreas(snapshot, deviceKey, startOffset, changeId): `"*"` (every allocated area)
 * on the full pass, the previous pass's snapshot's changeId on a delta pass. Closing a delta pass
 * removes the previous pass's snapshot (RemoveSnapshot_Task). The final pass runs after the VM was
 * powered off, the same way. `finish` removes the move's snapshots that are left.
 *
 * Only the listed areas are fetched: a snapshot's disk whose descriptor names one raw extent (FLAT
 * or VMFS at offset 0 — ESXi datastore disks) is read with HTTP Range requests of those areas
 * through the datastore interface (`/folder/<path>`) into a sparse raw file in a private staging
 * directory (0700), which the copier reads; any other layout is downloaded whole. The session
 * cookie stays inside the {@link VsphereMoveApi}.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "../checks.ts";
import type { DiskDefinition, VmDefinition } from "../definition.ts";
import type { ChangedExtent, SpiContext, WarmPassDisk, WarmSource } from "../spi.ts";
import type { VimRef, VsphereMoveApi } from "./api.ts";
import { devicesOf, vimType } from "./definition.ts";
import { flatExtentPath } from "./vmdk-descriptor.ts";

/** Options of {@link vsphereWarmSource}. */
export interface VsphereWarmOptions {
  readonly api: VsphereMoveApi;
  /** Where each pass stages what it read (a private directory per pass). Default: the OS temp directory. */
  readonly stagingDir?: string;
}

type Obj = Record<string, unknown>;
type WarmApi = Required<Pick<VsphereMoveApi, "createSnapshot" | "removeSnapshot" | "queryChangedDiskAreas" | "readDatastoreFile">> & VsphereMoveApi;

const vmRef = (id: string): VimRef => ({ type: "VirtualMachine", value: id });
const OP = "move.warmPass";

function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v && typeof v === "object" && "$value" in v) return str((v as { $value: unknown }).$value);
  return undefined;
}
function ref(v: unknown): VimRef | undefined {
  const type = v && typeof v === "object" ? (v as { attributes?: Record<string, string> }).attributes?.["type"] : undefined;
  const value = str(v);
  return type && value ? { type, value } : undefined;
}
function list(v: unknown): Obj[] {
  if (v === undefined || v === null || v === "") return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is Obj => typeof x === "object" && x !== null);
}

/** True when `api` has the calls warm moves need. */
export function hasWarmCalls(api: VsphereMoveApi): api is WarmApi {
  return typeof api.createSnapshot === "function" && typeof api.removeSnapshot === "function" && typeof api.queryChangedDiskAreas === "function" && typeof api.readDatastoreFile === "function";
}

/** The snapshot's (or VM's) disks by device key: backing file name and changeId. */
async function disksOf(api: VsphereMoveApi, self: VimRef, path: string, signal: AbortSignal): Promise<Map<number, { fileName: string; changeId: string }>> {
  const props = await api.properties(self, [path], signal);
  const out = new Map<number, { fileName: string; changeId: string }>();
  for (const d of devicesOf(props[path])) {
    if (vimType(d) !== "VirtualDisk") continue;
    const backing = (d["backing"] ?? {}) as Obj;
    out.set(Number(str(d["key"])), { fileName: str(backing["fileName"]) ?? "", changeId: str(backing["changeId"]) ?? "" });
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

/** vSphere's changed block tracking as a move's change tracking. */
export function vsphereWarmSource(options: VsphereWarmOptions): WarmSource {
  const { api } = options;
  const prefix = (moveId: string) => `vmshift-${moveId}-`;
  const calls = (): WarmApi => {
    if (!hasWarmCalls(api)) throw new VmshiftError("NOT_SUPPORTED", "this vCenter client has no snapshot and change tracking calls (createSnapshot, queryChangedDiskAreas, readDatastoreFile)", { adapter: "vsphere", operation: OP });
    return api;
  };

  /** Reads what a pass copies of one disk into `dir`: only `areas` of a raw extent, else the whole file. */
  async function stage(a: WarmApi, datacenter: string, fileName: string, disk: DiskDefinition, areas: readonly ChangedExtent[], dir: string, signal: AbortSignal): Promise<{ location: string; format: "raw" | "vmdk"; fetched: number }> {
    const head = join(dir, `${disk.key}.descriptor`);
    await a.readDatastoreFile({ datacenter, path: fileName }, head, { ranges: [{ offset: 0, length: 64 * 1024 }], signal });
    const flat = flatExtentPath(fileName, readFileSync(head, "latin1"));
    rmSync(head, { force: true });
    if (flat) {
      const location = join(dir, `${disk.key}.raw`);
      const fetched = await a.readDatastoreFile({ datacenter, path: flat }, location, { ranges: areas, sizeBytes: disk.sizeBytes, signal });
      return { location, format: "raw", fetched };
    }
    const location = join(dir, `${disk.key}.vmdk`);
    const fetched = await a.readDatastoreFile({ datacenter, path: fileName }, location, { signal });
    return { location, format: "vmdk", fetched };
  }

  return {
    async check(definition, ctx) {
      const checks: MoveCheck[] = [];
      if (!hasWarmCalls(api)) {
        checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: definition.name, message: "this vCenter client has no snapshot and change tracking calls: move cold" });
        return checks;
      }
      const props = await api.properties(vmRef(definition.id), ["config.changeTrackingEnabled"], ctx.signal);
      if (str(props["config.changeTrackingEnabled"]) !== "true") {
        checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: definition.name, message: `${definition.name} has changed block tracking off (config.changeTrackingEnabled); enable it (ReconfigVM_Task with changeTrackingEnabled=true, active after the next power cycle or snapshot) or move cold` });
      }
      for (const d of definition.disks) {
        const mode = String(d.native?.["diskMode"] ?? "persistent");
        if (d.device === "disk" && mode.startsWith("independent")) checks.push({ id: "disk.changeTracking", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} is ${mode}: snapshots do not cover independent disks, so a warm move cannot read a consistent copy of it; make it dependent or move cold` });
      }
      if (definition.powerState !== "running") checks.push({ id: "vm.state", category: "state", severity: "error", subject: definition.name, message: `warm moves copy while ${definition.name} runs; it is ${definition.powerState}: move it cold` });
      return checks;
    },

    async beginPass(definition, disks, { pass, since, moveId }, ctx) {
      const a = calls();
      const vm = vmRef(definition.id);
      const name = `${prefix(moveId)}${pass}`;
      const snapshot = await a.createSnapshot(vm, name, { description: `vmshift warm move ${moveId}, pass ${pass}`, memory: false, quiesce: false }, ctx.signal);
      const dir = mkdtempSync(join(options.stagingDir ?? tmpdir(), "vmshift-vsphere-warm-"));
      let previous: VimRef | undefined;
      try {
        const frozen = await disksOf(a, snapshot, "config.hardware.device", ctx.signal);
        const live = await disksOf(a, vm, "config.hardware.device", ctx.signal);
        let before: Map<number, { fileName: string; changeId: string }> | undefined;
        if (since !== undefined) {
          previous = (await snapshotsOf(a, vm, ctx.signal)).find((s) => s.name === since)?.ref;
          if (!previous) throw new VmshiftError("MIGRATION_FAILED", `the previous pass's snapshot ${since} of ${definition.name} is gone: its change ids are needed for the delta`, { adapter: "vsphere", operation: OP, subject: definition.id });
          before = await disksOf(a, previous, "config.hardware.device", ctx.signal);
        }
        const datacenter = await datacenterPath(a, vm, ctx.signal);
        const byKey = new Map<string, WarmPassDisk>();
        for (const disk of disks) {
          const deviceKey = Number(disk.native?.["deviceKey"]);
          const at = frozen.get(deviceKey);
          if (!at) throw fail(definition, disk, `is not in snapshot ${name}`);
          if (!at.changeId) throw fail(definition, disk, `has no change id in snapshot ${name}: change tracking is not active on it`);
          if (at.fileName === live.get(deviceKey)?.fileName) throw fail(definition, disk, `is still the VM's live file (${at.fileName}) after snapshot ${name}: the snapshot did not freeze it`);
          const changeId = before ? before.get(deviceKey)?.changeId : "*";
          if (!changeId) throw fail(definition, disk, `has no change id in the previous pass's snapshot ${since ?? ""}`);
          const areas = await changedAreas(a, vm, snapshot, deviceKey, changeId, disk.sizeBytes, ctx.signal);
          const staged = await stage(a, datacenter, at.fileName, disk, areas, dir, ctx.signal);
          const changes: readonly ChangedExtent[] | undefined = since === undefined ? undefined : areas;
          byKey.set(disk.key, { location: staged.location, format: staged.format, changedExtents: async () => changes });
        }
        const earlier = previous;
        return {
          pass,
          checkpoint: name,
          disks: byKey,
          close: async () => {
            rmSync(dir, { recursive: true, force: true });
            // Forklift's order: the previous pass's snapshot goes once the next one was read.
            if (earlier) await a.removeSnapshot(earlier, { removeChildren: false, consolidate: true });
          },
        };
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        await a.removeSnapshot(snapshot, { removeChildren: false, consolidate: true }).catch(() => undefined);
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
