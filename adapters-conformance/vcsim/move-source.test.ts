/**
 * vSphere as a move source, for real: a vcsim VM (the project's launcher) whose disk backing file
 * on the datastore is a real VMDK (`qemu-img convert -O vmdk` of an image with a marker and a
 * pattern) moves cold into the libvirt lab's host b: the definition is read from the VM's
 * properties, the VM is powered off through the API, the disk comes through `ExportVm` →
 * HttpNfcLease (session-cookie download), qemu-img writes it into a raw volume of a dir pool, the
 * target starts; the moved bytes hash the same as the source disk's. A target whose start fails
 * rolls back: its domain and volume are gone and the source VM is powered on again.
 *
 * Needs .cache/vcsim/vmshift-vcsim (.ci/setup.d/30-vsphere.sh), qemu-img and the libvirt lab; under
 * CI=true a missing piece is a failure, not a skip.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { VmshiftClient } from "@vmshift/core";
import { type MoveResult, createMover, libvirtMoveTarget, vsphereMoveSource } from "@vmshift/move";
import { type VsphereMoveApi, createVsphereAdapter, createVsphereMoveApi } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.ts";
import { holdMoveLab } from "../libvirt-lab/hold-move-lab.ts";
import { failStartFlag, labAvailability, labUri, run, virsh } from "../libvirt-lab/lab.ts";
import { DST_POOL, MOVE_DIR, contentHash, must } from "../libvirt-lab/move-lab.ts";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const missing = vcsimMissing();
const lab = await labAvailability();
const qemuImg = await run("qemu-img", ["--version"]);
const why = missing ?? (lab.ok ? undefined : lab.reason) ?? (qemuImg.code === 0 ? undefined : "qemu-img is missing (.ci/setup.d/70-move.sh)");
if (why && process.env["CI"] === "true") throw new Error(why);

const MARKER = "vmshift-vsphere-move-marker";

/** Raw bytes of `size`: the marker at 0, a pattern every 256 KiB. */
function seed(size: number): Buffer {
  const raw = Buffer.alloc(size);
  raw.write(MARKER, 0, "utf8");
  for (let off = 256 * 1024; off + 8 <= size; off += 256 * 1024) raw.writeUInt32LE((off * 2654435761) >>> 0, off + 3);
  return raw;
}

