/**
 * The promise that makes retries safe: a migration start whose answer was lost, then retried,
 * makes exactly one migration on the platform. Proven end to end: the adapter (axios, real HTTP)
 * against the Prism-like server, which acts on the POST and then drops the connection.
 */
import { afterEach, describe, expect, it } from "vitest";
import { VmshiftClient } from "@vmshift/core";
import { createNutanixAdapter } from "@vmshift/nutanix";
import { type PrismServer, startPrismServer } from "../src/index.ts";
import { PRISM_SUBJECTS } from "../../targets/nutanix-server.ts";

let server: PrismServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const posts = (s: PrismServer) => s.log.filter((e) => e.method === "POST" && e.path.includes("/$actions/migrate-to-host"));

function client(s: PrismServer, transportRetries: number): VmshiftClient {
  const adapter = createNutanixAdapter({ baseUrl: s.url, auth: { username: "admin", password: "nutanix/4u" }, retries: transportRetries, retryDelayMs: 20 });
  return new VmshiftClient(adapter, { follow: { poll: { initialDelayMs: 50, maxDelayMs: 200 } } });
}

describe("a start whose answer was lost", () => {
  it("retried by the transport, makes exactly one migration", async () => {
    server = await startPrismServer({ timings: { migrationMs: 200 } });
    server.sim.faults.loseResponse = { count: 1, pattern: /^POST .*\/\$actions\/migrate-to-host$/ };
    const task = await client(server, 3).startMigration({ vmId: PRISM_SUBJECTS.liveVm, targetHostId: PRISM_SUBJECTS.targetHost });
    const result = await task.wait({ maxWaitMs: 10_000 });
    expect(result.outcome).toBe("completed");
    expect(server.sim.migrationsStarted).toBe(1);
    const sent = posts(server);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.requestId).toBeDefined();
    expect(sent[1]!.requestId).toBe(sent[0]!.requestId);
    expect(sent[0]!.status).toBe(202);
    expect(sent[1]!.status).toBe(202);
    expect(server.inventory.vms.find((v) => v.extId === PRISM_SUBJECTS.liveVm)!.host).toBe(PRISM_SUBJECTS.targetHost);
  });

  it("makes exactly one migration also when Prism checks If-Match before the request id (412, fresh ETag, same id)", async () => {
    server = await startPrismServer({ timings: { migrationMs: 200 }, ifMatchBeforeRequestId: true });
    server.sim.faults.loseResponse = { count: 1, pattern: /^POST .*\/\$actions\/migrate-to-host$/ };
    const task = await client(server, 3).startMigration({ vmId: PRISM_SUBJECTS.liveVm, targetHostId: PRISM_SUBJECTS.targetHost });
    expect((await task.wait({ maxWaitMs: 10_000 })).outcome).toBe("completed");
    expect(server.sim.migrationsStarted).toBe(1);
    const sent = posts(server);
    expect(sent.map((e) => e.status)).toEqual([202, 412, 202]);
    expect(new Set(sent.map((e) => e.requestId)).size).toBe(1);
    expect(sent[2]!.ifMatch).not.toBe(sent[1]!.ifMatch);
  });

  it("retried by the client (no transport retries), makes exactly one migration and returns the first one's task", async () => {
    server = await startPrismServer({ timings: { migrationMs: 200 } });
    server.sim.faults.loseResponse = { count: 1, pattern: /^POST .*\/\$actions\/migrate-to-host$/ };
    const task = await client(server, 0).startMigration({ vmId: PRISM_SUBJECTS.liveVm, targetHostId: PRISM_SUBJECTS.targetHost, requestId: "caller-chosen-id" });
    expect((await task.wait({ maxWaitMs: 10_000 })).outcome).toBe("completed");
    expect(server.sim.migrationsStarted).toBe(1);
    const sent = posts(server);
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((e) => e.requestId)).size).toBe(1);
    expect(task.id).toContain([...server.sim.engine.tasks.keys()][0]!);
  });

  it("a second start with the same requestId in a new process finds the same migration", async () => {
    server = await startPrismServer({ timings: { migrationMs: 200 } });
    const request = { vmId: PRISM_SUBJECTS.liveVm, targetHostId: PRISM_SUBJECTS.targetHost, requestId: "same-id" };
    const first = await client(server, 0).startMigration(request);
    const second = await client(server, 0).startMigration(request);
    expect(second.id).toBe(first.id);
    expect(server.sim.migrationsStarted).toBe(1);
  });

  it("without the fault, a different requestId while the first runs is refused (control for the tests above)", async () => {
    server = await startPrismServer({ timings: { migrationMs: 2_000 } });
    const c = client(server, 0);
    await c.startMigration({ vmId: PRISM_SUBJECTS.liveVm, targetHostId: PRISM_SUBJECTS.targetHost, requestId: "a" });
    await expect(c.startMigration({ vmId: PRISM_SUBJECTS.liveVm, targetHostId: PRISM_SUBJECTS.targetHost, requestId: "b" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(server.sim.migrationsStarted).toBe(1);
  });
});
