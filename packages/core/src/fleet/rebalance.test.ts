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
  it("empties the least used hosts onto the fullest host they fit on and reports them freed", async () => {
    const f = fakeFleet({
      hosts: [host("h1", 64), host("h2", 64), host("h3", 64), host("h4", 64)],
      vms: [vm("a", "h1", 40), vm("b", "h2", 8), vm("c", "h3", 3), vm("d", "h3", 3), vm("e", "h4", 30)],
    });
    const plan = await planRebalance(f.client, { goal: "consolidate" });
    // Least used first: h3 (6) → both onto h1 (fullest with room: 24 free); h2 (8) → h1 (18 free); h4 (30) does not fit on h1 (10 free).
    expect(plan.freedHostIds).toEqual(["h3", "h2"]);
    expect(plan.migrations.every((m) => m.targetHostId === "h1")).toBe(true);
    expect(plan.notes.join()).toMatch(/h4 stays: no kept host has room for e/);
  });

  it("keeps a host with a VM that cannot move live, and keeps at least minHosts", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64), host("h2", 64), host("h3", 64)], vms: [vm("a", "h1", 8), vm("gpu", "h2", 2, { liveMigratable: false }), vm("c", "h3", 4)] });
    const plan = await planRebalance(f.client, { goal: "consolidate" });
    expect(plan.freedHostIds).toEqual(["h3"]);
    expect(plan.notes.join()).toMatch(/h2 stays: gpu cannot move/);
    const two = await planRebalance(f.client, { goal: "consolidate" }, { minHosts: 3 });
    expect(two.freedHostIds).toEqual([]);
  });

  it("rejects an unknown goal and bad tolerances with INVALID_ARGUMENT", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64)], vms: [] });
    for (const [goal, options] of [[{ goal: "spread" }, {}], [{ goal: "balance" }, { tolerance: 1.5 }], [{ goal: "balance" }, { maxMigrations: 0 }]] as const) {
      const error = await rebalance(f.client, goal as never, { ...options, dryRun: true }).then(() => undefined, (e: unknown) => e);
      expect(isVmshiftError(error) && error.code).toBe("INVALID_ARGUMENT");
    }
  });
});
