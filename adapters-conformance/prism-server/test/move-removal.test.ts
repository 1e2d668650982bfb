/**
 * The Nutanix move source's removal against the Prism-like server through the adapter's real
 * transport (`NutanixTransport`): `DELETE /api/vmm/v4.0/ahv/config/vms/{extId}` with the VM's ETag
 * as If-Match and a request id; the task is awaited; reading the VM back answers NOT_FOUND and its
 * disk file is gone (AHV deletes a VM's disks with it). The server enforces the v4 headers: no
 * If-Match → 428, a stale one → 412, no NTNX-Request-Id → 400. A running VM is refused by the source.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nutanixMoveSource, prismImageFiles } from "@vmshift/move";
import { NutanixTransport } from "@vmshift/nutanix";
import { afterEach, describe, expect, it } from "vitest";
import { type PrismServer, simId, startPrismServer } from "../src/index.ts";

const PASSWORD = "s3cret-Prism-pw";
const OFF = simId("0e000000", 200);
const ON = simId("0e000000", 201);
const ctx = () => ({ signal: AbortSignal.timeout(20_000) });
let server: PrismServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = undefined;
  dir = undefined;
});

async function setup() {
  dir = mkdtempSync(join(tmpdir(), "nutanix-removal-"));
  writeFileSync(join(dir, "seed.raw"), Buffer.alloc(1024 * 1024, 7));
  server = await startPrismServer({ password: PASSWORD, timings: { queuedMs: 0, powerMs: 30 }, seed: { extraVms: 0, vmsWithDisks: [
    { name: "nx-off", powerState: "OFF", disks: [{ image: join(dir, "seed.raw") }] },
    { name: "nx-on", powerState: "ON", disks: [{ sizeBytes: 1024 * 1024 }] },
  ] } });
  const connection = { baseUrl: server.url, auth: { username: "admin", password: PASSWORD } };
  const api = new NutanixTransport(connection);
  return { api, source: nutanixMoveSource({ api, files: prismImageFiles(connection), pollMs: 20 }) };
}

describe("Nutanix source removal (v4 DELETE of the VM, prism-server)", { timeout: 30_000 }, () => {
  it("deletes the powered-off VM with If-Match and a request id; it reads back NOT_FOUND and its disk file is gone", async () => {
    const { api, source } = await setup();
    const file = server!.inventory.vms.find((v) => v.extId === OFF)!.hardware!.disks[0]!.file!;
    expect(existsSync(file)).toBe(true);
    const what = await source.removal!.removeVm(OFF, ctx());
    expect(what).toMatch(/deleted with its VM disks: SCSI\.0/);
    await expect(api.request({ method: "GET", path: `/api/vmm/v4.0/ahv/config/vms/${OFF}`, operation: "test" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(existsSync(file)).toBe(false);
    const del = server!.log.filter((r) => r.method === "DELETE");
    expect(del).toHaveLength(1);
    expect(del[0]).toMatchObject({ ifMatch: expect.any(String), requestId: expect.any(String) });
  });

  it("refuses a running VM and leaves it", async () => {
    const { source } = await setup();
    await expect(source.removal!.removeVm(ON, ctx())).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(server!.inventory.vms.some((v) => v.extId === ON)).toBe(true);
  });

  it("the server answers 428 without If-Match, 412 with a stale one, 400 without a request id, and keeps the VM", async () => {
    await setup();
    const auth = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`;
    const del = (headers: Record<string, string>) => fetch(`${server!.url}/api/vmm/v4.0/ahv/config/vms/${OFF}`, { method: "DELETE", headers: { authorization: auth, ...headers } }).then((r) => r.status);
    expect(await del({ "NTNX-Request-Id": crypto.randomUUID() })).toBe(428);
    expect(await del({ "NTNX-Request-Id": crypto.randomUUID(), "If-Match": "c3RhbGU" })).toBe(412);
    expect(await del({ "If-Match": "c3RhbGU" })).toBe(400);
    expect(server!.inventory.vms.some((v) => v.extId === OFF)).toBe(true);
  });
});
