/**
 * @vmshift/nutanix against the Prism-like server, for behaviour the conformance suite does not
 * pin: cold-migration edge cases, cancel refusal, affinity policies, cross-cluster dry run,
 * probe and the v3 fallback.
 */
import { afterEach, describe, expect, it } from "vitest";
import { VmshiftClient, isVmshiftError } from "@vmshift/core";
import { NutanixTransport, V3Api, createNutanixAdapter } from "@vmshift/nutanix";
import { type PrismServer, type PrismServerOptions, simId, startPrismServer } from "../src/index.ts";

let server: PrismServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const WEB = simId("0e000000", 1);
const DB = simId("0e000000", 2);
const PINNED = simId("0e000000", 3);
const H = (n: number) => simId("4057a000", n);
const CLUSTER_B = simId("c1a5e000", 2);

async function setup(options: PrismServerOptions = {}, shutdownTimeoutMs = 5_000): Promise<VmshiftClient> {
  server = await startPrismServer({ timings: { migrationMs: 150, powerMs: 50, shutdownMs: 80, queuedMs: 10 }, ...options });
  const adapter = createNutanixAdapter({ baseUrl: server.url, auth: { username: "admin", password: "nutanix/4u" }, availabilityZoneId: server.inventory.availabilityZoneId, retryDelayMs: 20, shutdownTimeoutMs });
  return new VmshiftClient(adapter, { follow: { poll: { initialDelayMs: 30, maxDelayMs: 100 } } });
}
const vm = (id: string) => server!.inventory.vms.find((v) => v.extId === id)!;

