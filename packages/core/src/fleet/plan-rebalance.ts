/**
 * Planning of `rebalance`, per cluster, on memory:
 * - `balance`: repeatedly moves, from a host above the others to one below, the VM whose size
 *   best closes the gap between the two, until the most and least used hosts differ by at most
 *   `tolerance` (or no move improves, or `maxMigrations` is reached). A host either gives or
 *   receives, never both, so no VM moves twice and no move waits for another.
 * - `consolidate`: tries to empty the least used hosts first; a host is freed only if every one of
 *   its VMs finds room on the hosts kept (best fit: the fullest host it fits on, largest VM
 *   first), otherwise its tentative moves are rolled back. At least `minHosts` hosts stay.
 * Running VMs that could only move cold stay (unless `allowCold`); stopped VMs may move.
 */
import type { VmshiftClient } from "../client.ts";
import type { Host, Vm } from "../model.ts";
import { acceptsVms, loadInventory, memoryDemand } from "./inventory.ts";
import { type RebalanceGoal, type RebalanceOptions, validateRebalanceOptions } from "./options.ts";
import { PlanBuilder } from "./plan-builder.ts";
import type { FleetPlan } from "./types.ts";

const OPERATION = "fleet.rebalance";

/** Default tolerance of `balance`: 5 percentage points of memory between most and least used host. */
export const DEFAULT_BALANCE_TOLERANCE = 0.05;
/** Default most migrations per rebalance plan (CloudStack's `drs.max.migrations`). */
export const DEFAULT_MAX_REBALANCE_MIGRATIONS = 50;

/** Plans a rebalance. */
export async function planRebalance(client: VmshiftClient, goal: RebalanceGoal, options: RebalanceOptions = {}): Promise<FleetPlan> {
  validateRebalanceOptions(goal, options, OPERATION);
  const inventory = await loadInventory(client, options.signal ? { signal: options.signal } : {});
  const b = new PlanBuilder(client, inventory, options);
  const clusters = new Map<string, Host[]>();
  for (const h of inventory.hosts.values()) {
    if (!acceptsVms(h) || h.memoryBytes === undefined || !b.ledger.knows(h.id) || b.ledger.usedNow(h.id) === undefined) continue;
    const c = h.clusterId ?? "";
    if (options.clusterId !== undefined && c !== options.clusterId) continue;
    clusters.set(c, [...(clusters.get(c) ?? []), h]);
  }
  const notes: string[] = [];
  const freed: string[] = [];
  const max = options.maxMigrations ?? DEFAULT_MAX_REBALANCE_MIGRATIONS;
  for (const [cluster, hosts] of [...clusters.entries()].sort(([a], [c]) => a.localeCompare(c))) {
    if (goal.goal === "balance") balanceCluster(b, cluster, hosts, options.tolerance ?? DEFAULT_BALANCE_TOLERANCE, max, notes);
    else freed.push(...consolidateCluster(b, cluster, hosts, options.minHosts ?? 1, max, notes));
  }
  const util = (h: Host, projected: boolean) => ((projected ? b.ledger.projectedUsed(h.id) : b.ledger.usedNow(h.id)) ?? 0) / (h.memoryBytes ?? 1);
  const spreads = [...clusters.entries()].map(([c, hs]) => {
    const before = spread(hs.map((h) => util(h, false)));
    const after = spread(hs.map((h) => util(h, true)));
    return `${c || "(no cluster)"}: spread ${pct(before)} → ${pct(after)}`;
  });
  const plan = b.build(goal.goal, [], freed, "");
  const summary =
    goal.goal === "balance"
      ? `balance memory: ${plan.migrations.length} live move(s); ${spreads.join("; ") || "no cluster with measurable hosts"}`
      : `consolidate: ${plan.migrations.length} move(s) free ${freed.length} host(s)${freed.length ? ` (${freed.join(", ")})` : ""}`;
  return { ...plan, summary, notes };
}

