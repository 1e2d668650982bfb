/**
 * Planning of `rebalance`, per cluster, on memory:
 * - `balance`: repeatedly moves, from a host above the others to one below, the VM whose size
 *   best closes the gap between the two, until the most and least used hosts differ by at most
 *   `tolerance` (or no move improves, or `maxMigrations` is reached). A host either gives or
 *   receives, never both, so no VM moves twice and no move waits for another.
 * - `consolidate`: keeps the fewest hosts that can hold the cluster's VMs, moving least, and
 *   empties the rest onto them (see consolidate.ts). At least `minHosts` hosts stay.
 * Running VMs that could only move cold stay (unless `allowCold`); stopped VMs may move.
 */
import type { VmshiftClient } from "../client.ts";
import type { Host } from "../model.ts";
import { balanceCluster, pct } from "./balance.ts";
import { consolidateCluster } from "./consolidate.ts";
import { type FleetInventory, acceptsVms, loadInventory } from "./inventory.ts";
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
  const max = options.maxMigrations ?? DEFAULT_MAX_REBALANCE_MIGRATIONS;
  if (goal.goal === "balance") {
    const b = new PlanBuilder(client, inventory, options);
    const clusters = clustersOf(b, inventory, options.clusterId);
    const notes: string[] = [];
    for (const [cluster, hosts] of clusters) balanceCluster(b, cluster, hosts, options.tolerance ?? DEFAULT_BALANCE_TOLERANCE, max, notes);
    const util = (h: Host, projected: boolean) => ((projected ? b.ledger.projectedUsed(h.id) : b.ledger.usedNow(h.id)) ?? 0) / (h.memoryBytes ?? 1);
    const spreads = clusters.map(([c, hs]) => `${c || "(no cluster)"}: spread ${pct(spread(hs.map((h) => util(h, false))))} → ${pct(spread(hs.map((h) => util(h, true))))}`);
    const plan = b.build("balance", [], [], "");
    return { ...plan, summary: `balance memory: ${plan.migrations.length} live move(s); ${spreads.join("; ") || "no cluster with measurable hosts"}`, notes };
  }
  const b = new PlanBuilder(client, inventory, options);
  const notes: string[] = [];
  const freed: string[] = [];
  for (const [cluster, hosts] of clustersOf(b, inventory, options.clusterId)) freed.push(...consolidateCluster(b, cluster, hosts, options.minHosts ?? 1, max, notes));
  const plan = b.build("consolidate", [], freed, "");
  return { ...plan, summary: `consolidate: ${plan.migrations.length} move(s) free ${freed.length} host(s)${freed.length ? ` (${freed.join(", ")})` : ""}`, notes };
}

function clustersOf(b: PlanBuilder, inventory: FleetInventory, only: string | undefined): [string, Host[]][] {
  const clusters = new Map<string, Host[]>();
  for (const h of inventory.hosts.values()) {
    if (!acceptsVms(h) || h.memoryBytes === undefined || !b.ledger.knows(h.id) || b.ledger.usedNow(h.id) === undefined) continue;
    const c = h.clusterId ?? "";
    if (only !== undefined && c !== only) continue;
    clusters.set(c, [...(clusters.get(c) ?? []), h]);
  }
  return [...clusters.entries()].sort(([a], [c]) => a.localeCompare(c));
}

function spread(values: number[]): number {
  return values.length === 0 ? 0 : Math.max(...values) - Math.min(...values);
}
