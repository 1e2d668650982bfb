/**
 * Attach after a restart and the cutover options over the in-memory endpoints (test doubles for
 * the platforms; the real kill-and-attach runs in the libvirt lab, adapters-conformance/test/
 * move-attach.test.ts): the record a move keeps in the target's journal, what a new mover does with
 * it (resume a cold move, roll back a warm one, report a finished one), a retried start with the
 * same request id, `cutoverAt` and `removeSource`. The first process "dies" (its journal calls
 * never return) and its short lease is waited out before a new mover attaches; attaching to a live
 * lease is lease.test.ts.
 */
import { describe, expect, it } from "vitest";
import { SHORT_LEASE, journaled, killAndWaitOut, until } from "../test/journaled-world.ts";
import { memoryWorld } from "../test/memory-platform.ts";
import type { VmDefinition } from "./definition.ts";
import type { MoveJournal, MoveRecord } from "./journal.ts";
import { attachDecision } from "./journal.ts";
import { createMover } from "./move.ts";
import type { DiskCopier, MoveSource, MoveTarget } from "./spi.ts";

const VM: VmDefinition = {
  id: "vm-1", name: "vm-1", cpus: 1, memoryBytes: 1024 ** 3, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [{ key: "vda", sizeBytes: 4096, format: "raw", bus: "virtio", storage: "fast", device: "disk" }],
  nics: [{ key: "net0", network: "prod", mac: "52:54:00:00:00:01" }],
};
const MAPS = { networkMap: { prod: "prod-b" }, storageMap: { fast: "pool-b" } };

/** A copier that never finishes (the process that runs it is as good as dead). */
const stuck: DiskCopier = { copy: () => new Promise(() => {}) };

