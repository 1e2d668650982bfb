/**
 * How `bench/libvirt-planner.ts` turns a few measured migrations into the planner's environment
 * figures, and predicts the others with them. Pure; `libvirt-planner-calibration.test.ts` checks it
 * recovers known figures from migrations the model itself generated.
 *
 * The model's switch-over decision needs no calibration (it is QEMU's rule on the cap and the
 * downtime limit); what does is the environment:
 * - `baseBytes`: memory QEMU sends beyond what the workload populated (kernel, page cache; zero
 *   pages cost almost nothing), read off idle guests' bytes at two RAM sizes (it grows with RAM);
 * - `overheadMs`: the fixed setup and hand-over time at each end, from the same idle guests' total
 *   times (also a line in RAM: the destination QEMU maps, and the source frees, all of it);
 * - the pause, `switchoverMs + resent ÷ finalBandwidth + new ÷ newPageFinalBandwidth`: linear in
 *   (switchoverMs, 1/finalBandwidth, 1/newPageFinalBandwidth), so three measured pauses with
 *   different mixes of re-sent and new bytes (the model says which) determine all three.
 * Every case has a bandwidth cap: without one the model would need the rate QEMU reaches, which
 * is what it measures, not an input (the libvirt adapter's plan check declines to predict then too).
 */
import { modelPrecopy, type PrecopyInput, type PrecopyPlan } from "@vmshift/core";

/** QEMU's rate-limit window when a bandwidth cap is set, ms. */
export const CAPPED_STEP_MS = 100;

/** A migration case as the bench runs it. */
export interface CaseShape {
  /** The guest's RAM. */
  readonly ramBytes: number;
  /** Bytes the workload populates (fill + working set). */
  readonly populatedBytes: number;
  readonly workingSetBytes: number;
  readonly dirtyRateBytesPerSecond: number;
  readonly capBytesPerSecond: number;
  readonly maxDowntimeMs: number;
}

/** Medians of a case's completed runs, as libvirt reports them. */
export interface Observed {
  readonly totalMs: number;
  readonly downtimeMs: number;
  /** `memory_normal_bytes`: non-zero pages sent, including the final copy. */
  readonly normalBytes: number;
}

/** A figure that grows linearly with the guest's RAM. */
export interface PerRam {
  readonly atZero: number;
  readonly perByte: number;
}

/** The value of `line` for a guest with `ramBytes` of RAM. */
export function atRam(line: PerRam, ramBytes: number): number {
  return line.atZero + line.perByte * ramBytes;
}

/** The environment figures the planner is given. */
export interface Calibration {
  readonly baseBytes: PerRam;
  readonly overheadMs: PerRam;
  readonly switchoverMs: number;
  readonly finalBandwidthBytesPerSecond: number;
  readonly newPageFinalBandwidthBytesPerSecond: number;
}

/** The cases calibration reads. */
export interface CalibrationRuns {
  /** An idle guest under a cap: base bytes, overhead, and a pause of new pages only. */
  readonly idleCapped: { readonly shape: CaseShape; readonly observed: Observed };
  /** An idle guest with more RAM: how base bytes and overhead grow with RAM. */
  readonly idleLarger: { readonly shape: CaseShape; readonly observed: Observed };
  /** Two dirtying guests whose pauses copy re-sent pages: a small and a large remainder. */
  readonly resend: readonly [{ readonly shape: CaseShape; readonly observed: Observed }, { readonly shape: CaseShape; readonly observed: Observed }];
}

/** The planner's input for a case under a calibration (partial: before the pause figures are known). */
export function inputFor(shape: CaseShape, cal: Pick<Calibration, "baseBytes"> & Partial<Calibration>, stepModel = true): PrecopyInput {
  return {
    memoryBytes: shape.populatedBytes + atRam(cal.baseBytes, shape.ramBytes),
    workingSetBytes: shape.workingSetBytes,
    dirtyRateBytesPerSecond: shape.dirtyRateBytesPerSecond,
    bandwidthBytesPerSecond: shape.capBytesPerSecond,
    maxDowntimeMs: shape.maxDowntimeMs,
    ...(stepModel ? { switchoverCheckIntervalMs: CAPPED_STEP_MS } : {}),
    ...(cal.overheadMs === undefined ? {} : { overheadMs: atRam(cal.overheadMs, shape.ramBytes) }),
    ...(cal.switchoverMs === undefined ? {} : { switchoverMs: cal.switchoverMs }),
    ...(cal.finalBandwidthBytesPerSecond === undefined ? {} : { finalBandwidthBytesPerSecond: cal.finalBandwidthBytesPerSecond }),
    ...(cal.newPageFinalBandwidthBytesPerSecond === undefined ? {} : { newPageFinalBandwidthBytesPerSecond: cal.newPageFinalBandwidthBytesPerSecond }),
  };
}

