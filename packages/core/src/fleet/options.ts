/** Options of the fleet operations, and their validation (bad input: `INVALID_ARGUMENT`, before any I/O). */
import type { Clock } from "../clock.ts";
import { VmshiftError } from "../errors.ts";
import type { MigrationRequest } from "../model.ts";
import type { MigrationTask } from "../task.ts";
import type { PlannedMigration, PlannedMove } from "./types.ts";

/** Caller overrides of the concurrency limits. Each is a positive integer. */
export interface LimitOverrides {
  /** In-flight migrations leaving one host. Default: the adapter's documented `perSourceHost`. */
  readonly perSourceHost?: number;
  /** In-flight migrations arriving at one host. Default: the adapter's documented `perTargetHost`. */
  readonly perTargetHost?: number;
  /** In-flight migrations touching one cluster. Default: the adapter's documented `perCluster`. */
  readonly perCluster?: number;
  /** In + out per host, replacing what each host reports (`Host.maxConcurrentMigrations`). */
  readonly perHost?: number;
  /** In-flight migrations of the whole plan. Default 20 (Forklift's `MAX_VM_INFLIGHT`). */
  readonly maxInFlight?: number;
}

/** Per-VM facts the inventory does not carry, for the planner (`recommend`). */
export interface VmHint {
  /** How fast the guest dirties memory, bytes/s. */
  readonly dirtyRateBytesPerSecond?: number;
  /** Most memory dirtied in one round, bytes. */
  readonly workingSetBytes?: number;
}

/** Request fields applied to every migration a fleet operation plans. */
export type MigrationDefaults = Pick<MigrationRequest, "maxDowntimeMs" | "bandwidthBytesPerSecond" | "shutdownTimeoutMs" | "restartOnSourceOnFailure">;

/** Options shared by planning: {@link FleetOptions} without the execution knobs. */
export interface PlanOptions {
  /** Concurrency limit overrides. Defaults come from the adapter's documented limits. */
  readonly limits?: LimitOverrides;
  /**
   * Allow cold moves of running VMs that cannot move live (planner says cold, or the VM is not
   * live-migratable). Cold means the guest is stopped while it moves. Default: true for
   * evacuate (the host must be emptied), false for migrate-many without a mode and for rebalance.
   */
  readonly allowCold?: boolean;
  /** Per-VM dirty rates and working sets for the planner; absent: the VM's state decides. */
  readonly vmHints?: Readonly<Record<string, VmHint>>;
  /** Migration bandwidth the planner assumes, bytes/s. Default 1.25e9 (10 Gbit/s). */
  readonly bandwidthBytesPerSecond?: number;
  /** Memory every target host keeps free, bytes. Default 0. */
  readonly headroomBytes?: number;
  /** Allow targets in another cluster than the VM's. Default false. */
  readonly allowCrossCluster?: boolean;
  /** Applied to every planned request (migrate-many: where the request leaves them unset). */
  readonly migration?: MigrationDefaults;
  /** Makes request ids. Default `crypto.randomUUID`. */
  readonly requestIdGenerator?: () => string;
  /**
   * Run the platform's preflight checks for every planned move (evacuate, migrate-many) and, when
   * they report an error, try the next best target (up to 3 per VM). One request per VM, more on
   * refusals. Default false: targets are chosen from the inventory alone.
   */
  readonly preflight?: boolean;
  /** Stop starting migrations after the first failure (in-flight ones finish). Default false. */
  readonly stopOnFailure?: boolean;
  /** Stops planning (listing) with `ABORTED`; when executing, cancels the whole plan. */
  readonly signal?: AbortSignal;
  /** Time source of plan timestamps and measured durations. Default: the client's clock. */
  readonly clock?: Clock;
}

/** Options of execution. */
export interface ExecuteOptions {
  /**
   * Cancels the whole plan when it fires: nothing new starts and in-flight migrations are
   * cancelled (each VM stays on its source unless its switch-over had already begun).
   */
  readonly signal?: AbortSignal;
  /** Overrides the plan's `stopOnFailure`. */
  readonly stopOnFailure?: boolean;
  /** Time source of the report's timestamps and durations. Default: the client's clock. */
  readonly clock?: Clock;
  /**
   * Starts a plan's move steps (`PlannedMigration.move`) and returns their task (a move task is a
   * migration task). Whoever executes a move plan provides it (the CLI, over `@vmshift/move`);
   * without it a move step fails with `NOT_SUPPORTED`, nothing started.
   */
  readonly runMove?: (step: PlannedMigration & { readonly move: PlannedMove }) => Promise<MigrationTask>;
}

