import { isVmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { memoryWorld } from "../test/memory-platform.ts";
import type { VmDefinition } from "./definition.ts";
import { createMover } from "./move.ts";

const VM: VmDefinition = {
  id: "vm-1", name: "vm-1", cpus: 1, memoryBytes: 1024 ** 3, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [
    { key: "vda", sizeBytes: 4096, format: "qcow2", bus: "virtio", storage: "fast", device: "disk" },
    { key: "vdb", sizeBytes: 8192, format: "raw", bus: "virtio", storage: "slow", device: "disk" },
  ],
  nics: [{ key: "net0", network: "prod", mac: "52:54:00:00:00:01" }],
};
const MAPS = { networkMap: { prod: "prod-b" }, storageMap: { fast: { storage: "pool-b", format: "raw" as const }, slow: "pool-b" } };

describe("moveVm (cold) over in-memory endpoints", () => {
  it("goes preparing → requested → transferring → finalizing → completed; stops the source before reading; copies every byte; keeps the source", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    const task = createMover({ copier: copier() }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS });
    const phases: string[] = [];
    let maxTransferred = 0;
    for await (const s of task.events()) {
      if (phases.at(-1) !== s.phase) phases.push(s.phase);
      maxTransferred = Math.max(maxTransferred, s.progress.transferredBytes ?? 0);
    }
    const result = await task.wait();
    expect(phases).toEqual(["preparing", "requested", "transferring", "finalizing", "completed"]);
    expect(result).toMatchObject({ outcome: "completed", mode: "cold", vmLocation: { side: "target", powerState: "running", hostId: "dst-host" }, targetVmId: "vm-1", copiedBytes: { vda: 4096, vdb: 8192 }, sourceHostId: "src-host", targetHostId: "dst-host" });
    expect(maxTransferred).toBe(12288);
    expect(result.copyDurationMs).toBeGreaterThanOrEqual(0);
    expect(world.targetDisks.get("vda")!.equals(world.sourceDisks.get("vda")!)).toBe(true);
    expect(world.targetDisks.get("vdb")!.equals(world.sourceDisks.get("vdb")!)).toBe(true);
    expect(world.calls.indexOf("source.stop")).toBeLessThan(world.calls.indexOf("source.open vda"));
    expect(world.calls.indexOf("target.reserve vm-1")).toBeLessThan(world.calls.indexOf("source.stop"));
    expect(world.calls).not.toContain("target.remove vm-1");
    expect(world.sourcePower).toBe("stopped");
  });

  it("an unmapped network or storage fails in preparation, naming it; nothing is reserved and the source is not stopped", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    const result = await createMover({ copier: copier() }).moveVm({ from: source, to: target, vmId: "vm-1", networkMap: {}, storageMap: { fast: "pool-b" } }).wait();
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("INCOMPATIBLE");
    expect(result.error?.message).toContain("network prod (used by NIC 52:54:00:00:00:01) is not in the network map");
    expect(result.error?.message).toContain("storage slow (disk vdb) is not in the storage map");
    expect(result.vmLocation).toEqual({ side: "source", powerState: "running", hostId: "src-host" });
    expect(world.calls).toEqual(["source.read vm-1", "target.check"]);
  });

  it("a target check error (e.g. the name is taken) stops it before anything is written", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    world.targetChecks = [{ id: "target.nameTaken", category: "policy", severity: "error", subject: "vm-1", message: "a domain named vm-1 already exists on the target" }];
    const mover = createMover({ copier: copier() });
    const report = await mover.preflight({ from: source, to: target, vmId: "vm-1", ...MAPS });
    expect(report.ok).toBe(false);
    const result = await mover.moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS }).wait();
    expect(result.error?.message).toContain("already exists");
    expect(world.calls.filter((c) => !c.startsWith("source.read") && c !== "target.check")).toEqual([]);
  });

  it("rolls back when the target cannot start: target removed, source started again, failed with the VM on its source", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    world.failTargetStart = true;
    const result = await createMover({ copier: copier() }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS }).wait();
    expect(result).toMatchObject({ outcome: "failed", error: { code: "MIGRATION_FAILED" }, vmLocation: { side: "source", powerState: "running" } });
    expect(world.calls.slice(-2)).toEqual(["target.remove vm-1", "source.start"]);
    expect(world.targetDefined).toBe(false);
    expect(result.downtimeMs).toBeGreaterThanOrEqual(0);
  });

  it("reports MIGRATION_PARTIAL when even the source cannot start again", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    world.failTargetStart = true;
    world.failSourceStart = true;
    const result = await createMover({ copier: copier() }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS }).wait();
    expect(result).toMatchObject({ outcome: "failed", error: { code: "MIGRATION_PARTIAL" }, vmLocation: { side: "source", powerState: "stopped" } });
    expect(result.error?.message).toContain("restarting the source failed: source host is gone");
  });

  it("cancel during the transfer removes the target and starts the source again", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    const task = createMover({ copier: copier(40) }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS });
    for await (const s of task.events()) if (s.phase === "transferring" && (s.progress.transferredBytes ?? 0) > 0) break;
    const result = await task.cancel();
    expect(result).toMatchObject({ outcome: "cancelled", error: { code: "ABORTED" }, vmLocation: { side: "source", powerState: "running" } });
    expect(world.targetDefined).toBe(false);
    expect(world.calls).not.toContain("target.start vm-1");
    expect(world.calls.at(-1)).toBe("source.start");
  });

  it("a retried moveVm with the same requestId returns the same task; another id is another move", async () => {
    const { source, target, copier } = memoryWorld(VM);
    const mover = createMover({ copier: copier() });
    const a = mover.moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, requestId: "r-1" });
    expect(mover.moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, requestId: "r-1" })).toBe(a);
    expect(a.id).toBe("move-r-1");
    expect(mover.find("r-1")).toBe(a);
    expect(mover.find(a.id)).toBe(a);
    await a.wait();
    const b = mover.moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, requestId: "r-2" });
    expect(b).not.toBe(a);
    await b.wait();
  });

  it("an expired wait is TIMEOUT and leaves the move running", async () => {
    const { source, target, copier } = memoryWorld(VM);
    const task = createMover({ copier: copier(30) }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS });
    const error = await task.wait({ maxWaitMs: 20 }).catch((e: unknown) => e);
    expect(isVmshiftError(error) && error.code).toBe("TIMEOUT");
    expect((await task.wait()).outcome).toBe("completed");
  });

  it("a warm move from a source without change tracking fails its preflight (source.changeTracking); nothing reserved, the source not stopped", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    const result = await createMover({ copier: copier() }).moveVm({ from: source, to: target, vmId: "vm-1", mode: "warm", ...MAPS }).wait();
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("INCOMPATIBLE");
    expect(result.error?.message).toContain("the memory source has no change tracking");
    expect(result.error?.message).toContain("cannot copy changed extents");
    expect(world.calls).toEqual(["source.read vm-1", "target.check"]);
    expect(world.sourcePower).toBe("running");
  });
  it("an unknown mode is INVALID_ARGUMENT at once", () => {
    const { source, target } = memoryWorld(VM);
    expect(() => createMover().moveVm({ from: source, to: target, vmId: "vm-1", mode: "hot" as "warm" })).toThrow(/INVALID_ARGUMENT: mode must be cold or warm/);
  });
  it("a cancel that interrupts the source's stop still starts the source again", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    let stopping: (() => void) | undefined;
    const slowStop = source.stop;
    const interrupted = { ...source, async stop(vmId: string, o: { shutdownTimeoutMs: number }, ctx: { signal: AbortSignal }) {
      world.sourcePower = "stopped"; // the guest went down, then the call is interrupted before it returns
      await new Promise<void>((resolve) => { stopping = resolve; ctx.signal.addEventListener("abort", () => resolve(), { once: true }); });
      if (ctx.signal.aborted) throw new Error("virsh killed");
      return slowStop(vmId, o, ctx);
    } };
    const task = createMover({ copier: copier() }).moveVm({ from: interrupted, to: target, vmId: "vm-1", ...MAPS });
    while (!stopping) await new Promise((r) => setTimeout(r, 5));
    const result = await task.cancel();
    expect(result).toMatchObject({ outcome: "cancelled", vmLocation: { side: "source", powerState: "running" } });
    expect(world.calls.at(-1)).toBe("source.start");
    expect(world.targetDefined).toBe(false);
  });
});
