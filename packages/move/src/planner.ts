/**
 * The warm-move planner: how many delta passes a warm move will run, how long it copies and how
 * long the VM is down at cutover, and whether cold or warm fits a downtime budget.
 *
 * The model follows the passes as `copyWhileRunning` (warm.ts) runs them. Pass 1 copies every
 * allocated byte while the source runs. Every pass opens a point-in-time export that also starts a
 * new checkpoint, so the next pass copies what the guest wrote from the start of the previous pass
 * to the start of its own: change rate × (previous pass + pause between passes), at most the
 * working set. Delta passes repeat until one copies at most `convergedBytes` or `maxDeltaPasses`
 * ran. Then the source stops, the final pass copies what was written since the last pass began,
 * and the target starts. This is the geometric convergence of live migration's pre-copy
 * (`@vmshift/core`'s `modelPrecopy`): each pass is change rate ÷ bandwidth times the one before.
 * Two things differ, which is why the model is its own: the stop rule is a byte count (not a
 * downtime limit over a bandwidth estimate), and every pass pays a fixed cost (opening the export,
 * listing the changed blocks, one `qemu-img` per range window) that bounds a delta from below at
 * change rate × that cost — a delta pass never gets cheaper than its fixed cost, however fast the copy.
 *
 * Cold: the source stops, every disk is copied, the target starts.
 */
import { VmshiftError } from "@vmshift/core";
import type { PassReport } from "./warm.ts";

/** Inputs of {@link planWarmMove}, {@link planColdMove} and {@link adviseMove}. Bytes, bytes per second, ms. */
export interface MovePlanInput {
  /** Allocated bytes of each copied disk (what pass 1 and a cold copy read), or their sum. */
  readonly diskBytes: number | readonly number[];
  /**
   * How fast the running source dirties its disks, bytes per second (of dirty blocks, at the
   * change tracking's granularity). Measured from a pass: its delta bytes ÷ the time since the
   * previous pass began ({@link ratesFromPasses}).
   */
  readonly changeRateBytesPerSecond: number;
  /** Copy bandwidth, bytes per second (measured: a full pass's bytes ÷ its duration). */
  readonly bandwidthBytesPerSecond: number;
  /** Most bytes the guest can dirty between two passes (its written working set). Default: every disk byte. */
  readonly workingSetBytes?: number;
  /** As `WarmOptions.maxDeltaPasses`. Default 5. */
  readonly maxDeltaPasses?: number;
  /** As `WarmOptions.convergedBytes`. Default 16 MiB. */
  readonly convergedBytes?: number;
  /** As `WarmOptions.passIntervalMs`. Default 0. */
  readonly passIntervalMs?: number;
  /** Fixed cost of every pass while the source runs (export, change listing, copier start-up), ms. Default 0. */
  readonly passOverheadMs?: number;
  /** Stopping the source, ms (counted as downtime; the guest keeps writing until it is off). Default 0. */
  readonly stopMs?: number;
  /** Fixed cost of the final pass (libvirt: the stopped source brought up paused, then the export), ms. Default `passOverheadMs`. */
  readonly finalPassOverheadMs?: number;
  /** Starting the target, ms. Default 0. */
  readonly startMs?: number;
}

/** One pass of a planned warm move. */
export interface PlannedPass {
  /** 1-based. */
  readonly pass: number;
  /** `full`, `delta` (source running) or `final` (source stopped). */
  readonly kind: PassReport["kind"];
  /** Bytes the pass copies. */
  readonly bytes: number;
  /** Fixed cost + bytes ÷ bandwidth, ms. */
  readonly durationMs: number;
}

/** What {@link planWarmMove} predicts. */
export interface WarmMovePlan {
  /** Every pass: the full one, the delta passes while the source runs, the final one. */
  readonly passes: readonly PlannedPass[];
  /** Delta passes while the source runs (not counting the full and the final pass). */
  readonly deltaPasses: number;
  /** True when a delta pass copied at most `convergedBytes` (false: `maxDeltaPasses` ended the passes). */
  readonly converged: boolean;
  /** Bytes the final pass copies (source stopped). */
  readonly finalBytes: number;
  /** Every byte copied over all passes. */
  readonly bytesCopied: number;
  /** Sum of the passes' durations, ms. */
  readonly copyMs: number;
  /** Start of pass 1 to the target running, ms (pauses between passes, stop and start included). */
  readonly totalMs: number;
  /** Source off to target running: stop + final pass + start, ms. */
  readonly downtimeMs: number;
  /** The smallest delta a pass can reach: change rate × (pass fixed cost + pause between passes), bytes. */
  readonly deltaFloorBytes: number;
  /** Why the passes end where they do, in a sentence. */
  readonly reason: string;
}

