/**
 * The warm-move planner: properties against independent oracles (the closed-form geometric series
 * for passes without fixed costs, the budget rule), the pass loop of warm.ts mirrored, refusals.
 * Measured against real warm moves in bench/move-warm.ts.
 */
import { VmshiftError } from "@vmshift/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type MovePlanInput, adviseMove, planColdMove, planWarmMove, ratesFromPasses } from "./planner.ts";

const MIB = 1024 * 1024;
const input = fc.record({
  diskBytes: fc.integer({ min: 1, max: 64 * 1024 }).map((m) => m * MIB),
  changeRateBytesPerSecond: fc.integer({ min: 0, max: 400 }).map((m) => m * MIB),
  bandwidthBytesPerSecond: fc.integer({ min: 1, max: 1000 }).map((m) => m * MIB),
  maxDeltaPasses: fc.integer({ min: 0, max: 12 }),
  convergedBytes: fc.integer({ min: 0, max: 256 }).map((m) => m * MIB),
  passIntervalMs: fc.integer({ min: 0, max: 5000 }),
  passOverheadMs: fc.integer({ min: 0, max: 5000 }),
  stopMs: fc.integer({ min: 0, max: 60_000 }),
  finalPassOverheadMs: fc.integer({ min: 0, max: 5000 }),
  startMs: fc.integer({ min: 0, max: 60_000 }),
}) satisfies fc.Arbitrary<MovePlanInput>;

