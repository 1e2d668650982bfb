/** The Prism-like server's conventions, pinned over raw HTTP (fetch). */
import { afterEach, describe, expect, it } from "vitest";
import { type PrismServer, simId, startPrismServer } from "../src/index.ts";

let server: PrismServer;
afterEach(async () => {
  await server?.close();
});

const AUTH = { Authorization: `Basic ${Buffer.from("admin:nutanix/4u").toString("base64")}` };
const VM = simId("0e000000", 1);
const HOST2 = simId("4057a000", 2);

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(server.url + path, { method, headers: { ...AUTH, "Content-Type": "application/json", ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, etag: res.headers.get("etag"), body: (await res.json()) as Record<string, any> };
}
const migrate = (headers: Record<string, string>) => call("POST", `/api/vmm/v4.0/ahv/config/vms/${VM}/$actions/migrate-to-host`, headers, { host: { extId: HOST2 } });

describe("prism-server", () => {
  it("rejects requests without valid credentials with 401 and a v4 error body", async () => {
    server = await startPrismServer();
    const res = await fetch(`${server.url}/api/vmm/v4.0/ahv/config/vms`, { headers: { Authorization: "Basic eDp5" } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).data.error[0].code).toBe("PRISM-40100");
  });

  it("accepts an API key when configured", async () => {
    server = await startPrismServer({ apiKey: "k-123456" });
    const res = await fetch(`${server.url}/api/vmm/v4.0/ahv/config/vms`, { headers: { "X-ntnx-api-key": "k-123456" } });
    expect(res.status).toBe(200);
  });

  it("answers 428 without If-Match, 412 with a stale one, 202 with the current one", async () => {
    server = await startPrismServer();
    const { etag } = await call("GET", `/api/vmm/v4.0/ahv/config/vms/${VM}`);
    expect(etag).toBeTruthy();
    expect((await migrate({ "NTNX-Request-Id": "r1" })).status).toBe(428);
    const stale = await migrate({ "NTNX-Request-Id": "r2", "If-Match": "c3RhbGU" });
    expect(stale.status).toBe(412);
    expect(stale.body.data.error[0].code).toBe("PLAT-10005");
    const ok = await migrate({ "NTNX-Request-Id": "r3", "If-Match": etag! });
    expect(ok.status).toBe(202);
    expect(ok.body.data.extId).toMatch(/^ZXJnb24=:/);
    expect(server.sim.migrationsStarted).toBe(1);
  });

  it("changes the ETag on every write and returns the first answer for a repeated NTNX-Request-Id", async () => {
    server = await startPrismServer({ timings: { migrationMs: 50, queuedMs: 0 } });
    const before = (await call("GET", `/api/vmm/v4.0/ahv/config/vms/${VM}`)).etag!;
    const first = await migrate({ "NTNX-Request-Id": "same", "If-Match": before });
    const after = (await call("GET", `/api/vmm/v4.0/ahv/config/vms/${VM}`)).etag!;
    expect(after).not.toBe(before);
    const again = await migrate({ "NTNX-Request-Id": "same", "If-Match": "anything" });
    expect(again.status).toBe(202);
    expect(again.body.data.extId).toBe(first.body.data.extId);
    expect(server.sim.migrationsStarted).toBe(1);
  });

  it("runs tasks QUEUED → RUNNING (progress) → SUCCEEDED and moves the VM", async () => {
    let now = 1_000_000;
    server = await startPrismServer({ now: () => now, timings: { queuedMs: 100, migrationMs: 1000 } });
    const etag = (await call("GET", `/api/vmm/v4.0/ahv/config/vms/${VM}`)).etag!;
    const task = (await migrate({ "NTNX-Request-Id": "t", "If-Match": etag })).body.data.extId as string;
    const get = async () => (await call("GET", `/api/prism/v4.0/config/tasks/${task}`)).body.data;
    expect((await get()).status).toBe("QUEUED");
    now += 600;
    const running = await get();
    expect(running.status).toBe("RUNNING");
    expect(running.progressPercentage).toBe(50);
    expect(running.isCancelable).toBe(true);
    now += 600;
    const done = await get();
    expect(done.status).toBe("SUCCEEDED");
    expect(done.progressPercentage).toBe(100);
    expect(done.entitiesAffected.map((e: any) => e.rel)).toEqual(["vmm:ahv:config:vm", "clustermgmt:config:host"]);
    expect((await call("GET", `/api/vmm/v4.0/ahv/config/vms/${VM}`)).body.data.host.extId).toBe(HOST2);
  });

  it("cancels a cancelable task and refuses when isCancelable is false", async () => {
    let now = 0;
    server = await startPrismServer({ now: () => now, timings: { queuedMs: 0, migrationMs: 1000 } });
    const etag = (await call("GET", `/api/vmm/v4.0/ahv/config/vms/${VM}`)).etag!;
    const task = (await migrate({ "NTNX-Request-Id": "c", "If-Match": etag })).body.data.extId as string;
    now += 100;
    expect((await call("POST", `/api/prism/v4.0/config/tasks/${task}/$actions/cancel`, {}, {})).status).toBe(202);
    now += 200;
    expect((await call("GET", `/api/prism/v4.0/config/tasks/${task}`)).body.data.status).toBe("CANCELED");
    expect(server.inventory.vms.find((v) => v.extId === VM)!.host).toBe(simId("4057a000", 1));

    server.sim.faults.nonCancelable = true;
    const etag2 = (await call("GET", `/api/vmm/v4.0/ahv/config/vms/${VM}`)).etag!;
    const task2 = (await migrate({ "NTNX-Request-Id": "c2", "If-Match": etag2 })).body.data.extId as string;
    now += 100;
    expect((await call("GET", `/api/prism/v4.0/config/tasks/${task2}`)).body.data.isCancelable).toBe(false);
    expect((await call("POST", `/api/prism/v4.0/config/tasks/${task2}/$actions/cancel`, {}, {})).status).toBe(400);
  });

  it("pages with $page/$limit, validates $limit and filters", async () => {
    server = await startPrismServer();
    const p0 = await call("GET", "/api/vmm/v4.0/ahv/config/vms?$page=0&$limit=5");
    expect(p0.body.data).toHaveLength(5);
    expect(p0.body.metadata.totalAvailableResults).toBe(16);
    const p3 = await call("GET", "/api/vmm/v4.0/ahv/config/vms?$page=3&$limit=5");
    expect(p3.body.data).toHaveLength(1);
    expect((await call("GET", "/api/vmm/v4.0/ahv/config/vms?$limit=101")).status).toBe(400);
    const onHost = await call("GET", `/api/vmm/v4.0/ahv/config/vms?$filter=${encodeURIComponent(`host/extId eq '${simId("4057a000", 1)}'`)}`);
    expect(onHost.body.data.map((v: any) => v.extId)).toEqual([VM]);
    expect((await call("GET", `/api/vmm/v4.0/ahv/config/vms?$filter=${encodeURIComponent("name ne 'x'")}`)).status).toBe(400);
  });

  it("answers injected 5xx before acting, and loses an answer after acting", async () => {
    server = await startPrismServer();
    server.sim.faults.failNext = { count: 1, status: 503 };
    expect((await call("GET", "/api/vmm/v4.0/ahv/config/vms")).status).toBe(503);
    expect((await call("GET", "/api/vmm/v4.0/ahv/config/vms")).status).toBe(200);
    server.sim.faults.loseResponse = { count: 1, pattern: /migrate-to-host/ };
    const etag = (await call("GET", `/api/vmm/v4.0/ahv/config/vms/${VM}`)).etag!;
    await expect(migrate({ "NTNX-Request-Id": "lost", "If-Match": etag })).rejects.toThrow();
    expect(server.sim.migrationsStarted).toBe(1);
  });

  it("serves 404 for every v4 path in v3-only mode, and the v3 list", async () => {
    server = await startPrismServer({ v4: false });
    expect((await call("GET", "/api/vmm/v4.0/ahv/config/vms")).status).toBe(404);
    const v3 = await call("POST", "/api/nutanix/v3/vms/list", {}, { kind: "vm", offset: 0, length: 3 });
    expect(v3.body.entities).toHaveLength(3);
    expect(v3.body.metadata.total_matches).toBe(16);
  });
});