describe("cold migration", () => {
  it("powers off hard when the guest ignores the shutdown for longer than shutdownTimeoutMs", async () => {
    const client = await setup({}, 300);
    server!.sim.faults.ignoreShutdown.add(WEB);
    const result = await (await client.startMigration({ vmId: WEB, targetHostId: H(2), mode: "cold" })).wait({ maxWaitMs: 10_000 });
    expect(result.outcome).toBe("completed");
    expect(server!.log.some((e) => e.path.endsWith(`${WEB}/$actions/power-off`))).toBe(true);
    expect(vm(WEB).host).toBe(H(2));
    expect(vm(WEB).powerState).toBe("ON");
  });

  it("uses ACPI shutdown without guest tools and guest shutdown with them", async () => {
    const client = await setup();
    await (await client.startMigration({ vmId: WEB, targetHostId: H(2), mode: "cold" })).wait({ maxWaitMs: 10_000 });
    await (await client.startMigration({ vmId: DB, targetHostId: H(1), mode: "cold" })).wait({ maxWaitMs: 10_000 });
    const actions = server!.log.filter((e) => e.method === "POST").map((e) => e.path.split("/").slice(-3).join("/"));
    expect(actions).toContain(`${WEB}/$actions/shutdown`);
    expect(actions).toContain(`${DB}/$actions/guest-shutdown`);
  });

  it("with restartOnSourceOnFailure: false, a failed start leaves the VM stopped and says MIGRATION_PARTIAL", async () => {
    const client = await setup();
    server!.sim.faults.failNextPowerOn.add(WEB);
    const result = await (await client.startMigration({ vmId: WEB, targetHostId: H(2), mode: "cold", restartOnSourceOnFailure: false })).wait({ maxWaitMs: 10_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("MIGRATION_PARTIAL");
    expect(result.vmLocation.powerState).toBe("stopped");
    expect(vm(WEB).powerState).toBe("OFF");
  });

  it("is re-attached after a restart from its id and finishes without repeating a step", async () => {
    const client = await setup();
    const task = await client.startMigration({ vmId: WEB, targetHostId: H(2), mode: "cold" });
    const fresh = await setup2();
    const result = await (await fresh.attachMigration(task.id)).wait({ maxWaitMs: 10_000 });
    expect(result.outcome).toBe("completed");
    expect(vm(WEB).host).toBe(H(2));
    const shutdowns = server!.log.filter((e) => e.method === "POST" && e.path.endsWith("/$actions/shutdown"));
    expect(new Set(shutdowns.map((e) => e.requestId)).size).toBe(1);
    expect(server!.sim.engine.tasks.size).toBe(3); // shutdown, power-on, migrate-to-host: one task each
  });

  it("attaching to a finished cold migration sends nothing that changes the VM", async () => {
    const client = await setup();
    const task = await client.startMigration({ vmId: WEB, targetHostId: H(2), mode: "cold" });
    await task.wait({ maxWaitMs: 10_000 });
    const posts = server!.log.filter((e) => e.method === "POST").length;
    const result = await (await setup2()).attachMigration(task.id);
    expect(result.snapshot().phase).toBe("completed");
    expect(server!.log.filter((e) => e.method === "POST").length).toBe(posts);
  });

  it("cannot be cancelled part-way", async () => {
    const client = await setup();
    const task = await client.startMigration({ vmId: WEB, targetHostId: H(2), mode: "cold" });
    const error = await task.cancel().catch((e: unknown) => e);
    expect(isVmshiftError(error, "CAPABILITY_UNAVAILABLE")).toBe(true);
    expect((await task.wait({ maxWaitMs: 10_000 })).outcome).toBe("completed");
  });
});

async function setup2(): Promise<VmshiftClient> {
  const adapter = createNutanixAdapter({ baseUrl: server!.url, auth: { username: "admin", password: "nutanix/4u" }, retryDelayMs: 20 });
  return new VmshiftClient(adapter, { follow: { poll: { initialDelayMs: 30, maxDelayMs: 100 } } });
}

describe("live migration", () => {
  it("cancel fails with CAPABILITY_UNAVAILABLE when Prism says the task is not cancelable, and the migration goes on", async () => {
    const client = await setup({ timings: { migrationMs: 800, queuedMs: 10 } });
    server!.sim.faults.nonCancelable = true;
    const task = await client.startMigration({ vmId: WEB, targetHostId: H(2) });
    const error = await task.cancel().catch((e: unknown) => e);
    expect(isVmshiftError(error, "CAPABILITY_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toMatch(/isCancelable=false/);
    expect((await task.wait({ maxWaitMs: 10_000 })).outcome).toBe("completed");
  });

  it("attaches by a bare Prism task id", async () => {
    const client = await setup();
    const task = await client.startMigration({ vmId: WEB, targetHostId: H(2) });
    const taskExtId = [...server!.sim.engine.tasks.keys()][0]!;
    const attached = await (await setup2()).attachMigration(taskExtId);
    const result = await attached.wait({ maxWaitMs: 10_000 });
    expect(result.vmId).toBe(WEB);
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation).toMatchObject({ hostId: H(2), side: "target" });
    await task.wait({ maxWaitMs: 10_000 });
  });

  it("moves a VM across clusters with $actions/migrate, and preflight runs a $dryrun", async () => {
    const client = await setup();
    const report = await client.preflight({ vmId: WEB, targetClusterId: CLUSTER_B });
    expect(report.checks.find((c) => c.id === "crossCluster.dryRun")?.severity).toBe("info");
    expect(server!.sim.migrationsStarted).toBe(0);
    const result = await (await client.startMigration({ vmId: WEB, targetClusterId: CLUSTER_B })).wait({ maxWaitMs: 10_000 });
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation).toMatchObject({ hostId: H(6), side: "target", powerState: "running" });
    expect(vm(WEB).clusterExtId).toBe(CLUSTER_B);
    expect(vm(WEB).host).toBe(H(6));
  });

  it("refuses a cross-cluster move that names a host (AHV's migrate takes none), sending nothing", async () => {
    const client = await setup();
    const before = server!.requestCount;
    const error = await client.startMigration({ vmId: WEB, targetClusterId: CLUSTER_B, targetHostId: H(6) }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "CAPABILITY_UNAVAILABLE")).toBe(true);
    expect(server!.log.slice(before).some((e) => e.method === "POST")).toBe(false);
  });

  it("lists VMs of one host or one cluster through $filter", async () => {
    const client = await setup();
    expect((await client.listVms({ hostId: H(1) }).all()).map((v) => v.id)).toEqual([WEB]);
    expect(await client.listVms({ scope: CLUSTER_B }).all()).toEqual([]);
    expect((await client.listVms({ scope: simId("c1a5e000", 1), pageSize: 100 }).all()).length).toBe(16);
  });
});

describe("preflight", () => {
  it("reports a VM-host affinity policy that excludes the target, and passes for an allowed host", async () => {
    const client = await setup();
    const blocked = await client.preflight({ vmId: PINNED, targetHostId: H(2) });
    expect(blocked.ok).toBe(false);
    expect(blocked.checks.find((c) => c.id === "policy.vmHostAffinity")).toMatchObject({ severity: "error", category: "policy" });
    const other = await client.preflight({ vmId: WEB, targetHostId: H(5) });
    expect(other.checks.some((c) => c.id === "policy.vmHostAffinity")).toBe(false);
  });

  it("reports a powered-off VM for a live move and a host in maintenance", async () => {
    const client = await setup();
    const off = await client.preflight({ vmId: simId("0e000000", 100), targetHostId: H(3) });
    expect(off.checks.filter((c) => c.severity === "error").map((c) => c.id).sort()).toEqual(["target.maintenance", "vm.powerState"]);
  });
});

describe("probe and the v3 fallback", () => {
  it("finds v4 and keeps the static table", async () => {
    const client = await setup();
    const probe = await client.probe();
    expect(probe.notes?.[0]).toMatch(/vmm v4\.0, prism v4\.0, clustermgmt v4\.0, v3/);
    expect(probe.capabilities).toBeUndefined();
    expect(client.capabilities()["migration.live"].status).toBe("supported");
  });

  it("on a v3-only Prism Central narrows the table and lists through v3", async () => {
    const client = await setup({ v4: false });
    await client.probe();
    expect(client.capabilities()["migration.live"].status).toBe("unsupported");
    const vms = await client.listVms({ pageSize: 5 }).all();
    expect(vms).toHaveLength(16);
    expect(vms.find((v) => v.id === WEB)).toMatchObject({ powerState: "running", hostId: H(1), memoryBytes: 4 * 1024 ** 3 });
    expect((await client.getVm(DB)).hostId).toBe(H(2));
    expect((await client.listHosts().all()).map((h) => h.id)).toContain(H(3));
    const error = await client.startMigration({ vmId: WEB, targetHostId: H(2) }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "CAPABILITY_UNAVAILABLE")).toBe(true);
  });

  it("without an explicit probe, detects a v3-only Prism Central on first use, once, and uses v3", async () => {
    const client = await setup({ v4: false });
    expect((await client.getVm(DB)).hostId).toBe(H(2));
    expect((await client.listVms({ pageSize: 5 }).all())).toHaveLength(16);
    expect((await client.listHosts().all()).map((h) => h.id)).toContain(H(3));
    const error = await client.startMigration({ vmId: WEB, targetHostId: H(2) }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "CAPABILITY_UNAVAILABLE")).toBe(true);
    // One detection: the unversioned info is asked once, whatever came after.
    expect(server!.log.filter((e) => e.path.startsWith("/api/vmm/unversioned/info"))).toHaveLength(1);
  });

  it("on a v4 Prism Central, detection costs nothing: a missing VM is NOT_FOUND in one request", async () => {
    const client = await setup();
    const error = await client.getVm(simId("0e000000", 999)).catch((e: unknown) => e);
    expect(isVmshiftError(error, "NOT_FOUND")).toBe(true);
    expect(server!.log).toHaveLength(1);
  });

  it("powers VMs off and on through v3 (PUT with spec_version)", async () => {
    await setup({ v4: false });
    const v3 = new V3Api(new NutanixTransport({ baseUrl: server!.url, auth: { username: "admin", password: "nutanix/4u" } }));
    const taskUuid = await v3.setPowerState(WEB, "OFF");
    expect(taskUuid).toMatch(/^7a5c/);
    await new Promise((r) => setTimeout(r, 150));
    expect((await v3.getVm(WEB)).powerState).toBe("stopped");
  });
});
