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
import { type PrecopyParams, endOfPlan, precopyParams } from "./precopy-params.ts";
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
  /**
   * With `switchoverCheckIntervalMs`, for a converging plan: the shortest and longest pause the
   * model gives when QEMU's estimate crosses the threshold just below it or a whole step below it
   * (`downtimeMs` takes the middle). Where it really crosses varies between boots of one guest, so
   * the pause of one migration can land anywhere in this range.
   */
  readonly downtimeRangeMs?: readonly [number, number];
  /** Bytes left for the final stop-and-copy. */
  readonly finalBytes: number;
  /** Part of `finalBytes` the destination never received (only the step model has any). */
  readonly finalNewBytes: number;
  /** dirty rate ÷ bandwidth (with throttling, of the last round). */
  readonly dirtyRatio: number;
  readonly reason: string;
  readonly roundsDetail: readonly PrecopyRound[];
}

/** Runs the pre-copy model. Pure and deterministic. */
export function modelPrecopy(input: PrecopyInput): PrecopyPlan {
  const p = precopyParams(input);
  const interval = input.switchoverCheckIntervalMs;
  if (interval === undefined) return roundModel(p);
  const plan = stepModel(p, interval);
  if (!plan.converges) return plan;
  const pauses = [stepModel(p, interval, 0), plan, stepModel(p, interval, 1)].filter((x) => x.converges).map((x) => x.downtimeMs);
  return { ...plan, downtimeRangeMs: [Math.min(...pauses), Math.max(...pauses)] };
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
      const reason = `remainder of ${Math.round(dirtied)} bytes fits the ${p.limitMs} ms downtime limit after ${iteration} round(s)`;
      return endOfPlan(p, { converges: true, rounds: iteration, bytesSent, elapsedMs, resentBytes: dirtied, newBytes: 0, ratio, roundsDetail, reason });
    }
    toSend = dirtied;
  }
  return endOfPlan(p, { converges: false, rounds: p.maxRounds, bytesSent, elapsedMs, resentBytes: toSend, newBytes: 0, ratio, roundsDetail });
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
