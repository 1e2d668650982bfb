import { describe, expect, it } from "vitest";
import { fakeFleet, host, vm } from "../../test/fake-fleet.ts";
import { isVmshiftError } from "../errors.ts";
import { executePlan, migrateMany } from "./orchestrator.ts";
import { planEvacuation } from "./plan-evacuate.ts";
import type { FleetEvent, FleetPlan } from "./types.ts";

const hosts = [host("src", 256), host("t1", 256), host("t2", 256), host("t3", 256)];
const eightVms = Array.from({ length: 8 }, (_, i) => vm(`v${i}`, "src", 1 + i));

async function collect(events: AsyncIterable<FleetEvent>): Promise<FleetEvent[]> {
  const out: FleetEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("FleetExecution", () => {
  it("never runs more than the limits allow, and completes every VM where the plan said", async () => {
    const f = fakeFleet({ hosts, vms: eightVms, limits: { perSourceHost: 2, perTargetHost: 1 } });
    const plan = await planEvacuation(f.client, "src", { clock: f.clock });
    const execution = executePlan(f.client, plan, { clock: f.clock });
    const report = await execution.report();
    expect(f.peak.bySource.get("src")).toBe(2);
    expect(Math.max(...f.peak.byTarget.values())).toBe(1);
    expect(report.counts).toEqual({ completed: 8, failed: 0, cancelled: 0, skipped: 0 });
    expect(report.ok).toBe(true);
    expect(report.freedHostIds).toEqual(["src"]);
    for (const o of report.outcomes) {
      expect(o.vmLocation).toMatchObject({ hostId: plan.migrations.find((m) => m.vmId === o.vmId)!.targetHostId, side: "target" });
      expect(f.vms.get(o.vmId)!.hostId).toBe(o.vmLocation.hostId);
    }
  });

  it("a failure does not stop the rest; the failed VM is reported on its source", async () => {
    const f = fakeFleet({ hosts, vms: eightVms.slice(0, 4), failing: ["v1"], startErrors: { v2: "INSUFFICIENT_RESOURCES" } });
    const report = await migrateMany(f.client, ["v0", "v1", "v2", "v3"].map((vmId) => ({ vmId })), { clock: f.clock });
    expect(report.counts).toEqual({ completed: 2, failed: 2, cancelled: 0, skipped: 0 });
    const byVm = Object.fromEntries(report.outcomes.map((o) => [o.vmId, o]));
    expect(byVm["v1"]).toMatchObject({ status: "failed", vmLocation: { hostId: "src", side: "source" }, error: { code: "MIGRATION_FAILED" } });
    expect(byVm["v2"]).toMatchObject({ status: "failed", vmLocation: { hostId: "src", side: "source" }, error: { code: "INSUFFICIENT_RESOURCES" } });
    expect(report.ok).toBe(false);
  });

  it("stopOnFailure starts nothing after the first failure; queued VMs end cancelled and untouched", async () => {
    const f = fakeFleet({ hosts, vms: eightVms, limits: { perSourceHost: 1 }, failing: ["v7"] });
    // Largest first: v7 (8 GiB) runs first and fails.
    const report = await migrateMany(f.client, eightVms.map((v) => ({ vmId: v.id })), { clock: f.clock, stopOnFailure: true });
    expect(f.started).toEqual(["v7"]);
    expect(report.counts).toEqual({ completed: 0, failed: 1, cancelled: 7, skipped: 0 });
    expect(report.outcomes.filter((o) => o.status === "cancelled").every((o) => o.vmLocation.hostId === "src" && /stopped after v7 failed/.test(o.reason ?? ""))).toBe(true);
  });

  it("cancels one VM: a queued one never starts, an in-flight one is cancelled on the platform", async () => {
    const f = fakeFleet({ hosts, vms: eightVms.slice(0, 3), limits: { perSourceHost: 1 } });
    const plan = await planEvacuation(f.client, "src", { clock: f.clock });
    const execution = executePlan(f.client, plan, { clock: f.clock });
    const events = collect(execution.events());
    expect(execution.cancelVm("v0")).toBe(true); // queued (smallest, last)
    for await (const e of execution.events()) {
      if (e.type === "migration-progress" && e.vmId === "v2") {
        expect(execution.cancelVm("v2")).toBe(true);
        break;
      }
    }
    const report = await execution.report();
    expect(execution.cancelVm("v2")).toBe(false);
    const byVm = Object.fromEntries(report.outcomes.map((o) => [o.vmId, o]));
    expect(byVm["v0"]).toMatchObject({ status: "cancelled", vmLocation: { hostId: "src", side: "source" } });
    expect(byVm["v2"]).toMatchObject({ status: "cancelled", migrationId: expect.any(String), vmLocation: { hostId: "src", side: "source" } });
    expect(byVm["v1"]).toMatchObject({ status: "completed" });
    expect(f.started).not.toContain("v0");
    expect(f.cancelled).toEqual(["v2"]);
    const types = (await events).map((e) => e.type);
    expect(types[0]).toBe("plan-started");
    expect(types.at(-1)).toBe("plan-finished");
  });

  it("cancels the whole plan through its signal: in-flight cancelled, queued never started", async () => {
    const f = fakeFleet({ hosts, vms: eightVms, limits: { perSourceHost: 2 } });
    const controller = new AbortController();
    let seen = 0;
    const report = await migrateMany(f.client, eightVms.map((v) => ({ vmId: v.id })), {
      clock: f.clock,
      signal: controller.signal,
      onExecution: (execution) => {
        void (async () => {
          for await (const e of execution.events()) if (e.type === "migration-started" && ++seen === 2) controller.abort();
        })();
      },
    });
    expect(report.cancelled).toBe(true);
    expect(f.started).toHaveLength(2);
    expect(f.cancelled.sort()).toEqual([...f.started].sort());
    expect(report.counts).toEqual({ completed: 0, failed: 0, cancelled: 8, skipped: 0 });
    expect(report.outcomes.every((o) => o.vmLocation.hostId === "src")).toBe(true);
  });

  it("stop() lets in-flight migrations finish and starts no more", async () => {
    const f = fakeFleet({ hosts, vms: eightVms, limits: { perSourceHost: 2 } });
    const execution = executePlan(f.client, await planEvacuation(f.client, "src", { clock: f.clock }), { clock: f.clock });
    for await (const e of execution.events()) if (e.type === "migration-started" && f.started.length === 2) break;
    execution.stop();
    const report = await execution.report();
    expect(report.counts).toEqual({ completed: 2, failed: 0, cancelled: 6, skipped: 0 });
    expect(f.cancelled).toEqual([]);
    expect(report.cancelled).toBe(false);
  });

  it("reports skipped VMs with their reason and location, and emits lifecycle events in order", async () => {
    const f = fakeFleet({ hosts: [host("src", 64), host("t1", 4)], vms: [vm("fits", "src", 2), vm("huge", "src", 32)] });
    const plan = await planEvacuation(f.client, "src", { clock: f.clock });
    const execution = executePlan(f.client, plan, { clock: f.clock });
    const events = await collect(execution.events());
    const report = await execution.report();
    expect(report.outcomes.find((o) => o.vmId === "huge")).toMatchObject({ status: "skipped", vmLocation: { hostId: "src", side: "source" }, error: { code: "INSUFFICIENT_RESOURCES" } });
    expect(report.freedHostIds).toEqual([]);
    expect(events.filter((e) => e.type !== "migration-progress").map((e) => e.type)).toEqual(["plan-started", "migration-started", "migration-finished", "plan-finished"]);
    expect(events.some((e) => e.type === "migration-progress" && e.progress.percent === 50)).toBe(true);
  });

  it("refuses a malformed plan with INVALID_ARGUMENT before starting anything", async () => {
    const f = fakeFleet({ hosts, vms: eightVms.slice(0, 1) });
    const plan = await planEvacuation(f.client, "src", { clock: f.clock });
    const twice: FleetPlan = { ...plan, migrations: [plan.migrations[0]!, { ...plan.migrations[0]!, order: 1 }] };
    const zeroLimit: FleetPlan = { ...plan, limits: { ...plan.limits, perSourceHost: 0 } };
    const noPerHost = { ...plan, limits: { source: "x" } } as unknown as FleetPlan;
    for (const bad of [twice, zeroLimit, noPerHost, { ...plan, migrations: undefined } as never]) {
      let error: unknown;
      try {
        executePlan(f.client, bad);
      } catch (e) {
        error = e;
      }
      expect(isVmshiftError(error) && error.code).toBe("INVALID_ARGUMENT");
    }
    expect(f.started).toEqual([]);
  });
});
