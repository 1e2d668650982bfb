/**
 * Pre-copy as QEMU's migration loop runs it (QEMU ≥ 8; checked against QEMU 10.0's trace events
 * `migrate_pending_estimate`, `migrate_pending_exact` and `vmstate_downtime_checkpoint`).
 *
 * The loop sends one rate-limited step at a time (a bandwidth cap's 100 ms window). Before each
 * step it looks at its cheap estimate of what is pending: the pages still marked in the dirty
 * bitmap, which only shrinks as pages go out. When that estimate drops below the threshold
 * (bandwidth × downtime limit), it syncs the bitmap, which adds what the guest dirtied since the
 * previous sync, and switches over if the exact figure still fits the threshold. Otherwise it
 * carries on from where it was, so the rest of round 1 goes out before re-dirtied pages.
 *
 * So the pause copies at most one threshold's worth (the step's tail plus a step's dirtying), not
 * everything the last round dirtied; and an idle guest switches over in round 1 with the round's
 * tail still to send: pages the destination has never held, which it must allocate as they arrive.
 */
import type { PrecopyPlan, PrecopyRound } from "./planner.ts";
import { type PrecopyParams, endOfPlan } from "./precopy-params.ts";

/**
 * Runs the step model; `checkIntervalMs` is the length of one rate-limited step. `crossing` is where
 * the estimate lands below the threshold, as a fraction of a step: 0 just below it, 1 a whole step
 * below. Where inside a step it really lands depends on detail the model cannot see (page headers,
 * zero pages, a partial first window; measured: anywhere in the step, differing between boots of one
 * guest), so the plan takes the middle and the two ends bound the pause.
 */
export function stepModel(p: PrecopyParams, checkIntervalMs: number, crossing = 0.5): PrecopyPlan {
  const threshold = (p.decisionBandwidth * p.limitMs) / 1000;
  const stepBytes = (p.bandwidth * checkIntervalMs) / 1000;
  const roundsDetail: PrecopyRound[] = [];
  let unsent = p.memory; // never sent: the rest of round 1
  let redirtied = 0; // sent before, dirtied since, pending
  let bytesSent = 0;
  let elapsedMs = p.overheadMs;
  let ratio = p.dirtyRate / p.bandwidth;
  for (let sync = 1; sync <= p.maxRounds; sync++) {
    const throttle = p.throttleAt(sync);
    const dirtyRate = p.dirtyRate * (1 - throttle / 100);
    ratio = dirtyRate / p.bandwidth;
    // Send until the estimate (what is pending) drops below the threshold, `crossing` of a step below
    // it (or the bitmap empties).
    const pending = unsent + redirtied;
    const sent = pending < threshold ? 0 : Math.min(pending, pending - threshold + crossing * stepBytes);
    const fromUnsent = Math.min(unsent, sent);
    unsent -= fromUnsent;
    redirtied -= sent - fromUnsent;
    const durationMs = (sent / p.bandwidth) * 1000;
    bytesSent += sent;
    elapsedMs += durationMs;
    roundsDetail.push({ iteration: sync, bytes: sent, durationMs, throttlePercent: throttle });
    // The sync: what the guest dirtied since the last one, less what is still pending anyway
    // (the working set's share of the unsent pages, and the re-dirtied ones).
    if (p.workingSet > 0) {
      const dirtied = Math.min(p.workingSet, (dirtyRate * durationMs) / 1000);
      const pendingInSet = Math.min(p.workingSet, redirtied + (p.memory > 0 ? (unsent * p.workingSet) / p.memory : 0));
      redirtied += dirtied * (1 - pendingInSet / p.workingSet);
    }
    const remainder = unsent + redirtied;
    if (remainder <= threshold) {
      const reason = `remainder of ${Math.round(remainder)} bytes fits the ${p.limitMs} ms downtime limit at dirty-bitmap sync ${sync}`;
      return endOfPlan(p, { converges: true, rounds: sync, bytesSent, elapsedMs, resentBytes: redirtied, newBytes: unsent, ratio, roundsDetail, reason });
    }
  }
  return endOfPlan(p, { converges: false, rounds: p.maxRounds, bytesSent, elapsedMs, resentBytes: redirtied, newBytes: unsent, ratio, roundsDetail });
}
