/**
 * The vSphere warm source over a test double of the vCenter client (VsphereMoveApi) laid out as
 * ESXi lays out snapshots: a VM with one flat disk (`[ds1] vm/vm.vmdk`, a VMFS extent
 * `vm-flat.vmdk`) whose guest bytes the test writes; CreateSnapshot_Task freezes the file the VM
 * was writing and the VM continues on a new vmfsSparse delta (`vm-00000N.vmdk`, a descriptor
 * naming a grain-mapped `-delta.vmdk` extent and its parent); RemoveSnapshot_Task consolidates the
 * delta into the file below it. Change ids stay valid after their snapshot is removed and are
 * compared per 64 KiB block; datastore files are served from memory with Range reads counted.
 * Property shapes follow what the vim25 client decodes (see definition.test.ts). The live launcher
 * (adapters-conformance/vcsim, freeze.go) models the same layout and runs this source in the move suite.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DiskDefinition, VmDefinition } from "../definition.ts";
import type { VimRef, VsphereMoveApi } from "./api.ts";
import { decodeCheckpoint, encodeCheckpoint, vsphereWarmSource } from "./warm.ts";

const BLOCK = 64 * 1024;
const SIZE = 1024 * 1024;
const t = (type: string, fields: Record<string, unknown> = {}) => ({ attributes: { "XMLSchema-instance:type": type }, ...fields });
const mo = (type: string, value: string) => ({ attributes: { type }, $value: value });
const descriptor = (createType: string, extent: string, parent?: string) => Buffer.from(`# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=${parent ? "87654321" : "ffffffff"}\ncreateType="${createType}"\n${parent ? `parentFileNameHint="${parent}"\n` : ""}\n# Extent description\n${extent}\n`);

interface Snap {
  name: string;
  ref: string;
  /** The file the snapshot froze (what its disk names). */
  file: string;
  changeId: string;
  capacity: number;
}

/**
 * A one-VM vCenter with ESXi's snapshot layout. `base`: the layout of the base disk ("flat", or
 * "seSparse" as on vSAN/vVols-like storage that is never flat). `userSnapshot`: the VM already has
 * one snapshot of its own. `slowCreate`: CreateSnapshot_Task ends 50 ms after the client stops
 * following it on abort (recentTask reports it running until then); `taskNeverStarted`: the abort
 * came before the task was made.
 */
