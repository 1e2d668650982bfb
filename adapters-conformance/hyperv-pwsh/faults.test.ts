/**
 * The fault controls act the way the conformance scenarios assume, through node-powershell: a
 * start whose shell dies after acting is retried and adopted (one migration), a dying host before
 * acting is retried, and a broken remoting session is re-opened.
 */
import { VmshiftClient, memoryLogger } from "@vmshift/core";
import { createHypervAdapter, createNodePowerShellRunner, decodeMigrationId } from "@vmshift/hyperv";
import { afterEach, describe, expect, it } from "vitest";
import { STAND_IN_PWSH, StandInWorld } from "./src/world.ts";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function open() {
  const world = new StandInWorld();
  const runner = createNodePowerShellRunner({
    executable: STAND_IN_PWSH,
    env: world.env({ VMSHIFT_PWSH_EXPECT_PASSWORD: "pw-123456" }),
    remote: { computerName: "MGMT-01", userName: "ops", password: "pw-123456" },
  });
  const client = new VmshiftClient(createHypervAdapter({ runner, hosts: ["HV-A", "HV-B", "HV-C", "HV-D"] }), { follow: { poll: { initialDelayMs: 100, maxDelayMs: 300 } } });
  cleanup = async () => {
    await client.close();
    world.dispose();
  };
  return { world, client, vmId: world.vmId("web-01") };
}

describe("fault controls through node-powershell", () => {
  it("a start whose answer is lost is retried with the same request id and adopts the first job", async () => {
    const { world, client, vmId } = open();
    world.loseNextStartResponse();
    const result = await (await client.startMigration({ vmId, targetHostId: "HV-B" })).wait();
    expect(result.outcome).toBe("completed");
    expect(world.migrationCount(vmId)).toBe(1);
    expect(world.requestLog().filter((n) => n === "startLive")).toHaveLength(2);
  });

  it("a start whose answer is lost and whose retry arrives after the first migration finished adopts that finished migration", async () => {
    const { world, client, vmId } = open();
    world.loseNextStartResponse({ lateRetry: true });
    const result = await (await client.startMigration({ vmId, targetHostId: "HV-B" })).wait();
    expect(result).toMatchObject({ outcome: "completed", sourceHostId: "HV-A", targetHostId: "HV-B", vmLocation: { hostId: "HV-B", side: "target" } });
    expect(world.migrationCount(vmId)).toBe(1);
    const [job] = world.update((s) => Object.values(s.jobs).filter((j) => j.vmId === vmId.toLowerCase()));
    // The retry was only answered after the first migration had completed, and it returned that migration.
    expect(job!.jobState).toBe(7);
    expect(decodeMigrationId(result.migrationId, "test").jobId).toBe(job!.instanceId);
    expect(world.requestLog().filter((n) => n === "startLive")).toHaveLength(2);
    expect(world.update((s) => s.faults.holdStartUntilJobDone)).toBeUndefined();
  });

  it("a host that dies before acting is replaced and the start retried", async () => {
    const { world, client, vmId } = open();
    world.failTransiently("start", 1);
    const result = await (await client.startMigration({ vmId, targetHostId: "HV-B" })).wait();
    expect(result.outcome).toBe("completed");
    expect(world.migrationCount(vmId)).toBe(1);
  });

  it("an expired remoting session is re-opened and the migration followed to the end", async () => {
    const { world, client, vmId } = open();
    world.slowDown(vmId);
    const task = await client.startMigration({ vmId, targetHostId: "HV-B" });
    world.expireSession();
    world.update((s) => {
      for (const job of Object.values(s.jobs)) job.durationMs = 500;
    });
    expect((await task.wait()).outcome).toBe("completed");
  });

  it("a guest that ignores the shutdown is turned off after the timeout, said in the log, and the cold move completes", async () => {
    const world = new StandInWorld();
    const logger = memoryLogger();
    const runner = createNodePowerShellRunner({ executable: STAND_IN_PWSH, env: world.env() });
    const client = new VmshiftClient(createHypervAdapter({ runner, hosts: ["HV-A", "HV-B"] }), { logger, follow: { poll: { initialDelayMs: 50, maxDelayMs: 200 } } });
    cleanup = async () => {
      await client.close();
      world.dispose();
    };
    const vmId = world.vmId("web-03");
    const result = await (await client.startMigration({ vmId, targetHostId: "HV-B", mode: "cold", shutdownTimeoutMs: 5_000 })).wait();
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "HV-B", side: "target", powerState: "running" } });
    expect(logger.records.some((r) => r.level === "warn" && /turned off/.test(r.message))).toBe(true);
  });
});
