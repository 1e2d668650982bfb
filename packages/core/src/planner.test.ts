import { describe, expect, it } from "vitest";
import { isVmshiftError } from "./errors.ts";
import { modelPrecopy, recommend } from "./planner.ts";

describe("modelPrecopy (hand-computed cases)", () => {
  it("converges after one round when the remainder fits the limit", () => {
    // 1 GB at 1 GB/s = 1000 ms; 100 MB/s dirties 100 MB = 100 ms ≤ 300 ms.
    const plan = modelPrecopy({ memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 1e8 });
    expect(plan.converges).toBe(true);
    expect(plan.rounds).toBe(1);
    expect(plan.bytesSent).toBe(1.1e9);
    expect(plan.totalTimeMs).toBeCloseTo(1100, 6);
    expect(plan.downtimeMs).toBeCloseTo(100, 6);
  });

  it("halves the remainder each round when the dirty rate is half the bandwidth", () => {
    // rounds: 1000, 500, 250, 125 ms; then 62.5 ms ≤ 100 ms stop-and-copy.
    const plan = modelPrecopy({ memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 5e8, maxDowntimeMs: 100 });
    expect(plan.converges).toBe(true);
    expect(plan.rounds).toBe(4);
    expect(plan.roundsDetail.map((r) => r.bytes)).toEqual([1e9, 5e8, 2.5e8, 1.25e8]);
    expect(plan.bytesSent).toBeCloseTo(1.9375e9, 0);
    expect(plan.totalTimeMs).toBeCloseTo(1937.5, 6);
    expect(plan.downtimeMs).toBeCloseTo(62.5, 6);
  });

  it("never converges when the dirty rate equals the bandwidth (the boundary)", () => {
    const plan = modelPrecopy({ memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 1e9, maxRounds: 10 });
    expect(plan.converges).toBe(false);
    expect(plan.rounds).toBe(10);
    expect(plan.roundsDetail.every((r) => r.bytes === 1e9)).toBe(true);
    expect(plan.downtimeMs).toBeCloseTo(1000, 6);
    expect(plan.reason).toMatch(/1\.00× the bandwidth/);
  });

  it("just below the boundary, shrinks too slowly to converge within the round limit", () => {
    // 0.99^n ≤ 0.3 needs n ≥ 120 rounds; the limit is 30.
    const plan = modelPrecopy({ memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 0.99e9 });
    expect(plan.converges).toBe(false);
    expect(plan.rounds).toBe(30);
    expect(plan.finalBytes).toBeCloseTo(1e9 * 0.99 ** 30, -2);
    expect(plan.reason).toMatch(/after 30 rounds/);
  });

  it("a small writable working set converges even when the dirty rate exceeds the bandwidth", () => {
    // 8 GB at 1 GB/s = 8 s; the guest can only dirty its 500 MB working set = 500 ms ≤ 600 ms.
    const plan = modelPrecopy({ memoryBytes: 8e9, workingSetBytes: 5e8, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 2e9, maxDowntimeMs: 600 });
    expect(plan.converges).toBe(true);
    expect(plan.rounds).toBe(1);
    expect(plan.downtimeMs).toBeCloseTo(500, 6);
  });

  it("idle guests pause for nothing", () => {
    const plan = modelPrecopy({ memoryBytes: 2e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 0 });
    expect(plan).toMatchObject({ converges: true, rounds: 1, downtimeMs: 0, bytesSent: 2e9, totalTimeMs: 2000 });
  });

  it("auto-converge throttles from round 2 (20%, +10% per round)", () => {
    const plan = modelPrecopy({ memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 0.95e9, maxDowntimeMs: 50, autoConverge: {} });
    expect(plan.converges).toBe(true);
    expect(plan.roundsDetail.map((r) => r.throttlePercent).slice(0, 4)).toEqual([0, 20, 30, 40]);
  });

  it("switchoverMs and finalBandwidthBytesPerSecond set the pause, not the decision", () => {
    // Round 1: 1 GB at 1 GB/s = 1000 ms; 100 MB dirtied; decision at the capped 1 GB/s: 100 ms ≤ 300.
    // Pause: 40 ms fixed + 100 MB at 4 GB/s = 25 ms → 65 ms; total 1000 + 65 = 1065 ms.
    const plan = modelPrecopy({ memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 1e8, switchoverMs: 40, finalBandwidthBytesPerSecond: 4e9 });
    expect(plan.converges).toBe(true);
    expect(plan.rounds).toBe(1);
    expect(plan.finalBytes).toBe(1e8);
    expect(plan.bytesSent).toBe(1.1e9);
    expect(plan.downtimeMs).toBeCloseTo(65, 6);
    expect(plan.totalTimeMs).toBeCloseTo(1065, 6);
  });

  it("the defaults of the new inputs keep the old model", () => {
    const base = { memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 5e8, maxDowntimeMs: 100 };
    expect(modelPrecopy({ ...base, switchoverMs: 0, finalBandwidthBytesPerSecond: 1e9, switchoverBandwidthBytesPerSecond: 1e9 })).toEqual(modelPrecopy(base));
  });

  it("the fixed switch-over cost is paid by an idle guest and does not count against the limit", () => {
    // Idle: nothing dirtied, so the pause is the fixed cost alone, even when it exceeds the limit.
    const idle = modelPrecopy({ memoryBytes: 2e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 0, switchoverMs: 50, maxDowntimeMs: 10 });
    expect(idle).toMatchObject({ converges: true, rounds: 1, downtimeMs: 50, totalTimeMs: 2050 });
    // Halving case (rounds 1000, 500, 250, 125 ms; 62.5 MB left): 62.5 ms ≤ 100 decides; the pause is 62.5 + 50 = 112.5 ms.
    const halving = modelPrecopy({ memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 5e8, maxDowntimeMs: 100, switchoverMs: 50 });
    expect(halving.converges).toBe(true);
    expect(halving.rounds).toBe(4);
    expect(halving.downtimeMs).toBeCloseTo(112.5, 6);
    expect(halving.totalTimeMs).toBeCloseTo(1875 + 112.5, 6);
  });

  it("a faster final copy never makes a non-converging plan converge (QEMU decides on its capped estimate)", () => {
    // Rounds 1000, 500, 250 ms; after round 3, 125 MB are dirty: 125 ms at the capped 1 GB/s > 100 ms, and maxRounds is 3.
    // The final copy at 10 GB/s would take 12.5 ms, well inside the limit, but QEMU does not use that rate to decide.
    const base = { memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 5e8, maxDowntimeMs: 100, maxRounds: 3 };
    const capped = modelPrecopy(base);
    const fastFinal = modelPrecopy({ ...base, finalBandwidthBytesPerSecond: 1e10, switchoverMs: 5 });
    expect(capped.converges).toBe(false);
    expect(fastFinal.converges).toBe(false);
    expect(fastFinal.rounds).toBe(3);
    expect(fastFinal.finalBytes).toBe(1.25e8);
    expect(fastFinal.reason).toMatch(/still needs 125 ms, above the 100 ms limit/);
    // The pause a forced switch-over would cost: 5 ms + 125 MB at 10 GB/s = 17.5 ms (capped: 125 ms).
    expect(capped.downtimeMs).toBeCloseTo(125, 6);
    expect(fastFinal.downtimeMs).toBeCloseTo(17.5, 6);
    expect(fastFinal.totalTimeMs).toBeCloseTo(capped.totalTimeMs, 6);
  });

  it("switchoverBandwidthBytesPerSecond (QEMU's avail-switchover-bandwidth) moves the boundary", () => {
    // Same plan: 125 MB left after round 3. At 1.25 GB/s assumed: exactly 100 ms ≤ 100 → converges (the boundary is inclusive).
    const base = { memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 5e8, maxDowntimeMs: 100, maxRounds: 3 };
    const at = modelPrecopy({ ...base, switchoverBandwidthBytesPerSecond: 1.25e9 });
    expect(at.converges).toBe(true);
    expect(at.rounds).toBe(3);
    // QEMU trusts the declared figure: the real pause runs at the final-copy bandwidth (here the cap): 125 ms.
    expect(at.downtimeMs).toBeCloseTo(125, 6);
    expect(at.totalTimeMs).toBeCloseTo(1750 + 125, 6);
    // Just below: 125 MB at 1.24 GB/s = 100.8 ms > 100 → does not converge.
    expect(modelPrecopy({ ...base, switchoverBandwidthBytesPerSecond: 1.24e9 }).converges).toBe(false);
    // With it, a fast final copy gives the short pause: 125 MB at 2.5 GB/s = 50 ms.
    expect(modelPrecopy({ ...base, switchoverBandwidthBytesPerSecond: 1.25e9, finalBandwidthBytesPerSecond: 2.5e9 }).downtimeMs).toBeCloseTo(50, 6);
  });

  it("rejects impossible inputs with INVALID_ARGUMENT", () => {
    for (const bad of [
      { memoryBytes: -1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: 0 },
      { memoryBytes: 1, bandwidthBytesPerSecond: 0, dirtyRateBytesPerSecond: 0 },
      { memoryBytes: 1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: Number.NaN },
      { memoryBytes: 1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: 0, maxRounds: 0 },
      { memoryBytes: 1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: 0, switchoverMs: -1 },
      { memoryBytes: 1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: 0, finalBandwidthBytesPerSecond: 0 },
      { memoryBytes: 1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: 0, switchoverBandwidthBytesPerSecond: Number.POSITIVE_INFINITY },
      { memoryBytes: 1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: 0, switchoverCheckIntervalMs: 0 },
      { memoryBytes: 1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: 0, newPageFinalBandwidthBytesPerSecond: -5 },
    ]) {
      let caught: unknown;
      try {
        modelPrecopy(bad);
      } catch (e) {
        caught = e;
      }
      expect(isVmshiftError(caught, "INVALID_ARGUMENT")).toBe(true);
    }
  });
});

