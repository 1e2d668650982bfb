/**
 * `@vmshift/move`'s Nutanix source against the Prism-like server, through the adapter's real
 * transport (`NutanixTransport`) and a real download: a VM with a real qcow2 disk (a marker at
 * 1 MiB) moves cold into local files written by the real `qemu-img` copier, byte for byte; a target
 * that cannot start rolls back (temporary image deleted, VM on again); preflight refuses volume
 * groups and unmapped subnets with nothing made. The target is a test double of the target layer
 * only (files in a temp dir); the libvirt-lab test moves into a real libvirt pool.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isVmshiftError } from "@vmshift/core";
import { type CommandRunner, type MoveTarget, type Reservation, createMover, nutanixMoveSource, prismImageFiles, qemuImgCopier, spawnRunner } from "@vmshift/move";
import { NutanixTransport } from "@vmshift/nutanix";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { guestContentHash, qemuImgMissing } from "../../../test-support/disk-hash.ts";
import { DEFAULT_CONTAINER, type PrismServer, type SeedVmWithDisks, simId, startPrismServer } from "../src/index.ts";

const PASSWORD = "s3cret-Prism-pw";
const VM = simId("0e000000", 200);
const MARKER = "nutanix-move-marker-5d1";
const SUBNET = "b0b0b0b0-0000-4000-8000-000000000001";
const DISK_BYTES = 8 * 2 ** 20;

/** qemu-img makes the qcow2 seed (and copies disks); CI installs it (.ci/setup.d/70-move.sh), elsewhere the file skips without it. */
const qemuImg = qemuImgMissing() === undefined;
if (process.env.CI === "true" && !qemuImg) throw new Error("qemu-img is required in CI (.ci/setup.d/70-move.sh)");

let dir: string;
let qcow2: string;
let server: PrismServer | undefined;

