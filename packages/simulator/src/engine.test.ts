import { type MigrationSnapshot, isVmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { createSimulator } from "./index.ts";

async function run(task: { events(): AsyncIterable<MigrationSnapshot>; wait(): Promise<import("@vmshift/core").MigrationResult> }) {
  const seen: MigrationSnapshot[] = [];
  for await (const s of task.events()) seen.push(s);
  return { seen, result: await task.wait() };
}

describe("simulator live migration", () => {
  it("follows the pre-copy model: rounds, shrinking remainders, percent that drops when a round re-sends dirty pages", async () => {
    const { client, world } = createSimulator();
    const { seen, result } = await run(await client.startMigration({ vmId: "web-01", targetHostId: "host-2" }));
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "host-2", side: "target", powerState: "running" } });
    const transfer = seen.filter((s) => s.phase === "transferring");
    const rounds = new Set(transfer.map((s) => s.progress.iteration));
    expect(rounds.size).toBeGreaterThanOrEqual(2);
    const percents = transfer.map((s) => s.progress.percent!);
    const drops = percents.filter((p, i) => i > 0 && p < percents[i - 1]!);
    expect(drops.length).toBeGreaterThan(0);
    expect(result.downtimeMs).toBeLessThanOrEqual(300);
    expect(world.vm("web-01").hostId).toBe("host-2");
  });

  it("a VM that dirties faster than the link fails to converge and stays on its source", async () => {
    const { client, world } = createSimulator();
    const { result } = await run(await client.startMigration({ vmId: "cache-01", targetHostId: "host-1" }));
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("MIGRATION_FAILED");
    expect(result.vmLocation).toMatchObject({ hostId: "host-2", side: "source", powerState: "running" });
    expect(world.vm("cache-01").hostId).toBe("host-2");
  });

  it("post-copy completes the same VM when allowed", async () => {
    const { client } = createSimulator();
    const { seen, result } = await run(await client.startMigration({ vmId: "cache-01", targetHostId: "host-1", allowPostCopy: true }));
    expect(result.outcome).toBe("completed");
    expect(seen.some((s) => s.progress.message === "switched to post-copy")).toBe(true);
  });

  it("auto-converge throttles the guest until it converges", async () => {
    const { client } = createSimulator();
    const { seen, result } = await run(await client.startMigration({ vmId: "cache-01", targetHostId: "host-1", allowAutoConverge: true }));
    expect(result.outcome).toBe("completed");
    expect(seen.some((s) => s.progress.message?.includes("throttled"))).toBe(true);
  });

  it("per-host limits queue the third migration in `requested` until a slot frees", async () => {
    const { client, world } = createSimulator();
    const tasks = await Promise.all(["web-01", "web-02", "app-01"].map((vmId) => client.startMigration({ vmId, targetHostId: "host-2" })));
    let queuedWhileTwoRan = false;
    for await (const s of tasks[2]!.events()) {
      if (s.phase === "requested" && s.progress.message?.includes("waiting for a migration slot") && world.activeOn("host-1") === 2) queuedWhileTwoRan = true;
    }
    expect(queuedWhileTwoRan).toBe(true);
    const results = await Promise.all(tasks.map((t) => t.wait()));
    expect(results.map((r) => r.outcome)).toEqual(["completed", "completed", "completed"]);
  });

  it("a start whose answer is lost, retried with the same request id, makes exactly one migration", async () => {
    const { client, world } = createSimulator();
    world.faults.loseResponse("startMigration", 1);
    const task = await client.startMigration({ vmId: "web-01", targetHostId: "host-2", requestId: "once" });
    expect(world.migrations.size).toBe(1);
    expect((await task.wait()).outcome).toBe("completed");
  });

  it("a cancel during transferring ends cancelled with the VM running on its source, in the world and in the result", async () => {
    const { client, world } = createSimulator();
    world.faults.slowDown("web-01", 0.02);
    const task = await client.startMigration({ vmId: "web-01", targetHostId: "host-2" });
    for await (const s of task.events()) if (s.phase === "transferring") break;
    const result = await task.cancel();
    expect(result).toMatchObject({ outcome: "cancelled", vmLocation: { hostId: "host-1", side: "source", powerState: "running" } });
    expect(world.vm("web-01")).toMatchObject({ hostId: "host-1", powerState: "running" });
  });

  it("a cancel during finalizing loses the race: the migration completes", async () => {
    const { client } = createSimulator();
    const task = await client.startMigration({ vmId: "web-01", targetHostId: "host-2" });
    for await (const s of task.events()) if (s.phase === "finalizing") break;
    const result = await task.cancel();
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation.side).toBe("target");
  });

  it("the scheduler picks the compatible host with most free memory in the cluster", async () => {
    const { client } = createSimulator();
    const task = await client.startMigration({ vmId: "batch-01" });
    expect(task.snapshot().targetHostId).toBe("host-1");
  });

  it("refuses static problems at start: maintenance, CPU model, stopped VM, passthrough device", async () => {
    const { client } = createSimulator();
    const cases: [Parameters<typeof client.startMigration>[0], string][] = [
      [{ vmId: "web-01", targetHostId: "host-4" }, "INVALID_STATE"],
      [{ vmId: "db-01", targetHostId: "host-5" }, "INCOMPATIBLE"],
      [{ vmId: "legacy-01", targetHostId: "host-2" }, "INVALID_STATE"],
      [{ vmId: "gpu-01", targetHostId: "host-1" }, "INCOMPATIBLE"],
      [{ vmId: "nope", targetHostId: "host-1" }, "NOT_FOUND"],
    ];
    for (const [request, code] of cases) {
      const error = await client.startMigration(request).catch((e: unknown) => e);
      expect(isVmshiftError(error, code as never), `${JSON.stringify(request)} → ${String(error)}`).toBe(true);
    }
  });

  it("migration ids are deterministic for a seed", async () => {
    const ids = async () => {
      const { client } = createSimulator({ seed: 42 });
      return [(await client.startMigration({ vmId: "web-01", targetHostId: "host-2" })).id, (await client.startMigration({ vmId: "web-02", targetHostId: "host-2" })).id];
    };
    expect(await ids()).toEqual(await ids());
    expect((await ids())[0]).toBe("mig-16-0001");
  });
});

