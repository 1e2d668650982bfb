/**
 * vSphere warm passes for real, without a target: the project's vcsim launcher, a running VM with
 * change tracking on whose disk backing file is a real flat VMDK (an ESXi datastore disk's layout),
 * `createVsphereMoveApi` (SOAP through the adapter, the cookie inside) under `vsphereMoveSource`'s
 * warm side. The launcher lays snapshots out as ESXi does (freeze.go: the snapshot freezes the file
 * the VM was writing, the VM continues on a new delta, removal consolidates). Pass 1 takes a
 * snapshot and reads the allocated areas of the frozen flat base by Range; a guest write into the
 * VM's live file (the delta, qemu-io) after that does not reach pass 1's copy; closing pass 1
 * removes its snapshot (the write is consolidated into the base), pass 2 freezes the flat base
 * again, lists exactly the written block against pass 1's change id (carried in the checkpoint) and
 * reads it. A changeId that is not the disk's is a vSphere fault, not a silent full copy.
 *
 * Needs .cache/vcsim/vmshift-vcsim (.ci/setup.d/30-vsphere.sh), qemu-img and qemu-io; under CI=true a
 * missing piece is a failure, not a skip.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type VmDefinition, vsphereMoveSource } from "@vmshift/move";
import { type VsphereMoveApi, createVsphereMoveApi } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guestContentHash, qemuImgMissing } from "../../test-support/disk-hash.ts";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const why = vcsimMissing() ?? qemuImgMissing() ?? (spawnSync("qemu-io", ["--version"]).status === 0 ? undefined : "qemu-io is missing");
if (why && process.env["CI"] === "true") throw new Error(why);

const SIZE = 4 * 2 ** 20;
const ctx = { signal: AbortSignal.timeout(60_000) };
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : v && typeof v === "object" && "$value" in v ? text((v as { $value: unknown }).$value) : undefined);

function must(file: string, args: string[]): void {
  const r = spawnSync(file, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")}: ${r.stderr}${r.stdout}`);
}

describe.skipIf(why !== undefined)("vSphere warm passes against the vcsim launcher", { timeout: 60_000 }, () => {
  let sim: Vcsim;
  let api: VsphereMoveApi;
  let dir: string;
  let vmId = "";
  let live = "";
  let dsRoot = "";
  /** The local path of the file the VM writes now (its disk's backing: the base, or a delta while a snapshot exists). */
  const liveFile = async () => {
    const props = await api.properties({ type: "VirtualMachine", value: vmId }, ["config.hardware.device"]);
    const devices = [((props["config.hardware.device"] ?? {}) as { VirtualDevice?: unknown }).VirtualDevice].flat() as Record<string, unknown>[];
    const disk = devices.find((d) => "capacityInKB" in d && (d["backing"] as Record<string, unknown> | undefined)?.["fileName"])!;
    return join(dsRoot, text((disk["backing"] as Record<string, unknown>)["fileName"])!.replace(/^\[[^\]]+\]\s*/, ""));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vmshift-vc-warm-"));
    sim = await startVcsim(["-vm", "1", "-cluster", "0", "-host", "0", "-standalone-host", "1", "-maintenance-host", "0", "-full-host", "0"]);
    api = createVsphereMoveApi({ url: sim.url, username: "u", password: `pw-${crypto.randomUUID()}`, ca: sim.caPem });
    for (let n = 1; n <= 100 && !vmId; n++) {
      const p = await api.properties({ type: "VirtualMachine", value: `vm-${n}` }, ["name"]).catch(() => undefined);
      if (text(p?.["name"]) === "DC0_H0_VM0") vmId = `vm-${n}`;
    }
    await sim.control("change-tracking", { vm: vmId });
    await sim.control("disk-capacity", { vm: vmId, bytes: String(SIZE) });
    const props = await api.properties({ type: "VirtualMachine", value: vmId }, ["config.hardware.device", "datastore"]);
    const devices = [((props["config.hardware.device"] ?? {}) as { VirtualDevice?: unknown }).VirtualDevice].flat() as Record<string, unknown>[];
    const disk = devices.find((d) => "capacityInKB" in d && (d["backing"] as Record<string, unknown> | undefined)?.["fileName"])!;
    const fileName = text((disk["backing"] as Record<string, unknown>)["fileName"])!;
    const dsRef = text([((props["datastore"] ?? {}) as { ManagedObjectReference?: unknown }).ManagedObjectReference].flat()[0])!;
    const dsUrl = text((await api.properties({ type: "Datastore", value: dsRef }, ["summary.url"]))["summary.url"])!;
    dsRoot = dsUrl.replace(/^ds:\/\//, "");
    live = join(dsRoot, fileName.replace(/^\[[^\]]+\]\s*/, ""));
    const raw = Buffer.alloc(SIZE);
    raw.write("vmshift-warm-marker", 0);
    raw.write("second block", 2 * 2 ** 20);
    writeFileSync(join(dir, "seed.raw"), raw);
    mkdirSync(dirname(live), { recursive: true });
    rmSync(live, { force: true });
    must("qemu-img", ["convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicFlat", join(dir, "seed.raw"), live]); // a descriptor and its -flat.vmdk extent
  });

  afterAll(async () => {
    await api?.close().catch(() => undefined);
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("full pass of the frozen flat base, its snapshot removed at close, a delta of exactly the guest's write from a new snapshot of the consolidated base", async () => {
    const source = vsphereMoveSource({ api, stagingDir: dir });
    const warm = source.warm!;
    expect(warm).toBeDefined();
    const definition: VmDefinition = await source.readDefinition(vmId, ctx);
    expect(definition.powerState).toBe("running");
    expect((await warm.check(definition, ctx)).filter((c) => c.severity !== "info")).toEqual([]);
    const disks = definition.disks.filter((d) => d.device === "disk");
    const key = disks[0]!.key;
    const before = guestContentHash(live, "vmdk");
    const snapshots = async () => {
      const tree = (await api.properties({ type: "VirtualMachine", value: vmId }, ["snapshot"]))["snapshot"] as { rootSnapshotList?: unknown } | undefined;
      return JSON.stringify(tree?.rootSnapshotList ?? "").match(/vmshift-t1-\d/g) ?? [];
    };

    const p1 = await warm.beginPass(definition, disks, { pass: 1, moveId: "t1" }, ctx);
    const delta = await liveFile();
    expect(delta).not.toBe(live); // the VM continues on a delta while the snapshot exists
    must("qemu-io", ["-f", "vmdk", "-c", "write -P 0x5a 1M 64k", delta]); // the guest writes after the snapshot
    const d1 = p1.disks.get(key)!;
    expect(d1.format).toBe("raw");
    expect(await d1.changedExtents(ctx)).toBeUndefined();
    expect(guestContentHash(d1.location, "raw")).toBe(before); // the frozen disk, not the live one
    expect(await snapshots()).toEqual(["vmshift-t1-1"]);
    await p1.close();
    expect(await snapshots()).toEqual([]);
    expect(await liveFile()).toBe(live); // consolidated into the flat base

    const p2 = await warm.beginPass(definition, disks, { pass: 2, since: p1.checkpoint, moveId: "t1" }, ctx);
    const d2 = p2.disks.get(key)!;
    expect(d2.format).toBe("raw");
    expect(await d2.changedExtents(ctx)).toEqual([{ offset: 2 ** 20, length: 65536 }]);
    const staged = readFileSync(d2.location);
    expect(staged.subarray(2 ** 20, 2 ** 20 + 65536).every((b) => b === 0x5a)).toBe(true);
    await p2.close();
    await warm.finish(definition, { moveId: "t1" }, ctx);
    expect(await snapshots()).toEqual([]);
  });

  it("reads datastore files only with the session: /folder without the cookie is 401, the API object's read works", async () => {
    const props = await api.properties({ type: "VirtualMachine", value: vmId }, ["config.hardware.device"]);
    const devices = [((props["config.hardware.device"] ?? {}) as { VirtualDevice?: unknown }).VirtualDevice].flat() as Record<string, unknown>[];
    const fileName = text(((devices.find((d) => "capacityInKB" in d) ?? {})["backing"] as Record<string, unknown>)["fileName"])!;
    const m = /^\[([^\]]+)\]\s*(.+)$/.exec(fileName)!;
    const url = new URL(`/folder/${m[2]}?dcPath=DC0&dsName=${encodeURIComponent(m[1]!)}`, sim.url);
    const { request } = await import("node:https");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { ca: sim.caPem, headers: { Range: "bytes=0-3" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(401);
    const dest = join(dir, "head.bin");
    expect(await api.readDatastoreFile({ datacenter: "DC0", path: fileName }, dest, { ranges: [{ offset: 0, length: 4 }] })).toBe(4);
    expect(readFileSync(dest).subarray(0, 4).toString("latin1")).toBe("# Di"); // the live disk's text descriptor (monolithicFlat)
  });

  it("answers a changeId that is not the disk's with vSphere's fault", async () => {
    const snapshot = await api.createSnapshot({ type: "VirtualMachine", value: vmId }, "probe", { memory: false, quiesce: false });
    const device = (await api.properties(snapshot, ["config.hardware.device"]))["config.hardware.device"] as { VirtualDevice?: unknown };
    const disk = ([device.VirtualDevice].flat() as Record<string, unknown>[]).find((d) => "capacityInKB" in d)!;
    await expect(api.queryChangedDiskAreas({ type: "VirtualMachine", value: vmId }, snapshot, Number(text(disk["key"])), 0, "52 00/999")).rejects.toThrow(/FileFault.*not a change id/);
    await api.removeSnapshot(snapshot);
  });
});