/** Options of `migrateMany`, `evacuateHost` and `rebalance`. */
export interface FleetOptions extends PlanOptions {
  /** Build and return the plan; change nothing. Default false. */
  readonly dryRun?: boolean;
  /** Receives the execution handle as soon as the plan starts (for per-VM cancel and events). */
  readonly onExecution?: (execution: import("./execute.ts").FleetExecution) => void;
}

/** Options of `rebalance`. */
export interface RebalanceOptions extends FleetOptions {
  /** Only this cluster. Default: every cluster, each balanced on its own. */
  readonly clusterId?: string;
  /**
   * Balance: stop when the most and least used hosts of a cluster differ by at most this
   * fraction of memory (0–1). Default 0.05 (5 percentage points).
   */
  readonly tolerance?: number;
  /** Most migrations one plan proposes. Default 50 (CloudStack's `drs.max.migrations`). */
  readonly maxMigrations?: number;
  /** Consolidate: hosts kept per cluster, at least. Default 1. */
  readonly minHosts?: number;
}

/** What `rebalance` aims at. */
export interface RebalanceGoal {
  /** `balance`: even out memory use across hosts; `consolidate`: pack VMs onto fewer hosts and free the rest. */
  readonly goal: "balance" | "consolidate";
}

function invalid(message: string, operation: string): VmshiftError {
  return new VmshiftError("INVALID_ARGUMENT", message, { operation });
}

function positiveInteger(name: string, value: unknown, operation: string): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw invalid(`${name} must be an integer ≥ 1, got ${String(value)}`, operation);
}

function nonNegative(name: string, value: unknown, operation: string, positive = false): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw invalid(`${name} must be a ${positive ? "positive" : "non-negative"} finite number, got ${String(value)}`, operation);
  }
}

/** Validates plan options; throws `INVALID_ARGUMENT` naming the first bad field. */
export function validatePlanOptions(options: PlanOptions | undefined, operation: string): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) throw invalid("options must be an object", operation);
  const l = options.limits;
  if (l !== undefined) {
    if (typeof l !== "object" || l === null) throw invalid("limits must be an object", operation);
    for (const key of ["perSourceHost", "perTargetHost", "perCluster", "perHost", "maxInFlight"] as const) positiveInteger(`limits.${key}`, l[key], operation);
  }
  nonNegative("bandwidthBytesPerSecond", options.bandwidthBytesPerSecond, operation, true);
  nonNegative("headroomBytes", options.headroomBytes, operation);
  for (const [vmId, hint] of Object.entries(options.vmHints ?? {})) {
    nonNegative(`vmHints.${vmId}.dirtyRateBytesPerSecond`, hint.dirtyRateBytesPerSecond, operation);
    nonNegative(`vmHints.${vmId}.workingSetBytes`, hint.workingSetBytes, operation);
  }
  const m = options.migration;
  if (m !== undefined) {
    nonNegative("migration.maxDowntimeMs", m.maxDowntimeMs, operation);
    nonNegative("migration.bandwidthBytesPerSecond", m.bandwidthBytesPerSecond, operation, true);
    nonNegative("migration.shutdownTimeoutMs", m.shutdownTimeoutMs, operation);
  }
}

/** Validates rebalance options. */
export function validateRebalanceOptions(goal: RebalanceGoal, options: RebalanceOptions | undefined, operation: string): void {
  if (typeof goal !== "object" || goal === null || (goal.goal !== "balance" && goal.goal !== "consolidate")) {
    throw invalid(`goal must be "balance" or "consolidate", got ${JSON.stringify((goal as { goal?: unknown } | null)?.goal)}`, operation);
  }
  validatePlanOptions(options, operation);
  if (options === undefined) return;
  if (options.tolerance !== undefined && (typeof options.tolerance !== "number" || !(options.tolerance >= 0 && options.tolerance < 1))) {
    throw invalid(`tolerance must be a fraction in [0, 1), got ${String(options.tolerance)}`, operation);
  }
  positiveInteger("maxMigrations", options.maxMigrations, operation);
  positiveInteger("minHosts", options.minHosts, operation);
}
