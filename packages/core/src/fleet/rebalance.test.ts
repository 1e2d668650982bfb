import { describe, expect, it } from "vitest";
import { fakeFleet, host, vm } from "../../test/fake-fleet.ts";
import { isVmshiftError } from "../errors.ts";
import { rebalance } from "./orchestrator.ts";
import { planRebalance } from "./plan-rebalance.ts";

describe("planRebalance: balance", () => {
  it("moves the VM that best closes the gap (hand-computed)", async () => {
    // h1 uses 24 of 32 GiB (75%), h2 8 of 32 (25%). Moving 8 GiB gives 50% / 50%; 4 GiB gives 62.5 / 37.5.
    const f = fakeFleet({ hosts: [host("h1", 32), host("h2", 32)], vms: [vm("a4", "h1", 4), vm("b8", "h1", 8), vm("c12", "h1", 12), vm("d8", "h2", 8)] });
    const plan = await planRebalance(f.client, { goal: "balance" });
    expect(plan.migrations.map((m) => [m.vmId, m.sourceHostId, m.targetHostId, m.mode])).toEqual([["b8", "h1", "h2", "live"]]);
    expect(plan.hosts.map((h) => h.projectedUsedBytes! / 1024 ** 3)).toEqual([16, 16]);
  });

  it("does nothing within tolerance, and never moves a VM twice nor into a host that gives", async () => {
    const f = fakeFleet({ hosts: [host("h1", 100), host("h2", 100)], vms: [vm("a", "h1", 52), vm("b", "h2", 48)] });
    expect((await planRebalance(f.client, { goal: "balance" })).migrations).toEqual([]);
    const g = fakeFleet({ hosts: [host("h1", 100), host("h2", 100), host("h3", 100)], vms: [vm("a", "h1", 30), vm("b", "h1", 30), vm("c", "h1", 30)] });
    const plan = await planRebalance(g.client, { goal: "balance" });
    expect(plan.migrations.map((m) => m.sourceHostId)).toEqual(["h1", "h1"]);
    expect(new Set(plan.migrations.map((m) => m.targetHostId))).toEqual(new Set(["h2", "h3"]));
  });

  it("leaves running VMs that could only move cold", async () => {
    const f = fakeFleet({ hosts: [host("h1", 32), host("h2", 32)], vms: [vm("gpu", "h1", 16, { liveMigratable: false })] });
    const plan = await planRebalance(f.client, { goal: "balance" });
    expect(plan.migrations).toEqual([]);
    expect(plan.notes.join()).toMatch(/no single move/);
  });
});

describe("planRebalance: consolidate", () => {
  it("keeps the fewest hosts that hold everything while moving least, and empties the rest onto them (hand-computed)", async () => {
    const f = fakeFleet({
      hosts: [host("h1", 64), host("h2", 64), host("h3", 64), host("h4", 64)],
      vms: [vm("a", "h1", 40), vm("b", "h2", 8), vm("c", "h3", 3), vm("d", "h3", 3), vm("e", "h4", 30)],
    });
    const plan = await planRebalance(f.client, { goal: "consolidate" });
    // 84 GiB in use needs two 64 GiB hosts; keeping {h1, h4} moves 3 VMs / 14 GiB (keeping {h1, h2}: 3 VMs / 36 GiB).
    // Fewest VMs first: h2's b, then h3's c and d, each onto the fullest kept host with room: h1 (24 → 16 → 13 → 10 GiB free).
    expect(plan.freedHostIds).toEqual(["h2", "h3"]);
    expect(plan.migrations.map((m) => [m.vmId, m.targetHostId]).sort()).toEqual([["b", "h1"], ["c", "h1"], ["d", "h1"]]);
    expect(plan.hosts.find((h) => h.hostId === "h1")?.projectedUsedBytes).toBe(54 * 1024 ** 3);
  });

  it("keeps a host with a VM that cannot move live (and fills it), and keeps at least minHosts", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64), host("h2", 64), host("h3", 64)], vms: [vm("a", "h1", 8), vm("gpu", "h2", 2, { liveMigratable: false }), vm("c", "h3", 4)] });
    const plan = await planRebalance(f.client, { goal: "consolidate" });
    expect(plan.freedHostIds).toEqual(["h3", "h1"]);
    expect(plan.migrations.map((m) => [m.vmId, m.targetHostId])).toEqual([["a", "h2"], ["c", "h2"]]);
    const three = await planRebalance(f.client, { goal: "consolidate" }, { minHosts: 3 });
    expect(three.freedHostIds).toEqual([]);
    expect(three.notes.join()).toMatch(/no host can be freed/);
  });

  it("frees nothing when every host holds a VM that cannot move live, and says why", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64), host("h2", 64)], vms: [vm("g1", "h1", 2, { liveMigratable: false }), vm("g2", "h2", 2, { liveMigratable: false })] });
    const plan = await planRebalance(f.client, { goal: "consolidate" });
    expect(plan.migrations).toEqual([]);
    expect(plan.notes.join()).toMatch(/h1 stays: g1 cannot move/);
  });

  it("respects the migration cap: frees the hosts it can within it", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64), host("h2", 64), host("h3", 64)], vms: [vm("a", "h1", 30), vm("b1", "h2", 1), vm("b2", "h2", 1), vm("c", "h3", 1)] });
    const plan = await planRebalance(f.client, { goal: "consolidate" }, { maxMigrations: 1 });
    expect(plan.migrations).toHaveLength(1);
    expect(plan.freedHostIds).toEqual(["h3"]);
  });

  it("rejects an unknown goal and bad tolerances with INVALID_ARGUMENT", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64)], vms: [] });
    for (const [goal, options] of [[{ goal: "spread" }, {}], [{ goal: "balance" }, { tolerance: 1.5 }], [{ goal: "balance" }, { maxMigrations: 0 }]] as const) {
      const error = await rebalance(f.client, goal as never, { ...options, dryRun: true }).then(() => undefined, (e: unknown) => e);
      expect(isVmshiftError(error) && error.code).toBe("INVALID_ARGUMENT");
    }
  });
});
