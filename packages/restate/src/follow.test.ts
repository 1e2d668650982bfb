import { describe, expect, it } from "vitest";
import { nextPollMs } from "./follow.ts";

const at = "2026-01-01T00:00:00Z";

describe("nextPollMs", () => {
  it("looks again when the copy should be done while memory moves", () => {
    expect(nextPollMs({ phase: "transferring", progress: { phase: "transferring", observedAt: at, remainingBytes: 3e9, bandwidthBytesPerSecond: 1e9 } }, 500)).toBe(3000);
  });

  it("looks again when the expected pause is over during the switch-over, never sooner than the minimum", () => {
    expect(nextPollMs({ phase: "finalizing", progress: { phase: "finalizing", observedAt: at, expectedDowntimeMs: 250 } }, 9000)).toBe(250);
    expect(nextPollMs({ phase: "finalizing", progress: { phase: "finalizing", observedAt: at, expectedDowntimeMs: 5 } }, 9000)).toBe(100);
  });

  it("otherwise a tenth of the time the migration has run, within [min, max]", () => {
    const p = { phase: "requested" as const, progress: { phase: "requested" as const, observedAt: at } };
    expect(nextPollMs(p, 0)).toBe(100);
    expect(nextPollMs(p, 20_000)).toBe(2000);
    expect(nextPollMs(p, 10_000_000)).toBe(10_000);
    expect(nextPollMs(p, 20_000, { minPollMs: 50, maxPollMs: 1000 })).toBe(1000);
  });
});
