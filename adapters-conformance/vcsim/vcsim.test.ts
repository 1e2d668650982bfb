/**
 * The vcsim launcher and the vSphere adapter together: TLS pinning, paging through
 * ContinueRetrievePropertiesEx, re-login after the session expires mid-migration, faults instead
 * of vcsim's panics, and consistent inventory after a move. Needs .cache/vcsim/vmshift-vcsim
 * (.ci/setup.d/30-vsphere.sh); under CI=true a missing launcher is a failure, not a skip.
 */
import { VmshiftClient, isVmshiftError } from "@vmshift/core";
import { createVsphereAdapter, el, moref } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverSubjects } from "../targets/vsphere-vcsim.ts";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const missing = vcsimMissing();
if (missing && process.env["CI"] === "true") throw new Error(missing);

describe.skipIf(missing !== undefined)("vmshift-vcsim + @vmshift/vsphere", () => {
  let sim: Vcsim;
  const methods: string[] = [];
  const connect = (extra: { thumbprint?: string } = {}) =>
    new VmshiftClient(
      createVsphereAdapter({ url: sim.url, username: "u", password: "vcsim-pw", thumbprint: extra.thumbprint ?? sim.thumbprint, waitMaxSeconds: 2, onRequest: (m) => methods.push(m) }),
    );

  beforeAll(async () => {
    sim = await startVcsim(["-vm", "5", "-migrate-duration", "1s", "-migrate-steps", "4"]);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("verifies TLS by default, and accepts only the pinned thumbprint", async () => {
    const strict = new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "u", password: "pw" }));
    const selfSigned = await strict.getVm("vm-1").catch((e: unknown) => e);
    expect(isVmshiftError(selfSigned, "TRANSPORT")).toBe(true);
    expect((selfSigned as { retryable: boolean }).retryable).toBe(false);
    const wrong = connect({ thumbprint: "00".repeat(32) });
    const mismatch = await wrong.getVm("vm-1").catch((e: unknown) => e);
    expect(isVmshiftError(mismatch, "TRANSPORT")).toBe(true);
    expect(String((mismatch as Error).message)).toMatch(/does not match the pinned one/);
    const pinned = connect();
    expect((await pinned.listHosts().all()).length).toBeGreaterThan(0);
    await Promise.all([strict.close(), wrong.close(), pinned.close()]);
  });

  it("pages the inventory with maxObjects and ContinueRetrievePropertiesEx, each VM once, one request per page", async () => {
    const client = connect();
    methods.length = 0;
    const pages = [];
    for await (const page of client.listVms({ pageSize: 2 })) pages.push(page);
    const ids = pages.flatMap((p) => p.items.map((v) => v.id));
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages.every((p) => p.items.length <= 2)).toBe(true);
    expect(methods.filter((m) => m === "ContinueRetrievePropertiesEx").length).toBe(pages.length - 1);
    // One request per page: a retrieval through traversal specs (no ContainerView), then its token.
    expect(methods.filter((m) => m === "RetrievePropertiesEx").length).toBe(1);
    expect(methods.filter((m) => m === "CreateContainerView" || m === "DestroyView")).toEqual([]);
    await client.close();
  });

  it("logs in again when the session expires during a migration, and follows it to the end", async () => {
    const client = connect();
    const subjects = await discoverSubjects(client);
    await sim.control("slow", { vm: subjects.liveVm, ms: "3000" });
    methods.length = 0;
    const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    await new Promise((r) => setTimeout(r, 400));
    await sim.control("expire-sessions");
    const result = await task.wait({ maxWaitMs: 20_000 });
    expect(result.outcome).toBe("completed");
    expect(methods.filter((m) => m === "Login").length).toBe(1); // the first login happened before methods was cleared
    expect((await client.getVm(subjects.liveVm)).hostId).toBe(subjects.targetHost);
    await client.close();
  });

  it("is idempotent on requestId, refuses a second move with CONFLICT, and allows one once the first ended unobserved", async () => {
    const client = connect();
    const subjects = await discoverSubjects(client);
    await sim.control("slow", { vm: subjects.liveVm, ms: "800" });
    const first = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost, requestId: "req-1" });
    const retried = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost, requestId: "req-1" });
    expect(retried.id).toBe(first.id);
    const second = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost }).catch((e: unknown) => e);
    expect(isVmshiftError(second, "CONFLICT")).toBe(true);
    const source = (await client.getVm(subjects.liveVm)).hostId!;
    await new Promise((r) => setTimeout(r, 2500)); // the first ends; nobody follows it
    const back = await client.startMigration({ vmId: subjects.liveVm, targetHostId: source });
    expect(back.id).not.toBe(first.id);
    expect((await back.wait()).outcome).toBe("completed");
    await client.close();
  });

  it("keeps HostSystem.vm consistent after a move (stock vcsim does not)", async () => {
    const client = connect();
    const subjects = await discoverSubjects(client);
    const source = (await client.getVm(subjects.liveVm)).hostId!;
    const result = await (await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost })).wait();
    expect(result.outcome).toBe("completed");
    const onTarget = await client.listVms({ hostId: subjects.targetHost }).all();
    const onSource = await client.listVms({ hostId: source }).all();
    expect(onTarget.map((v) => v.id)).toContain(subjects.liveVm);
    expect(onSource.map((v) => v.id)).not.toContain(subjects.liveVm);
    const adapter = client.adapter as ReturnType<typeof createVsphereAdapter>;
    const hostVms = (await adapter.session.call("RetrievePropertiesEx", { type: "PropertyCollector", value: "propertyCollector" }, el("specSet", [el("propSet", [el("type", "HostSystem"), el("pathSet", "vm")]), el("objectSet", moref("obj", { type: "HostSystem", value: source }))]))) as unknown;
    expect(JSON.stringify(hostVms)).not.toContain(`>${subjects.liveVm}<`);
    expect(JSON.stringify(hostVms)).not.toContain(`"${subjects.liveVm}"`);
    await client.close();
  });

  it("answers an unknown host moref with ManagedObjectNotFound instead of dropping the connection", async () => {
    const client = connect();
    const subjects = await discoverSubjects(client);
    const adapter = client.adapter as ReturnType<typeof createVsphereAdapter>;
    const error = await adapter.session
      .call("RelocateVM_Task", { type: "VirtualMachine", value: subjects.liveVm }, el("spec", moref("host", { type: "HostSystem", value: "host-424242" })))
      .catch((e: unknown) => e);
    expect(isVmshiftError(error, "NOT_FOUND")).toBe(true);
    const viaClient = await client.startMigration({ vmId: subjects.liveVm, targetHostId: "host-424242" }).catch((e: unknown) => e);
    expect(isVmshiftError(viaClient, "NOT_FOUND")).toBe(true);
    await client.close();
  });

  it("runs the server's CheckRelocate_Task and maps its CheckResult errors to check categories", async () => {
    const client = connect();
    expect((await client.probe()).table.preflight.status).toBe("supported");
    const subjects = await discoverSubjects(client);
    const full = await client.preflight({ vmId: subjects.liveVm, targetHostId: subjects.fullHost! });
    const server = full.checks.filter((c) => c.id.startsWith("server."));
    expect(server.map((c) => [c.id, c.category, c.severity])).toEqual([["server.InsufficientMemoryResourcesFault", "capacity", "error"]]);
    const good = await client.preflight({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    expect(good.ok).toBe(true);
    await client.close();
  });

  it("preflight of a host that does not exist reports host.not-found (and the VM's own checks), not an error", async () => {
    const client = connect();
    const subjects = await discoverSubjects(client);
    const report = await client.preflight({ vmId: subjects.liveVm, targetHostId: "host-424242" });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => [c.id, c.severity])).toEqual([["host.not-found", "error"]]);
    const missingVm = await client.preflight({ vmId: subjects.missingVmId, targetHostId: subjects.targetHost }).catch((e: unknown) => e);
    expect(isVmshiftError(missingVm, "NOT_FOUND")).toBe(true);
    await client.close();
  });

  it("refuses a live move of a powered-off VM with INVALID_STATE before asking vCenter", async () => {
    const client = connect();
    const subjects = await discoverSubjects(client);
    const adapter = client.adapter as ReturnType<typeof createVsphereAdapter>;
    await adapter.session.call("PowerOffVM_Task", { type: "VirtualMachine", value: subjects.liveVm });
    await new Promise((r) => setTimeout(r, 200));
    const error = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "INVALID_STATE")).toBe(true);
    const report = await client.preflight({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    expect(report.checks.find((c) => c.id === "vm.power-state")?.severity).toBe("error");
    await adapter.session.call("PowerOnVM_Task", { type: "VirtualMachine", value: subjects.liveVm });
    await client.close();
  });
});

