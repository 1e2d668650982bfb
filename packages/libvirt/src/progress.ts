/** libvirt job statistics → the vmshift progress shape, and the non-convergence rule. */
import type { MigrationPhase, MigrationProgress } from "@vmshift/core";
import { type JobStats, jobNumber } from "./resources/parse.ts";

/**
 * Maps `domjobinfo --rawstats` of a running migration job onto {@link MigrationProgress}.
 * `percent` is (total − remaining) / total and goes down when dirty memory is re-sent;
 * `dirtyRateBytesPerSecond` is libvirt's pages/s × page size (it saturates at working set / pass time).
 */
export function progressFromJob(stats: JobStats, phase: MigrationPhase, observedAt: string, message?: string): MigrationProgress {
  const total = jobNumber(stats, "data_total");
  const remaining = jobNumber(stats, "data_remaining");
  const processed = jobNumber(stats, "data_processed");
  const dirtyPages = jobNumber(stats, "memory_dirty_rate");
  const pageSize = jobNumber(stats, "memory_page_size") ?? 4096;
  const bps = jobNumber(stats, "memory_bps");
  const iteration = jobNumber(stats, "memory_iteration");
  const downtime = jobNumber(stats, "downtime");
  const percent = total !== undefined && total > 0 && remaining !== undefined ? Math.min(100, Math.max(0, ((total - remaining) / total) * 100)) : undefined;
  return {
    phase,
    ...(percent === undefined ? {} : { percent: Math.round(percent * 10) / 10 }),
    ...(processed === undefined ? {} : { transferredBytes: processed }),
    ...(remaining === undefined ? {} : { remainingBytes: remaining }),
    ...(total === undefined || total === 0 ? {} : { totalBytes: total }),
    ...(dirtyPages === undefined ? {} : { dirtyRateBytesPerSecond: dirtyPages * pageSize }),
    ...(bps === undefined ? {} : { bandwidthBytesPerSecond: bps }),
    ...(iteration === undefined || iteration === 0 ? {} : { iteration }),
    ...(downtime === undefined || stats.type !== "unbounded" ? {} : { expectedDowntimeMs: downtime }),
    ...(message === undefined ? {} : { message }),
    observedAt,
  };
}

/** Thresholds of {@link isStalled}. */
export interface StallRule {
  /** Default 3000. */
  readonly minElapsedMs?: number;
  /** Default 4. */
  readonly minIterations?: number;
  /** The downtime limit in force, ms. Default 300 (QEMU's). */
  readonly maxDowntimeMs?: number;
}

/**
 * True when pre-copy has stopped converging: the job ran at least `minElapsedMs` and
 * `minIterations` rounds, and what remains would still take longer than the downtime limit to
 * send at the measured bandwidth.
 */
export function isStalled(stats: JobStats, rule: StallRule = {}): boolean {
  const elapsed = jobNumber(stats, "time_elapsed") ?? 0;
  const iteration = jobNumber(stats, "memory_iteration") ?? 0;
  const remaining = jobNumber(stats, "memory_remaining") ?? jobNumber(stats, "data_remaining") ?? 0;
  const bps = jobNumber(stats, "memory_bps") ?? 0;
  if (stats.type !== "unbounded" || elapsed < (rule.minElapsedMs ?? 3000) || iteration < (rule.minIterations ?? 4)) return false;
  if (bps <= 0) return true;
  return (remaining / bps) * 1000 > (rule.maxDowntimeMs ?? 300);
}
