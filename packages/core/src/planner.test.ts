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

  it("rejects impossible inputs with INVALID_ARGUMENT", () => {
    for (const bad of [
      { memoryBytes: -1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: 0 },
      { memoryBytes: 1, bandwidthBytesPerSecond: 0, dirtyRateBytesPerSecond: 0 },
      { memoryBytes: 1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: Number.NaN },
      { memoryBytes: 1, bandwidthBytesPerSecond: 1, dirtyRateBytesPerSecond: 0, maxRounds: 0 },
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