describe.skipIf(missing !== undefined)("stock vcsim (-stock): what the launcher's additions fix", () => {
  let sim: Vcsim;
  beforeAll(async () => {
    sim = await startVcsim(["-stock", "-vm", "3"]);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("has no CheckRelocate_Task: probe narrows preflight to partial, and preflight does not ask again", async () => {
    const client = new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "u", password: "pw", thumbprint: sim.thumbprint }));
    const probe = await client.probe();
    expect(probe.table.preflight.status).toBe("partial");
    const vm = (await client.listVms().all()).find((v) => v.powerState === "running" && v.name.startsWith("DC0_C0"))!;
    const hosts = await client.listHosts().all();
    const other = hosts.find((h) => h.clusterId !== undefined && h.id !== vm.hostId)!;
    const report = await client.preflight({ vmId: vm.id, targetHostId: other.id });
    expect(report.checks.filter((c) => c.id === "server.check-relocate").map((c) => c.severity)).toEqual([]);
    await client.close();
  });

  it("ignores maxObjects; the adapter still hands out pages of the asked size", async () => {
    const client = new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "u", password: "pw", thumbprint: sim.thumbprint }));
    const pages = [];
    for await (const page of client.listVms({ pageSize: 2 })) pages.push(page);
    const ids = pages.flatMap((p) => p.items.map((v) => v.id));
    expect(pages.every((p) => p.items.length <= 2)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(6);
    await client.close();
  });
});
