import { type FleetEvent, type FleetReport, evacuateHost, executePlan, migrateMany, planEvacuation, rebalance } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { type SimulatorWorld, createSimulator, generatedInventory } from "../src/index.ts";

const GiB = 1024 ** 3;

/** Every outcome's location agrees with the simulated platform. */
function expectReportMatchesWorld(report: FleetReport, world: SimulatorWorld): void {
  for (const o of report.outcomes) {
    const v = world.vm(o.vmId);
    expect({ vm: o.vmId, host: o.vmLocation.hostId, power: o.vmLocation.powerState }).toEqual({ vm: o.vmId, host: v.hostId, power: v.powerState });
  }
}

describe("fleet operations on the simulator", () => {
  it("evacuates host-1 of the default inventory within its limits; the report matches the platform", async () => {
    const { world, client } = createSimulator();
    const plan = await planEvacuation(client, "host-1", { clock: world.clock });
    expect(plan.migrations.map((m) => m.vmId).sort()).toEqual(["app-01", "db-01", "legacy-01", "web-01", "web-02"]);
    expect(plan.migrations.find((m) => m.vmId === "legacy-01")).toMatchObject({ mode: "cold" });
    expect(plan.migrations.every((m) => m.targetHostId === "host-2" || m.targetHostId === "host-3")).toBe(true);
    const execution = executePlan(client, plan, { clock: world.clock });
    let peak = 0;
    let queuedOnPlatform = false;
    for await (const e of execution.events()) {
      peak = Math.max(peak, world.activeOn("host-1"));
      if (e.type === "migration-progress" && /waiting for a migration slot/.test(e.progress.message ?? "")) queuedOnPlatform = true;
    }
    const report = await execution.report();
    expect(report.counts.completed).toBe(5);
    expect(report.freedHostIds).toEqual(["host-1"]);
    expect([...world.vms.values()].filter((v) => v.hostId === "host-1")).toEqual([]);
    expect(world.vm("legacy-01").powerState).toBe("stopped");
    expect(peak).toBeLessThanOrEqual(2);
    expect(queuedOnPlatform).toBe(false); // the orchestrator never sent more than the hosts take
    expectReportMatchesWorld(report, world);
  });

  it("keeps going after a failure mid-transfer; the failed VM stays running on its source", async () => {
    const { world, client } = createSimulator({ inventory: generatedInventory(4, 12) });
    const plan = await planEvacuation(client, "host-1", { clock: world.clock });
    const first = plan.migrations[0];
    world.faults.failAtPhase(first!.vmId, "transferring");
    const report = await evacuateHost(client, "host-1", { clock: world.clock, limits: { perSourceHost: 1 } });
    const failed = report.outcomes.find((o) => o.vmId === first!.vmId)!;
    expect(failed).toMatchObject({ status: "failed", vmLocation: { hostId: "host-1", side: "source", powerState: "running" }, error: { code: "MIGRATION_FAILED" } });
    expect(report.counts).toMatchObject({ completed: plan.migrations.length - 1, failed: 1 });
    expect(report.freedHostIds).toEqual([]);
    expectReportMatchesWorld(report, world);
  });

  it("a refused target fails that VM with INSUFFICIENT_RESOURCES and leaves it running on its source", async () => {
    const { world, client } = createSimulator({ inventory: generatedInventory(3, 6) });
    const plan = await planEvacuation(client, "host-1", { clock: world.clock });
    const refused = plan.migrations[0]!.targetHostId!;
    world.faults.refuseTarget(refused);
    const report = await executePlan(client, plan, { clock: world.clock }).report();
    for (const o of report.outcomes) {
      if (o.targetHostId === refused) expect(o).toMatchObject({ status: "failed", error: { code: "INSUFFICIENT_RESOURCES" }, vmLocation: { hostId: "host-1", side: "source" } });
      else expect(o.status).toBe("completed");
    }
    expectReportMatchesWorld(report, world);
  });

  it("whole-plan cancel: every VM is either still on its source or completed on its target, as reported", async () => {
    const { world, client } = createSimulator({ inventory: generatedInventory(8, 64) });
    const controller = new AbortController();
    let finished = 0;
    const report = await evacuateHost(client, "host-1", {
      clock: world.clock,
      signal: controller.signal,
      onExecution: (execution) =>
        void (async () => {
          for await (const e of execution.events()) if (e.type === "migration-finished" && ++finished === 2) controller.abort();
        })(),
    });
    expect(report.cancelled).toBe(true);
    expect(report.counts.completed).toBeGreaterThanOrEqual(2);
    expect(report.counts.cancelled).toBeGreaterThan(0);
    for (const o of report.outcomes) expect(o.vmLocation.hostId).toBe(o.status === "completed" ? o.targetHostId : "host-1");
    expectReportMatchesWorld(report, world);
    expect([...world.migrations.values()].every((m) => m.result !== undefined)).toBe(true); // nothing left running
  });

  it("per-VM cancel of an in-flight live migration leaves that VM running on its source", async () => {
    const { world, client } = createSimulator();
    const plan = await planEvacuation(client, "host-1", { clock: world.clock });
    const execution = executePlan(client, plan, { clock: world.clock });
    for await (const e of execution.events()) {
      if (e.type === "migration-progress" && e.vmId === "db-01" && (e.progress.percent ?? 0) > 10) {
        execution.cancelVm("db-01");
        break;
      }
    }
    const report = await execution.report();
    expect(report.outcomes.find((o) => o.vmId === "db-01")).toMatchObject({ status: "cancelled", vmLocation: { hostId: "host-1", side: "source", powerState: "running" } });
    expect(report.counts.completed).toBe(4);
    expectReportMatchesWorld(report, world);
  });

  it("consolidates: the freed hosts are empty on the platform afterwards", async () => {
    const { world, client } = createSimulator({ inventory: generatedInventory(6, 12, { hostMemoryBytes: 64 * GiB }) });
    const plan = await rebalance(client, { goal: "consolidate" }, { dryRun: true, clock: world.clock });
    expect(plan.freedHostIds.length).toBeGreaterThan(0);
    const report = await executePlan(client, plan, { clock: world.clock }).report();
    expect(report.freedHostIds).toEqual(plan.freedHostIds);
    for (const h of report.freedHostIds) expect([...world.vms.values()].filter((v) => v.hostId === h)).toEqual([]);
    expectReportMatchesWorld(report, world);
  });

  it("balances: the spread of memory use across hosts shrinks to the tolerance on the platform", async () => {
    const inventory = generatedInventory(4, 16, { hostMemoryBytes: 128 * GiB });
    const skewed = { hosts: inventory.hosts, vms: inventory.vms.map((v, i) => ({ ...v, hostId: i < 12 ? "host-1" : "host-2" })) };
    const { world, client } = createSimulator({ inventory: skewed });
    const spread = () => {
      const u = [...world.hosts.keys()].map((h) => world.usedMemory(h) / world.host(h).memoryBytes);
      return Math.max(...u) - Math.min(...u);
    };
    const before = spread();
    const report = await rebalance(client, { goal: "balance" }, { clock: world.clock, tolerance: 0.1 });
    expect(report.counts.failed).toBe(0);
    expect(spread()).toBeLessThan(before);
    expect(spread()).toBeLessThanOrEqual(0.1 + 1e-9);
    expectReportMatchesWorld(report, world);
  });

  it("with preflight, evacuation avoids a host whose CPU model the VM cannot run on; without it, that move fails on its source", async () => {
    const inventory = {
      hosts: [
        { id: "a", clusterId: "c", cpuCores: 8, memoryBytes: 64 * GiB, cpuModel: "icelake" },
        { id: "b", clusterId: "c", cpuCores: 8, memoryBytes: 256 * GiB, cpuModel: "milan" },
        { id: "c", clusterId: "c", cpuCores: 8, memoryBytes: 128 * GiB, cpuModel: "icelake" },
      ],
      vms: [{ id: "pinned", hostId: "a", memoryBytes: 4 * GiB, cpus: 2, cpuModel: "icelake" }, { id: "free", hostId: "a", memoryBytes: 2 * GiB, cpus: 1 }],
    };
    const checked = createSimulator({ inventory });
    const report = await evacuateHost(checked.client, "a", { clock: checked.world.clock, preflight: true });
    expect(report.outcomes.map((o) => [o.vmId, o.status, o.vmLocation.hostId])).toEqual([["pinned", "completed", "c"], ["free", "completed", "b"]]);
    const blind = createSimulator({ inventory });
    const failed = await evacuateHost(blind.client, "a", { clock: blind.world.clock });
    expect(failed.outcomes.find((o) => o.vmId === "pinned")).toMatchObject({ status: "failed", error: { code: "INCOMPATIBLE" }, vmLocation: { hostId: "a", side: "source", powerState: "running" } });
    expectReportMatchesWorld(failed, blind.world);
  });

  it("migrateMany sends two VMs asking for the same last free memory to one host only", async () => {
    const inventory = { hosts: [{ id: "a", clusterId: "c", cpuCores: 8, memoryBytes: 64 * GiB }, { id: "b", clusterId: "c", cpuCores: 8, memoryBytes: 10 * GiB }], vms: [{ id: "x", hostId: "a", memoryBytes: 6 * GiB, cpus: 1 }, { id: "y", hostId: "a", memoryBytes: 6 * GiB, cpus: 1 }] };
    const { world, client } = createSimulator({ inventory });
    const events: FleetEvent[] = [];
    const report = await migrateMany(client, [{ vmId: "x", targetHostId: "b" }, { vmId: "y", targetHostId: "b" }], { clock: world.clock, onExecution: (e) => void (async () => { for await (const ev of e.events()) events.push(ev); })() });
    expect(report.outcomes.map((o) => [o.vmId, o.status])).toEqual([["x", "completed"], ["y", "skipped"]]);
    expect(world.vm("y").hostId).toBe("a");
    expect(events.filter((e) => e.type === "migration-started")).toHaveLength(1);
  });
});
