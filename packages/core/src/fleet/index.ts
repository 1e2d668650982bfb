/**
 * Fleet operations: plan first, execute second. `migrateMany`, `evacuateHost`, `rebalance`, the
 * planners behind them, the execution handle and the limiter.
 * @packageDocumentation
 */
export { EventChannel } from "./events.ts";
export { FleetExecution, validatePlan } from "./execute.ts";
export { CapacityLedger, type FleetInventory, acceptsVms, loadInventory, memoryDemand } from "./inventory.ts";
export { MigrationLimiter, type SlotClaim } from "./limiter.ts";
export { DEFAULT_MAX_IN_FLIGHT, FALLBACK_LIMITS, resolveLimits } from "./limits.ts";
export type { ExecuteOptions, FleetOptions, LimitOverrides, MigrationDefaults, PlanOptions, RebalanceGoal, RebalanceOptions, VmHint } from "./options.ts";
export { evacuateHost, executePlan, migrateMany, rebalance } from "./orchestrator.ts";
export { fleetReport, locatedOutcome, locationFromVm, needsLocation, outcomeFromResult, plannedLocation, skippedOutcomes, slotClaimOf, untouchedOutcome } from "./outcome.ts";
export { planEvacuation } from "./plan-evacuate.ts";
export { planMigrateMany } from "./plan-migrate.ts";
export { DEFAULT_BALANCE_TOLERANCE, DEFAULT_MAX_REBALANCE_MIGRATIONS, planRebalance } from "./plan-rebalance.ts";
export { DEFAULT_PLANNING_BANDWIDTH, type ModeDecision, chooseMode } from "./strategy.ts";
export { PREFLIGHT_TARGETS } from "./verify.ts";
export type { FleetEvent, FleetLimits, FleetPlan, FleetPlanKind, FleetReport, HostProjection, PlannedMigration, PlannedMove, SkippedVm, VmOutcome, VmOutcomeStatus } from "./types.ts";
