/**
 * The vocabulary of fleet operations: plans (what will move where, how, in what order and why),
 * outcomes (where every VM ended up) and the events of a running plan.
 */
import type { MigrationMode, MigrationProgress, MigrationRequest, VmLocation } from "../model.ts";
import type { Strategy } from "../planner.ts";

/** Which fleet operation built a plan. */
export type FleetPlanKind = "migrate-many" | "evacuate" | "balance" | "consolidate" | "move";

/** Concurrency limits in force for a plan. `undefined` means no limit at that level. */
export interface FleetLimits {
  /** In-flight migrations leaving one host. */
  readonly perSourceHost?: number;
  /** In-flight migrations arriving at one host. */
  readonly perTargetHost?: number;
  /** In-flight migrations whose source or target is in one cluster. */
  readonly perCluster?: number;
  /** In-flight migrations of the whole plan. */
  readonly maxInFlight?: number;
  /**
   * Per host, in + out together, as the platform reports it (`Host.maxConcurrentMigrations`).
   * Applied on top of the other limits; a caller's `perHost` override replaces every value.
   */
  readonly perHost: Readonly<Record<string, number>>;
  /** Where each number came from: `caller`, `adapter` (with its documentation reference), `fallback`. */
  readonly source: string;
}

/** One migration of a plan. */
export interface PlannedMigration {
  /** 0-based position: the order in which the executor tries to start migrations. */
  readonly order: number;
  readonly vmId: string;
  readonly vmName: string;
  /** Host the VM is on when the plan was made. */
  readonly sourceHostId?: string;
  /** Chosen target; absent when the platform's scheduler chooses (no host inventory). */
  readonly targetHostId?: string;
  /** Cluster of the source host (limits per cluster count it). */
  readonly clusterId?: string;
  /** Cluster of the target host, when different and known. */
  readonly targetClusterId?: string;
  readonly mode: MigrationMode;
  /** The planner's strategy (live, live with auto-converge or post-copy, cold). */
  readonly strategy: Strategy;
  /** Memory reserved on the target for this VM, bytes (0 for stopped VMs). */
  readonly reservedBytes: number;
  /** Power state when planned. */
  readonly powerState: VmLocation["powerState"];
  /** Modelled duration of the transfer, ms, when the planner could estimate it. */
  readonly estimatedMs?: number;
  /** Why this target, this mode and this position, in one line. */
  readonly reason: string;
  /** The request the executor sends (idempotent: it carries a request id). */
  readonly request: MigrationRequest & { readonly requestId: string; readonly mode: MigrationMode };
  /**
   * Present when this step is a cross-platform move (`vmshift plan move`) rather than a migration:
   * the executor hands the step to `ExecuteOptions.runMove` instead of `startMigration`.
   */
  readonly move?: PlannedMove;
}

/**
 * A move step of a plan. Core does not run moves itself (that is `@vmshift/move`): the step is plain
 * data a move runner reads, so a plan file stays reviewable and core keeps no dependency on it.
 */
