import { describe, expect, it } from "vitest";
import { fixture } from "../test/fake-virsh.ts";
import { isStalled, progressFromJob } from "./progress.ts";
import { parseJobStats } from "./resources/parse.ts";

const at = "2026-11-25T20:00:00.000Z";

describe("progressFromJob", () => {
  it("maps a running pre-copy job onto the progress shape", () => {
    const p = progressFromJob(parseJobStats(fixture("live-precopy", "domjobinfo-active.txt")), "transferring", at);
    expect(p).toEqual({
      phase: "transferring",
      percent: 24.4,
      transferredBytes: 29032507,
      remainingBytes: 101736448,
      totalBytes: 134610944,
      dirtyRateBytesPerSecond: 0,
      bandwidthBytesPerSecond: 16903782,
      iteration: 1,
      expectedDowntimeMs: 300,
      observedAt: at,
    });
  });

  it("reports the dirty rate in bytes per second and no expected downtime once completed", () => {
    const stalled = progressFromJob(parseJobStats(fixture("live-nonconvergence", "domjobinfo-stalled.txt")), "transferring", at);
    expect(stalled.dirtyRateBytesPerSecond).toBe(4149 * 4096);
    expect(stalled.iteration).toBe(364);
    expect(stalled.transferredBytes).toBeGreaterThan(stalled.totalBytes!);
    const done = progressFromJob(parseJobStats(fixture("live-precopy", "domjobinfo-completed-dest.txt")), "completed", at);
    expect(done.expectedDowntimeMs).toBeUndefined();
    expect(done.percent).toBe(100);
  });

  it("leaves out what a cancelled job no longer reports", () => {
    const p = progressFromJob(parseJobStats(fixture("live-cancel", "domjobinfo-cancelled.txt")), "cancelled", at, "aborted");
    expect(p.totalBytes).toBeUndefined();
    expect(p.percent).toBeUndefined();
    expect(p.iteration).toBeUndefined();
    expect(p.message).toBe("aborted");
  });
});

describe("isStalled", () => {
  const stalled = parseJobStats(fixture("live-nonconvergence", "domjobinfo-stalled.txt"));
  const early = parseJobStats(fixture("live-precopy", "domjobinfo-active.txt"));

  it("flags a job that keeps going round without the remainder fitting the downtime limit", () => {
    expect(isStalled(stalled)).toBe(true);
    expect(isStalled(stalled, { maxDowntimeMs: 2000 })).toBe(false);
  });

  it("does not flag a young job, or a job that is not running", () => {
    expect(isStalled(early)).toBe(false);
    expect(isStalled(stalled, { minIterations: 400 })).toBe(false);
    expect(isStalled(stalled, { minElapsedMs: 20 * 60_000 })).toBe(false);
    expect(isStalled(parseJobStats(fixture("live-cancel", "domjobinfo-cancelled.txt")))).toBe(false);
  });
});
