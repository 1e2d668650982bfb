/**
 * When a step looks at its migration next. Each look is a journaled platform call followed by a
 * durable timer, so the schedule trades journal entries and platform requests against how late
 * the end of a migration is noticed (a slot is held until then). While memory is copied and the
 * platform reports how much is left and how fast it moves, the next look is when the copy should
 * be done; while it switches over, when the expected pause is over; otherwise a tenth of the time
 * the migration has run. Always within [min, max].
 */
import type { MigrationSnapshot } from "@vmshift/core";
import type { FollowOptions } from "./types.ts";

/** Defaults of {@link FollowOptions}. */
export const FOLLOW_DEFAULTS = { minPollMs: 100, maxPollMs: 10_000, startRetryMs: 600_000 } as const satisfies Required<FollowOptions>;

/** The wait before the next look at a migration, ms. `elapsedMs`: how long it has run. */
export function nextPollMs(snapshot: Pick<MigrationSnapshot, "phase" | "progress">, elapsedMs: number, options: FollowOptions = {}): number {
  const min = options.minPollMs ?? FOLLOW_DEFAULTS.minPollMs;
  const max = Math.max(min, options.maxPollMs ?? FOLLOW_DEFAULTS.maxPollMs);
  const p = snapshot.progress;
  let wait = elapsedMs / 10;
  if (snapshot.phase === "transferring" && p.remainingBytes !== undefined && p.bandwidthBytesPerSecond !== undefined && p.bandwidthBytesPerSecond > 0) {
    wait = (p.remainingBytes / p.bandwidthBytesPerSecond) * 1000;
  } else if (snapshot.phase === "finalizing" && p.expectedDowntimeMs !== undefined) {
    wait = p.expectedDowntimeMs;
  }
  return Math.round(Math.min(max, Math.max(min, wait)));
}