function fakeVcenter(options: { cbt?: boolean; freezes?: boolean; base?: "flat" | "seSparse"; userSnapshot?: boolean; slowCreate?: boolean; taskNeverStarted?: boolean } = {}) {
  const guest = Buffer.alloc(SIZE);
  guest.write("marker", 0);
  const snaps: Snap[] = [];
  const states = new Map<string, Buffer>();
  const files = new Map<string, Buffer>();
  const reads: { path: string; ranges?: readonly { offset: number; length: number }[]; parallel?: number }[] = [];
  const calls: string[] = [];
  const BASE = "[ds1] vm/vm.vmdk";
  if (options.base === "seSparse") files.set(BASE, descriptor("seSparse", `RW ${SIZE / 512} SESPARSE "vm-sesparse.vmdk"`));
  else files.set(BASE, descriptor("vmfs", `RW ${SIZE / 512} VMFS "vm-flat.vmdk"`));
  const flushBase = () => files.set("[ds1] vm/vm-flat.vmdk", Buffer.from(guest)); // the flat extent holds what was written into the base
  flushBase();
  let live = BASE;
  let capacity = SIZE;
  let n = 0;
  let creatingTask = false;
  const disk = (file: string, changeId: string, bytes: number) => t("ArrayOfVirtualDevice", { VirtualDevice: [t("VirtualIDEController", { key: "200" }), t("VirtualDisk", { key: "2000", capacityInBytes: String(bytes), capacityInKB: String(bytes / 1024), backing: t("VirtualDiskFlatVer2BackingInfo", { fileName: file, changeId }) })] });
  const take = (name: string): VimRef => {
    n++;
    const frozen = options.freezes === false ? BASE : live;
    const changeId = options.cbt === false ? "" : `52 aa/${n}`;
    states.set(changeId, Buffer.from(guest));
    if (live === BASE) flushBase();
    snaps.push({ name, ref: `snapshot-${n}`, file: frozen, changeId, capacity });
    if (options.freezes !== false) {
      const delta = `[ds1] vm/vm-${String(n).padStart(6, "0")}.vmdk`;
      files.set(delta, descriptor("vmfsSparse", `RW ${capacity / 512} VMFSSPARSE "vm-${String(n).padStart(6, "0")}-delta.vmdk"`, frozen.replace("[ds1] vm/", "")));
      live = delta;
    }
    return { type: "VirtualMachineSnapshot", value: `snapshot-${n}` };
  };
  if (options.userSnapshot) take("before the move");
  const api: VsphereMoveApi = {
    async properties(ref: VimRef, paths) {
      if (ref.type === "VirtualMachine") {
        const tree = (i: number): unknown => (i >= snaps.length ? undefined : { name: snaps[i]!.name, snapshot: mo("VirtualMachineSnapshot", snaps[i]!.ref), ...(i + 1 < snaps.length ? { childSnapshotList: tree(i + 1) } : {}) });
        return {
          "config.changeTrackingEnabled": options.cbt === false ? "false" : "true",
          "config.hardware.device": disk(live, "52 live", capacity),
          snapshot: snaps.length ? { rootSnapshotList: tree(0) } : undefined,
          parent: mo("Folder", "group-v3"),
          ...(paths.includes("recentTask") && (options.slowCreate || options.taskNeverStarted) ? { recentTask: creatingTask ? [mo("Task", "task-9")] : undefined } : {}),
        };
      }
      if (ref.type === "Task") return { "info.descriptionId": "VirtualMachine.createSnapshot", "info.state": creatingTask ? "running" : "success" };
      if (ref.type === "VirtualMachineSnapshot") {
        const s = snaps.find((x) => x.ref === ref.value);
        if (!s) throw new Error(`no snapshot ${ref.value}`);
        return { "config.hardware.device": disk(s.file, s.changeId, s.capacity) };
      }
      if (ref.value === "group-v3") return { parent: mo("Datacenter", "datacenter-2"), name: "vm" };
      if (ref.value === "datacenter-2") return { parent: mo("Folder", "group-d1"), name: "DC 1" };
      if (ref.value === "group-d1") return { name: "Datacenters" };
      throw new Error(`unexpected ${ref.type}:${ref.value} ${paths.join()}`);
    },
    invoke: async () => undefined,
    waitTask: async () => undefined,
    download: async () => 0,
    async createSnapshot(_vm, name, o, signal) {
      calls.push(`create ${name} memory=${o.memory} quiesce=${o.quiesce}`);
      if (options.taskNeverStarted) throw new Error("aborted before the request went out");
      if (options.slowCreate) {
        // vCenter runs the task on; the client stops following it when the move is cancelled.
        creatingTask = true;
        setTimeout(() => {
          take(name);
          creatingTask = false;
        }, 50);
        return await new Promise<VimRef>((_r, reject) => signal!.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
      }
      return take(name);
    },
    async removeSnapshot(snapshot) {
      const i = snaps.findIndex((s) => s.ref === snapshot.value);
      calls.push(`remove ${snaps[i]?.name}`);
      if (i < 0) return;
      snaps.splice(i, 1);
      // Consolidation: with no snapshot left the delta's writes land in the base and the VM runs on it again.
      if (snaps.length === 0) {
        live = BASE;
        flushBase();
      }
    },
    async queryChangedDiskAreas(_vm, snapshot, deviceKey, startOffset, changeId) {
      const s = snaps.find((x) => x.ref === snapshot.value)!;
      expect(deviceKey).toBe(2000);
      const now = states.get(s.changeId)!;
      const from = changeId === "*" ? undefined : states.get(changeId);
      if (changeId !== "*" && !from) throw new Error("FileFault: not a change id");
      // Answers in two windows (as vCenter may): the caller must follow startOffset + length.
      const end = Math.min(s.capacity, startOffset + SIZE / 2);
      const changedArea: { start: number; length: number }[] = [];
      for (let off = startOffset; off < end; off += BLOCK) {
        const block = now.subarray(off, off + BLOCK);
        const changed = from ? !block.equals(from.subarray(off, off + BLOCK)) : block.some((b) => b !== 0);
        if (changed) changedArea.push({ start: off, length: BLOCK });
      }
      return { startOffset, length: end - startOffset, changedArea };
    },
    async readDatastoreFile(file, dest, o = {}) {
      expect(file.datacenter).toBe("DC 1");
      reads.push({ path: file.path, ...(o.ranges ? { ranges: o.ranges } : {}), ...(o.parallel ? { parallel: o.parallel } : {}) });
      const bytes = files.get(file.path);
      if (!bytes) throw new Error(`404 ${file.path}`);
      const { openSync, writeSync, closeSync, ftruncateSync } = await import("node:fs");
      const fd = openSync(dest, "w", 0o600);
      if (o.sizeBytes !== undefined) ftruncateSync(fd, o.sizeBytes);
      let total = 0;
      for (const r of o.ranges ?? [{ offset: 0, length: bytes.length }]) {
        const part = bytes.subarray(r.offset, r.offset + r.length);
        writeSync(fd, part, 0, part.length, r.offset);
        total += part.length;
      }
      closeSync(fd);
      return total;
    },
  };
  return { api, guest, snaps, reads, calls, grow: (bytes: number) => (capacity = bytes), liveFile: () => live };
}

const sda: DiskDefinition = { key: "sda", sizeBytes: SIZE, format: "vmdk", bus: "scsi", storage: "ds1", device: "disk", native: { deviceKey: "2000", fileName: "[ds1] vm/vm.vmdk", diskMode: "persistent" } };
const definition: VmDefinition = { id: "vm-7", name: "web-1", cpus: 1, memoryBytes: 2 ** 30, firmware: { kind: "bios" }, disks: [sda], nics: [], powerState: "running", snapshotCount: 0, unsupportedDevices: [] } as unknown as VmDefinition;
const ctx = { signal: new AbortController().signal };
let dirs: string[] = [];
const staging = () => {
  const d = mkdtempSync(join(tmpdir(), "vsphere-warm-test-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const stagedFiles = (dir: string) => readdirSync(dir, { recursive: true }).map(String);

describe("vsphereWarmSource passes", () => {
  it("full pass: a snapshot (memory and quiesce off) freezing the flat base, only the allocated areas read by Range into a sparse raw copy; close removes the snapshot, the change id rides in the checkpoint", async () => {
    const vc = fakeVcenter();
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    const pass = await warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx);
    const frozen = Buffer.from(vc.guest);
    vc.guest.write("written after the snapshot", 3 * BLOCK); // the running guest keeps writing (into the delta)
    expect(vc.calls).toEqual(["create vmshift-m1-1 memory=false quiesce=false"]);
    expect(decodeCheckpoint(pass.checkpoint)).toEqual({ name: "vmshift-m1-1", changeIds: new Map([[2000, "52 aa/1"]]) });
    const d = pass.disks.get("sda")!;
    expect(d.format).toBe("raw");
    expect(await d.changedExtents(ctx)).toBeUndefined();
    const staged = readFileSync(d.location);
    expect(staged.length).toBe(SIZE);
    expect(staged.equals(frozen)).toBe(true);
    expect(vc.reads.at(-1)).toEqual({ path: "[ds1] vm/vm-flat.vmdk", ranges: [{ offset: 0, length: BLOCK }], parallel: 4 });
    await pass.close();
    expect(vc.calls.at(-1)).toBe("remove vmshift-m1-1");
    expect(vc.snaps).toEqual([]);
    expect(vc.liveFile()).toBe("[ds1] vm/vm.vmdk"); // consolidated: the next snapshot freezes the flat base again
  });

  it("delta pass against the checkpoint's change id, after the previous snapshot was removed: the next snapshot freezes the flat base, only the changed areas are read", async () => {
    const vc = fakeVcenter();
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    const p1 = await warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx);
    await p1.close();
    vc.guest.fill(0x41, 2 * BLOCK, 2 * BLOCK + 10);
    vc.guest.fill(0x42, 9 * BLOCK + 5, 9 * BLOCK + 6); // in the second answer window
    const pass = await warm.beginPass(definition, [sda], { pass: 2, since: p1.checkpoint, moveId: "m1" }, ctx);
    expect(vc.calls).toEqual(["create vmshift-m1-1 memory=false quiesce=false", "remove vmshift-m1-1", "create vmshift-m1-2 memory=false quiesce=false"]);
    const d = pass.disks.get("sda")!;
    expect(d.format).toBe("raw");
    const extents = await d.changedExtents(ctx);
    expect(extents).toEqual([{ offset: 2 * BLOCK, length: BLOCK }, { offset: 9 * BLOCK, length: BLOCK }]);
    expect(vc.reads.at(-1)).toEqual({ path: "[ds1] vm/vm-flat.vmdk", ranges: extents, parallel: 4 });
    const staged = readFileSync(d.location);
    for (const e of extents!) expect(staged.subarray(e.offset, e.offset + e.length).equals(vc.guest.subarray(e.offset, e.offset + e.length))).toBe(true);
    await pass.close();
    expect(vc.snaps).toEqual([]);
    await warm.finish(definition, { moveId: "m1" }, ctx);
    expect(vc.snaps).toEqual([]);
  });

  it("a move's snapshot left from the previous pass (its close failed) is removed before the next is taken, so the pass reads the flat base and not a delta descriptor", async () => {
    const vc = fakeVcenter();
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    const p1 = await warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx); // never closed
    vc.guest.fill(0x43, 5 * BLOCK, 5 * BLOCK + 1);
    const p2 = await warm.beginPass(definition, [sda], { pass: 2, since: p1.checkpoint, moveId: "m1" }, ctx);
    expect(vc.calls.slice(1)).toEqual(["remove vmshift-m1-1", "create vmshift-m1-2 memory=false quiesce=false"]);
    const d = p2.disks.get("sda")!;
    expect(d.format).toBe("raw");
    expect(readFileSync(d.location).subarray(5 * BLOCK, 5 * BLOCK + 1)[0]).toBe(0x43);
    expect(await d.changedExtents(ctx)).toEqual([{ offset: 5 * BLOCK, length: BLOCK }]);
    await p2.close();
  });

  it("refuses a frozen disk that is not one flat extent (a delta under a snapshot of the user's, seSparse) with its layout, stages nothing and removes the snapshot it took", async () => {
    for (const [options, layout] of [[{ userSnapshot: true }, /vmfsSparse, extents VMFSSPARSE/], [{ base: "seSparse" as const }, /seSparse, extents SESPARSE/]] as const) {
      const vc = fakeVcenter(options);
      const dir = staging();
      const warm = vsphereWarmSource({ api: vc.api, stagingDir: dir });
      const err = await warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/not one flat extent/);
      expect((err as Error).message).toMatch(layout);
      expect(vc.reads.map((r) => r.path).filter((p) => p.endsWith("-flat.vmdk") || !p.startsWith("[ds1] vm/vm"))).toEqual([]);
      expect(vc.snaps.map((s) => s.name).filter((x) => x.startsWith("vmshift-"))).toEqual([]);
      expect(stagedFiles(dir)).toEqual([]);
    }
  });

  it("fails early with an actionable message when the disk was resized between passes (the target volume was reserved at the old size)", async () => {
    const vc = fakeVcenter();
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    const p1 = await warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx);
    await p1.close();
    vc.grow(2 * SIZE);
    const reads = vc.reads.length;
    await expect(warm.beginPass(definition, [sda], { pass: 2, since: p1.checkpoint, moveId: "m1" }, ctx)).rejects.toThrow(/sda of web-1 is 2097152 bytes in snapshot vmshift-m1-2, not the 1048576 bytes the target volume was reserved with: it was resized during the move; cancel the move and start it again/);
    expect(vc.reads.length).toBe(reads);
    expect(vc.snaps).toEqual([]);
  });

  it("merges neighbouring changed areas into one Range read (gap ≤ 256 KiB) and asks for parallel reads", async () => {
    const vc = fakeVcenter();
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging(), parallelReads: 3 });
    const p1 = await warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx);
    await p1.close();
    for (const b of [1, 2, 4, 12]) vc.guest[b * BLOCK] = 0x44; // 1,2 touch, 4 is 64 KiB away, 12 is 512 KiB away
    const p2 = await warm.beginPass(definition, [sda], { pass: 2, since: p1.checkpoint, moveId: "m1" }, ctx);
    expect((await p2.disks.get("sda")!.changedExtents(ctx))!.length).toBe(4);
    expect(vc.reads.at(-1)).toEqual({ path: "[ds1] vm/vm-flat.vmdk", ranges: [{ offset: BLOCK, length: 4 * BLOCK }, { offset: 12 * BLOCK, length: BLOCK }], parallel: 3 });
    await p2.close();
  });

  it("refuses a snapshot that did not freeze the disk (its file is the live one) and removes the snapshot it took", async () => {
    const vc = fakeVcenter({ freezes: false });
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    await expect(warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx)).rejects.toThrow(/still the VM's live file .*did not freeze/);
    expect(vc.snaps).toEqual([]);
  });

  it("a delta from a checkpoint without change ids fails with its name before any snapshot is taken", async () => {
    const vc = fakeVcenter();
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    await expect(warm.beginPass(definition, [sda], { pass: 2, since: "vmshift-m1-1", moveId: "m1" }, ctx)).rejects.toThrow(/checkpoint vmshift-m1-1 of web-1 carries no change ids/);
    expect(vc.calls).toEqual([]);
  });

  it("checkpoints carry change ids with any characters", () => {
    const ids = new Map([[2000, "52 de 1b a0/17"], [2001, "52 ff&=?/3"]]);
    expect(decodeCheckpoint(encodeCheckpoint("vmshift-m-1", ids))).toEqual({ name: "vmshift-m-1", changeIds: ids });
  });
});