describe("modelPrecopy with switchoverCheckIntervalMs (QEMU's loop, hand-computed)", () => {
  // 1 GB guest, 100 MB/s cap, 100 ms steps (10 MB each), 300 ms limit: threshold 30 MB.
  const qemu = { memoryBytes: 1e9, bandwidthBytesPerSecond: 1e8, switchoverCheckIntervalMs: 100 };

  it("syncs whenever the pending estimate drops below the threshold and switches over when the sync still fits", () => {
    const plan = modelPrecopy({ ...qemu, workingSetBytes: 1e8, dirtyRateBytesPerSecond: 1e7, switchoverMs: 10, finalBandwidthBytesPerSecond: 1e9 });
    // Each crossing lands half a step (5 MB) below the threshold, at 25 MB pending.
    // Sync 1 after 975 MB (9.75 s; 25 MB of round 1 unsent): 97.5 MB dirtied, less the working set's share
    // of the unsent 25 MB (2.5 MB of its 100 MB): + 95.0625 MB → 120.0625 MB > 30 MB.
    // Sync 2 after 95.0625 MB (the 25 MB unsent go first; 950.625 ms): 25 MB pending + 9.50625 MB × (1 − 25/100)
    // = 32.1296875 MB > 30 MB. Sync 3 after 7.1296875 MB (71.296875 ms): 25 MB + 0.71296875 MB × 0.75
    // = 25.5347265625 MB ≤ 30 MB → pause.
    expect(plan.converges).toBe(true);
    expect(plan.rounds).toBe(3);
    expect(plan.roundsDetail.map((r) => r.bytes)).toEqual([9.75e8, 9.50625e7, 7.1296875e6]);
    expect(plan.finalBytes).toBeCloseTo(25_534_726.5625, 3);
    expect(plan.finalNewBytes).toBe(0);
    // Pause: 10 ms + 25.5347265625 MB at 1 GB/s; total: 10,771.921875 ms of steps + the pause.
    expect(plan.downtimeMs).toBeCloseTo(35.5347265625, 6);
    expect(plan.totalTimeMs).toBeCloseTo(10_807.4566015625, 6);
    expect(plan.bytesSent).toBeCloseTo(1_102_726_914.0625, 3);
    const [low, high] = plan.downtimeRangeMs!;
    expect(low).toBeLessThanOrEqual(plan.downtimeMs);
    expect(high).toBeGreaterThanOrEqual(plan.downtimeMs);
    expect(high - low).toBeGreaterThan(1);
    // The round model finishes round 2 (100 MB) and leaves only 10 MB: QEMU switches over earlier, with more left.
    const rounds = modelPrecopy({ memoryBytes: 1e9, bandwidthBytesPerSecond: 1e8, workingSetBytes: 1e8, dirtyRateBytesPerSecond: 1e7, switchoverMs: 10, finalBandwidthBytesPerSecond: 1e9 });
    expect(rounds.finalBytes).toBe(1e7);
  });

  it("an idle guest switches over in round 1 with the round's tail unsent: new pages at their own rate", () => {
    const plan = modelPrecopy({ ...qemu, dirtyRateBytesPerSecond: 0, switchoverMs: 10, finalBandwidthBytesPerSecond: 1e9, newPageFinalBandwidthBytesPerSecond: 2e8 });
    // 975 MB sent → 25 MB unsent < 30 MB: pause 10 ms + 25 MB at 200 MB/s = 135 ms.
    expect(plan).toMatchObject({ converges: true, rounds: 1, finalBytes: 2.5e7, finalNewBytes: 2.5e7 });
    expect(plan.downtimeMs).toBeCloseTo(135, 6);
    expect(plan.totalTimeMs).toBeCloseTo(9750 + 135, 6);
    // Crossing just below the threshold leaves 30 MB (160 ms), a whole step below 20 MB (110 ms).
    expect(plan.downtimeRangeMs![0]).toBeCloseTo(110, 6);
    expect(plan.downtimeRangeMs![1]).toBeCloseTo(160, 6);
    expect(modelPrecopy({ memoryBytes: 1e9, bandwidthBytesPerSecond: 1e8, dirtyRateBytesPerSecond: 0 }).downtimeRangeMs).toBeUndefined();
  });

  it("a guest smaller than the threshold pauses at once; a limit shorter than a step empties round 1 first", () => {
    const tiny = modelPrecopy({ ...qemu, memoryBytes: 1e7, dirtyRateBytesPerSecond: 1e7 });
    expect(tiny).toMatchObject({ converges: true, rounds: 1, finalBytes: 1e7, finalNewBytes: 1e7, totalTimeMs: 100 });
    expect(tiny.roundsDetail[0]!.bytes).toBe(0);
    // Threshold 5 MB, half a step 5 MB: the crossing would land at 0 bytes pending, so round 1 goes out whole.
    const short = modelPrecopy({ ...qemu, dirtyRateBytesPerSecond: 0, maxDowntimeMs: 50 });
    expect(short).toMatchObject({ converges: true, rounds: 1, finalBytes: 0, bytesSent: 1e9, totalTimeMs: 10_000 });
  });

  it("never converges when the guest dirties its whole memory as fast as the cap sends it", () => {
    const plan = modelPrecopy({ ...qemu, dirtyRateBytesPerSecond: 1e8, maxRounds: 12 });
    expect(plan.converges).toBe(false);
    expect(plan.rounds).toBe(12);
    expect(plan.finalBytes).toBeGreaterThan(3e7);
    expect(plan.downtimeRangeMs).toBeUndefined();
    expect(plan.reason).toMatch(/1\.00× the bandwidth/);
  });
});