describe.skipIf(why !== undefined)("vSphere (vcsim) → libvirt lab: cold moves through ExportVm", { timeout: 120_000 }, () => {
  let sim: Vcsim;
  let api: VsphereMoveApi;
  const vms: { id: string; name: string }[] = [];

  holdMoveLab("vcsim/move-source.test.ts", {
    async prepare() {
      mkdirSync(join(MOVE_DIR, "dst"), { recursive: true });
      await virsh("b", ["pool-destroy", DST_POOL]);
      await virsh("b", ["pool-undefine", DST_POOL]);
      await must("b", ["pool-define-as", DST_POOL, "dir", "--target", join(MOVE_DIR, "dst")]);
      await must("b", ["pool-start", DST_POOL]);
    },
  });

  beforeAll(async () => {
    sim = await startVcsim(["-vm", "1", "-cluster", "1", "-host", "1", "-standalone-host", "1", "-maintenance-host", "0", "-full-host", "0"]);
    api = createVsphereMoveApi({ url: sim.url, username: "u", password: "vcsim-pw", thumbprint: sim.thumbprint, pollMs: 50 });
    const client = new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "u", password: "vcsim-pw", thumbprint: sim.thumbprint }));
    for (const vm of await client.listVms().all()) vms.push({ id: vm.id, name: vm.name });
    await client.close?.();
  });
  afterAll(async () => {
    await (api as { close?: () => Promise<void> } | undefined)?.close?.();
    await sim?.stop();
  });

  /** Puts a real VMDK of the disk's capacity (marker + pattern) where the VM's first disk's backing file is; returns its path. */
  async function realDisk(vmId: string): Promise<{ path: string; bytes: number; storage: string }> {
    const source = vsphereMoveSource({ api });
    const def = await source.readDefinition(vmId, { signal: AbortSignal.timeout(30_000) });
    const disk = def.disks.find((d) => d.device === "disk")!;
    const fileName = disk.native!["fileName"]!;
    const ds = (await api.properties({ type: "VirtualMachine", value: vmId }, ["datastore"]))["datastore"] as { ManagedObjectReference?: unknown };
    const first = [ds.ManagedObjectReference].flat()[0] as { $value: string };
    const url = (await api.properties({ type: "Datastore", value: first.$value }, ["summary.url"]))["summary.url"] as string | { $value: string };
    const dsUrl = typeof url === "string" ? url : url.$value;
    const path = join(dsUrl.replace(/^ds:\/\//, ""), fileName.replace(/^\[[^\]]+\]\s*/, ""));
    const tmp = join(MOVE_DIR, `seed-${vmId}.raw`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, seed(disk.sizeBytes));
    rmSync(path, { force: true }); // vcsim's placeholder descriptor: qemu-img would try to open it
    const c = await run("qemu-img", ["convert", "-f", "raw", "-O", "vmdk", tmp, path], { timeoutMs: 60_000 });
    rmSync(tmp, { force: true });
    if (c.code !== 0) throw new Error(c.stderr);
    return { path, bytes: disk.sizeBytes, storage: disk.storage };
  }

  const target = () => libvirtMoveTarget({ uri: labUri("b"), hostId: "b", domainType: "qemu" });

  it("reads the definition from the VM's properties: CPUs, memory, firmware, disk with controller and datastore, NIC with network and MAC", async () => {
    const def = await vsphereMoveSource({ api }).readDefinition(vms[0]!.id, { signal: AbortSignal.timeout(30_000) });
    expect(def.name).toBe(vms[0]!.name);
    expect(def.cpus).toBeGreaterThan(0);
    expect(def.memoryBytes).toBeGreaterThan(0);
    expect(def.firmware.kind).toMatch(/^(bios|uefi)$/);
    const disk = def.disks.find((d) => d.device === "disk");
    expect(disk).toMatchObject({ format: "vmdk", bus: "scsi", storage: "LocalDS_0" });
    expect(disk!.sizeBytes).toBeGreaterThan(0);
    expect(disk!.native!["exportKey"]).toMatch(new RegExp(`^/${def.id}/\\w+Controller\\d+:\\d+$`));
    expect(def.nics[0]).toMatchObject({ network: "DC0_DVPG0", model: "e1000" }); // a distributed port group, by name
    expect(def.nics[0]!.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(def.snapshotCount).toBe(0);
  });

  it("moves a VM cold into a raw volume on host b, byte for byte; the source stays powered off", async () => {
    const vm = vms[0]!;
    const src = await realDisk(vm.id);
    const before = await contentHash(src.path, "vmdk");
    const t0 = Date.now();
    const task = createMover().moveVm({
      from: vsphereMoveSource({ api, hostId: "vcsim", pollMs: 50 }),
      to: target(),
      vmId: vm.id,
      targetName: "vmshift-vsphere-moved",
      networkMap: { DC0_DVPG0: "user" },
      storageMap: { [src.storage]: { storage: DST_POOL, format: "raw" } },
      shutdownTimeoutMs: 500,
      convert: { mode: "never" }, // a marker disk, not an operating system: nothing for virt-v2v to convert
    });
    const result: MoveResult = await task.wait({ maxWaitMs: 90_000 });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe("completed");
    const vol = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", `vmshift-vsphere-moved-${(await vsphereMoveSource({ api }).readDefinition(vm.id, { signal: AbortSignal.timeout(10_000) })).disks.find((d) => d.device === "disk")!.key}.img`])).trim();
    expect(await contentHash(vol, "raw")).toBe(before);
    expect((await must("b", ["domstate", "--domain", "vmshift-vsphere-moved"])).trim()).toBe("running");
    expect(await vsphereMoveSource({ api }).powerState(vm.id, { signal: AbortSignal.timeout(10_000) })).toBe("stopped");
    console.log(`vsphere → libvirt cold move of ${src.bytes} bytes: ${Date.now() - t0} ms`);
    await virsh("b", ["destroy", "--domain", "vmshift-vsphere-moved"]);
    await virsh("b", ["undefine", "--domain", "vmshift-vsphere-moved"]);
  });

  it("rolls back when the target refuses to start: target domain and volume gone, the source VM powered on again", async () => {
    const vm = vms[1]!;
    const src = await realDisk(vm.id);
    const name = "vmshift-vsphere-refused";
    writeFileSync(failStartFlag("b", name), "");
    try {
      const task = createMover().moveVm({
        from: vsphereMoveSource({ api, pollMs: 50 }),
        to: target(),
        vmId: vm.id,
        targetName: name,
        networkMap: { DC0_DVPG0: "user" },
        storageMap: { [src.storage]: { storage: DST_POOL, format: "raw" } },
        shutdownTimeoutMs: 500,
        convert: { mode: "never" },
      });
      const result = await task.wait({ maxWaitMs: 90_000 });
      expect(result.outcome).toBe("failed");
      expect(result.error?.code).toBe("MIGRATION_FAILED");
      expect(result.error?.message).toContain("refused on purpose"); // host b's qemu hook: the target start, not an earlier step
      expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running" });
      expect((await virsh("b", ["domstate", "--domain", name])).code).not.toBe(0);
      expect((await must("b", ["vol-list", DST_POOL])).includes(name)).toBe(false);
      expect(await vsphereMoveSource({ api }).powerState(vm.id, { signal: AbortSignal.timeout(10_000) })).toBe("running");
    } finally {
      rmSync(failStartFlag("b", name), { force: true });
    }
  });

  it("vmshift move <vm> --from <vsphere profile> --to <libvirt profile> moves it and keeps the password out of the output", async () => {
    const vm = vms[0]!;
    await vsphereMoveSource({ api }).start(vm.id, { signal: AbortSignal.timeout(30_000) });
    const src = await realDisk(vm.id);
    const before = await contentHash(src.path, "vmdk");
    const config = join(MOVE_DIR, "vsphere-config.yaml");
    const password = "vcsim-cli-secret-pw";
    writeFileSync(config, `profiles:\n  vc:\n    platform: vsphere\n    url: '${sim.url}'\n    username: u\n    password: { env: VMSHIFT_TEST_VC_PASSWORD }\n    thumbprint: '${sim.thumbprint}'\n  lab-b:\n    platform: libvirt\n    hosts: [{ id: b, uri: '${labUri("b")}' }]\n`, { mode: 0o600 });
    const name = "vmshift-vsphere-cli";
    const r = await runCli(["move", vm.id, "--from", "vc", "--to", "lab-b", "--target-name", name, "--network-map", "DC0_DVPG0=user", "--storage-map", `${src.storage}=${DST_POOL}:raw`, "--shutdown-timeout", "500", "--convert", "never", "--json", "--config", config], { env: { VMSHIFT_TEST_VC_PASSWORD: password } });
    expect(r.code, r.stderr).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toContain(password);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { outcome?: string; vmLocation?: unknown });
    expect(events.at(-1)).toMatchObject({ outcome: "completed", vmLocation: { side: "target", hostId: "b", powerState: "running" } });
    const key = (await vsphereMoveSource({ api }).readDefinition(vm.id, { signal: AbortSignal.timeout(10_000) })).disks.find((d) => d.device === "disk")!.key;
    expect(await contentHash((await must("b", ["vol-path", "--pool", DST_POOL, "--vol", `${name}-${key}.img`])).trim(), "raw")).toBe(before);
    await virsh("b", ["destroy", "--domain", name]);
    await virsh("b", ["undefine", "--domain", name]);
  });
});
