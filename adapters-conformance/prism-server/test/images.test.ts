/** The Prism-like server's VM disks (real files) and content library (images from a VM disk, download, delete), over raw HTTP. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PrismServer, simId, startPrismServer } from "../src/index.ts";
import { qemuImgMissing } from "../../../test-support/disk-hash.ts";

const AUTH = { Authorization: `Basic ${Buffer.from("admin:nutanix/4u").toString("base64")}` };
const VM = simId("0e000000", 200);
const DISK = simId("d15c0000", 1);
const VG_DISK = simId("d15c0000", 2);
const MARKER = "prism-server disk marker 7f3a";
const spec = JSON.parse(readFileSync(new URL("../spec/v4-content-images.json", import.meta.url), "utf8")) as { models: Record<string, { json?: string }[]> };
const specFields = (model: string) => new Set(spec.models[model]!.map((f) => f.json).filter(Boolean));

/** qemu-img makes the qcow2 seed (and copies disks); CI installs it (.ci/setup.d/70-move.sh), elsewhere the file skips without it. */
const qemuImg = qemuImgMissing() === undefined;
if (process.env.CI === "true" && !qemuImg) throw new Error("qemu-img is required in CI (.ci/setup.d/70-move.sh)");

let dir: string;
let qcow2: string;
let server: PrismServer | undefined;

