/**
 * The pre-copy model of live migration, and the advice built on it.
 *
 * Round 1 sends all memory while the guest runs; each later round re-sends what the guest dirtied
 * during the previous one (capped by its writable working set). When what is left can be sent
 * within the downtime limit, the guest pauses and the rest goes in a final stop-and-copy.
 * If the dirty rate is at or above the bandwidth, rounds never shrink: the seed's rule is that
 * such a VM moves cold unless post-copy is available.
 *
 * The switch-over decision follows QEMU's: the remainder divided by the bandwidth QEMU *estimates*
 * must fit the downtime limit. QEMU's estimate is the rate it measured during pre-copy, which the
 * migration bandwidth cap limits, unless the `avail-switchover-bandwidth` parameter overrides it
 * (here `switchoverBandwidthBytesPerSecond`). The pause itself is another matter: QEMU lifts the
 * cap for the final stop-and-copy (`finalBandwidthBytesPerSecond`) and always pays a fixed cost
 * for device state and the hand-over (`switchoverMs`). Neither enters the decision, so a faster
 * final copy shortens the predicted pause but never turns a non-converging plan into a converging one.
 *
 * By default the switch-over is checked once per round (the textbook model). With
 * `switchoverCheckIntervalMs` the model follows QEMU's migration loop instead (see
 * `precopy-steps.ts`): the check runs on every rate-limited step, so the remainder at the pause is
 * at most the threshold, not a whole round's dirtying.
 */
import { VmshiftError } from "./errors.ts";
import { stepModel } from "./precopy-steps.ts";

/** Inputs of {@link modelPrecopy}. Sizes in bytes, rates in bytes per second. */
export interface PrecopyInput {
  readonly memoryBytes: number;
  readonly dirtyRateBytesPerSecond: number;
  readonly bandwidthBytesPerSecond: number;
  /**
   * Downtime limit, ms, as QEMU's `downtime-limit`: the plan switches over once the remainder ÷
   * `switchoverBandwidthBytesPerSecond` fits it. The predicted pause (`downtimeMs`) can exceed it by
   * `switchoverMs`, or be shorter when the final copy is faster. Default 300 (QEMU's default).
   */
  readonly maxDowntimeMs?: number;
  /** Give up after this many pre-copy rounds. Default 30. */
  readonly maxRounds?: number;
  /** Most memory the guest can dirty in one round, bytes. Default: all of it. */
  readonly workingSetBytes?: number;
  /** Fixed cost before round 1 and after the switch-over (setup, device state), ms. Default 0. */
  readonly overheadMs?: number;
  /**
   * Fixed part of the pause at switch-over, ms: device state, the last dirty-bitmap sync, the
   * hand-over to the destination (for libvirt, its Finish/Confirm steps). Added to `downtimeMs` and
   * `totalTimeMs`; not part of the switch-over decision (QEMU does not count it). Default 0.
   */
  readonly switchoverMs?: number;
  /**
   * Bandwidth of the final stop-and-copy, bytes per second. QEMU sends it without the migration
   * bandwidth cap, so with a cap this is typically well above `bandwidthBytesPerSecond`. Used for
   * `downtimeMs` (and the total time); not for the switch-over decision.
   * Default: `bandwidthBytesPerSecond`.
   */
  readonly finalBandwidthBytesPerSecond?: number;
  /**
   * Bandwidth the switch-over decision assumes, bytes per second: the plan switches over once the
   * remainder divided by this fits `maxDowntimeMs`. Default: `bandwidthBytesPerSecond`, which is
   * what QEMU does (its estimate is the measured, capped, pre-copy rate). Set it only when QEMU's
   * `avail-switchover-bandwidth` parameter is set, to that value.
   */
  readonly switchoverBandwidthBytesPerSecond?: number;
  /**
   * Bandwidth of the final stop-and-copy for pages the destination never received (the rest of
   * round 1 when the switch-over comes before round 1 ends, which only the step model predicts),
   * bytes per second. The destination must allocate and populate them, so they are typically
   * slower than re-sent pages. Default: `finalBandwidthBytesPerSecond`.
   */
  readonly newPageFinalBandwidthBytesPerSecond?: number;
  /**
   * Check the switch-over every this many ms of transfer instead of once per round: QEMU's
   * migration loop (100 ms rate-limit windows when a bandwidth cap is set; up to 50 ms per
   * iteration without one). With it, `rounds` counts dirty-bitmap syncs before the pause: QEMU syncs
   * whenever its pending estimate drops below bandwidth × limit and switches over when what the
   * sync found still fits. Default: none (one check per round).
   */
  readonly switchoverCheckIntervalMs?: number;
  /** Model QEMU-style auto-converge: throttle the guest from round 2, by these percentages. */
  readonly autoConverge?: { readonly initialPercent?: number; readonly incrementPercent?: number; readonly maxPercent?: number };
}

