import { describe, expect, it } from "vitest";
import { fakeFleet, host, vm } from "../../test/fake-fleet.ts";
import { allSupported } from "../../test/fake-adapter.ts";
import { unsupported } from "../capabilities.ts";
import { isVmshiftError } from "../errors.ts";
import { CapacityLedger } from "./inventory.ts";
import { evacuateHost, executePlan, migrateMany } from "./orchestrator.ts";
import { planEvacuation } from "./plan-evacuate.ts";
import { planMigrateMany } from "./plan-migrate.ts";

const GiB = 1024 ** 3;

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isVmshiftError(e)) return e.code;
    throw e;
  }
  return "resolved";
}

describe("CapacityLedger", () => {
  it("derives free memory from memoryBytes minus running VMs, ignoring stopped ones, and reserves", () => {
    const ledger = new CapacityLedger([host("h1", 16)], [vm("a", "h1", 4), vm("b", "h1", 8, { powerState: "stopped" })]);
    expect(ledger.available("h1")).toBe(12 * GiB);
    ledger.reserve("h1", 10 * GiB, "h0");
    expect(ledger.fits("h1", 2 * GiB)).toBe(true);
    expect(ledger.fits("h1", 3 * GiB)).toBe(false);
    expect(ledger.projectedUsed("h1")).toBe(14 * GiB);
  });

  it("prefers the platform's freeMemoryBytes, keeps headroom, and treats unknown hosts as unlimited", () => {
    const ledger = new CapacityLedger([host("h1", 16, { freeMemoryBytes: 5 * GiB }), host("h2", 0, { memoryBytes: undefined as never })], [], GiB);
    expect(ledger.available("h1")).toBe(4 * GiB);
    expect(ledger.available("h2")).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("planMigrateMany", () => {
  it("never sends two VMs to the same last free slot: the second is skipped with INSUFFICIENT_RESOURCES", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64), host("h2", 10)], vms: [vm("a", "h1", 6), vm("b", "h1", 6)] });
    const plan = await planMigrateMany(f.client, [{ vmId: "a", targetHostId: "h2" }, { vmId: "b", targetHostId: "h2" }]);
    expect(plan.migrations.map((m) => m.vmId)).toEqual(["a"]);
    expect(plan.skipped).toEqual([expect.objectContaining({ vmId: "b", code: "INSUFFICIENT_RESOURCES" })]);
    expect(plan.hosts.find((h) => h.hostId === "h2")?.projectedUsedBytes).toBe(6 * GiB);
  });

  it("chooses a target with room for requests without one, and skips unknown VMs", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64), host("h2", 8), host("h3", 32)], vms: [vm("a", "h1", 16)] });
    const plan = await planMigrateMany(f.client, [{ vmId: "a" }, { vmId: "ghost" }]);
    expect(plan.migrations[0]).toMatchObject({ vmId: "a", targetHostId: "h3", mode: "live", reservedBytes: 16 * GiB });
    expect(plan.migrations[0]!.request).toMatchObject({ vmId: "a", targetHostId: "h3", mode: "live" });
    expect(plan.skipped).toEqual([expect.objectContaining({ vmId: "ghost", code: "NOT_FOUND" })]);
  });

  it("honours a target cluster: picks a host there and marks the move cross-cluster", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64), host("h2", 64), host("x1", 8, { clusterId: "c2" }), host("x2", 32, { clusterId: "c2" })], vms: [vm("a", "h1", 4)] });
    const plan = await planMigrateMany(f.client, [{ vmId: "a", targetClusterId: "c2" }]);
    expect(plan.migrations[0]).toMatchObject({ targetHostId: "x2", clusterId: "c1", targetClusterId: "c2", request: { targetHostId: "x2", targetClusterId: "c2" } });
  });

  it("leaves the target to the platform's scheduler when the adapter cannot list hosts", async () => {
    const f = fakeFleet({ hosts: [], vms: [vm("a", "h1", 4)], capabilities: { ...allSupported, "host.list": unsupported("no host listing") } });
    const plan = await planMigrateMany(f.client, [{ vmId: "a" }]);
    expect(plan.migrations[0]).toMatchObject({ vmId: "a", reservedBytes: 0 });
    expect(plan.migrations[0]!.targetHostId).toBeUndefined();
    expect(plan.migrations[0]!.reason).toMatch(/scheduler picks the target/);
  });

  it("rejects bad input with INVALID_ARGUMENT before touching the platform", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64)], vms: [vm("a", "h1", 1)] });
    expect(await code(planMigrateMany(f.client, [{ vmId: "a" }, { vmId: "a" }]))).toBe("INVALID_ARGUMENT");
    expect(await code(planMigrateMany(f.client, [{ vmId: "" }]))).toBe("INVALID_ARGUMENT");
    expect(await code(planMigrateMany(f.client, [{ vmId: "a" }], { limits: { perSourceHost: 0 } }))).toBe("INVALID_ARGUMENT");
    expect(await code(planMigrateMany(f.client, [{ vmId: "a" }], { bandwidthBytesPerSecond: -1 }))).toBe("INVALID_ARGUMENT");
    expect(f.started).toEqual([]);
  });

  it("dry run returns the plan and starts nothing", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64), host("h2", 64)], vms: [vm("a", "h1", 1)] });
    const plan = await migrateMany(f.client, [{ vmId: "a" }], { dryRun: true });
    expect(plan.migrations).toHaveLength(1);
    expect(f.started).toEqual([]);
  });

  it("applies the caller's request fields and the plan-wide defaults; cold requests carry no live-only fields", async () => {
    const f = fakeFleet({ hosts: [host("h1", 64), host("h2", 64)], vms: [vm("a", "h1", 1), vm("b", "h1", 1)] });
    const plan = await planMigrateMany(f.client, [{ vmId: "a", maxDowntimeMs: 50 }, { vmId: "b", mode: "cold" }], { migration: { maxDowntimeMs: 500, shutdownTimeoutMs: 9000 } });
    const a = plan.migrations.find((m) => m.vmId === "a")!.request;
    const b = plan.migrations.find((m) => m.vmId === "b")!.request;
    expect(a).toMatchObject({ maxDowntimeMs: 50, shutdownTimeoutMs: 9000, mode: "live" });
    expect(b).toMatchObject({ mode: "cold", shutdownTimeoutMs: 9000 });
    expect(b).not.toHaveProperty("maxDowntimeMs");
    expect(a.requestId).not.toBe(b.requestId);
  });
});