/** The planner's prediction for a case. `stepModel: false` runs the round model with the same figures. */
export function predict(shape: CaseShape, cal: Calibration, stepModel = true): PrecopyPlan {
  return modelPrecopy(inputFor(shape, cal, stepModel));
}

/** Solves the 3×3 system `rows · x = rhs` (Cramer's rule); undefined when it is singular. */
function solve3(rows: readonly (readonly [number, number, number])[], rhs: readonly number[]): [number, number, number] | undefined {
  const det = (m: readonly (readonly number[])[]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const d = det(rows);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-30) return undefined;
  const column = (i: number) => det(rows.map((r, k) => r.map((v, j) => (j === i ? rhs[k]! : v))));
  return [column(0) / d, column(1) / d, column(2) / d];
}

/** An idle guest's base bytes and per-end overhead (everything but the measured pause and the model's pre-copy steps, halved). */
function idleFigures(idle: { readonly shape: CaseShape; readonly observed: Observed }): { ram: number; base: number; overhead: number } {
  const base = Math.max(0, idle.observed.normalBytes - idle.shape.populatedBytes);
  const plan = modelPrecopy(inputFor(idle.shape, { baseBytes: { atZero: base, perByte: 0 } }));
  const overhead = (idle.observed.totalMs - idle.observed.downtimeMs - ((plan.bytesSent - plan.finalBytes) / idle.shape.capBytesPerSecond) * 1000) / 2;
  if (!(overhead >= 0)) throw new Error(`calibration: an idle guest's total time (${idle.observed.totalMs} ms) is shorter than its transfer; overhead ${overhead} ms`);
  return { ram: idle.shape.ramBytes, base, overhead };
}

/** Calibrates from the measured runs; throws when they cannot determine a figure. */
export function calibrate(runs: CalibrationRuns): Calibration {
  // Base bytes and overhead of each idle guest; then the line through the two.
  const small = idleFigures(runs.idleCapped);
  const large = idleFigures(runs.idleLarger);
  if (!(large.ram > small.ram)) throw new Error("calibration: the larger idle guest must have more RAM than the other");
  const line = (a: number, b: number): PerRam => {
    const perByte = (b - a) / (large.ram - small.ram);
    return { atZero: a - perByte * small.ram, perByte };
  };
  const baseBytes = line(small.base, large.base);
  const overheadMs = line(small.overhead, large.overhead);

  // The pause, ms: switchoverMs + resent × (1000/final) + new × (1000/newPage), one equation per case.
  const pauseCases = [runs.idleCapped, ...runs.resend];
  const rows = pauseCases.map((c): [number, number, number] => {
    const plan = modelPrecopy(inputFor(c.shape, { baseBytes }));
    return [1, plan.finalBytes - plan.finalNewBytes, plan.finalNewBytes];
  });
  const x = solve3(
    rows,
    pauseCases.map((c) => c.observed.downtimeMs),
  );
  if (!x) throw new Error("calibration: the three pauses do not determine the fixed cost and the two final-copy rates (their re-sent/new mixes are not independent)");
  const [switchoverMs, perResent, perNew] = x;
  if (!(switchoverMs >= 0 && perResent > 0 && perNew > 0)) {
    throw new Error(`calibration: the pauses give a negative figure (switch-over ${switchoverMs.toFixed(1)} ms, final copy ${(1000 / perResent / 1024 ** 2).toFixed(0)} MiB/s, new pages ${(1000 / perNew / 1024 ** 2).toFixed(0)} MiB/s): measurement noise exceeds their differences`);
  }
  return { baseBytes, overheadMs, switchoverMs, finalBandwidthBytesPerSecond: 1000 / perResent, newPageFinalBandwidthBytesPerSecond: 1000 / perNew };
}
