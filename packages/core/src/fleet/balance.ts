/**
 * `balance`, one cluster: repeatedly moves, from a host above the others to one below, the VM
 * whose size best closes the gap between the two, until the most and least used hosts differ by
 * at most `tolerance` (or no single move narrows a gap, or the migration cap is reached). A VM
 * moves at most once; capacity is taken only from memory free now (never from memory a planned
 * move would free), so the moves can run in any order.
 */
import type { Host, Vm } from "../model.ts";
import { memoryDemand } from "./inventory.ts";
import type { PlanBuilder } from "./plan-builder.ts";
import type { ModeDecision } from "./strategy.ts";

/** `0.125` → `12.5 pp`. */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)} pp`;
}

/** VMs originally on `hostId` not yet in the plan, with how each would move. */
export function movable(b: PlanBuilder, hostId: string, allowCold: boolean): { vm: Vm; decision: ModeDecision }[] {
  return b.inventory.vms
    .filter((v) => v.hostId === hostId && !b.has(v.id))
    .map((vm) => ({ vm, decision: b.decide(vm, undefined, allowCold, b.options.migration?.maxDowntimeMs) }));
}

/** Plans the balance moves of one cluster into `b`; explains leftovers in `notes`. */
export function balanceCluster(b: PlanBuilder, cluster: string, hosts: readonly Host[], tolerance: number, max: number, notes: string[]): void {
  const util = (h: Host, delta = 0) => ((b.ledger.projectedUsed(h.id) ?? 0) + delta) / h.memoryBytes!;
  const allowCold = b.options.allowCold ?? false;
  const name = cluster || "(no cluster)";
  while (b.moveCount < max) {
    const sorted = [...hosts].sort((x, y) => util(y) - util(x) || x.id.localeCompare(y.id));
    const hi = sorted[0]!;
    const lo = sorted[sorted.length - 1]!;
    if (util(hi) - util(lo) <= tolerance) return;
    let best: { vm: Vm; target: Host; decision: Extract<ModeDecision, { ok: true }>; gap: number } | undefined;
    for (const src of sorted) {
      for (const dst of [...sorted].reverse()) {
        const before = util(src) - util(dst);
        if (dst === src || before <= tolerance) continue;
        for (const { vm, decision } of movable(b, src.id, allowCold)) {
          const d = memoryDemand(vm);
          if (!decision.ok || d === 0 || !b.ledger.fits(dst.id, d)) continue;
          const gap = Math.abs(util(src, -d) - util(dst, d));
          if (gap >= before - 1e-12) continue;
          if (!best || gap < best.gap - 1e-12 || (Math.abs(gap - best.gap) <= 1e-12 && vm.id < best.vm.id)) best = { vm, target: dst, decision, gap };
        }
        if (best) break;
      }
      if (best) break;
    }
    if (!best) {
      notes.push(`${name}: no single move narrows the gap further (${pct(util(hi) - util(lo))} left)`);
      return;
    }
    b.addMove(best.vm, best.target, best.decision, `from ${best.vm.hostId} to ${best.target.id}: narrows their memory gap to ${pct(best.gap)}`);
  }
  notes.push(`${name}: stopped at the ${max}-migration limit`);
}