/** What {@link planColdMove} predicts. */
export interface ColdMovePlan {
  /** Every byte copied (one full pass). */
  readonly bytesCopied: number;
  /** The copy's duration, ms. */
  readonly copyMs: number;
  /** stop + full copy + start, ms: the VM is down for all of it. */
  readonly downtimeMs: number;
  /** Start to the target running, ms (the same as the downtime: the VM is stopped first). */
  readonly totalMs: number;
}

/** Cold or warm against a downtime budget, with both plans. */
export interface MoveAdvice {
  /** The advised mode. */
  readonly mode: "cold" | "warm";
  /** False when neither mode fits the budget (the advice is then the one with less downtime). */
  readonly fitsBudget: boolean;
  /** Why, in a sentence (the downtime of both and the budget). */
  readonly reason: string;
  /** The cold plan it compared. */
  readonly cold: ColdMovePlan;
  /** The warm plan it compared. */
  readonly warm: WarmMovePlan;
}

const MIB = 1024 * 1024;

function check(name: string, value: number | undefined, positive = false): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new VmshiftError("INVALID_ARGUMENT", `${name} must be a ${positive ? "positive" : "non-negative"} finite number, got ${value}`, { operation: "move.plan" });
  }
}

function totalDiskBytes(input: MovePlanInput): number {
  const sizes = typeof input.diskBytes === "number" ? [input.diskBytes] : input.diskBytes;
  if (!Array.isArray(sizes) && typeof input.diskBytes !== "number") throw new VmshiftError("INVALID_ARGUMENT", "diskBytes must be a number or an array of numbers", { operation: "move.plan" });
  sizes.forEach((s, i) => check(`diskBytes[${i}]`, s));
  return sizes.reduce((n, s) => n + s, 0);
}

function validated(input: MovePlanInput) {
  const disk = totalDiskBytes(input);
  check("changeRateBytesPerSecond", input.changeRateBytesPerSecond);
  check("bandwidthBytesPerSecond", input.bandwidthBytesPerSecond, true);
  for (const k of ["workingSetBytes", "convergedBytes", "passIntervalMs", "passOverheadMs", "stopMs", "finalPassOverheadMs", "startMs"] as const) check(k, input[k]);
  const maxDeltaPasses = input.maxDeltaPasses ?? 5;
  if (!Number.isInteger(maxDeltaPasses) || maxDeltaPasses < 0) throw new VmshiftError("INVALID_ARGUMENT", `maxDeltaPasses must be a whole number ≥ 0, got ${maxDeltaPasses}`, { operation: "move.plan" });
  const passOverheadMs = input.passOverheadMs ?? 0;
  return {
    disk,
    rate: input.changeRateBytesPerSecond,
    bandwidth: input.bandwidthBytesPerSecond,
    workingSet: Math.min(input.workingSetBytes ?? disk, disk),
    maxDeltaPasses,
    converged: input.convergedBytes ?? 16 * MIB,
    intervalMs: input.passIntervalMs ?? 0,
    passOverheadMs,
    stopMs: input.stopMs ?? 0,
    finalOverheadMs: input.finalPassOverheadMs ?? passOverheadMs,
    startMs: input.startMs ?? 0,
  };
}

/** Predicts a cold move: the source stops, every disk is copied, the target starts. Pure. */
export function planColdMove(input: MovePlanInput): ColdMovePlan {
  const p = validated(input);
  const copyMs = (p.disk / p.bandwidth) * 1000;
  const downtimeMs = p.stopMs + copyMs + p.startMs;
  return { bytesCopied: p.disk, copyMs, downtimeMs, totalMs: downtimeMs };
}

