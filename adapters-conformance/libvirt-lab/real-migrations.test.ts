/**
 * Real live and cold migrations in the libvirt lab (two libvirtd on this machine, QEMU 10, TCG),
 * with the guest's health checked on the host where it should be after every one. The generic
 * conformance scenarios run through `vmshift conformance --target libvirt-local`; these cover
 * what they do not: memory-dirtying guests, non-convergence with and without remedies,
 * post-copy, auto-converge and the guest's own health counter.
 *
 * Skipped when the lab cannot run here; with CI=true a missing lab is a failure.
 */
import { type MigrationTask, type VmshiftClient, createClient, isVmshiftError } from "@vmshift/core";
import { createLibvirtAdapter } from "@vmshift/libvirt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labHosts } from "../targets/libvirt-local.ts";
import { assertHealthy, logOffset } from "./health.ts";
import { type LabHost, acquireLab, bootGuest, labAvailability, qemuPid, removeDomain, startDaemons, virsh, whereRunning } from "./lab.ts";

const NAME = "vmshift-lab-real";
const MIB = 1024 ** 2;
const availability = await labAvailability();
if (!availability.ok && process.env.CI === "true") throw new Error(`libvirt lab required in CI but unavailable: ${availability.reason}`);

describe.skipIf(!availability.ok)("real migrations in the libvirt lab", { timeout: 90_000 }, () => {
  let client: VmshiftClient;
  let vmId: string;
  let here: LabHost = "a";
  const other = (): LabHost => (here === "a" ? "b" : "a");

  let release: (() => void) | undefined;

  beforeAll(async () => {
    release = await acquireLab("real-migrations.test.ts");
    await startDaemons();
    // 128 MiB guest; 32 MiB working set dirtied at 30 MiB/s, 32 MiB fill verified every second.
    vmId = await bootGuest(NAME, "a", 128, { fillMiB: 32, dirtyMiB: 32, rateMiBps: 30 });
    client = createClient(createLibvirtAdapter({ hosts: labHosts(), defaults: { shutdownTimeoutMs: 3000, postCopyAfter: { minElapsedMs: 2000, minIterations: 3 } } }));
  }, 20 * 60_000);

  afterAll(async () => {
    try {
      await client?.close();
      await removeDomain(NAME);
    } finally {
      release?.();
    }
  });

  async function until(task: MigrationTask, pred: (bytes: number) => boolean): Promise<void> {
    for await (const s of task.events()) if (s.phase === "transferring" && pred(s.progress.transferredBytes ?? 0)) return;
  }

  it("migrates a memory-dirtying guest live; it keeps running on the target without a reboot", async () => {
    const offset = logOffset(NAME);
    const result = await (await client.startMigration({ vmId, targetHostId: other() })).wait({ maxWaitMs: 60_000 });
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation).toMatchObject({ hostId: other(), side: "target", powerState: "running" });
    expect(result.downtimeMs).toBeGreaterThanOrEqual(0);
    here = other();
    await assertHealthy(NAME, here, offset);
  });

  it("cancel mid-transfer: cancelled, and the guest still runs on its source with its counter advancing", async () => {
    const offset = logOffset(NAME);
    const task = await client.startMigration({ vmId, targetHostId: other(), bandwidthBytesPerSecond: 8 * MIB });
    await until(task, (b) => b > 4 * MIB);
    const result = await task.cancel({ maxWaitMs: 30_000 });
    expect(result.outcome).toBe("cancelled");
    expect(result.vmLocation).toMatchObject({ hostId: here, side: "source", powerState: "running" });
    expect(await whereRunning(NAME)).toBe(here);
    await assertHealthy(NAME, here, offset);
  });

  it("does not converge under a bandwidth cap without remedies: the wait's timeout cancels it and the guest survives", async () => {
    const offset = logOffset(NAME);
    const task = await client.startMigration({ vmId, targetHostId: other(), bandwidthBytesPerSecond: 16 * MIB });
    let rounds = 0;
    const watching = (async () => {
      for await (const s of task.events()) rounds = Math.max(rounds, s.progress.iteration ?? 0);
    })();
    const error = await task.wait({ maxWaitMs: 12_000, cancelOnTimeout: true }).then(() => undefined, (e: unknown) => e);
    expect(isVmshiftError(error, "TIMEOUT")).toBe(true);
    const result = await task.wait();
    await watching;
    expect(result.outcome).toBe("cancelled");
    expect(rounds, "pre-copy rounds observed before the deadline").toBeGreaterThanOrEqual(2);
    expect(result.vmLocation).toMatchObject({ hostId: here, side: "source" });
    await assertHealthy(NAME, here, offset);
  });

  it("the same non-converging migration completes when post-copy is allowed (switched by vmshift)", async () => {
    const offset = logOffset(NAME);
    const task = await client.startMigration({ vmId, targetHostId: other(), bandwidthBytesPerSecond: 16 * MIB, allowPostCopy: true });
    const phases: string[] = [];
    for await (const s of task.events()) if (phases.at(-1) !== s.phase) phases.push(s.phase);
    const result = await task.wait();
    expect(result.outcome).toBe("completed");
    expect(phases).toContain("finalizing");
    expect(result.vmLocation).toMatchObject({ hostId: other(), side: "target" });
    here = other();
    await assertHealthy(NAME, here, offset);
  });

  it("the same non-converging migration completes when auto-converge is allowed", async () => {
    const offset = logOffset(NAME);
    const result = await (await client.startMigration({ vmId, targetHostId: other(), bandwidthBytesPerSecond: 16 * MIB, allowAutoConverge: true })).wait({ maxWaitMs: 75_000, cancelOnTimeout: true });
    expect(result.outcome).toBe("completed");
    here = other();
    await assertHealthy(NAME, here, offset);
  });

  it("destination failure mid-transfer (its QEMU killed): failed, and the guest survives on its source", async () => {
    const offset = logOffset(NAME);
    const task = await client.startMigration({ vmId, targetHostId: other(), bandwidthBytesPerSecond: 8 * MIB });
    await until(task, (b) => b > 4 * MIB);
    const pid = qemuPid(other(), NAME);
    expect(pid).toBeDefined();
    process.kill(pid!, "SIGKILL");
    const result = await task.wait({ maxWaitMs: 30_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.message.length).toBeGreaterThan(0);
    expect(result.vmLocation).toMatchObject({ hostId: here, side: "source", powerState: "running" });
    await assertHealthy(NAME, here, offset);
  });

  it("cold migration cancelled while the guest shuts down: it boots again on its source, nothing moved", async () => {
    const offset = logOffset(NAME);
    // The busybox guest ignores ACPI, so it stays in "stopping" for the whole grace period.
    const task = await client.startMigration({ vmId, targetHostId: other(), mode: "cold", shutdownTimeoutMs: 8000 });
    for await (const s of task.events()) if (s.phase === "stopping") break;
    const result = await task.cancel({ maxWaitMs: 60_000 });
    expect(result.outcome).toBe("cancelled");
    expect(result.vmLocation).toMatchObject({ hostId: here, side: "source", powerState: "running" });
    expect(await whereRunning(NAME)).toBe(here);
    expect((await virsh(other(), ["dominfo", "--domain", NAME])).code, "not defined on the target").not.toBe(0);
    await assertHealthy(NAME, here, offset, { rebootExpected: true, timeoutMs: 60_000 });
  });

  it("cold migration: stopped, moved and started on the target, where it boots and runs", async () => {
    const offset = logOffset(NAME);
    const result = await (await client.startMigration({ vmId, targetHostId: other(), mode: "cold" })).wait({ maxWaitMs: 60_000 });
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation).toMatchObject({ hostId: other(), side: "target", powerState: "running" });
    here = other();
    await assertHealthy(NAME, here, offset, { rebootExpected: true, timeoutMs: 60_000 });
  });
});