describe("recommend", () => {
  const converging = { memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 1e8 };
  const boundary = { memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 1e9 };
  const slow = { memoryBytes: 1e9, bandwidthBytesPerSecond: 1e9, dirtyRateBytesPerSecond: 0.99e9 };

  it("live when pre-copy converges", () => {
    expect(recommend(converging, { autoConverge: false, postCopy: false }).strategy).toBe("live");
  });
  it("cold when pages dirty at least as fast as they transfer (the seed's rule)", () => {
    expect(recommend(boundary, { autoConverge: true, postCopy: false }).strategy).toBe("cold");
  });
  it("post-copy for the same VM where the adapter offers it", () => {
    expect(recommend(boundary, { autoConverge: false, postCopy: true }).strategy).toBe("live-post-copy");
  });
  it("auto-converge when dirty < bandwidth but the rounds do not shrink fast enough", () => {
    const advice = recommend(slow, { autoConverge: true, postCopy: true });
    expect(advice.strategy).toBe("live-auto-converge");
    expect(advice.autoConvergePlan?.converges).toBe(true);
  });
  it("cold when nothing helps", () => {
    expect(recommend(slow, { autoConverge: false, postCopy: false }).strategy).toBe("cold");
  });
  it("cold when live migration is unavailable", () => {
    expect(recommend(converging, { autoConverge: true, postCopy: true, live: false }).strategy).toBe("cold");
  });
});