describe("planEvacuation", () => {
  const hosts = [host("h1", 64), host("h2", 20), host("h3", 12), host("h4", 64, { maintenance: true, schedulable: false }), host("x1", 64, { clusterId: "c2" })];

  it("places every VM of the host, largest first, on other schedulable hosts of its cluster with room", async () => {
    const f = fakeFleet({ hosts, vms: [vm("big", "h1", 16), vm("mid", "h1", 8), vm("small", "h1", 4), vm("other", "h2", 2)] });
    const plan = await planEvacuation(f.client, "h1");
    const where = Object.fromEntries(plan.migrations.map((m) => [m.vmId, m.targetHostId]));
    // h2 has 18 GiB free, h3 12: big → h2 (2 left), mid → h3 (4 left), small → h3 (0 left).
    expect(where).toEqual({ big: "h2", mid: "h3", small: "h3" });
    expect(plan.migrations.map((m) => m.vmId)).toEqual(["big", "mid", "small"]);
    expect(plan.freedHostIds).toEqual(["h1"]);
    expect(plan.skipped).toEqual([]);
  });

  it("skips what does not fit, says why, and does not claim the host will be empty", async () => {
    const f = fakeFleet({ hosts, vms: [vm("huge", "h1", 40), vm("small", "h1", 2)] });
    const plan = await planEvacuation(f.client, "h1");
    expect(plan.skipped).toEqual([expect.objectContaining({ vmId: "huge", code: "INSUFFICIENT_RESOURCES" })]);
    expect(plan.freedHostIds).toEqual([]);
    expect(plan.summary).toMatch(/h1 will not be empty/);
  });

  it("moves a VM that cannot go live cold by default, and skips it with allowCold: false", async () => {
    const f = fakeFleet({ hosts, vms: [vm("gpu", "h1", 2, { liveMigratable: false })] });
    expect((await planEvacuation(f.client, "h1")).migrations[0]).toMatchObject({ vmId: "gpu", mode: "cold" });
    expect((await planEvacuation(f.client, "h1", { allowCold: false })).skipped[0]).toMatchObject({ vmId: "gpu", code: "INVALID_STATE" });
  });

  it("evacuates several hosts at once without sending VMs to any of them", async () => {
    const f = fakeFleet({ hosts, vms: [vm("a", "h1", 4), vm("b", "h2", 4)] });
    const plan = await planEvacuation(f.client, ["h1", "h2"]);
    expect(plan.migrations.map((m) => m.targetHostId)).toEqual(["h3", "h3"]);
  });

  it("with preflight: true, a target the platform refuses is replaced by the next best; without it, the refusal shows at execution", async () => {
    const fleet = () => fakeFleet({ hosts, vms: [vm("a", "h1", 4)], incompatible: { a: ["h2"] } });
    const f = fleet();
    const verified = await planEvacuation(f.client, "h1", { preflight: true });
    expect(verified.migrations[0]).toMatchObject({ vmId: "a", targetHostId: "h3" });
    expect(verified.migrations[0]!.reason).toMatch(/preflight refused h2: CPU of h2 lacks features/);
    expect(f.preflights).toEqual(["a→h2", "a→h3"]);
    const g = fleet();
    const unverified = await planEvacuation(g.client, "h1");
    expect(unverified.migrations[0]).toMatchObject({ targetHostId: "h2" });
    expect(g.preflights).toEqual([]);
    const report = await executePlan(g.client, unverified, { clock: g.clock }).report();
    expect(report.outcomes[0]).toMatchObject({ status: "failed", error: { code: "INCOMPATIBLE" }, vmLocation: { hostId: "h1", side: "source" } });
  });

  it("with preflight: true, skips a VM every candidate refuses, with the platform's reasons", async () => {
    const f = fakeFleet({ hosts, vms: [vm("a", "h1", 4)], incompatible: { a: ["h2", "h3"] } });
    const plan = await planEvacuation(f.client, "h1", { preflight: true });
    expect(plan.skipped[0]).toMatchObject({ vmId: "a", code: "INCOMPATIBLE" });
    expect(plan.skipped[0]!.reason).toMatch(/preflight refused every target tried: h2: .* \| h3: /);
  });

  it("throws NOT_FOUND for an unknown host and INVALID_ARGUMENT for a bad id, starting nothing", async () => {
    const f = fakeFleet({ hosts, vms: [vm("a", "h1", 4)] });
    expect(await code(evacuateHost(f.client, "nope"))).toBe("NOT_FOUND");
    expect(await code(evacuateHost(f.client, ""))).toBe("INVALID_ARGUMENT");
    expect(await code(evacuateHost(f.client, []))).toBe("INVALID_ARGUMENT");
    expect(f.started).toEqual([]);
  });
});
