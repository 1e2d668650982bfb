/**
 * The vSphere warm source over a test double of the vCenter client (VsphereMoveApi): a VM with one
 * disk whose live bytes the test writes, snapshots that copy them (as ESXi's frozen base disk),
 * change ids compared per 64 KiB block, datastore files served from memory with Range reads
 * counted. Property shapes follow what the vim25 client decodes (see definition.test.ts). The live
 * launcher (adapters-conformance/vcsim) runs the same source in the move suite.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DiskDefinition, VmDefinition } from "../definition.ts";
import type { VimRef, VsphereMoveApi } from "./api.ts";
import { vsphereWarmSource } from "./warm.ts";

const BLOCK = 64 * 1024;
const SIZE = 1024 * 1024;
const t = (type: string, fields: Record<string, unknown> = {}) => ({ attributes: { "XMLSchema-instance:type": type }, ...fields });
const mo = (type: string, value: string) => ({ attributes: { type }, $value: value });

interface Snap {
  name: string;
  ref: string;
  file: string;
  changeId: string;
  bytes: Buffer;
}

/** A one-VM vCenter: live disk `[ds1] vm/vm.vmdk`, snapshots as flat copies `[ds1] vm/vm-sN.vmdk`. */
function fakeVcenter(options: { cbt?: boolean; freezes?: boolean; flat?: boolean } = {}) {
  const live = Buffer.alloc(SIZE);
  live.write("marker", 0);
  const snaps: Snap[] = [];
  const states = new Map<string, Buffer>();
  const files = new Map<string, Buffer>();
  const reads: { path: string; ranges?: readonly { offset: number; length: number }[] }[] = [];
  const calls: string[] = [];
  let n = 0;
  const disk = (file: string, changeId: string) => t("ArrayOfVirtualDevice", { VirtualDevice: [t("VirtualIDEController", { key: "200" }), t("VirtualDisk", { key: "2000", backing: t("VirtualDiskFlatVer2BackingInfo", { fileName: file, changeId }) })] });
  const api: VsphereMoveApi = {
    async properties(ref: VimRef, paths) {
      if (ref.type === "VirtualMachine") {
        const tree = (i: number): unknown => (i >= snaps.length ? undefined : { name: snaps[i]!.name, snapshot: mo("VirtualMachineSnapshot", snaps[i]!.ref), ...(i + 1 < snaps.length ? { childSnapshotList: tree(i + 1) } : {}) });
        return {
          "config.changeTrackingEnabled": options.cbt === false ? "false" : "true",
          "config.hardware.device": disk("[ds1] vm/vm.vmdk", ""),
          snapshot: snaps.length ? { rootSnapshotList: tree(0) } : undefined,
          parent: mo("Folder", "group-v3"),
        };
      }
      if (ref.type === "VirtualMachineSnapshot") {
        const s = snaps.find((x) => x.ref === ref.value);
        if (!s) throw new Error(`no snapshot ${ref.value}`);
        return { "config.hardware.device": disk(s.file, s.changeId) };
      }
      if (ref.value === "group-v3") return { parent: mo("Datacenter", "datacenter-2"), name: "vm" };
      if (ref.value === "datacenter-2") return { parent: mo("Folder", "group-d1"), name: "DC 1" };
      if (ref.value === "group-d1") return { name: "Datacenters" };
      throw new Error(`unexpected ${ref.type}:${ref.value} ${paths.join()}`);
    },
    invoke: async () => undefined,
    waitTask: async () => undefined,
    download: async () => 0,
    async createSnapshot(vm, name, o) {
      calls.push(`create ${name} memory=${o.memory} quiesce=${o.quiesce}`);
      n++;
      const file = options.freezes === false ? "[ds1] vm/vm.vmdk" : `[ds1] vm/vm-s${n}.vmdk`;
      const bytes = Buffer.from(live);
      const changeId = options.cbt === false ? "" : `52 aa/${n}`;
      states.set(changeId, bytes);
      snaps.push({ name, ref: `snapshot-${n}`, file, changeId, bytes });
      if (options.flat === false) files.set(file, Buffer.concat([Buffer.from("KDMV"), bytes]));
      else {
        files.set(file, Buffer.from(`# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW ${SIZE / 512} FLAT "vm-s${n}-flat.vmdk" 0\n`));
        files.set(`[ds1] vm/vm-s${n}-flat.vmdk`, bytes);
      }
      return { type: "VirtualMachineSnapshot", value: `snapshot-${n}` };
    },
    async removeSnapshot(snapshot) {
      const i = snaps.findIndex((s) => s.ref === snapshot.value);
      calls.push(`remove ${snaps[i]?.name}`);
      if (i >= 0) snaps.splice(i, 1);
    },
    async queryChangedDiskAreas(_vm, snapshot, deviceKey, startOffset, changeId) {
      const s = snaps.find((x) => x.ref === snapshot.value)!;
      expect(deviceKey).toBe(2000);
      const from = changeId === "*" ? undefined : states.get(changeId);
      if (changeId !== "*" && !from) throw new Error("FileFault: not a change id");
      // Answers in two windows (as vCenter may): the caller must follow startOffset + length.
      const end = Math.min(SIZE, startOffset + SIZE / 2);
      const changedArea: { start: number; length: number }[] = [];
      for (let off = startOffset; off < end; off += BLOCK) {
        const now = s.bytes.subarray(off, off + BLOCK);
        const changed = from ? !now.equals(from.subarray(off, off + BLOCK)) : now.some((b) => b !== 0);
        if (changed) changedArea.push({ start: off, length: BLOCK });
      }
      return { startOffset, length: end - startOffset, changedArea };
    },
    async readDatastoreFile(file, dest, o = {}) {
      expect(file.datacenter).toBe("DC 1");
      reads.push({ path: file.path, ...(o.ranges ? { ranges: o.ranges } : {}) });
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
  return { api, live, snaps, reads, calls };
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

describe("vsphereWarmSource passes", () => {
  it("full pass: a snapshot (memory and quiesce off), only the allocated areas read by Range into a sparse raw copy of the frozen disk", async () => {
    const vc = fakeVcenter();
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    const pass = await warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx);
    vc.live.write("written after the snapshot", 3 * BLOCK); // the running guest keeps writing
    expect(vc.calls).toEqual(["create vmshift-m1-1 memory=false quiesce=false"]);
    expect(pass.checkpoint).toBe("vmshift-m1-1");
    const d = pass.disks.get("sda")!;
    expect(d.format).toBe("raw");
    expect(await d.changedExtents(ctx)).toBeUndefined();
    const staged = readFileSync(d.location);
    expect(staged.length).toBe(SIZE);
    expect(staged.equals(vc.snaps[0]!.bytes)).toBe(true);
    expect(staged.includes("written after")).toBe(false);
    expect(vc.reads.at(-1)).toEqual({ path: "[ds1] vm/vm-s1-flat.vmdk", ranges: [{ offset: 0, length: BLOCK }] });
    await pass.close();
    expect(vc.snaps.map((s) => s.name)).toEqual(["vmshift-m1-1"]); // kept: the next pass needs its change id
  });

  it("delta pass: the areas changed since the previous pass's change id, read only those, then the previous snapshot goes; finish removes the rest", async () => {
    const vc = fakeVcenter();
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    await (await warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx)).close();
    vc.live.fill(0x41, 2 * BLOCK, 2 * BLOCK + 10);
    vc.live.fill(0x42, 9 * BLOCK + 5, 9 * BLOCK + 6); // in the second answer window
    const pass = await warm.beginPass(definition, [sda], { pass: 2, since: "vmshift-m1-1", moveId: "m1" }, ctx);
    const d = pass.disks.get("sda")!;
    const extents = await d.changedExtents(ctx);
    expect(extents).toEqual([{ offset: 2 * BLOCK, length: BLOCK }, { offset: 9 * BLOCK, length: BLOCK }]);
    expect(vc.reads.at(-1)).toEqual({ path: "[ds1] vm/vm-s2-flat.vmdk", ranges: extents });
    const staged = readFileSync(d.location);
    for (const e of extents!) expect(staged.subarray(e.offset, e.offset + e.length).equals(vc.live.subarray(e.offset, e.offset + e.length))).toBe(true);
    expect(vc.snaps.map((s) => s.name)).toEqual(["vmshift-m1-1", "vmshift-m1-2"]);
    await pass.close();
    expect(vc.snaps.map((s) => s.name)).toEqual(["vmshift-m1-2"]);
    await warm.finish(definition, { moveId: "m1" }, ctx);
    expect(vc.snaps).toEqual([]);
  });

  it("refuses a snapshot that did not freeze the disk (its file is the live one) and removes the snapshot it took", async () => {
    const vc = fakeVcenter({ freezes: false });
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    await expect(warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx)).rejects.toThrow(/still the VM's live file .*did not freeze/);
    expect(vc.snaps).toEqual([]);
  });

  it("a delta against a snapshot that is gone fails with its name", async () => {
    const vc = fakeVcenter();
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    await expect(warm.beginPass(definition, [sda], { pass: 2, since: "vmshift-m1-1", moveId: "m1" }, ctx)).rejects.toThrow(/vmshift-m1-1 of web-1 is gone/);
    expect(vc.snaps).toEqual([]);
  });

  it("a disk that is not one raw extent is downloaded whole (vmdk)", async () => {
    const vc = fakeVcenter({ flat: false });
    const warm = vsphereWarmSource({ api: vc.api, stagingDir: staging() });
    const pass = await warm.beginPass(definition, [sda], { pass: 1, moveId: "m1" }, ctx);
    expect(pass.disks.get("sda")!.format).toBe("vmdk");
    expect(vc.reads.at(-1)).toEqual({ path: "[ds1] vm/vm-s1.vmdk" });
    await pass.close();
  });
});

describe("vsphereWarmSource checks", () => {
  it("passes a running VM with change tracking on and dependent disks", async () => {
    expect(await vsphereWarmSource({ api: fakeVcenter().api }).check(definition, ctx)).toEqual([]);
  });

  it("refuses change tracking off, independent disks, a VM that is not running, a client without the calls", async () => {
    const off = await vsphereWarmSource({ api: fakeVcenter({ cbt: false }).api }).check(definition, ctx);
    expect(off.map((c) => [c.id, c.severity])).toEqual([["source.changeTracking", "error"]]);
    expect(off[0]!.message).toMatch(/changeTrackingEnabled/);
    const independent = { ...sda, native: { ...sda.native, diskMode: "independent_persistent" } };
    const stopped = { ...definition, powerState: "stopped", disks: [independent] } as VmDefinition;
    const checks = await vsphereWarmSource({ api: fakeVcenter().api }).check(stopped, ctx);
    expect(checks.map((c) => c.id).sort()).toEqual(["disk.changeTracking", "vm.state"]);
    const { createSnapshot: _c, ...bare } = fakeVcenter().api;
    const none = await vsphereWarmSource({ api: bare }).check(definition, ctx);
    expect(none.map((c) => c.id)).toEqual(["source.changeTracking"]);
  });
});
