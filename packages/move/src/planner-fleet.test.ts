/**
 * Moves as fleet plan steps: the plan `planMoves` writes (shape, cold/warm per the planner, a JSON
 * round trip through core's plan validation) and core's executor running its steps through
 * `moveStepRunner` over the in-memory source and target (real mover, Buffer copier). A real lab run
 * through `vmshift plan move` + `plan run` is in adapters-conformance/libvirt-lab/move-plan.test.ts.
 */
import { type FleetPlan, executePlan, validatePlan } from "@vmshift/core";
import { createSimulator } from "@vmshift/simulator";
import { describe, expect, it } from "vitest";
import { memoryWorld } from "../test/memory-platform.ts";
import type { VmDefinition } from "./definition.ts";
import { createMover } from "./move.ts";
import { moveStepRunner, planMoves } from "./planner-fleet.ts";

const MIB = 1024 * 1024;
const vmDef = (id: string, diskMiB: number): VmDefinition => ({
  id, name: id, cpus: 1, memoryBytes: 512 * MIB, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [
    { key: "vda", sizeBytes: diskMiB * MIB, format: "qcow2", bus: "virtio", storage: "fast", device: "disk" },
    { key: "hdc", sizeBytes: 4096 * MIB, format: "raw", bus: "sata", storage: "fast", device: "cdrom" },
  ],
  nics: [],
});
const roundTrip = (plan: FleetPlan): FleetPlan => JSON.parse(JSON.stringify(plan)) as FleetPlan;