/** One pre-copy round. */
export interface PrecopyRound {
  readonly iteration: number;
  readonly bytes: number;
  readonly durationMs: number;
  /** Guest throttle during the round, percent (auto-converge). */
  readonly throttlePercent: number;
}

/** Output of {@link modelPrecopy}. */
export interface PrecopyPlan {
  /** True when the remainder fits the downtime limit within `maxRounds`. */
  readonly converges: boolean;
  /**
   * Pre-copy rounds run (not counting the final stop-and-copy). With `switchoverCheckIntervalMs`:
   * the dirty-bitmap syncs before the pause (QEMU's `dirty-sync-count` adds its setup sync and the
   * final one: this + 2).
   */
  readonly rounds: number;
  /** All bytes sent, including the final stop-and-copy. */
  readonly bytesSent: number;
  /** Start to finish, ms (for a non-converging plan: up to the forced switch-over). */
  readonly totalTimeMs: number;
  /**
   * Pause of the final stop-and-copy, ms: `switchoverMs` + final bytes ÷ `finalBandwidthBytesPerSecond`
   * (new pages ÷ `newPageFinalBandwidthBytesPerSecond`); if it does not converge, the pause a forced switch-over would cost.
   */
  readonly downtimeMs: number;
  /** Bytes left for the final stop-and-copy. */
  readonly finalBytes: number;
  /** Part of `finalBytes` the destination never received (only the step model has any). */
  readonly finalNewBytes: number;
  /** dirty rate ÷ bandwidth (with throttling, of the last round). */
  readonly dirtyRatio: number;
  readonly reason: string;
  readonly roundsDetail: readonly PrecopyRound[];
}

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
  /** The plan's `reason` when it does not converge. */
  readonly notConverging: (ratio: number, remainderBytes: number, rounds: number) => string;
}

function params(input: PrecopyInput): PrecopyParams {
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
    notConverging: (ratio, remainder, rounds) =>
      ratio >= 1
        ? `memory dirties at ${ratio.toFixed(2)}× the bandwidth: rounds never shrink below the ${limitMs} ms limit`
        : `after ${rounds} rounds the remainder still needs ${Math.round((remainder / decisionBandwidth) * 1000)} ms, above the ${limitMs} ms limit`,
  };
}

/** Runs the pre-copy model. Pure and deterministic. */
export function modelPrecopy(input: PrecopyInput): PrecopyPlan {
  const p = params(input);
  return input.switchoverCheckIntervalMs === undefined ? roundModel(p) : stepModel(p, input.switchoverCheckIntervalMs);
}