describe("attach after a restart (journal on the target)", () => {
  it("records the move on the target after reserving; a new mover resumes a cold move stuck mid-transfer: copies again, cuts over, says why", async () => {
    const { world, source, target, firstTarget, kill, copier, records } = journaled();
    const first = createMover({ copier: stuck, lease: SHORT_LEASE }).moveVm({ from: source, to: firstTarget, vmId: "vm-1", ...MAPS, requestId: "r1" });
    await until(() => records.get("move-r1")?.phase === "transferring");
    expect(records.get("move-r1")).toMatchObject({ requestId: "r1", mode: "cold", sourceWasRunning: true, sourceStopAsked: true, source: { vmId: "vm-1", platform: "memory" }, reservation: { vmId: "vm-1" }, owner: { pid: process.pid }, leaseMs: 120 });
    const firstOwner = records.get("move-r1")!.owner!;
    expect(first.snapshot().phase).toBe("transferring");
    await killAndWaitOut(kill, records, "move-r1");
    const task = await createMover({ copier: copier() }).attach("move-r1", { from: source, to: target });
    const result = await task.wait({ maxWaitMs: 5000 });
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { side: "target", powerState: "running" }, attach: { recordedPhase: "transferring", action: "resume" } });
    expect(world.targetDisks.get("vda")!.equals(world.sourceDisks.get("vda")!)).toBe(true);
    expect(world.calls.filter((c) => c.startsWith("target.reserve"))).toHaveLength(1);
    // The new process recorded itself as the owner, and let go when the move completed.
    expect(records.get("move-r1")).toMatchObject({ phase: "completed", leaseMs: 0 });
    expect(records.get("move-r1")!.owner!.id).not.toBe(firstOwner.id);
  });

  it("a retried moveVm with the same request id in a new mover attaches to the recorded move (no second reserve)", async () => {
    const { world, source, target, firstTarget, kill, records, copier } = journaled();
    createMover({ copier: stuck, lease: SHORT_LEASE }).moveVm({ from: source, to: firstTarget, vmId: "vm-1", ...MAPS, requestId: "r2" });
    await until(() => world.calls.includes("source.open vda"));
    await killAndWaitOut(kill, records, "move-r2");
    const result = await createMover({ copier: copier() }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, requestId: "r2" }).wait({ maxWaitMs: 5000 });
    expect(result.outcome).toBe("completed");
    expect(result.attach?.action).toBe("resume");
    expect(world.calls.filter((c) => c.startsWith("target.reserve"))).toHaveLength(1);
  });

  it("attachOnly without a VM id (the CLI's --attach) takes the VM from the record and reports it", async () => {
    const { world, source, target, firstTarget, kill, copier, records } = journaled();
    createMover({ copier: stuck, lease: SHORT_LEASE }).moveVm({ from: source, to: firstTarget, vmId: "vm-1", ...MAPS, requestId: "r3" });
    await until(() => records.get("move-r3")?.phase === "transferring");
    await killAndWaitOut(kill, records, "move-r3");
    const result = await createMover({ copier: copier() }).moveVm({ from: source, to: target, vmId: "", requestId: "r3", attachOnly: true }).wait({ maxWaitMs: 5000 });
    expect(result, `${result.error?.message} ${JSON.stringify(world.calls)}`).toMatchObject({ outcome: "completed", vmId: "vm-1", attach: { action: "resume" } });
  });

  it("rolls back a warm move: the target's VM removed, the source started again; then the move is NOT_FOUND", async () => {
    const { world, source, target, records } = journaled();
    const reservation = await target.reserve({ ...VM, targetName: "vm-1", disks: VM.disks.map((d) => ({ ...d, targetStorage: "pool-b" })), nics: [] } as never, { signal: new AbortController().signal });
    world.sourcePower = "stopped";
    records.set("move-w", { version: 1, moveId: "move-w", requestId: "w", phase: "transferring", mode: "warm", source: { platform: "memory", vmId: "vm-1" }, sourceWasRunning: true, sourceStopAsked: true, reservation, startedAt: "2026-12-07T19:00:00Z", updatedAt: "2026-12-07T19:00:01Z" });
    const warmSource: MoveSource = { ...source, warm: { check: async () => [], beginPass: async () => { throw new Error("no pass on attach"); }, finish: async () => void world.calls.push("source.warm.finish") } };
    const result = await (await createMover().attach("move-w", { from: warmSource, to: target })).wait({ maxWaitMs: 5000 });
    expect(result).toMatchObject({ outcome: "failed", vmLocation: { side: "source", powerState: "running" }, attach: { action: "rollback" } });
    expect(result.error?.message).toContain("was interrupted in transferring and is rolled back");
    expect(world.calls).toEqual(expect.arrayContaining(["target.remove vm-1", "source.warm.finish", "source.start"]));
    await expect(createMover().attach("move-w", { from: warmSource, to: target })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("the CLI's --attach (moveVm attachOnly, mode unset, i.e. cold) on a warm record rolls back as warm: the source's change tracking is finished too", async () => {
    const { world, source, target, records } = journaled();
    const reservation = await target.reserve({ ...VM, targetName: "vm-1", disks: VM.disks.map((d) => ({ ...d, targetStorage: "pool-b" })), nics: [] } as never, { signal: new AbortController().signal });
    records.set("move-w2", { version: 1, moveId: "move-w2", requestId: "w2", phase: "transferring", mode: "warm", source: { platform: "memory", vmId: "vm-1" }, sourceWasRunning: true, sourceStopAsked: false, reservation, startedAt: "2026-12-07T19:00:00Z", updatedAt: "2026-12-07T19:00:01Z" });
    const warmSource: MoveSource = { ...source, warm: { check: async () => [], beginPass: async () => { throw new Error("no pass on attach"); }, finish: async () => void world.calls.push("source.warm.finish") } };
    const result = await createMover().moveVm({ from: warmSource, to: target, vmId: "", requestId: "w2", attachOnly: true }).wait({ maxWaitMs: 5000 });
    expect(result).toMatchObject({ outcome: "failed", moveMode: "warm", attach: { action: "rollback" } });
    expect(world.calls).toEqual(expect.arrayContaining(["target.remove vm-1", "source.warm.finish"]));
  });

  it("a new move with a generated request id searches no journal; a caller-given one does", async () => {
    const { source, target, copier } = journaled();
    let searched = 0;
    const journal = (target as MoveTarget & { journal: MoveJournal }).journal;
    const counting = { ...target, journal: { ...journal, find: (id: string, ctx: { signal: AbortSignal }) => (searched++, journal.find(id, ctx)) } } as MoveTarget;
    await createMover({ copier: copier() }).moveVm({ from: source, to: counting, vmId: "vm-1", ...MAPS }).wait({ maxWaitMs: 5000 });
    expect(searched).toBe(0);
    await createMover({ copier: copier() }).moveVm({ from: source, to: counting, vmId: "vm-1", ...MAPS, requestId: "given" }).wait({ maxWaitMs: 5000 });
    expect(searched).toBe(1);
  });

  it("attachOnly on a target without a record is NOT_FOUND and touches nothing; a target without a journal cannot be attached to", async () => {
    const { world, source, target } = journaled();
    const result = await createMover().moveVm({ from: source, to: target, vmId: "", requestId: "nothing", attachOnly: true }).wait({ maxWaitMs: 5000 });
    expect(result.error?.code).toBe("NOT_FOUND");
    expect(world.calls.filter((c) => !c.startsWith("source.read"))).toEqual([]);
    const plain = memoryWorld(VM);
    await expect(createMover().attach("move-x", { from: plain.source, to: plain.target })).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
  });

  it("decides: completed when the target runs, rollback for warm or uploading targets, resume for cold copies", () => {
    const base = { version: 1, moveId: "m", requestId: "r", phase: "transferring", mode: "cold", source: { platform: "p", vmId: "v" }, sourceWasRunning: true, sourceStopAsked: true, reservation: { vmId: "v", volumes: [] }, startedAt: "", updatedAt: "" } as const;
    expect(attachDecision(base, { targetRunning: true, targetUploads: false }).action).toBe("completed");
    expect(attachDecision({ ...base, mode: "warm" }, { targetRunning: false, targetUploads: false }).action).toBe("rollback");
    expect(attachDecision(base, { targetRunning: false, targetUploads: true }).action).toBe("rollback");
    expect(attachDecision(base, { targetRunning: false, targetUploads: false }).action).toBe("resume");
  });
});

describe("cutoverAt and removeSource", () => {
  it("refuses a cutover time in the past or no time at all, before anything is asked of a platform", () => {
    const { world, source, target } = memoryWorld(VM);
    expect(() => createMover().moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, cutoverAt: new Date(Date.now() - 60_000) })).toThrow(/cutoverAt .* is in the past/);
    expect(() => createMover().moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, cutoverAt: "tomorrow-ish" })).toThrow(/is not a time/);
    expect(world.calls).toEqual([]);
  });

  it("a cutover time weeks away is waited for (past setTimeout's 24.8-day limit), and a cancel while waiting leaves the source as it was", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    const task = createMover({ copier: copier() }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, cutoverAt: new Date(Date.now() + 30 * 86_400_000) });
    await until(() => world.calls.includes("target.reserve vm-1"));
    await new Promise((r) => setTimeout(r, 100));
    expect(task.snapshot().progress.message).toMatch(/waiting for the cutover time/);
    expect(world.calls).not.toContain("source.stop");
    const result = await task.cancel();
    expect(result).toMatchObject({ outcome: "cancelled", vmLocation: { side: "source", powerState: "running" } });
    expect(world.calls).not.toContain("source.stop");
    expect(world.calls).toContain("target.remove vm-1");
  });

  it("cold: reserves at once, stops the source only at the cutover time", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    let stoppedAt = 0;
    const timed: MoveSource = { ...source, stop: async (...a) => { stoppedAt = Date.now(); return source.stop(...a); } };
    const at = Date.now() + 400;
    const task = createMover({ copier: copier() }).moveVm({ from: timed, to: target, vmId: "vm-1", ...MAPS, cutoverAt: new Date(at) });
    await until(() => world.calls.includes("target.reserve vm-1"));
    expect(task.snapshot().progress.message).toMatch(/waiting for the cutover time/);
    expect(world.calls).not.toContain("source.stop");
    expect((await task.wait({ maxWaitMs: 5000 })).outcome).toBe("completed");
    expect(stoppedAt).toBeGreaterThanOrEqual(at);
  });

  it("warm: delta passes go on while the source runs until the cutover time, then the final pass after the stop", async () => {
    const { world, source, target } = memoryWorld(VM);
    const begun: { pass: number; final: boolean; at: number }[] = [];
    let stoppedAt = 0;
    const warmSource: MoveSource = {
      ...source,
      stop: async (...a) => ((stoppedAt = Date.now()), source.stop(...a)),
      warm: {
        check: async () => [],
        async beginPass(_d, disks, o) {
          begun.push({ pass: o.pass, final: o.final === true, at: Date.now() });
          return { pass: o.pass, checkpoint: `ck-${o.pass}`, disks: new Map(disks.map((d) => [d.key, { location: d.key, format: "raw" as const, changedExtents: async () => (o.since ? [] : undefined) }])), close: async () => {} };
        },
        finish: async () => {},
      },
    };
    const copier: DiskCopier = { copy: async () => {}, copyExtents: async () => 0 };
    const at = Date.now() + 600;
    const result = await createMover({ copier }).moveVm({ from: warmSource, to: target, vmId: "vm-1", ...MAPS, mode: "warm", warm: { maxDeltaPasses: 1, convergedBytes: 1 << 30, passIntervalMs: 100 }, cutoverAt: new Date(at) }).wait({ maxWaitMs: 5000 });
    expect(result.outcome, result.error?.message).toBe("completed");
    const running = begun.filter((b) => !b.final);
    expect(running.length).toBeGreaterThanOrEqual(4); // full + 1 delta by the warm options, then more until the time
    expect(running.at(-1)!.at).toBeLessThanOrEqual(stoppedAt); // the last running pass began before the stop (same ms possible)
    expect(stoppedAt).toBeGreaterThanOrEqual(at);
    expect(begun.at(-1)).toMatchObject({ final: true, pass: running.length + 1 });
    expect(result.passes?.map((p) => p.kind)).toEqual(["full", ...running.slice(1).map(() => "delta"), "final"]);
    expect(world.sourcePower).toBe("stopped");
  });

  it("cold: a cancel while waiting for the cutover time leaves the source running and the target cleaned", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    const task = createMover({ copier: copier() }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, cutoverAt: new Date(Date.now() + 60_000) });
    await until(() => /waiting for the cutover/.test(task.snapshot().progress.message ?? ""));
    const result = await task.cancel();
    expect(result.outcome).toBe("cancelled");
    expect(world.calls).not.toContain("source.stop");
    expect(world.calls).toContain("target.remove vm-1");
    expect(world.sourcePower).toBe("running");
  });

  it("removeSource: removes the source only after the target runs, and says what it removed; a source without removal is NOT_SUPPORTED up front", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    const removable = { ...source, removal: { removeVm: async (id: string) => (world.calls.push(`source.remove ${id}`), "definition removed; disks kept: vda") } };
    const result = await createMover({ copier: copier() }).moveVm({ from: removable, to: target, vmId: "vm-1", ...MAPS, removeSource: true }).wait({ maxWaitMs: 5000 });
    expect(result).toMatchObject({ outcome: "completed", sourceRemoved: true, sourceRemovedWhat: "definition removed; disks kept: vda" });
    expect(world.calls.indexOf("source.remove vm-1")).toBeGreaterThan(world.calls.indexOf("target.start vm-1"));
    expect(() => createMover().moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, removeSource: true })).toThrow(/cannot remove a VM/);
  });

  it("removeSource: the source is kept when the target start fails (rollback) — removal never runs", async () => {
    const { world, source, target, copier } = memoryWorld(VM);
    world.failTargetStart = true;
    const removable = { ...source, removal: { removeVm: async () => (world.calls.push("source.remove"), "") } };
    const result = await createMover({ copier: copier() }).moveVm({ from: removable, to: target, vmId: "vm-1", ...MAPS, removeSource: true }).wait({ maxWaitMs: 5000 });
    expect(result.outcome).toBe("failed");
    expect(world.calls).not.toContain("source.remove");
    expect(world.sourcePower).toBe("running");
  });
});