describe("planWarmMove", () => {
  it("mirrors the pass loop: a full pass, deltas until one is ≤ convergedBytes or maxDeltaPasses ran, then the final pass; sums add up", () => {
    fc.assert(
      fc.property(input, (i) => {
        const plan = planWarmMove(i);
        const kinds = plan.passes.map((p) => p.kind);
        expect(kinds[0]).toBe("full");
        expect(kinds.at(-1)).toBe("final");
        expect(kinds.slice(1, -1).every((k) => k === "delta")).toBe(true);
        expect(plan.deltaPasses).toBe(plan.passes.length - 2);
        expect(plan.deltaPasses).toBeLessThanOrEqual(i.maxDeltaPasses);
        expect(plan.passes.map((p) => p.pass)).toEqual(plan.passes.map((_, k) => k + 1));
        const deltas = plan.passes.slice(1, -1);
        // Every delta before the last is above the threshold; the last is at or below it exactly when converged.
        for (const d of deltas.slice(0, -1)) expect(d.bytes).toBeGreaterThan(i.convergedBytes);
        if (plan.converged) expect(deltas.at(-1)!.bytes).toBeLessThanOrEqual(i.convergedBytes);
        else expect(plan.deltaPasses).toBe(i.maxDeltaPasses);
        // Each delta is what was written since the previous pass began; the final one since the last began, stop included.
        for (let k = 1; k < plan.passes.length; k++) {
          const window = plan.passes[k - 1]!.durationMs + (k === plan.passes.length - 1 ? i.stopMs : i.passIntervalMs);
          expect(plan.passes[k]!.bytes).toBeCloseTo(Math.min(i.diskBytes, (i.changeRateBytesPerSecond * window) / 1000), 0);
        }
        expect(plan.bytesCopied).toBeCloseTo(plan.passes.reduce((n, p) => n + p.bytes, 0), 0);
        expect(plan.downtimeMs).toBeCloseTo(i.stopMs + i.finalPassOverheadMs + (plan.finalBytes / i.bandwidthBytesPerSecond) * 1000 + i.startMs, 3);
        expect(plan.totalMs).toBeGreaterThanOrEqual(plan.copyMs + plan.downtimeMs - plan.passes.at(-1)!.durationMs - 1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it("without fixed costs the deltas are the geometric series D·rⁿ (r = change rate ÷ bandwidth) and the pass count its closed form", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 64, max: 64 * 1024 }),
        fc.double({ min: 0.01, max: 0.95, noNaN: true }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 20 }),
        (diskMiB, r, convergedMiB, maxDeltaPasses) => {
          const bandwidth = 100 * MIB;
          const plan = planWarmMove({ diskBytes: diskMiB * MIB, changeRateBytesPerSecond: r * bandwidth, bandwidthBytesPerSecond: bandwidth, convergedBytes: convergedMiB * MIB, maxDeltaPasses });
          plan.passes.forEach((p, k) => expect(p.bytes / (diskMiB * MIB)).toBeCloseTo(r ** k, 6));
          // Smallest n ≥ 1 with D·rⁿ ≤ C.
          const needed = Math.max(1, Math.ceil(Math.log((convergedMiB * MIB) / (diskMiB * MIB)) / Math.log(r) - 1e-9));
          expect(plan.deltaPasses).toBe(Math.min(needed, maxDeltaPasses));
          expect(plan.converged).toBe(needed <= maxDeltaPasses);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a delta never drops below change rate × the per-pass fixed cost: above convergedBytes the passes run out and the reason says why", () => {
    const plan = planWarmMove({ diskBytes: 256 * MIB, changeRateBytesPerSecond: 4 * MIB, bandwidthBytesPerSecond: 64 * MIB, passOverheadMs: 1000, convergedBytes: 2 * MIB, maxDeltaPasses: 4 });
    expect(plan.converged).toBe(false);
    expect(plan.deltaPasses).toBe(4);
    expect(plan.deltaFloorBytes).toBe(4 * MIB);
    for (const d of plan.passes.slice(1)) expect(d.bytes).toBeGreaterThan(4 * MIB);
    expect(plan.reason).toContain("never drops below 4.0 MiB");
  });

  it("an idle source: one empty delta pass converges, the final pass copies nothing, and the warm downtime is the fixed costs alone", () => {
    fc.assert(
      fc.property(input, (i) => {
        fc.pre(i.maxDeltaPasses > 0);
        const plan = planWarmMove({ ...i, changeRateBytesPerSecond: 0 });
        expect(plan.deltaPasses).toBe(1);
        expect(plan.converged).toBe(true);
        expect(plan.finalBytes).toBe(0);
        expect(plan.downtimeMs).toBe(i.stopMs + i.finalPassOverheadMs + i.startMs);
      }),
    );
  });

  it("the working set caps every delta", () => {
    const plan = planWarmMove({ diskBytes: 1024 * MIB, workingSetBytes: 8 * MIB, changeRateBytesPerSecond: 200 * MIB, bandwidthBytesPerSecond: 100 * MIB, convergedBytes: MIB, maxDeltaPasses: 3 });
    for (const d of plan.passes.slice(1)) expect(d.bytes).toBe(8 * MIB);
  });

  it("refuses bad input with INVALID_ARGUMENT", () => {
    const ok: MovePlanInput = { diskBytes: MIB, changeRateBytesPerSecond: 0, bandwidthBytesPerSecond: MIB };
    for (const bad of [{ bandwidthBytesPerSecond: 0 }, { changeRateBytesPerSecond: -1 }, { diskBytes: [MIB, Number.NaN] }, { maxDeltaPasses: 1.5 }, { stopMs: Number.POSITIVE_INFINITY }] as Partial<MovePlanInput>[]) {
      expect(() => planWarmMove({ ...ok, ...bad }), JSON.stringify(bad)).toThrow(VmshiftError);
      try {
        planWarmMove({ ...ok, ...bad });
      } catch (e) {
        expect((e as VmshiftError).code).toBe("INVALID_ARGUMENT");
      }
    }
    expect(() => adviseMove(ok, { downtimeBudgetMs: -5 })).toThrow(/downtimeBudgetMs/);
  });
});

describe("planColdMove and adviseMove", () => {
  it("cold downtime is stop + full copy + start; disks add up", () => {
    const c = planColdMove({ diskBytes: [100 * MIB, 300 * MIB], changeRateBytesPerSecond: 5 * MIB, bandwidthBytesPerSecond: 50 * MIB, stopMs: 2000, startMs: 1000 });
    expect(c.bytesCopied).toBe(400 * MIB);
    expect(c.downtimeMs).toBe(2000 + 8000 + 1000);
  });

  it("cold when it fits the budget, else warm when that fits, else the smaller downtime with fitsBudget false", () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 0, max: 600_000 }), (i, budget) => {
        const a = adviseMove(i, { downtimeBudgetMs: budget });
        const cold = planColdMove(i).downtimeMs;
        const warm = planWarmMove(i).downtimeMs;
        expect(a.cold.downtimeMs).toBe(cold);
        expect(a.warm.downtimeMs).toBe(warm);
        if (cold <= budget) expect([a.mode, a.fitsBudget]).toEqual(["cold", true]);
        else if (warm <= budget) expect([a.mode, a.fitsBudget]).toEqual(["warm", true]);
        else {
          expect(a.fitsBudget).toBe(false);
          expect(a.mode).toBe(warm < cold ? "warm" : "cold");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a large disk that changes slowly: warm fits a budget cold cannot", () => {
    const a = adviseMove({ diskBytes: 100 * 1024 * MIB, changeRateBytesPerSecond: 2 * MIB, bandwidthBytesPerSecond: 200 * MIB, passOverheadMs: 500, stopMs: 10_000, startMs: 5000 }, { downtimeBudgetMs: 60_000 });
    expect(a.mode).toBe("warm");
    expect(a.fitsBudget).toBe(true);
    expect(a.cold.downtimeMs).toBeGreaterThan(500_000);
    expect(a.reason).toMatch(/^warm: /);
  });
});

describe("ratesFromPasses", () => {
  it("recovers the bandwidth and change rate a plan without fixed costs was made from", () => {
    fc.assert(
      fc.property(input, (i) => {
        fc.pre(i.maxDeltaPasses > 0 && i.changeRateBytesPerSecond < i.bandwidthBytesPerSecond);
        const plan = planWarmMove({ ...i, passOverheadMs: 0, convergedBytes: 0, maxDeltaPasses: Math.min(2, i.maxDeltaPasses) });
        fc.pre(plan.passes.slice(1, -1).every((d) => d.bytes < i.diskBytes)); // the working set (the disk) did not cap a delta
        const rates = ratesFromPasses(plan.passes, { passIntervalMs: i.passIntervalMs });
        expect(rates.bandwidthBytesPerSecond! / i.bandwidthBytesPerSecond).toBeCloseTo(1, 6);
        expect(rates.changeRateBytesPerSecond! / Math.max(1, i.changeRateBytesPerSecond)).toBeCloseTo(i.changeRateBytesPerSecond === 0 ? 0 : 1, 6);
      }),
    );
  });

  it("has no change rate without a delta pass", () => {
    expect(ratesFromPasses([{ kind: "full", bytes: MIB, durationMs: 1000 }, { kind: "final", bytes: 10, durationMs: 5 }])).toEqual({ bandwidthBytesPerSecond: MIB });
  });
});