beforeAll(() => {
  if (!qemuImg) return;
  dir = mkdtempSync(join(tmpdir(), "prism-images-test-"));
  const raw = join(dir, "disk.raw");
  const bytes = Buffer.alloc(4 * 2 ** 20);
  bytes.write(MARKER, 2 ** 20);
  writeFileSync(raw, bytes);
  qcow2 = join(dir, "disk.qcow2");
  execFileSync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, qcow2]);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = () => startPrismServer({ imageMs: 50, timings: { queuedMs: 0 }, seed: { extraVms: 0, vmsWithDisks: [{ name: "src-1", boot: "UEFI", disks: [{ image: qcow2 }, { volumeGroup: true }], cdRoms: 1, nics: [{ subnetExtId: "subnet-a", macAddress: "50:6B:8D:00:00:01" }] }] } });

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(server!.url + path, { method, headers: { ...AUTH, "Content-Type": "application/json", ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function settle(taskId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 200; i++) {
    const t = (await call("GET", `/api/prism/v4.0/config/tasks/${taskId}`)).body.data;
    if (["SUCCEEDED", "FAILED", "CANCELED"].includes(t.status)) return t;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`task ${taskId} did not settle`);
}

const createBody = (diskExtId = DISK, vmExtId: string | undefined = VM) => ({ name: "move-src-1-disk", type: "DISK_IMAGE", source: { $objectType: "vmm.v4.content.VmDiskSource", extId: diskExtId, ...(vmExtId ? { vmExtId } : {}) } });
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe.skipIf(!qemuImg)("prism-server VM disks and images", () => {
  it("shows a seeded VM's disks, CD-ROM, NICs and boot configuration with the spec's field names", async () => {
    server = await start();
    const vm = (await call("GET", `/api/vmm/v4.0/ahv/config/vms/${VM}`)).body.data;
    expect(vm.bootConfig).toEqual({ $objectType: "vmm.v4.ahv.config.UefiBoot", isSecureBootEnabled: false });
    expect(vm.disks).toHaveLength(2);
    expect(vm.disks[0].diskAddress).toMatchObject({ busType: "SCSI", index: 0 });
    expect(vm.disks[0].backingInfo).toMatchObject({ $objectType: "vmm.v4.ahv.config.VmDisk", diskSizeBytes: 4 * 2 ** 20 });
    expect(vm.disks[1].backingInfo.$objectType).toBe("vmm.v4.ahv.config.ADSFVolumeGroupReference");
    expect(vm.cdRoms).toHaveLength(1);
    expect(vm.nics[0].backingInfo.macAddress).toBe("50:6b:8d:00:00:01");
    expect(vm.nics[0].networkInfo.subnet.extId).toBe("subnet-a");
    const keys = (o: object) => Object.keys(o).filter((k) => !k.startsWith("$"));
    for (const k of keys(vm)) expect(specFields("vmm/v4/ahv/config.Vm"), `Vm.${k}`).toContain(k);
    for (const k of keys(vm.disks[0])) expect(specFields("vmm/v4/ahv/config.Disk"), `Disk.${k}`).toContain(k);
    for (const k of keys(vm.disks[0].backingInfo)) expect(specFields("vmm/v4/ahv/config.VmDisk"), `VmDisk.${k}`).toContain(k);
    for (const k of keys(vm.nics[0])) expect(specFields("vmm/v4/ahv/config.Nic"), `Nic.${k}`).toContain(k);
    for (const k of keys(vm.nics[0].backingInfo)) expect(specFields("vmm/v4/ahv/config.EmulatedNic"), `EmulatedNic.${k}`).toContain(k);
  });

  it("creates an image from a VM disk by a task, serves its bytes, and deletes it by a task", async () => {
    server = await start();
    const created = await call("POST", "/api/vmm/v4.0/content/images", { "NTNX-Request-Id": "img-1" }, createBody());
    expect(created.status).toBe(202);
    const task = await settle(created.body.data.extId);
    expect(task.status).toBe("SUCCEEDED");
    expect(task.operation).toBe("CreateImage");
    const imageId = task.entitiesAffected.find((e: any) => e.rel === "vmm:content:image").extId as string;
    const image = (await call("GET", `/api/vmm/v4.0/content/images/${imageId}`)).body.data;
    expect(image).toMatchObject({ name: "move-src-1-disk", type: "DISK_IMAGE", sizeBytes: 4 * 2 ** 20, source: { extId: DISK, vmExtId: VM } });
    for (const k of Object.keys(image).filter((k) => !k.startsWith("$"))) expect(specFields("vmm/v4/content.Image"), `Image.${k}`).toContain(k);
    // A retry with the same request id answers the same task and makes no second image.
    const again = await call("POST", "/api/vmm/v4.0/content/images", { "NTNX-Request-Id": "img-1" }, createBody());
    expect(again.body.data.extId).toBe(created.body.data.extId);
    expect(server.images.all).toHaveLength(1);

    const file = await fetch(`${server.url}/api/vmm/v4.0/content/images/${imageId}/file`, { headers: AUTH });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("application/octet-stream");
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(sha(bytes)).toBe(sha(readFileSync(qcow2)));
    const stored = server.images.all[0]!.file;
    expect(existsSync(stored)).toBe(true);

    const del = await call("DELETE", `/api/vmm/v4.0/content/images/${imageId}`);
    expect(del.status).toBe(202);
    expect((await settle(del.body.data.extId)).status).toBe("SUCCEEDED");
    expect(existsSync(stored)).toBe(false);
    const gone = await call("GET", `/api/vmm/v4.0/content/images/${imageId}/file`);
    expect(gone.status).toBe(404);
    expect(gone.body.data.error[0].code).toBe("VMM-20005");
  });

  it("refuses bad CreateImage requests with the v4 error body and makes nothing", async () => {
    server = await start();
    expect((await call("POST", "/api/vmm/v4.0/content/images", {}, createBody())).body.data.error[0].code).toBe("VMM-10420");
    const noName = await call("POST", "/api/vmm/v4.0/content/images", { "NTNX-Request-Id": "a" }, { ...createBody(), name: "" });
    expect([noName.status, noName.body.data.error[0].message]).toEqual([400, "name is required"]);
    const url = await call("POST", "/api/vmm/v4.0/content/images", { "NTNX-Request-Id": "b" }, { ...createBody(), source: { $objectType: "vmm.v4.content.UrlSource", url: "http://x/y" } });
    expect(url.status).toBe(400);
    const missing = await call("POST", "/api/vmm/v4.0/content/images", { "NTNX-Request-Id": "c" }, createBody(simId("d15c0000", 99)));
    expect([missing.status, missing.body.data.error[0].code]).toEqual([404, "VMM-20005"]);
    const vg = await call("POST", "/api/vmm/v4.0/content/images", { "NTNX-Request-Id": "d" }, createBody(VG_DISK));
    expect(vg.status).toBe(400);
    expect(vg.body.data.error[0].message).toMatch(/volume group/);
    expect(server.images.all).toHaveLength(0);
    expect(server.sim.engine.tasks.size).toBe(0);
  });

  it("fails an image task on demand and removes its files on close", async () => {
    server = await start();
    server.images.faults.failNextCreate.add(VM);
    const created = await call("POST", "/api/vmm/v4.0/content/images", { "NTNX-Request-Id": "f" }, createBody());
    const task = await settle(created.body.data.extId);
    expect(task.status).toBe("FAILED");
    expect(task.errorMessages[0].message).toMatch(/interrupted/);
    expect(server.images.all).toHaveLength(0);
    const disks = server.disksDir;
    expect(existsSync(disks)).toBe(true);
    await server.close();
    server = undefined;
    expect(existsSync(disks)).toBe(false);
  });
});