/** Predicts a warm move's passes, copy time and cutover downtime (see the module comment). Pure and deterministic. */
export function planWarmMove(input: MovePlanInput): WarmMovePlan {
  const p = validated(input);
  const passMs = (bytes: number, overheadMs: number) => overheadMs + (bytes / p.bandwidth) * 1000;
  const dirtiedOver = (ms: number) => Math.min(p.workingSet, (p.rate * ms) / 1000);
  const passes: PlannedPass[] = [{ pass: 1, kind: "full", bytes: p.disk, durationMs: passMs(p.disk, p.passOverheadMs) }];
  let converged = false;
  for (let n = 0; n < p.maxDeltaPasses; n++) {
    const previous = passes.at(-1)!;
    const bytes = dirtiedOver(previous.durationMs + p.intervalMs);
    passes.push({ pass: passes.length + 1, kind: "delta", bytes, durationMs: passMs(bytes, p.passOverheadMs) });
    if (bytes <= p.converged) {
      converged = true;
      break;
    }
  }
  const last = passes.at(-1)!;
  // The final pass: what was written since the last pass began, until the source was off.
  const finalBytes = dirtiedOver(last.durationMs + p.stopMs);
  const final: PlannedPass = { pass: passes.length + 1, kind: "final", bytes: finalBytes, durationMs: passMs(finalBytes, p.finalOverheadMs) };
  passes.push(final);
  const copyMs = passes.reduce((n, x) => n + x.durationMs, 0);
  const deltaPasses = passes.length - 2;
  const downtimeMs = p.stopMs + final.durationMs + p.startMs;
  const totalMs = copyMs + deltaPasses * p.intervalMs + p.stopMs + p.startMs;
  const deltaFloorBytes = Math.min(p.workingSet, (p.rate * (p.passOverheadMs + p.intervalMs)) / 1000);
  const ratio = p.rate / p.bandwidth;
  const reason = converged
    ? `delta pass ${last.pass} copies ${mib(last.bytes)} ≤ ${mib(p.converged)} after ${deltaPasses} delta pass(es); the final pass copies ${mib(finalBytes)}`
    : p.maxDeltaPasses === 0
      ? `no delta passes allowed: the final pass copies what was written during the full pass, ${mib(finalBytes)}`
      : deltaFloorBytes > p.converged
        ? `a delta never drops below ${mib(deltaFloorBytes)} (change rate × the ${Math.round(p.passOverheadMs + p.intervalMs)} ms each pass costs beyond its copy), above ${mib(p.converged)}: ${p.maxDeltaPasses} delta passes, then a final pass of ${mib(finalBytes)}`
        : ratio >= 1
          ? `the disks change at ${ratio.toFixed(2)}× the copy bandwidth: deltas never shrink; ${p.maxDeltaPasses} delta passes, then a final pass of ${mib(finalBytes)}`
          : `${p.maxDeltaPasses} delta passes were not enough to reach ${mib(p.converged)}; the final pass copies ${mib(finalBytes)}`;
  return { passes, deltaPasses, converged, finalBytes, bytesCopied: passes.reduce((n, x) => n + x.bytes, 0), copyMs, totalMs, downtimeMs, deltaFloorBytes, reason };
}

/**
 * Cold or warm against `downtimeBudgetMs`: cold when its downtime fits (it copies every byte once
 * and asks nothing of the source), else warm when that fits, else whichever is down for less, with
 * `fitsBudget` false.
 */
export function adviseMove(input: MovePlanInput, options: { readonly downtimeBudgetMs: number }): MoveAdvice {
  check("downtimeBudgetMs", options.downtimeBudgetMs);
  const cold = planColdMove(input);
  const warm = planWarmMove(input);
  const budget = options.downtimeBudgetMs;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (cold.downtimeMs <= budget) return { mode: "cold", fitsBudget: true, reason: `cold: ${s(cold.downtimeMs)} of downtime fits the ${s(budget)} budget`, cold, warm };
  if (warm.downtimeMs <= budget) return { mode: "warm", fitsBudget: true, reason: `warm: ${s(warm.downtimeMs)} of downtime fits the ${s(budget)} budget (cold would be ${s(cold.downtimeMs)}); ${warm.reason}`, cold, warm };
  const mode = warm.downtimeMs < cold.downtimeMs ? "warm" : "cold";
  return { mode, fitsBudget: false, reason: `neither fits the ${s(budget)} budget (cold ${s(cold.downtimeMs)}, warm ${s(warm.downtimeMs)}): ${mode} is down for less`, cold, warm };
}

/**
 * The planner's rates measured from a warm move's passes (`MoveResult.passes`): bandwidth = the
 * full pass's bytes ÷ its duration (its fixed cost included, so a lower bound); change rate = each
 * delta pass's bytes ÷ the time since the previous pass began (its duration + `passIntervalMs`),
 * over every delta pass while the source ran. `undefined` rates when the passes do not show them.
 */
export function ratesFromPasses(passes: readonly Pick<PassReport, "kind" | "bytes" | "durationMs">[], options: { readonly passIntervalMs?: number } = {}): { readonly bandwidthBytesPerSecond?: number; readonly changeRateBytesPerSecond?: number } {
  const interval = options.passIntervalMs ?? 0;
  const full = passes.find((x) => x.kind === "full");
  let dirtied = 0;
  let window = 0;
  for (let i = 1; i < passes.length; i++) {
    if (passes[i]!.kind !== "delta") continue;
    dirtied += passes[i]!.bytes;
    window += passes[i - 1]!.durationMs + interval;
  }
  return {
    ...(full && full.durationMs > 0 ? { bandwidthBytesPerSecond: (full.bytes / full.durationMs) * 1000 } : {}),
    ...(window > 0 ? { changeRateBytesPerSecond: (dirtied / window) * 1000 } : {}),
  };
}

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(bytes < MIB ? 2 : 1)} MiB`;
}