describe("vsphereWarmSource cancel during CreateSnapshot_Task", () => {
  it("keeps following the task without the move's signal and removes the snapshot it made", async () => {
    const vc = fakeVcenter({ slowCreate: true });
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    const ac = new AbortController();
    const pass = warm.beginPass(definition, [sda], { pass: 1, moveId: "m2" }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await expect(pass).rejects.toThrow(/aborted/);
    expect(vc.calls).toEqual(["create vmshift-m2-1 memory=false quiesce=false", "remove vmshift-m2-1"]);
    expect(vc.snaps).toEqual([]);
  });

  it("returns at once when no CreateSnapshot_Task of the VM runs (the abort came before it was made)", async () => {
    const vc = fakeVcenter({ taskNeverStarted: true });
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    const ac = new AbortController();
    ac.abort();
    const t0 = Date.now();
    await expect(warm.beginPass(definition, [sda], { pass: 1, moveId: "m3" }, { signal: ac.signal })).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(vc.snaps).toEqual([]);
  });
});

describe("vsphereWarmSource checks", () => {
  it("passes a running VM with change tracking on, dependent flat disks and no snapshots, and says how much the full pass stages", async () => {
    const dir = staging();
    const checks = await vsphereWarmSource({ api: fakeVcenter().api, stagingDir: dir }).check(definition, ctx);
    expect(checks.map((c) => [c.id, c.severity])).toEqual([["source.staging", "info"]]);
    expect(checks[0]!.message).toContain(`stages up to ${SIZE} bytes`);
    expect(checks[0]!.message).toContain(dir);
    expect(stagedFiles(dir)).toEqual([]);
  });

  it("warns when the staging directory has less room than the full pass may need", async () => {
    const huge = { ...sda, sizeBytes: 2 ** 50 };
    const checks = await vsphereWarmSource({ api: fakeVcenter().api, stagingDir: staging() }).check({ ...definition, disks: [huge] } as VmDefinition, ctx);
    expect(checks.find((c) => c.id === "source.staging")).toMatchObject({ severity: "warning", message: expect.stringMatching(/up to 1125899906842624 bytes .* which has \d+ free/) });
  });

  it("refuses change tracking off, independent disks, a VM that is not running, a client without the calls", async () => {
    const off = await vsphereWarmSource({ api: fakeVcenter({ cbt: false }).api, stagingDir: staging() }).check(definition, ctx);
    expect(off.filter((c) => c.severity === "error").map((c) => c.id)).toEqual(["source.changeTracking"]);
    expect(off[0]!.message).toMatch(/changeTrackingEnabled/);
    const independent = { ...sda, native: { ...sda.native, diskMode: "independent_persistent" } };
    const stopped = { ...definition, powerState: "stopped", disks: [independent] } as VmDefinition;
    const checks = await vsphereWarmSource({ api: fakeVcenter().api, stagingDir: staging() }).check(stopped, ctx);
    expect(checks.filter((c) => c.severity === "error").map((c) => c.id).sort()).toEqual(["disk.changeTracking", "vm.state"]);
    const { createSnapshot: _c, ...bare } = fakeVcenter().api;
    const none = await vsphereWarmSource({ api: bare }).check(definition, ctx);
    expect(none.map((c) => c.id)).toEqual(["source.changeTracking"]);
  });

  it("refuses a disk that is never flat (seSparse, vSAN/vVols layouts); a VM with snapshots of its own is left to the definition checks (its live file is a delta)", async () => {
    const snapped = await vsphereWarmSource({ api: fakeVcenter({ userSnapshot: true }).api, stagingDir: staging() }).check(definition, ctx);
    expect(snapped.filter((c) => c.severity === "error")).toEqual([]);
    const sparse = await vsphereWarmSource({ api: fakeVcenter({ base: "seSparse" }).api, stagingDir: staging() }).check(definition, ctx);
    expect(sparse.filter((c) => c.severity === "error").map((c) => [c.id, c.subject])).toEqual([["disk.layout", "sda"]]);
    expect(sparse.find((c) => c.id === "disk.layout")!.message).toMatch(/\[ds1\] vm\/vm\.vmdk\) is not one flat extent \(createType seSparse, extents SESPARSE\).*move cold/);
  });
});