export interface PlannedMove {
  /** Profile (or platform name) the VM is on, and where it goes. */
  readonly from: string;
  readonly to: string;
  /** `cold` or `warm`, as the move planner advised against the plan's downtime budget. */
  readonly mode: "cold" | "warm";
  /** Predicted downtime of the chosen mode, ms. */
  readonly predictedDowntimeMs?: number;
  /** Everything else the runner needs (maps, host ids, warm options), as the planner wrote it. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** A VM the plan leaves where it is, and why. */
export interface SkippedVm {
  readonly vmId: string;
  readonly sourceHostId?: string;
  /** Error code of the reason (`INSUFFICIENT_RESOURCES`, `INVALID_STATE`, `NOT_FOUND`, …). */
  readonly code: string;
  readonly reason: string;
  readonly powerState?: VmLocation["powerState"];
}

/** Memory use of one host before and after the plan (bytes). */
export interface HostProjection {
  readonly hostId: string;
  readonly clusterId?: string;
  readonly schedulable: boolean;
  readonly memoryBytes?: number;
  /** Memory in use now, bytes, when known. */
  readonly usedBytes?: number;
  /** Memory in use once every planned migration completed, bytes, when known. */
  readonly projectedUsedBytes?: number;
  readonly vmsBefore: number;
  readonly vmsAfter: number;
}

/** A plan: built first, shown or returned on a dry run, then executed. */
export interface FleetPlan {
  readonly kind: FleetPlanKind;
  readonly adapter: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** Hosts the operation is about (evacuated hosts; empty for balance). */
  readonly subjectHostIds: readonly string[];
  readonly migrations: readonly PlannedMigration[];
  readonly skipped: readonly SkippedVm[];
  readonly limits: FleetLimits;
  readonly hosts: readonly HostProjection[];
  /** Hosts that hold no VM once the plan completed (evacuate, consolidate). */
  readonly freedHostIds: readonly string[];
  /** One-paragraph human summary. */
  readonly summary: string;
  /** Why things stay as they are (hosts not freed, imbalance left), one line each. */
  readonly notes: readonly string[];
  /** Stop starting migrations after the first failure. */
  readonly stopOnFailure: boolean;
}

/** Final state of one VM of a plan. */
export type VmOutcomeStatus = "completed" | "failed" | "cancelled" | "skipped";

/** Where one VM ended up, and why. */
export interface VmOutcome {
  readonly vmId: string;
  readonly status: VmOutcomeStatus;
  /** Position in the plan; absent for skipped VMs. */
  readonly order?: number;
  readonly migrationId?: string;
  readonly mode?: MigrationMode;
  readonly sourceHostId?: string;
  readonly targetHostId?: string;
  /** Where the VM is now. */
  readonly vmLocation: VmLocation;
  readonly reason?: string;
  readonly error?: { readonly code: string; readonly message: string };
  /** Migration time, ms: as the platform reports it, else measured on the executor's clock (start request to end). */
  readonly durationMs?: number;
  /** Pause (live) or stopped time (cold), ms, when the platform reports it. */
  readonly downtimeMs?: number;
}

/** The report of an executed plan. */
export interface FleetReport {
  readonly kind: FleetPlanKind;
  readonly adapter: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly endedAt: string;
  /** From the plan's start to its last migration's end, ms. */
  readonly makespanMs: number;
  /** One entry per planned or skipped VM: planned ones in plan order, then the skipped ones. */
  readonly outcomes: readonly VmOutcome[];
  readonly counts: Readonly<Record<VmOutcomeStatus, number>>;
  /** Hosts the plan meant to free whose every migration completed. */
  readonly freedHostIds: readonly string[];
  /** True when the plan was cancelled as a whole (signal or `cancel()`). */
  readonly cancelled: boolean;
  /** True when every planned migration completed and nothing was skipped. */
  readonly ok: boolean;
}

/** What a running plan tells its listeners. Lifecycle events are never dropped; progress may be coalesced for slow readers. */
export type FleetEvent =
  | { readonly type: "plan-started"; readonly at: string; readonly kind: FleetPlanKind; readonly migrations: number; readonly skipped: number }
  | { readonly type: "migration-started"; readonly at: string; readonly vmId: string; readonly order: number; readonly migrationId: string; readonly mode: MigrationMode; readonly sourceHostId?: string; readonly targetHostId?: string }
  | { readonly type: "migration-progress"; readonly at: string; readonly vmId: string; readonly migrationId: string; readonly progress: MigrationProgress }
  | { readonly type: "migration-finished"; readonly at: string; readonly outcome: VmOutcome }
  | { readonly type: "plan-stopping"; readonly at: string; readonly reason: string; readonly cancelInFlight: boolean }
  | { readonly type: "plan-finished"; readonly at: string; readonly report: FleetReport };
