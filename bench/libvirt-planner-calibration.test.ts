import { describe, expect, it } from "vitest";
import { type Calibration, type CaseShape, type Observed, calibrate, predict } from "./libvirt-planner-calibration.ts";

const MIB = 1024 ** 2;
const truth: Calibration = { baseBytes: { atZero: 38 * MIB, perByte: 0.11 }, overheadMs: { atZero: 175, perByte: 0.25 / MIB }, switchoverMs: 11, finalBandwidthBytesPerSecond: 1000 * MIB, newPageFinalBandwidthBytesPerSecond: 220 * MIB };
const shape = (dirtyMiBps: number, capMiBps: number, limitMs = 300, workingSetMiB = 32, populatedMiB = 64, ramMiB = 128): CaseShape => ({
  ramBytes: ramMiB * MIB,
  populatedBytes: populatedMiB * MIB,
  workingSetBytes: workingSetMiB * MIB,
  dirtyRateBytesPerSecond: dirtyMiBps * MIB,
  capBytesPerSecond: capMiBps * MIB,
  maxDowntimeMs: limitMs,
});
/** What libvirt would report if the model were exactly right. */
const observe = (s: CaseShape, cal = truth): Observed => {
  const plan = predict(s, cal);
  return { totalMs: plan.totalTimeMs, downtimeMs: plan.downtimeMs, normalBytes: plan.bytesSent };
};

describe("libvirt planner calibration", () => {
  const idle = shape(0, 32);
  const idleLarger = shape(0, 32, 300, 96, 96, 256);
  const small = shape(10, 32);
  const large = shape(10, 32, 1000, 96, 96, 256);

  it("recovers the figures from migrations the model generated", () => {
    const cal = calibrate({ idleCapped: { shape: idle, observed: observe(idle) }, idleLarger: { shape: idleLarger, observed: observe(idleLarger) }, resend: [{ shape: small, observed: observe(small) }, { shape: large, observed: observe(large) }] });
    for (const key of ["switchoverMs", "finalBandwidthBytesPerSecond", "newPageFinalBandwidthBytesPerSecond"] as const) expect(cal[key] / truth[key], key).toBeCloseTo(1, 6);
    for (const key of ["baseBytes", "overheadMs"] as const) {
      expect(cal[key].atZero / truth[key].atZero, key).toBeCloseTo(1, 6);
      expect(cal[key].perByte / truth[key].perByte, key).toBeCloseTo(1, 6);
    }
    // And predicts a case it was not fitted on exactly.
    const other = shape(30, 64);
    expect(predict(other, cal).downtimeMs).toBeCloseTo(predict(other, truth).downtimeMs, 6);
  });

  it("uses the pauses' mix of re-sent and new bytes: the three calibration pauses really differ in it", () => {
    const plans = [idle, small, large].map((s) => predict(s, truth));
    expect(plans[0]!.finalNewBytes).toBe(plans[0]!.finalBytes);
    expect(plans[1]!.finalNewBytes).toBe(0);
    expect(plans[2]!.finalBytes - plans[2]!.finalNewBytes).toBeGreaterThan(2 * (plans[1]!.finalBytes - plans[1]!.finalNewBytes));
  });

  it("refuses pauses that would need a negative cost or rate", () => {
    const noisy = { ...observe(large), downtimeMs: observe(small).downtimeMs - 5 };
    expect(() => calibrate({ idleCapped: { shape: idle, observed: observe(idle) }, idleLarger: { shape: idleLarger, observed: observe(idleLarger) }, resend: [{ shape: small, observed: observe(small) }, { shape: large, observed: noisy }] })).toThrowError(/negative figure/);
  });

  it("refuses idle guests of one RAM size (no line through them)", () => {
    expect(() => calibrate({ idleCapped: { shape: idle, observed: observe(idle) }, idleLarger: { shape: idle, observed: observe(idle) }, resend: [{ shape: small, observed: observe(small) }, { shape: large, observed: observe(large) }] })).toThrowError(/more RAM/);
  });

  it("refuses two resend cases that cannot separate the fixed cost from the rate", () => {
    expect(() => calibrate({ idleCapped: { shape: idle, observed: observe(idle) }, idleLarger: { shape: idleLarger, observed: observe(idleLarger) }, resend: [{ shape: small, observed: observe(small) }, { shape: small, observed: observe(small) }] })).toThrowError(/do not determine/);
  });
});
