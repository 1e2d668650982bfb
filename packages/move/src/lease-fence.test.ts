/**
 * The owner's side of a lapsing lease, over the in-memory journal (a test double for the target's
 * journal): an owner whose heartbeats cannot reach the journal — or hang there — fences itself
 * (stops as lost, `CONFLICT`, no cleanup) before its lease ends in the record, i.e. before another
 * process may attach without `force`; and a heartbeat that the journal applied but whose answer
 * never came back does not make the next phase write fail.
 */
import { describe, expect, it } from "vitest";
import { SHORT_LEASE, journaled, killAndWaitOut, until } from "../test/journaled-world.ts";
import type { MoveJournal, MoveRecord } from "./journal.ts";
import { MoveLease, leaseEnd, leaseSettings } from "./lease.ts";
import { createMover } from "./move.ts";
import type { DiskCopier } from "./spi.ts";

const MAPS = { networkMap: { prod: "prod-b" }, storageMap: { fast: "pool-b" } };
const never = () => new Promise<never>(() => {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ctx = () => ({ signal: new AbortController().signal });

/** A journal in memory; `mode` says what its compare-and-swap does with the next call. */
function memoryJournal() {
  let stored: MoveRecord | undefined;
  const state = { mode: "ok" as "ok" | "hang" | "apply-then-fail", replaces: 0 };
  const journal: MoveJournal = {
    async write(r) {
      stored = r;
    },
    async find() {
      return stored;
    },
    // Ignores the signal on purpose: the lease must not rely on the journal honouring it.
    async replace(expected, next) {
      state.replaces++;
      if (state.mode === "hang") return never();
      if (!stored || stored.updatedAt !== expected.updatedAt || stored.owner?.id !== expected.owner?.id) return { written: false, current: stored };
      stored = next;
      if (state.mode === "apply-then-fail") throw new Error("the request timed out (the server applied it)");
      return { written: true };
    },
  };
  return { journal, state, stored: () => stored };
}

const RECORD = (): MoveRecord => ({
  version: 1, moveId: "move-f", requestId: "f", phase: "requested", mode: "cold", source: { platform: "memory", vmId: "vm-1" },
  sourceWasRunning: true, sourceStopAsked: false, reservation: { vmId: "vm-1", volumes: [] }, startedAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
});

describe("self-fencing of an owner that cannot renew its lease", () => {
  it("hung heartbeats: the lease aborts as lost (CONFLICT, 'lease lapsed') before its lease in the record ends, and gives up the hung beat on its own timeout", async () => {
    const { journal, state, stored } = memoryJournal();
    const lease = new MoveLease(journal, leaseSettings({ heartbeatMs: 20, leaseMs: 200, claimSettleMs: 0 }));
    await lease.write(RECORD(), ctx());
    const end = leaseEnd(stored()!)!;
    state.mode = "hang";
    const abortedAt = await new Promise<number>((resolve) => lease.signal.addEventListener("abort", () => resolve(Date.now())));
    expect(lease.lost?.code).toBe("CONFLICT");
    expect(lease.lost?.message).toMatch(/move move-f: this process's lease lapsed — it could not renew it since .* This process stops now and leaves the target and the source as they are/);
    // Fenced one heartbeat before the lease ends (fence at 180 ms of a 200 ms lease), not after.
    expect(abortedAt).toBeLessThan(end);
    expect(abortedAt - Date.parse(lease.lastRenewedAt!)).toBeGreaterThanOrEqual(lease.fenceAfterMs - 5);
    expect(lease.fenceAfterMs).toBe(180);
    // The hung beat (the journal never settles it, whatever the signal) was given up after its own
    // timeout (160 ms: the fence time less a heartbeat), not left hanging.
    expect(lease.beatTimeoutMs).toBe(160);
    expect(state.replaces).toBeGreaterThanOrEqual(1);
    await until(() => lease.failedBeats >= 1);
    // A later phase write is refused with the same reason; nothing is written any more.
    await expect(lease.write({ ...RECORD(), phase: "transferring" }, ctx())).rejects.toBe(lease.lost);
    const replaces = state.replaces;
    await sleep(60);
    expect(state.replaces).toBe(replaces);
  });

  it("a phase write that hangs ends with the fence instead of hanging the move", async () => {
    const { journal, state } = memoryJournal();
    const lease = new MoveLease(journal, leaseSettings({ heartbeatMs: 20, leaseMs: 120, claimSettleMs: 0 }));
    await lease.write(RECORD(), ctx());
    state.mode = "hang";
    const error = await lease.write({ ...RECORD(), phase: "transferring" }, ctx()).then(() => undefined, (e: unknown) => e as { code: string; message: string });
    expect(error?.code).toBe("CONFLICT");
    expect(error?.message).toContain("lease lapsed");
  });

  it("a heartbeating owner that renews does not fence (well past leaseMs)", async () => {
    const { journal, stored } = memoryJournal();
    // Fence at 380 ms without a renewal: 300 ms of heartbeats every 20 ms renew it many times over.
    const lease = new MoveLease(journal, leaseSettings({ heartbeatMs: 20, leaseMs: 400, claimSettleMs: 0 }));
    await lease.write(RECORD(), ctx());
    await sleep(500);
    expect(lease.signal.aborted).toBe(false);
    expect(lease.beats).toBeGreaterThanOrEqual(2);
    await lease.write({ ...RECORD(), phase: "completed" }, ctx(), true);
    expect(stored()).toMatchObject({ phase: "completed", leaseMs: 0 });
  });

  it("a move whose journal stops answering stops itself (failed, CONFLICT, no cleanup) before another process may attach without force", async () => {
    const { world, source, firstTarget, target, records, kill, copier } = journaled();
    // The data path still works while the journal (the target's API) does not: the copy runs until aborted.
    const holding: DiskCopier = { copy: (_r, _v, o) => new Promise((_, reject) => o.signal.addEventListener("abort", () => reject(new Error("copy aborted")))) };
    const first = createMover({ copier: holding, lease: SHORT_LEASE }).moveVm({ from: source, to: firstTarget, vmId: "vm-1", ...MAPS, requestId: "fence" });
    await until(() => records.get("move-fence")?.phase === "transferring");
    await killAndWaitOut(kill, records, "move-fence");
    // By the time the lease in the record is over, the first process has already stopped.
    const a = await first.wait({ maxWaitMs: 1000 });
    expect(a.outcome).toBe("failed");
    expect(a.error?.code).toBe("CONFLICT");
    expect(a.error?.message).toContain("lease lapsed");
    expect(world.calls).not.toContain("target.remove vm-1");
    expect(world.calls.filter((c) => c === "source.start")).toEqual([]);
    // The attacher's own lease is long: a stall of the test machine must not fence it.
    const second = await (await createMover({ copier: copier(), lease: { heartbeatMs: 20, leaseMs: 10_000 } }).attach("move-fence", { from: source, to: target })).wait({ maxWaitMs: 5000 });
    expect(second).toMatchObject({ outcome: "completed", attach: { action: "resume" } });
  });
});

describe("a heartbeat the journal applied but never answered", () => {
  it("the next phase write takes the record naming this run as its own and writes over it (completed is recorded)", async () => {
    const { journal, state, stored } = memoryJournal();
    const lease = new MoveLease(journal, leaseSettings({ heartbeatMs: 20, leaseMs: 10_000, claimSettleMs: 0 }));
    await lease.write(RECORD(), ctx());
    state.mode = "apply-then-fail";
    await until(() => lease.failedBeats >= 1);
    state.mode = "ok";
    lease.stop(); // no more heartbeats: the phase write below meets the record the failed beat left
    expect(stored()!.heartbeatAt).not.toBe(lease.last!.heartbeatAt);
    await lease.write({ ...RECORD(), phase: "completed" }, ctx(), true);
    expect(stored()).toMatchObject({ phase: "completed", leaseMs: 0, owner: lease.owner });
  });

  it("a record another owner wrote is still a takeover (CONFLICT), not taken as ours", async () => {
    const { journal, stored } = memoryJournal();
    const lease = new MoveLease(journal, leaseSettings({ heartbeatMs: 20, leaseMs: 10_000, claimSettleMs: 0 }));
    await lease.write(RECORD(), ctx());
    lease.stop();
    await journal.write({ ...stored()!, owner: { id: "other", host: "h2", pid: 2 }, updatedAt: new Date(Date.now() + 1).toISOString() }, ctx());
    await expect(lease.write({ ...RECORD(), phase: "completed" }, ctx(), true)).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("was taken over by h2 pid 2") });
    expect(stored()!.owner!.id).toBe("other");
  });
});