describe("planMoves", () => {
  it("writes one move step per VM, cold where cold fits the budget, warm where only warm does, over budget noted; the file round-trips through validatePlan", () => {
    const plan = planMoves([vmDef("small", 1024), vmDef("big", 200 * 1024), vmDef("busy", 200 * 1024), vmDef("small", 1024)], {
      from: "lab-a", to: "lab-b", fromHost: "a", toHost: "b", downtimeBudgetMs: 60_000, bandwidthBytesPerSecond: 100 * MIB,
      changeRates: { big: 1 * MIB, busy: 150 * MIB }, costs: { passOverheadMs: 1000, startMs: 2000 },
      storageMap: { fast: { storage: "pool-b", format: "raw" } }, warm: { maxDeltaPasses: 4, convergedBytes: 64 * MIB },
    });
    expect(plan.kind).toBe("move");
    expect(plan.migrations.map((m) => [m.vmId, m.move?.mode])).toEqual([["small", "cold"], ["big", "warm"], ["busy", "cold"]]);
    const [small, big, busy] = plan.migrations;
    // small: 1 GiB at 100 MiB/s + 2 s start = 12.2 s (the cdrom is not copied).
    expect(small!.move!.predictedDowntimeMs).toBe(12_240);
    expect(small!.reason).toMatch(/^cold: /);
    expect(big!.move!.predictedDowntimeMs).toBeLessThanOrEqual(60_000);
    expect(big!.reason).toMatch(/^warm: /);
    // busy: changes faster than it copies: neither fits, cold (the whole disk once) is down for less.
    expect(busy!.reason).toMatch(/neither fits.*\(over budget\)$/);
    expect(plan.notes).toHaveLength(1);
    expect(plan.summary).toContain("3 move(s) from lab-a to lab-b: 2 cold, 1 warm");
    for (const m of plan.migrations) {
      expect(m.move).toMatchObject({ from: "lab-a", to: "lab-b", options: { fromHost: "a", toHost: "b", storageMap: { fast: { storage: "pool-b", format: "raw" } }, warm: { maxDeltaPasses: 4 } } });
      expect(m.request).toMatchObject({ vmId: m.vmId, mode: "cold" });
      expect(m.request.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/); // the task id adds move-
    }
    expect(new Set(plan.migrations.map((m) => m.request.requestId)).size).toBe(3);
    expect(() => validatePlan(roundTrip(plan))).not.toThrow();
    const broken = roundTrip(plan);
    (broken.migrations[1]!.move as { mode: string }).mode = "hot";
    expect(() => validatePlan(broken)).toThrow(/move\.mode must be cold or warm/);
  });

  it("a chosen mode plans every step in it with that mode's predicted downtime, noting a missed budget; no budget and no mode is refused", () => {
    const vms = [vmDef("small", 1024), vmDef("big", 200 * 1024)];
    const base = { from: "nx", to: "kv", bandwidthBytesPerSecond: 100 * MIB, costs: { startMs: 2000 } };
    const warm = planMoves(vms, { ...base, mode: "warm" });
    expect(warm.migrations.map((m) => [m.vmId, m.move?.mode, m.reason.startsWith("warm as asked: ")])).toEqual([["small", "warm", true], ["big", "warm", true]]);
    // idle disks: the final pass copies nothing, so the downtime is the start alone.
    expect(warm.migrations.map((m) => m.move?.predictedDowntimeMs)).toEqual([2000, 2000]);
    expect(warm.summary).toContain("0 cold, 2 warm, warm as asked; budget none");
    const cold = planMoves(vms, { ...base, mode: "cold", downtimeBudgetMs: 60_000 });
    expect(cold.migrations.map((m) => [m.move?.mode, m.move?.predictedDowntimeMs])).toEqual([["cold", 12_240], ["cold", 2_050_000]]);
    expect(cold.migrations[1]!.reason).toMatch(/misses the 60\.0 s budget \(over budget\)$/);
    expect(cold.notes).toEqual(["1 move(s) exceed the downtime budget in the chosen mode"]);
    expect(() => planMoves(vms, { from: "a", to: "b", bandwidthBytesPerSecond: MIB })).toThrow(/downtime budget .* or a mode/);
  });

  it("warm unavailable between the sides: the budget picks among cold only (noted), a warm mode is refused NOT_SUPPORTED", () => {
    const vms = [vmDef("big", 200 * 1024)];
    const base = { from: "nx", to: "kv", bandwidthBytesPerSecond: 100 * MIB, warmUnavailable: "the kubevirt target writes whole disks" };
    const plan = planMoves(vms, { ...base, downtimeBudgetMs: 60_000 });
    expect(plan.migrations[0]!.move?.mode).toBe("cold"); // warm would fit the budget: it is not offered
    expect(plan.migrations[0]!.reason).toMatch(/^cold: warm is not possible here: .*\(over budget\)$/);
    expect(plan.notes).toContain("warm moves are not possible from nx to kv (the kubevirt target writes whole disks): every step is cold");
    expect(() => planMoves(vms, { ...base, mode: "warm" })).toThrow(/NOT_SUPPORTED.*warm moves from nx to kv are not possible: the kubevirt target writes whole disks/);
  });

  it("steps show the sides' ids (profile, profile/namespace) without making them host ids the runner reads", () => {
    const plan = planMoves([{ ...vmDef("0e000000-0000-4000-8000-0000000002c8", 1), name: "web-1" }], { from: "nx", to: "kv", sourceHostId: "nx", targetHostId: "kv/default", mode: "cold", bandwidthBytesPerSecond: MIB, networkMap: { "subnet-1": "pod" }, storageMap: { sc: "local-path" } });
    expect(plan.migrations[0]).toMatchObject({ vmId: "0e000000-0000-4000-8000-0000000002c8", vmName: "web-1", sourceHostId: "nx", targetHostId: "kv/default", request: { vmId: "0e000000-0000-4000-8000-0000000002c8" } });
    expect(plan.migrations[0]!.move!.options).toEqual({ networkMap: { "subnet-1": "pod" }, storageMap: { sc: "local-path" } });
    expect(plan.subjectHostIds).toEqual(["nx"]);
  });

  it("refuses a plan without profiles and bad planner input (INVALID_ARGUMENT)", () => {
    expect(() => planMoves([vmDef("a", 1)], { from: "", to: "b", downtimeBudgetMs: 1, bandwidthBytesPerSecond: 1 })).toThrow(/from and to/);
    expect(() => planMoves([vmDef("a", 1)], { from: "a", to: "b", downtimeBudgetMs: 1, bandwidthBytesPerSecond: 0 })).toThrow(/bandwidthBytesPerSecond/);
  });
});

