/**
 * Optional preflight verification of planned targets (`preflight: true`): the platform's own
 * checks run for each move, and a target they refuse (an `error` check: CPU compatibility,
 * devices, storage, state…) is replaced by the next best one, up to {@link PREFLIGHT_TARGETS}
 * targets per VM. Costs one request per VM, more on refusals. Checks stay advisory: the platform
 * may still refuse at execution.
 */
import { isAvailable } from "../capabilities.ts";
import type { Host, PreflightCheck, Vm } from "../model.ts";
import type { PlanBuilder, Placement } from "./plan-builder.ts";
import type { ModeDecision } from "./strategy.ts";

/** Most targets tried per VM when preflight refuses. */
export const PREFLIGHT_TARGETS = 3;

/** A target, or why there is none. */
export type Placed = { readonly target: Host; readonly note?: string } | { readonly target?: undefined; readonly code: string; readonly reason: string };

const CODE_BY_CATEGORY: Readonly<Record<PreflightCheck["category"], string>> = {
  capacity: "INSUFFICIENT_RESOURCES",
  compatibility: "INCOMPATIBLE",
  device: "INCOMPATIBLE",
  storage: "INCOMPATIBLE",
  network: "INCOMPATIBLE",
  state: "INVALID_STATE",
  policy: "INVALID_STATE",
};

/** Asks the platform whether `target` can take `vm`; undefined when it can, else the refusal. */
export async function refusal(b: PlanBuilder, vm: Vm, target: Host, decision: Extract<ModeDecision, { ok: true }>): Promise<{ code: string; reason: string } | undefined> {
  if (!b.options.preflight || !isAvailable(b.client.capabilities(), "preflight")) return undefined;
  const report = await b.client.preflight({ vmId: vm.id, targetHostId: target.id, mode: decision.mode }, b.options.signal ? { signal: b.options.signal } : {});
  const errors = report.checks.filter((c) => c.severity === "error");
  if (errors.length === 0) return undefined;
  return { code: CODE_BY_CATEGORY[errors[0]!.category], reason: `${target.id}: ${errors.map((c) => c.message).join("; ")}` };
}

/** The best target with room that preflight (when enabled) accepts. */
export async function placeVerified(b: PlanBuilder, vm: Vm, decision: Extract<ModeDecision, { ok: true }>, placement: Placement, exclude: ReadonlySet<string>, noRoom: string, clusterId?: string): Promise<Placed> {
  const ranked = b.rankTargets(vm, placement, exclude, clusterId);
  if (ranked.length === 0) return { code: "INSUFFICIENT_RESOURCES", reason: noRoom };
  const refused: { code: string; reason: string }[] = [];
  for (const target of ranked.slice(0, b.options.preflight ? PREFLIGHT_TARGETS : 1)) {
    const r = await refusal(b, vm, target, decision);
    if (!r) return refused.length === 0 ? { target } : { target, note: `preflight refused ${refused.map((x) => x.reason).join(" | ")}` };
    refused.push(r);
  }
  return { code: refused[0]!.code, reason: `preflight refused every target tried: ${refused.map((x) => x.reason).join(" | ")}` };
}