function spread(values: number[]): number {
  return values.length === 0 ? 0 : Math.max(...values) - Math.min(...values);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} pp`;
}

/** VMs originally on `hostId` that may move under this plan (with their decision). */
function movable(b: PlanBuilder, hostId: string, allowCold: boolean) {
  return b.inventory.vms
    .filter((v) => v.hostId === hostId && !b.has(v.id))
    .map((vm) => ({ vm, decision: b.decide(vm, undefined, allowCold, b.options.migration?.maxDowntimeMs) }));
}

function balanceCluster(b: PlanBuilder, cluster: string, hosts: Host[], tolerance: number, max: number, notes: string[]): void {
  const role = new Map<string, "give" | "take">();
  const util = (h: Host, delta = 0) => ((b.ledger.projectedUsed(h.id) ?? 0) + delta) / h.memoryBytes!;
  const allowCold = b.options.allowCold ?? false;
  while (b.moveCount < max) {
    const sorted = [...hosts].sort((x, y) => util(y) - util(x) || x.id.localeCompare(y.id));
    const hi = sorted[0]!;
    const lo = sorted[sorted.length - 1]!;
    if (util(hi) - util(lo) <= tolerance) return;
    let best: { vm: Vm; target: Host; decision: Extract<ReturnType<PlanBuilder["decide"]>, { ok: true }>; gap: number } | undefined;
    for (const src of sorted) {
      if (role.get(src.id) === "take") continue;
      for (const dst of [...sorted].reverse()) {
        if (dst === src || role.get(dst.id) === "give" || util(src) - util(dst) <= tolerance) continue;
        const before = util(src) - util(dst);
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
      notes.push(`${cluster || "(no cluster)"}: no single move narrows the gap further (${pct(util(hi) - util(lo))} left)`);
      return;
    }
    role.set(best.vm.hostId!, "give");
    role.set(best.target.id, "take");
    b.addMove(best.vm, best.target, best.decision, `from ${best.vm.hostId} to ${best.target.id}: narrows their memory gap to ${pct(best.gap)}`);
  }
  notes.push(`${cluster || "(no cluster)"}: stopped at the ${max}-migration limit`);
}

function consolidateCluster(b: PlanBuilder, cluster: string, hosts: Host[], minHosts: number, max: number, notes: string[]): string[] {
  const allowCold = b.options.allowCold ?? false;
  const occupied = (h: Host) => b.inventory.vms.some((v) => v.hostId === h.id);
  const kept = new Set(hosts.filter(occupied).map((h) => h.id));
  const receiving = new Set<string>();
  const freed: string[] = [];
  const order = hosts.filter(occupied).sort((x, y) => (b.ledger.usedNow(x.id) ?? 0) - (b.ledger.usedNow(y.id) ?? 0) || x.id.localeCompare(y.id));
  for (const candidate of order) {
    if (kept.size <= minHosts) break;
    if (receiving.has(candidate.id)) continue;
    const vms = movable(b, candidate.id, allowCold).sort((x, y) => memoryDemand(y.vm) - memoryDemand(x.vm) || x.vm.id.localeCompare(y.vm.id));
    const blocked = vms.find((x) => !x.decision.ok);
    if (blocked && !blocked.decision.ok) {
      notes.push(`${candidate.id} stays: ${blocked.vm.id} cannot move (${blocked.decision.reason})`);
      continue;
    }
    if (b.moveCount + vms.length > max) {
      notes.push(`${candidate.id} stays: freeing it would exceed the ${max}-migration limit`);
      continue;
    }
    const exclude = new Set([...freed, candidate.id, ...hosts.filter((h) => !kept.has(h.id) || h.id === candidate.id).map((h) => h.id)]);
    const checkpoint = b.checkpoint();
    const targets: string[] = [];
    let failed: Vm | undefined;
    for (const { vm, decision } of vms) {
      const target = b.pickTarget(vm, "pack", exclude);
      if (!target || !decision.ok) {
        failed = vm;
        break;
      }
      targets.push(target.id);
      b.addMove(vm, target, decision, `off ${candidate.id} (to free it) onto ${target.id}: the fullest host it fits on`);
    }
    if (failed) {
      b.rollback(checkpoint);
      notes.push(`${candidate.id} stays: no kept host has room for ${failed.id}`);
      continue;
    }
    for (const t of targets) receiving.add(t);
    kept.delete(candidate.id);
    freed.push(candidate.id);
  }
  if (freed.length === 0 && !notes.some((n) => n.startsWith(cluster))) notes.push(`${cluster || "(no cluster)"}: no host can be freed`);
  return freed;
}