describe("simulator cold migration", () => {
  it("stops, relocates and starts; reports how long the VM was stopped", async () => {
    const { client, world } = createSimulator();
    const { seen, result } = await run(await client.startMigration({ vmId: "app-01", targetHostId: "host-2", mode: "cold" }));
    expect(seen.map((s) => s.phase)).toEqual(["preparing", "stopping", "relocating", "starting", "completed"]);
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "host-2", powerState: "running" } });
    expect(result.downtimeMs).toBeGreaterThan(0);
    expect(world.vm("app-01").powerState).toBe("running");
  });

  it("starts the VM again on its source when the target cannot start it", async () => {
    const { client, world } = createSimulator();
    world.faults.failColdStart("app-01");
    const { result } = await run(await client.startMigration({ vmId: "app-01", targetHostId: "host-2", mode: "cold" }));
    expect(result).toMatchObject({ outcome: "failed", error: { code: "MIGRATION_FAILED" }, vmLocation: { hostId: "host-1", side: "source", powerState: "running" } });
  });

  it("reports MIGRATION_PARTIAL when even the source cannot start it", async () => {
    const { client, world } = createSimulator();
    world.faults.failColdStart("app-01", { alsoOnSource: true });
    const { result } = await run(await client.startMigration({ vmId: "app-01", targetHostId: "host-2", mode: "cold" }));
    expect(result).toMatchObject({ outcome: "failed", error: { code: "MIGRATION_PARTIAL" }, vmLocation: { side: "source", powerState: "stopped" } });
  });

  it("leaves the VM stopped on the target with MIGRATION_PARTIAL when the caller opted out of the restart", async () => {
    const { client, world } = createSimulator();
    world.faults.failColdStart("app-01");
    const { result } = await run(await client.startMigration({ vmId: "app-01", targetHostId: "host-2", mode: "cold", restartOnSourceOnFailure: false }));
    expect(result).toMatchObject({ outcome: "failed", error: { code: "MIGRATION_PARTIAL" }, vmLocation: { hostId: "host-2", side: "target", powerState: "stopped" } });
  });

  it("a stopped VM moves and stays stopped", async () => {
    const { client } = createSimulator();
    const { result } = await run(await client.startMigration({ vmId: "legacy-01", targetHostId: "host-2", mode: "cold" }));
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "host-2", powerState: "stopped" } });
  });
});

describe("simulator faults on operations", () => {
  it("fails an operation N times, then recovers", async () => {
    const { client, world } = createSimulator();
    world.faults.failOperation("getVm", 2, "RATE_LIMITED");
    await expect(client.getVm("web-01")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await expect(client.getVm("web-01")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await expect(client.getVm("web-01")).resolves.toMatchObject({ id: "web-01" });
  });

  it("a refused target fails the migration in `requested` and leaves the VM untouched", async () => {
    const { client, world } = createSimulator();
    world.faults.refuseTarget("host-2");
    const { seen, result } = await run(await client.startMigration({ vmId: "web-01", targetHostId: "host-2" }));
    expect(seen.map((s) => s.phase)).not.toContain("transferring");
    expect(result).toMatchObject({ outcome: "failed", error: { code: "INSUFFICIENT_RESOURCES" }, vmLocation: { hostId: "host-1", powerState: "running" } });
  });
});
