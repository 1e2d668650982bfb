/** The planner: will pre-copy converge, and what to do if not. */
import type { Recommendation } from "@vmshift/core";

export async function main(): Promise<Recommendation[]> {
  // #region docs
  const { recommend } = await import("@vmshift/core");
  const GiB = 1024 ** 3;
  const link = 1.25e9; // 10 Gbit/s in bytes per second
  const calm = recommend(
    { memoryBytes: 16 * GiB, dirtyRateBytesPerSecond: 200e6, bandwidthBytesPerSecond: link, maxDowntimeMs: 300 },
    { autoConverge: false, postCopy: false },
  ); // → "live": rounds shrink by 200/1250 each time
  const busy = recommend(
    { memoryBytes: 16 * GiB, dirtyRateBytesPerSecond: 2e9, bandwidthBytesPerSecond: link },
    { autoConverge: true, postCopy: false },
  ); // → "cold": pages dirty faster than they transfer
  // #endregion docs
  return [calm, busy];
}