beforeAll(() => {
  if (!qemuImg) return;
  dir = mkdtempSync(join(tmpdir(), "nutanix-move-test-"));
  const raw = Buffer.alloc(DISK_BYTES);
  for (let off = 0; off < DISK_BYTES; off += 256 * 1024) raw.writeUInt32LE((off * 2654435761) >>> 0, off + 3);
  raw.write(MARKER, 2 ** 20);
  writeFileSync(join(dir, "seed.raw"), raw);
  qcow2 = join(dir, "seed.qcow2");
  execFileSync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", join(dir, "seed.raw"), qcow2]);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function seed(extra: Partial<SeedVmWithDisks> = {}): SeedVmWithDisks {
  return { name: "app-1", powerState: "ON", numSockets: 2, numCoresPerSocket: 2, memorySizeBytes: 2 * 2 ** 30, boot: "UEFI", guestOsVersion: "Ubuntu 24.04", ngt: true, disks: [{ image: qcow2 }], cdRoms: 1, nics: [{ subnetExtId: SUBNET, macAddress: "50:6B:8D:AA:BB:01" }], ...extra };
}

async function start(vm: SeedVmWithDisks, imageMs = 50) {
  server = await startPrismServer({ password: PASSWORD, imageMs, timings: { queuedMs: 0, powerMs: 30, shutdownMs: 30 }, seed: { extraVms: 0, vmsWithDisks: [vm] } });
  const connection = { baseUrl: server.url, auth: { username: "admin", password: PASSWORD } };
  const argv: string[][] = [];
  const real = spawnRunner();
  const runner: CommandRunner = { run: (file, args, o) => (argv.push([file, ...args]), real.run(file, args, o)) };
  const staging = mkdtempSync(join(dir, "staging-"));
  const from = nutanixMoveSource({ api: new NutanixTransport({ ...connection, retries: 0 }), files: prismImageFiles(connection), stagingDir: staging, hostId: "prism", pollMs: 20 });
  return { from, argv, staging, mover: createMover({ copier: qemuImgCopier({ runner }) }) };
}

/** Local raw files as the move's target (a double of the target layer); `failStart` refuses the start. */
function fileTarget(failStart = false) {
  const root = mkdtempSync(join(dir, "target-"));
  const removed: string[] = [];
  let running = false;
  const target: MoveTarget = {
    platform: "files",
    async check() {
      return [];
    },
    async reserve(definition) {
      const volumes = definition.disks.map((d) => {
        const location = join(root, `${definition.targetName}-${d.key}.raw`);
        execFileSync("qemu-img", ["create", "-q", "-f", "raw", location, String(d.sizeBytes)]);
        return { diskKey: d.key, storage: d.targetStorage, location, format: "raw" as const, sizeBytes: d.sizeBytes };
      });
      return { vmId: definition.targetName, volumes };
    },
    async start(r: Reservation) {
      if (failStart) throw new Error(`cannot start ${r.vmId}: injected`);
      running = true;
    },
    async remove(r: Reservation) {
      for (const v of r.volumes) rmSync(v.location, { force: true });
      removed.push(r.vmId);
    },
    async powerState() {
      return running ? "running" : "stopped";
    },
  };
  return { target, root, removed };
}

const sha = guestContentHash;
const maps = { networkMap: { [SUBNET]: "default" }, storageMap: { [DEFAULT_CONTAINER]: "pool" } };

describe.skipIf(!qemuImg)("Nutanix move source against prism-server", { timeout: 60_000 }, () => {
  it("reads the VM's definition: CPUs as sockets × cores, memory, Secure Boot, disks, CD-ROM, NICs, guest OS", async () => {
    const { from } = await start(seed({ boot: "SECURE_BOOT" }));
    const d = await from.readDefinition(VM, { signal: new AbortController().signal });
    expect(d).toMatchObject({ id: VM, name: "app-1", cpus: 4, memoryBytes: 2 * 2 ** 30, machine: "pc", firmware: { kind: "uefi", secureBoot: true }, guestOs: "Ubuntu 24.04", powerState: "running" });
    expect(d.disks).toEqual([
      expect.objectContaining({ key: "sda", sizeBytes: DISK_BYTES, bus: "scsi", format: "raw", storage: DEFAULT_CONTAINER, device: "disk", native: expect.objectContaining({ diskExtId: simId("d15c0000", 1) }) }),
      expect.objectContaining({ key: "cdrom.ide.0", device: "cdrom" }),
    ]);
    expect(d.nics).toEqual([{ key: simId("41c00000", 1), network: SUBNET, mac: "50:6b:8d:aa:bb:01", model: "virtio" }]);
    await expect(from.readDefinition(simId("0e000000", 999), { signal: new AbortController().signal })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("moves a running VM cold: shut down, image made from its disk, downloaded, copied byte for byte, image deleted", async () => {
    const { from, argv, staging, mover } = await start(seed());
    const { target, root } = fileTarget();
    const task = mover.moveVm({ from, to: target, vmId: VM, ...maps, shutdownTimeoutMs: 5_000, convert: { mode: "never" } });
    const result = await task.wait({ maxWaitMs: 50_000 });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation).toMatchObject({ side: "target", powerState: "running" });
    const moved = join(root, "app-1-sda.raw");
    expect(sha(moved, "raw")).toBe(sha(qcow2, "qcow2"));
    expect(readFileSync(moved).subarray(2 ** 20, 2 ** 20 + MARKER.length).toString()).toBe(MARKER);
    // The source stays off (not deleted); the temporary image and the staging file are gone.
    expect(server!.inventory.vms.find((v) => v.extId === VM)!.powerState).toBe("OFF");
    expect(server!.images.all).toEqual([]);
    expect(readdirSync(staging)).toEqual([]);
    const ops = server!.log.map((l) => `${l.method} ${l.path.split("?")[0]}`);
    expect(ops).toContain(`POST /api/vmm/v4.0/ahv/config/vms/${VM}/$actions/shutdown`);
    expect(ops.filter((o) => o === "POST /api/vmm/v4.0/content/images")).toHaveLength(1);
    expect(ops.some((o) => /^GET \/api\/vmm\/v4\.0\/content\/images\/[^/]+\/file$/.test(o))).toBe(true);
    expect(ops.some((o) => /^DELETE \/api\/vmm\/v4\.0\/content\/images\/[^/]+$/.test(o))).toBe(true);
    // qemu-img read a local staging file: no URL, no credential in any argv.
    expect(argv.length).toBeGreaterThan(0);
    for (const a of argv) expect(a.join(" ")).not.toMatch(new RegExp(`${PASSWORD}|${Buffer.from(`admin:${PASSWORD}`).toString("base64")}|http`));
  });

  it("rolls back when the target cannot start: target removed, temporary image deleted, the VM running again", async () => {
    const { from, staging, mover } = await start(seed());
    const { target, removed } = fileTarget(true);
    const result = await mover.moveVm({ from, to: target, vmId: VM, ...maps, shutdownTimeoutMs: 5_000, convert: { mode: "never" } }).wait({ maxWaitMs: 50_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.message).toMatch(/injected/);
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running" });
    expect(removed).toEqual(["app-1"]);
    expect(server!.images.all).toEqual([]);
    expect(readdirSync(staging)).toEqual([]);
    expect(server!.inventory.vms.find((v) => v.extId === VM)!.powerState).toBe("ON");
  });

  it("refuses volume-group disks and unmapped subnets in preflight, naming them, with nothing made or stopped", async () => {
    const { from, mover } = await start(seed({ disks: [{ image: qcow2 }, { volumeGroup: true, busType: "SCSI" }] }));
    const { target } = fileTarget();
    const result = await mover.moveVm({ from, to: target, vmId: VM, storageMap: { [DEFAULT_CONTAINER]: "pool" }, convert: { mode: "never" } }).wait({ maxWaitMs: 30_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("INCOMPATIBLE");
    const checks = (await mover.preflight({ from, to: target, vmId: VM, storageMap: { [DEFAULT_CONTAINER]: "pool" } })).checks;
    expect(checks).toEqual(expect.arrayContaining([expect.objectContaining({ id: "disk.shared", subject: "sdb" }), expect.objectContaining({ id: "network.unmapped", subject: SUBNET }), expect.objectContaining({ id: "disk.removableSkipped", subject: "cdrom.ide.0" })]));
    expect(server!.inventory.vms.find((v) => v.extId === VM)!.powerState).toBe("ON");
    expect(server!.sim.engine.tasks.size).toBe(0);
    expect(server!.images.all).toEqual([]);
  });

  it("a disk read cancelled while Prism makes the image deletes the image once it exists (no full-disk image left behind)", async () => {
    const { from } = await start(seed({ powerState: "OFF" }), 600);
    const definition = await from.readDefinition(VM, { signal: new AbortController().signal });
    const controller = new AbortController();
    const reading = from.openDisk(definition, definition.disks[0]!, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 150));
    expect(server!.images.all).toHaveLength(0); // still being made
    controller.abort();
    await expect(reading).rejects.toBeTruthy();
    await new Promise((r) => setTimeout(r, 800)); // past the image task's 600 ms: the image would exist by now
    expect(server!.images.all).toEqual([]);
    expect(server!.log.some((l) => l.method === "DELETE" && l.path.startsWith("/api/vmm/v4.0/content/images/"))).toBe(true);
  });

  it("fails openDisk with the image task's error, and a download with wrong credentials without showing them", async () => {
    const { from } = await start(seed({ powerState: "OFF" }));
    const ctx = { signal: new AbortController().signal };
    const definition = await from.readDefinition(VM, ctx);
    server!.images.faults.failNextCreate.add(VM);
    await expect(from.openDisk(definition, definition.disks[0]!, ctx)).rejects.toThrow(/interrupted/);
    const wrong = prismImageFiles({ baseUrl: server!.url, auth: { username: "admin", password: "not-the-Pw-99" } });
    const error = await wrong.download(`/api/vmm/v4.0/content/images/${simId("1a9e0000", 1)}/file`, join(dir, "never"), ctx).catch((e: unknown) => e);
    expect(isVmshiftError(error) && error.code).toBe("UNAUTHENTICATED");
    expect(String((error as Error).message)).not.toContain("not-the-Pw-99");
    expect(existsSync(join(dir, "never"))).toBe(false);
    // A running VM's disk is not read cold.
    await server!.close();
    const running = await start(seed());
    const d2 = await running.from.readDefinition(VM, ctx);
    await expect(running.from.openDisk(d2, d2.disks[0]!, ctx)).rejects.toMatchObject({ code: "INVALID_STATE" });
  });
});
