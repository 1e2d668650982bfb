/** Failover cluster paths through node-powershell and the stand-in: nodes, owner nodes, paused nodes, cluster cancel. */
import { VmshiftClient } from "@vmshift/core";
import { createHypervAdapter, createNodePowerShellRunner, decodeMigrationId } from "@vmshift/hyperv";
import { afterEach, describe, expect, it } from "vitest";
import { clusterWorld } from "./src/model.ts";
import { STAND_IN_PWSH, StandInWorld } from "./src/world.ts";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function open(rename?: { vm: string; name: string; role: string }) {
  const world = new StandInWorld(clusterWorld());
  if (rename) {
    world.update((s) => {
      const vm = Object.values(s.vms).find((v) => v.name === rename.vm)!;
      vm.name = rename.name;
      vm.clusterGroup = rename.role;
      // Kerberos constrained delegation between the nodes, so preflight lets the cold move through.
      for (const [from, to] of [["N1", "N2"], ["N2", "N1"]] as const) s.delegation[from] = [`Microsoft Virtual System Migration Service/${to}`, `cifs/${to}`];
    });
  }
  const runner = createNodePowerShellRunner({ executable: STAND_IN_PWSH, env: world.env() });
  // No host list: the endpoint's cluster nodes are used.
  const client = new VmshiftClient(createHypervAdapter({ runner }), { follow: { poll: { initialDelayMs: 100, maxDelayMs: 300 } } });
  cleanup = async () => {
    await client.close();
    world.dispose();
  };
  return { world, client };
}

describe("a failover cluster", () => {
  it("lists nodes with their cluster and state, and VMs on their owner node", async () => {
    const { client } = open();
    const hosts = await client.listHosts().all();
    expect(hosts.map((h) => [h.id, h.clusterId, h.schedulable, h.maintenance])).toEqual([
      ["N1", "HVC1", true, false],
      ["N2", "HVC1", true, false],
      ["N3", "HVC1", false, true],
    ]);
    const vms = await client.listVms({ hostId: "N2" }).all();
    expect(vms.map((v) => v.hostId)).toEqual(["N2"]);
    expect(vms[0]!.labels?.["hyperv.clustered"]).toBe("true");
  });

  it("preflight refuses a paused node, and the move is refused with INVALID_STATE", async () => {
    const { world, client } = open();
    const vmId = world.vmId("web-01");
    const report = await client.preflight({ vmId, targetHostId: "N3" });
    expect(report.checks.filter((c) => c.severity === "error").map((c) => `${c.category}:${c.id}`)).toEqual(["state:host.maintenance"]);
    await expect(client.startMigration({ vmId, targetHostId: "N3" })).rejects.toMatchObject({ code: "INVALID_STATE" });
  });

  it("moves a clustered VM and cancels through the cluster role", async () => {
    const { world, client } = open();
    const vmId = world.vmId("web-01");
    const done = await (await client.startMigration({ vmId, targetHostId: "N2" })).wait();
    expect(done).toMatchObject({ outcome: "completed", vmLocation: { hostId: "N2", side: "target" } });
    world.slowDown(vmId);
    const task = await client.startMigration({ vmId, targetHostId: "N1" });
    expect(decodeMigrationId(task.id, "test").clusterRole).toBe("web-01");
    for await (const s of task.events()) if (s.phase === "transferring") break;
    const result = await task.cancel();
    expect(result).toMatchObject({ outcome: "cancelled", vmLocation: { hostId: "N2", side: "source", powerState: "running" } });
    expect(world.update((s) => s.clusterCancels)).toEqual(["web-01"]);
  });

  it("a VM whose role is named differently (\"SCVMM APP01 Resources\" for APP01) is found by VM id: live move, cancel and cold move use the role", async () => {
    const role = "SCVMM APP01 Resources";
    const { world, client } = open({ vm: "web-01", name: "APP01", role });
    const vmId = world.vmId("APP01");
    const vm = await client.getVm(vmId);
    expect(vm.hostId).toBe("N1");
    const done = await (await client.startMigration({ vmId, targetHostId: "N2" })).wait();
    expect(done).toMatchObject({ outcome: "completed", vmLocation: { hostId: "N2", side: "target" } });
    world.slowDown(vmId);
    const task = await client.startMigration({ vmId, targetHostId: "N1" });
    expect(decodeMigrationId(task.id, "test").clusterRole).toBe(role);
    for await (const s of task.events()) if (s.phase === "transferring") break;
    expect(await task.cancel()).toMatchObject({ outcome: "cancelled", vmLocation: { hostId: "N2", side: "source" } });
    expect(world.update((s) => s.clusterCancels)).toEqual([role]);
    const cold = await (await client.startMigration({ vmId, targetHostId: "N1", mode: "cold" })).wait();
    expect(cold).toMatchObject({ outcome: "completed", vmLocation: { hostId: "N1", side: "target", powerState: "running" } });
  });
});
