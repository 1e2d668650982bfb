/**
 * Owner and heartbeat over the in-memory endpoints (test doubles for the platforms; the journals of
 * the real targets: libvirt/journal.test.ts, kubevirt-env/move-journal.env.test.ts): a live lease
 * refuses an attach or a retried start from another mover and changes nothing, an expired one is
 * taken over and recorded, `force` takes over a live one (and the first owner stops without
 * touching the target), two attachers at once — at most one wins, with and without a
 * compare-and-swap in the journal — and the heartbeat's cadence and end.
 */
import { describe, expect, it } from "vitest";
import { SHORT_LEASE, journaled, until } from "../test/journaled-world.ts";
import type { MoveJournal, MoveRecord } from "./journal.ts";
import { isLeaseLive, leaseEnd, leaseSettings } from "./lease.ts";
import { createMover } from "./move.ts";
import type { DiskCopier, MoveTarget } from "./spi.ts";

const MAPS = { networkMap: { prod: "prod-b" }, storageMap: { fast: "pool-b" } };
/** A lease that stays live for the whole test while its owner heartbeats. */
const LIVE = { heartbeatMs: 20, leaseMs: 10_000, claimSettleMs: 0 };
/** A copier that copies nothing until cancelled (the move stays in transfer while its owner lives). */
const holding: DiskCopier = { copy: (_r, _v, o) => new Promise((_, reject) => o.signal.addEventListener("abort", () => reject(new Error("copy aborted")))) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the owner's lease on its move's record", () => {
  it("the record names its owner (host, pid, random id) and a heartbeat refreshed at the cadence; the lease ends heartbeat + leaseMs", async () => {
    const { source, target, records } = journaled();
    createMover({ copier: holding, lease: LIVE }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, requestId: "beat" });
    await until(() => records.get("move-beat")?.phase === "transferring");
    const first = records.get("move-beat")!;
    expect(first.owner).toMatchObject({ host: expect.any(String), pid: process.pid, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(leaseEnd(first)).toBe(Date.parse(first.heartbeatAt!) + 10_000);
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++, await sleep(10)) seen.add(records.get("move-beat")!.heartbeatAt!);
    // 300 ms at a 20 ms cadence: about 15 refreshes; at least 4 even on a loaded machine.
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect(records.get("move-beat")!.owner).toEqual(first.owner);
  });

  it("attach from another mover while the lease is live: CONFLICT naming the owner and when its lease ends; nothing changed, the owner goes on", async () => {
    const { world, source, target, records } = journaled();
    const first = createMover({ copier: holding, lease: LIVE }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, requestId: "live" });
    await until(() => records.get("move-live")?.phase === "transferring");
    const owner = records.get("move-live")!.owner!;
    const callsBefore = [...world.calls];
    const refusal = await createMover().attach("move-live", { from: source, to: target }).then(() => undefined, (e: unknown) => e as { code: string; message: string; details: { leaseEndsAt: string } });
    expect(refusal?.code).toBe("CONFLICT");
    expect(refusal!.message).toContain(`is still run by ${owner.host} pid ${owner.pid} (owner ${owner.id})`);
    expect(refusal!.message).toMatch(/lease ends at \d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+ s\)\. Nothing was changed/);
    expect(Date.parse(refusal!.details.leaseEndsAt)).toBeGreaterThan(Date.now());
    // A retried start with the same request id in another mover, and the CLI's attachOnly: refused the same way.
    const retried = await createMover().moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, requestId: "live" }).wait({ maxWaitMs: 5000 });
    expect(retried.error).toMatchObject({ code: "CONFLICT" });
    const attachOnly = await createMover().moveVm({ from: source, to: target, vmId: "", requestId: "live", attachOnly: true }).wait({ maxWaitMs: 5000 });
    expect(attachOnly.error?.message).toContain(`(owner ${owner.id})`);
    expect(world.calls.filter((c) => !c.startsWith("source.read")).slice(callsBefore.length)).toEqual([]);
    expect(world.calls).not.toContain("target.remove vm-1");
    expect(records.get("move-live")!.owner).toEqual(owner);
    expect(first.snapshot().phase).toBe("transferring");
    const beat = records.get("move-live")!.heartbeatAt;
    await until(() => records.get("move-live")!.heartbeatAt !== beat);
    expect((await first.cancel()).outcome).toBe("cancelled");
  });

  it("force takes over a live lease: the new owner resumes the move, the first one stops without removing or restarting anything", async () => {
    const { world, source, target, records, copier } = journaled();
    const first = createMover({ copier: holding, lease: LIVE }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, requestId: "force" });
    await until(() => records.get("move-force")?.phase === "transferring");
    const firstOwner = records.get("move-force")!.owner!;
    const second = await createMover({ copier: copier(), lease: LIVE }).attach("move-force", { from: source, to: target, force: true });
    const [a, b] = await Promise.all([first.wait({ maxWaitMs: 5000 }), second.wait({ maxWaitMs: 5000 })]);
    expect(b).toMatchObject({ outcome: "completed", attach: { action: "resume" } });
    expect(a.outcome).toBe("failed");
    expect(a.error?.code).toBe("CONFLICT");
    expect(a.error?.message).toMatch(/was taken over by .* this process stops and leaves the target and the source to it/);
    expect(world.calls).not.toContain("target.remove vm-1");
    expect(world.calls.filter((c) => c === "source.start")).toEqual([]);
    expect(world.targetDisks.get("vda")!.equals(world.sourceDisks.get("vda")!)).toBe(true);
    expect(records.get("move-force")!.owner!.id).not.toBe(firstOwner.id);
    expect(records.get("move-force")).toMatchObject({ phase: "completed", leaseMs: 0 });
  });

  it("an owner that finds another's record at its next phase write stops before the cutover: no target start, no cleanup", async () => {
    const { world, source, target, records } = journaled();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const gated: DiskCopier = { copy: () => gate };
    // A heartbeat too slow to notice the takeover first: the phase write before the cutover must.
    const first = createMover({ copier: gated, lease: { heartbeatMs: 5000, leaseMs: 20_000, claimSettleMs: 0 } }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, requestId: "late" });
    await until(() => records.get("move-late")?.phase === "transferring");
    const second = await createMover({ copier: holding, lease: LIVE }).attach("move-late", { from: source, to: target, force: true });
    await until(() => world.calls.filter((c) => c === "source.open vda").length === 2);
    open();
    const a = await first.wait({ maxWaitMs: 5000 });
    expect(a.error?.code).toBe("CONFLICT");
    expect(a.error?.message).toContain("was taken over by");
    expect(world.calls).not.toContain("target.start vm-1");
    expect(world.calls).not.toContain("target.remove vm-1");
    expect(second.snapshot().phase).toBe("transferring");
    expect((await second.cancel()).outcome).toBe("cancelled");
  });

  for (const cas of [true, false]) {
    it(`two movers attaching at once to an expired lease: exactly one wins, the other is CONFLICT and changes nothing (${cas ? "compare-and-swap journal" : "journal without replace: write, settle, read back"})`, async () => {
      const { world, source, target, firstTarget, kill, records, copier } = journaled();
      createMover({ copier: holding, lease: SHORT_LEASE }).moveVm({ from: source, to: firstTarget, vmId: "vm-1", ...MAPS, requestId: "race" });
      await until(() => records.get("move-race")?.phase === "transferring");
      kill();
      await until(() => !isLeaseLive(records.get("move-race")!));
      const journal = (target as MoveTarget & { journal: MoveJournal }).journal;
      const to = cas ? target : ({ ...target, journal: { write: journal.write, find: journal.find } } as MoveTarget);
      // A long lease for the attachers: a stall of the test machine must not fence the winner (lease-fence.test.ts).
      const timing = { ...LIVE, claimSettleMs: 30 };
      const tasks = await Promise.all([createMover({ copier: copier(), lease: timing }).attach("move-race", { from: source, to }), createMover({ copier: copier(), lease: timing }).attach("move-race", { from: source, to })]);
      const results = await Promise.all(tasks.map((t) => t.wait({ maxWaitMs: 5000 })));
      const won = results.filter((r) => r.outcome === "completed");
      const lost = results.filter((r) => r.outcome !== "completed");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.error?.code).toBe("CONFLICT");
      expect(lost[0]!.error?.message).toMatch(/was not taken over: another process took it over first/);
      expect(world.calls).not.toContain("target.remove vm-1");
      expect(world.calls.filter((c) => c === "target.start vm-1")).toHaveLength(1);
      expect(world.targetDisks.get("vda")!.equals(world.sourceDisks.get("vda")!)).toBe(true);
    });
  }

  it("the heartbeat stops when the move ends: a completed move lets go (leaseMs 0) and is written no more; a rolled-back one is gone", async () => {
    const { source, target, records, copier } = journaled();
    let writes = 0;
    const journal = (target as MoveTarget & { journal: MoveJournal }).journal;
    const counting = { ...target, journal: { ...journal, write: (r: MoveRecord, c: { signal: AbortSignal }) => (writes++, journal.write(r, c)), replace: (...a: Parameters<NonNullable<MoveJournal["replace"]>>) => (writes++, journal.replace!(...a)) } } as MoveTarget;
    const result = await createMover({ copier: copier(2), lease: LIVE }).moveVm({ from: source, to: counting, vmId: "vm-1", ...MAPS, requestId: "end" }).wait({ maxWaitMs: 5000 });
    expect(result.outcome).toBe("completed");
    const done = records.get("move-end")!;
    expect(done).toMatchObject({ phase: "completed", leaseMs: 0 });
    expect(isLeaseLive(done)).toBe(false);
    const after = writes;
    await sleep(120);
    expect(writes).toBe(after);
    expect(records.get("move-end")).toEqual(done);
    // A finished move is reported to a retry in another mover at once (its lease was let go).
    const again = await createMover().moveVm({ from: source, to: counting, vmId: "vm-1", ...MAPS, requestId: "end" }).wait({ maxWaitMs: 5000 });
    expect(again).toMatchObject({ outcome: "completed", attach: { action: "completed" } });
  });

  it("a record written before moves had owners has no live lease: attach proceeds and records itself as owner", async () => {
    const { source, target, records, copier } = journaled();
    const reservation = await target.reserve({ id: "vm-1", name: "vm-1", cpus: 1, memoryBytes: 1, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "stopped", targetName: "vm-1", disks: [{ key: "vda", sizeBytes: 4096, format: "raw", bus: "virtio", storage: "fast", device: "disk", targetStorage: "pool-b" }], nics: [] } as never, { signal: new AbortController().signal });
    records.set("move-old", { version: 1, moveId: "move-old", requestId: "old", phase: "transferring", mode: "cold", source: { platform: "memory", vmId: "vm-1" }, sourceWasRunning: true, sourceStopAsked: true, reservation, startedAt: "2026-12-07T19:00:00Z", updatedAt: "2026-12-07T19:00:01Z" });
    const result = await (await createMover({ copier: copier(), lease: LIVE }).attach("move-old", { from: source, to: target })).wait({ maxWaitMs: 5000 });
    expect(result.outcome, result.error?.message).toBe("completed");
    expect(records.get("move-old")).toMatchObject({ owner: { pid: process.pid }, phase: "completed" });
  });

  it("lease timing that cannot work is INVALID_ARGUMENT when the mover is made", () => {
    expect(() => createMover({ lease: { heartbeatMs: 1000, leaseMs: 1500 } })).toThrow(/leaseMs \(1500\) must be at least twice heartbeatMs \(1000\)/);
    expect(() => createMover({ lease: { heartbeatMs: 0 } })).toThrow(/heartbeatMs must be/);
    expect(leaseSettings()).toEqual({ heartbeatMs: 5000, leaseMs: 20_000, claimSettleMs: 1000 });
    expect(leaseSettings({ heartbeatMs: 10_000 }).leaseMs).toBe(40_000);
  });
});