/** The textbook model: the switch-over is checked once per round, on what the round dirtied. */
function roundModel(p: PrecopyParams): PrecopyPlan {
  const roundsDetail: PrecopyRound[] = [];
  let toSend = p.memory;
  let bytesSent = 0;
  let elapsedMs = p.overheadMs;
  let ratio = p.dirtyRate / p.bandwidth;
  for (let iteration = 1; iteration <= p.maxRounds; iteration++) {
    const throttle = p.throttleAt(iteration);
    const durationMs = (toSend / p.bandwidth) * 1000;
    roundsDetail.push({ iteration, bytes: toSend, durationMs, throttlePercent: throttle });
    bytesSent += toSend;
    elapsedMs += durationMs;
    const dirtyRate = p.dirtyRate * (1 - throttle / 100);
    ratio = dirtyRate / p.bandwidth;
    const dirtied = Math.min(p.workingSet, (dirtyRate * durationMs) / 1000);
    // QEMU's rule: remaining bytes ÷ its bandwidth estimate ≤ downtime limit.
    if ((dirtied / p.decisionBandwidth) * 1000 <= p.limitMs) {
      const downtimeMs = p.pauseMs(dirtied, 0);
      return {
        converges: true,
        rounds: iteration,
        bytesSent: bytesSent + dirtied,
        totalTimeMs: elapsedMs + downtimeMs + p.overheadMs,
        downtimeMs,
        finalBytes: dirtied,
        finalNewBytes: 0,
        dirtyRatio: ratio,
        reason: `remainder of ${Math.round(dirtied)} bytes fits the ${p.limitMs} ms downtime limit after ${iteration} round(s)`,
        roundsDetail,
      };
    }
    toSend = dirtied;
  }
  return {
    converges: false,
    rounds: p.maxRounds,
    bytesSent,
    totalTimeMs: elapsedMs,
    downtimeMs: p.pauseMs(toSend, 0),
    finalBytes: toSend,
    finalNewBytes: 0,
    dirtyRatio: ratio,
    reason: p.notConverging(ratio, toSend, p.maxRounds),
    roundsDetail,
  };
}

/** How to move a VM. */
export type Strategy = "live" | "live-auto-converge" | "live-post-copy" | "cold";

/** What the adapter offers, as the recommendation needs it. */
export interface StrategyOptions {
  readonly autoConverge: boolean;
  readonly postCopy: boolean;
  /** Whether live migration is available at all (capability and VM state). Default true. */
  readonly live?: boolean;
}

/** Advice with the model behind it. */
export interface Recommendation {
  readonly strategy: Strategy;
  readonly reason: string;
  /** The plain pre-copy model. */
  readonly plan: PrecopyPlan;
  /** The model with auto-converge, when that is the advice. */
  readonly autoConvergePlan?: PrecopyPlan;
}

/**
 * Advice: live when pre-copy converges; when memory dirties at least as fast as it transfers,
 * post-copy if offered, else cold (the seed's rule); otherwise auto-converge, then post-copy,
 * then cold, whichever the adapter offers first.
 */
export function recommend(input: PrecopyInput, options: StrategyOptions): Recommendation {
  const plan = modelPrecopy(input);
  if (options.live === false) return { strategy: "cold", reason: "live migration is not available for this VM here", plan };
  if (plan.converges) return { strategy: "live", reason: plan.reason, plan };
  const ratio = input.dirtyRateBytesPerSecond / input.bandwidthBytesPerSecond;
  if (ratio >= 1) {
    if (options.postCopy) return { strategy: "live-post-copy", reason: `${plan.reason}; post-copy moves execution first and pulls pages on demand`, plan };
    return { strategy: "cold", reason: `${plan.reason}; pages dirty faster than they transfer, so move it cold`, plan };
  }
  if (options.autoConverge) {
    const autoConvergePlan = modelPrecopy({ ...input, autoConverge: input.autoConverge ?? {} });
    if (autoConvergePlan.converges) {
      return { strategy: "live-auto-converge", reason: `${plan.reason}; throttling the guest converges in ${autoConvergePlan.rounds} round(s)`, plan, autoConvergePlan };
    }
  }
  if (options.postCopy) return { strategy: "live-post-copy", reason: `${plan.reason}; post-copy completes regardless of dirty rate`, plan };
  return { strategy: "cold", reason: `${plan.reason}; no auto-converge or post-copy here, so move it cold`, plan };
}
