/**
 * Live or cold, per VM: the planner's `recommend` when the dirty rate is known (from a hint),
 * otherwise the VM's state (running and live-migratable: live; stopped: cold), always within what
 * the adapter's capability table allows.
 */
import { type CapabilityTable, isAvailable } from "../capabilities.ts";
import type { MigrationMode, Vm } from "../model.ts";
import { type Strategy, recommend } from "../planner.ts";
import type { VmHint } from "./options.ts";

/** Default bandwidth the planner assumes, bytes/s (10 Gbit/s). */
export const DEFAULT_PLANNING_BANDWIDTH = 1.25e9;

/** The decision for one VM. */
export type ModeDecision =
  | { readonly ok: true; readonly mode: MigrationMode; readonly strategy: Strategy; readonly reason: string; readonly estimatedMs?: number }
  | { readonly ok: false; readonly code: string; readonly reason: string };

/** Inputs of {@link chooseMode}. */
export interface ModeInput {
  readonly vm: Vm;
  readonly capabilities: CapabilityTable;
  /** Mode the caller asked for, if any. */
  readonly requested?: MigrationMode;
  readonly allowCold: boolean;
  readonly hint?: VmHint;
  /** Bytes/s. */
  readonly bandwidthBytesPerSecond: number;
  /** ms; default: the planner's (300). */
  readonly maxDowntimeMs?: number;
}

/** Decides how a VM moves, or why it cannot. */
export function chooseMode(input: ModeInput): ModeDecision {
  const { vm, capabilities: caps } = input;
  const liveCap = isAvailable(caps, "migration.live");
  const coldCap = isAvailable(caps, "migration.cold");
  if (vm.powerState === "migrating") return { ok: false, code: "CONFLICT", reason: "already migrating" };
  if (vm.powerState === "unknown") return { ok: false, code: "INVALID_STATE", reason: "power state unknown" };
  const running = vm.powerState === "running";
  if (input.requested === "cold" || !running) {
    if (!coldCap) return { ok: false, code: "NOT_SUPPORTED", reason: `${running ? "cold move requested" : `VM is ${vm.powerState}`} but this adapter has no cold migration` };
    if (input.requested === "live") return { ok: false, code: "INVALID_STATE", reason: `live move requested but the VM is ${vm.powerState}` };
    return { ok: true, mode: "cold", strategy: "cold", reason: input.requested === "cold" ? "cold as requested" : `cold: the VM is ${vm.powerState}` };
  }
  const liveHere = liveCap && vm.liveMigratable !== false;
  const dirty = input.hint?.dirtyRateBytesPerSecond;
  let strategy: Strategy;
  let reason: string;
  let estimatedMs: number | undefined;
  if (dirty !== undefined && vm.memoryBytes !== undefined) {
    const advice = recommend(
      {
        memoryBytes: vm.memoryBytes,
        dirtyRateBytesPerSecond: dirty,
        bandwidthBytesPerSecond: input.bandwidthBytesPerSecond,
        ...(input.maxDowntimeMs === undefined ? {} : { maxDowntimeMs: input.maxDowntimeMs }),
        ...(input.hint?.workingSetBytes === undefined ? {} : { workingSetBytes: input.hint.workingSetBytes }),
      },
      { autoConverge: isAvailable(caps, "migration.autoConverge"), postCopy: isAvailable(caps, "migration.postCopy"), live: liveHere },
    );
    strategy = advice.strategy;
    reason = `${advice.strategy}: ${advice.reason}`;
    const plan = advice.autoConvergePlan ?? advice.plan;
    if (strategy !== "cold") estimatedMs = plan.totalTimeMs;
  } else {
    strategy = liveHere ? "live" : "cold";
    reason = liveHere ? "live: the VM runs and is live-migratable (no dirty rate known to model)" : vm.liveMigratable === false ? "cold: the platform says the VM cannot move live" : "cold: this adapter has no live migration";
    if (vm.memoryBytes !== undefined && liveHere) estimatedMs = (vm.memoryBytes / input.bandwidthBytesPerSecond) * 1000;
  }
  if (input.requested === "live" && strategy === "cold") {
    if (!liveHere) return { ok: false, code: "INCOMPATIBLE", reason: `live move requested, but ${reason}` };
    // The caller insists on live although the model says it will not converge: honour it, say so.
    return { ok: true, mode: "live", strategy: "live", reason: `live as requested (planner: ${reason})`, ...(estimatedMs === undefined ? {} : { estimatedMs }) };
  }
  if (strategy === "cold") {
    if (!input.allowCold) return { ok: false, code: "INVALID_STATE", reason: `${reason}; cold moves (guest stopped) are not allowed here` };
    if (!coldCap) return { ok: false, code: "NOT_SUPPORTED", reason: `${reason}; but this adapter has no cold migration` };
    return { ok: true, mode: "cold", strategy, reason };
  }
  return { ok: true, mode: "live", strategy, reason, ...(estimatedMs === undefined ? {} : { estimatedMs }) };
}