describe("executing a move plan", () => {
  it("the runner hands the mover exactly what the (round-tripped) step says: the id, mode, maps, warm options, shutdown, conversion and request id", async () => {
    const plan = roundTrip(planMoves([{ ...vmDef("0e000000-0000-4000-8000-0000000002c8", 1), name: "web-1" }], {
      from: "nx", to: "kv", mode: "warm", bandwidthBytesPerSecond: MIB, networkMap: { "subnet-1": "pod" }, storageMap: { sc: { storage: "local-path" } },
      warm: { maxDeltaPasses: 2 }, shutdownTimeoutMs: 1500, convert: { mode: "never" },
    }));
    const step = plan.migrations[0]!;
    const requests: unknown[] = [];
    const task = { id: "move-x" };
    const mover = { moveVm: (r: unknown) => (requests.push(r), task) } as unknown as Parameters<typeof moveStepRunner>[1];
    const source = { platform: "nutanix" } as never;
    const target = { platform: "kubevirt" } as never;
    const resolved: string[] = [];
    const run = moveStepRunner((s) => (resolved.push(`${s.move.from}→${s.move.to}`), { from: source, to: target }), mover);
    expect(await run(step as never)).toBe(task);
    expect(resolved).toEqual(["nx→kv"]);
    expect(requests).toEqual([{
      from: source, to: target, vmId: "0e000000-0000-4000-8000-0000000002c8", mode: "warm", requestId: step.request.requestId,
      networkMap: { "subnet-1": "pod" }, storageMap: { sc: { storage: "local-path" } }, warm: { maxDeltaPasses: 2 }, shutdownTimeoutMs: 1500, convert: { mode: "never" },
    }]);
  });

  it("core's executor runs the move steps through the runner: the target runs with the source's bytes, the report says completed on the target", async () => {
    const def = vmDef("vm-1", 1);
    const { world, source, target, copier } = memoryWorld({ ...def, disks: [def.disks[0]!] });
    world.sourceDisks.get("vda")!.fill(0x5a, 1000, 5000);
    const plan = roundTrip(planMoves([def], { from: "mem-a", to: "mem-b", downtimeBudgetMs: 3_600_000, bandwidthBytesPerSecond: MIB, storageMap: { fast: "pool-b" } }));
    const resolved: string[] = [];
    const runMove = moveStepRunner((step) => {
      resolved.push(`${step.move.from}→${step.move.to} ${step.vmId}`);
      return { from: source, to: target };
    }, createMover({ copier: copier() }));
    const { client } = createSimulator();
    const report = await executePlan(client, plan, { runMove }).report();
    expect(resolved).toEqual(["mem-a→mem-b vm-1"]);
    expect(report.kind).toBe("move");
    expect(report.counts).toEqual({ completed: 1, failed: 0, cancelled: 0, skipped: 0 });
    expect(report.outcomes[0]).toMatchObject({ vmId: "vm-1", status: "completed", vmLocation: { side: "target", hostId: "dst-host" } });
    expect(world.targetPower).toBe("running");
    expect(world.sourcePower).toBe("stopped");
    expect(world.targetDisks.get("vda")!.equals(world.sourceDisks.get("vda")!)).toBe(true);
  });

  it("without a runner a move step fails NOT_SUPPORTED and nothing is touched", async () => {
    const def = vmDef("vm-1", 1);
    const { world } = memoryWorld({ ...def, disks: [def.disks[0]!] });
    const plan = planMoves([def], { from: "mem-a", to: "mem-b", downtimeBudgetMs: 3_600_000, bandwidthBytesPerSecond: MIB });
    const { client } = createSimulator();
    const report = await executePlan(client, plan).report();
    expect(report.outcomes[0]).toMatchObject({ status: "failed", error: { code: "NOT_SUPPORTED" } });
    expect(report.outcomes[0]!.error!.message).toContain("move runner");
    expect(world.calls).toEqual([]);
  });
});
