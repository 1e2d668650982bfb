/**
 * What both pre-copy models share: the validated inputs with their defaults, and the plan a run
 * ends with (converged, or given up after `maxRounds`).
 */
import { VmshiftError } from "./errors.ts";
import type { PrecopyInput, PrecopyPlan, PrecopyRound } from "./planner.ts";

function requireNonNegative(name: string, value: number | undefined, positive = false): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new VmshiftError("INVALID_ARGUMENT", `${name} must be a ${positive ? "positive" : "non-negative"} finite number, got ${value}`, { operation: "planner.model" });
  }
}

/** {@link PrecopyInput} with every default applied; what the round and step models run on. */
export interface PrecopyParams {
  readonly memory: number;
  readonly dirtyRate: number;
  readonly bandwidth: number;
  readonly limitMs: number;
  readonly workingSet: number;
  readonly overheadMs: number;
  readonly maxRounds: number;
  readonly decisionBandwidth: number;
  /** Guest throttle in round (or sync interval) `iteration`, percent. */
  readonly throttleAt: (iteration: number) => number;
  /** The pause for what is left: fixed cost plus re-sent and new bytes at their final-copy rates. */
  readonly pauseMs: (resentBytes: number, newBytes: number) => number;
}

/** Validates `input` (INVALID_ARGUMENT) and applies the defaults. */
export function precopyParams(input: PrecopyInput): PrecopyParams {
  requireNonNegative("memoryBytes", input.memoryBytes);
  requireNonNegative("dirtyRateBytesPerSecond", input.dirtyRateBytesPerSecond);
  requireNonNegative("bandwidthBytesPerSecond", input.bandwidthBytesPerSecond, true);
  requireNonNegative("maxDowntimeMs", input.maxDowntimeMs);
  requireNonNegative("workingSetBytes", input.workingSetBytes);
  requireNonNegative("overheadMs", input.overheadMs);
  requireNonNegative("switchoverMs", input.switchoverMs);
  requireNonNegative("finalBandwidthBytesPerSecond", input.finalBandwidthBytesPerSecond, true);
  requireNonNegative("newPageFinalBandwidthBytesPerSecond", input.newPageFinalBandwidthBytesPerSecond, true);
  requireNonNegative("switchoverBandwidthBytesPerSecond", input.switchoverBandwidthBytesPerSecond, true);
  requireNonNegative("switchoverCheckIntervalMs", input.switchoverCheckIntervalMs, true);
  const maxRounds = input.maxRounds ?? 30;
  if (!Number.isInteger(maxRounds) || maxRounds < 1) {
    throw new VmshiftError("INVALID_ARGUMENT", `maxRounds must be an integer ≥ 1, got ${maxRounds}`, { operation: "planner.model" });
  }
  const bandwidth = input.bandwidthBytesPerSecond;
  const limitMs = input.maxDowntimeMs ?? 300;
  const switchoverMs = input.switchoverMs ?? 0;
  const finalBandwidth = input.finalBandwidthBytesPerSecond ?? bandwidth;
  const newPageBandwidth = input.newPageFinalBandwidthBytesPerSecond ?? finalBandwidth;
  const decisionBandwidth = input.switchoverBandwidthBytesPerSecond ?? bandwidth;
  const ac = input.autoConverge;
  return {
    memory: input.memoryBytes,
    dirtyRate: input.dirtyRateBytesPerSecond,
    bandwidth,
    limitMs,
    workingSet: Math.min(input.workingSetBytes ?? input.memoryBytes, input.memoryBytes),
    overheadMs: input.overheadMs ?? 0,
    maxRounds,
    decisionBandwidth,
    throttleAt: (iteration) => {
      if (!ac || iteration < 2) return 0;
      const initial = ac.initialPercent ?? 20;
      const step = ac.incrementPercent ?? 10;
      return Math.min(ac.maxPercent ?? 99, initial + step * (iteration - 2));
    },
    pauseMs: (resent, fresh) => switchoverMs + (resent / finalBandwidth) * 1000 + (fresh / newPageBandwidth) * 1000,
  };
}

/** Where a model run stopped: converged (with why), or given up. */
export type ModelEnd = {
  readonly rounds: number;
  /** Bytes sent before the pause. */
  readonly bytesSent: number;
  /** Time up to the pause, including the overhead at the start. */
  readonly elapsedMs: number;
  /** What is left for the pause: pages sent before, and pages never sent. */
  readonly resentBytes: number;
  readonly newBytes: number;
  readonly ratio: number;
  readonly roundsDetail: readonly PrecopyRound[];
} & ({ readonly converges: true; readonly reason: string } | { readonly converges: false });

/** The plan for a model run that stopped at `end`. */
export function endOfPlan(p: PrecopyParams, end: ModelEnd): PrecopyPlan {
  const finalBytes = end.resentBytes + end.newBytes;
  const downtimeMs = p.pauseMs(end.resentBytes, end.newBytes);
  const common = { rounds: end.rounds, downtimeMs, finalBytes, finalNewBytes: end.newBytes, dirtyRatio: end.ratio, roundsDetail: end.roundsDetail };
  if (end.converges) {
    return { converges: true, ...common, bytesSent: end.bytesSent + finalBytes, totalTimeMs: end.elapsedMs + downtimeMs + p.overheadMs, reason: end.reason };
  }
  const reason =
    end.ratio >= 1
      ? `memory dirties at ${end.ratio.toFixed(2)}× the bandwidth: rounds never shrink below the ${p.limitMs} ms limit`
      : `after ${end.rounds} rounds the remainder still needs ${Math.round((finalBytes / p.decisionBandwidth) * 1000)} ms, above the ${p.limitMs} ms limit`;
  return { converges: false, ...common, bytesSent: end.bytesSent, totalTimeMs: end.elapsedMs, reason };
}
