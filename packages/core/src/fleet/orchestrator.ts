/**
 * The fleet operations: `migrateMany`, `evacuateHost`, `rebalance`. Each builds a plan first
 * (which VM goes where, live or cold, in what order, and why), returns it on a dry run, and
 * otherwise executes it and resolves with the report of where every VM ended up.
 */
import type { VmshiftClient } from "../client.ts";
import type { MigrationRequest } from "../model.ts";
import { FleetExecution } from "./execute.ts";
import type { ExecuteOptions, FleetOptions, RebalanceGoal, RebalanceOptions } from "./options.ts";
import { planEvacuation } from "./plan-evacuate.ts";
import { planMigrateMany } from "./plan-migrate.ts";
import { planRebalance } from "./plan-rebalance.ts";
import type { FleetPlan, FleetReport } from "./types.ts";

/**
 * Starts executing a plan (from a planner, or a dry run saved earlier) and returns its handle.
 * Throws `INVALID_ARGUMENT` for a malformed plan, before starting anything.
 */
export function executePlan(client: VmshiftClient, plan: FleetPlan, options: ExecuteOptions = {}): FleetExecution {
  return new FleetExecution(client, plan, options);
}

async function run(client: VmshiftClient, plan: FleetPlan, options: FleetOptions): Promise<FleetPlan | FleetReport> {
  if (options.dryRun) return plan;
  const execution = executePlan(client, plan, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.stopOnFailure === undefined ? {} : { stopOnFailure: options.stopOnFailure }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  options.onExecution?.(execution);
  return execution.report();
}

/**
 * Moves many VMs: plans the requests in the caller's order (targets chosen for requests without
 * one; capacity reserved so two VMs never get the same last free memory), then runs them under
 * the concurrency limits. With `dryRun`, resolves with the plan; otherwise with the report.
 * Live by default where the VM runs; cold for stopped VMs (and for running ones only when the
 * request asks for it or `allowCold` is set).
 */
export function migrateMany(client: VmshiftClient, requests: readonly MigrationRequest[], options: FleetOptions & { readonly dryRun: true }): Promise<FleetPlan>;
export function migrateMany(client: VmshiftClient, requests: readonly MigrationRequest[], options?: FleetOptions & { readonly dryRun?: false }): Promise<FleetReport>;
export function migrateMany(client: VmshiftClient, requests: readonly MigrationRequest[], options?: FleetOptions): Promise<FleetPlan | FleetReport>;
export async function migrateMany(client: VmshiftClient, requests: readonly MigrationRequest[], options: FleetOptions = {}): Promise<FleetPlan | FleetReport> {
  return run(client, await planMigrateMany(client, requests, options), options);
}

/**
 * Empties a host (or several: pass an array) for maintenance: every VM on it moves to another
 * schedulable host of its cluster with room, largest first. Cold moves are allowed by default
 * (`allowCold: true`) for VMs that cannot move live. `NOT_FOUND` for an unknown host.
 */
export function evacuateHost(client: VmshiftClient, hostId: string | readonly string[], options: FleetOptions & { readonly dryRun: true }): Promise<FleetPlan>;
export function evacuateHost(client: VmshiftClient, hostId: string | readonly string[], options?: FleetOptions & { readonly dryRun?: false }): Promise<FleetReport>;
export function evacuateHost(client: VmshiftClient, hostId: string | readonly string[], options?: FleetOptions): Promise<FleetPlan | FleetReport>;
export async function evacuateHost(client: VmshiftClient, hostId: string | readonly string[], options: FleetOptions = {}): Promise<FleetPlan | FleetReport> {
  return run(client, await planEvacuation(client, hostId, options), options);
}

/**
 * Rebalances memory per cluster: `balance` evens out memory use (within `tolerance`, default 5
 * percentage points); `consolidate` packs VMs onto fewer hosts and frees the rest (the plan and
 * the report list the freed hosts). Live moves only unless `allowCold`.
 */
export function rebalance(client: VmshiftClient, goal: RebalanceGoal, options: RebalanceOptions & { readonly dryRun: true }): Promise<FleetPlan>;
export function rebalance(client: VmshiftClient, goal: RebalanceGoal, options?: RebalanceOptions & { readonly dryRun?: false }): Promise<FleetReport>;
export function rebalance(client: VmshiftClient, goal: RebalanceGoal, options?: RebalanceOptions): Promise<FleetPlan | FleetReport>;
export async function rebalance(client: VmshiftClient, goal: RebalanceGoal, options: RebalanceOptions = {}): Promise<FleetPlan | FleetReport> {
  return run(client, await planRebalance(client, goal, options), options);
}
