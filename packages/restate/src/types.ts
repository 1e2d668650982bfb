/**
 * What crosses the wire between the CLI (or any client), the Restate ingress and the handlers: the
 * input of a wave, its status, the status of one step, the control state. Plans, outcomes and
 * reports are `@vmshift/core`'s own types: a wave runs the plan a dry run writes and reports the
 * same outcome model as the in-process executor.
 */
import type { FleetLimits, FleetReport, MigrationMode, MigrationProgress, PlannedMigration, VmOutcome, VmOutcomeStatus } from "@vmshift/core";
import type { FleetPlan } from "@vmshift/core";

/** How a step follows its migration on durable timers. */
export interface FollowOptions {
  /** Shortest wait between two looks at the platform, ms. Default 100. */
  readonly minPollMs?: number;
  /** Longest wait between two looks, ms. Default 10,000. */
  readonly maxPollMs?: number;
  /**
   * How long a retryable platform error (the platform unreachable) is retried before a step gives
   * up starting its migration, ms. Following is retried without limit: the migration runs on the
   * platform whether or not the step can see it. Default 600,000 (10 min).
   */
  readonly startRetryMs?: number;
}

/** The input of a wave (`VmshiftWave/<planId>/run`). */
export interface WaveInput {
  /** The plan, as `vmshift evacuate|rebalance --dry-run --json` writes it (or a planner returns it). */
  readonly plan: FleetPlan;
  /** The profile, by name, whose platform the workers migrate on; each worker resolves it in its own configuration. */
  readonly profile: string;
  /**
   * Which limit objects the wave's steps share: waves with the same scope count their migrations
   * against the same per-host and per-cluster objects. Default: the profile's name.
   */
  readonly scope?: string;
  /** Overrides the plan's `stopOnFailure`. */
  readonly stopOnFailure?: boolean;
  readonly follow?: FollowOptions;
}

/** What one slot object is asked for: a role on a host (or cluster) and the caps that apply. */
export interface SlotClaim {
  /** The slot object's key, e.g. `prod/host/host-1` or `prod/cluster/cluster-a`. */
  readonly key: string;
  /** `out`: the migration leaves this host; `in`: it arrives; `any`: it counts against a cluster. */
  readonly role: "out" | "in" | "any";
  /** Caps, each "at most this many in flight", checked before the claim is granted. Absent: no cap. */
  readonly caps: { readonly out?: number; readonly in?: number; readonly total?: number };
}

/** The input of one step (`VmshiftStep/<planId>:<order>/run`). */
export interface StepInput {
  readonly planId: string;
  readonly profile: string;
  readonly migration: PlannedMigration;
  /** The slots to take, in the order to take them (sorted by key: no two steps wait on each other). */
  readonly claims: readonly SlotClaim[];
  readonly follow?: FollowOptions;
}

/** What a step returns: the outcome and how long the engine held the migration. */
export interface StepResult {
  readonly outcome: VmOutcome;
  /** Epoch ms, on the engine's clock: step started, slots held, start sent, terminal phase seen. */
  readonly timing: { readonly beganAtMs: number; readonly slotsAtMs?: number; readonly startAtMs?: number; readonly endedAtMs: number };
  /** Looks at the platform while following. */
  readonly polls: number;
}

/** What a step tells a progress query. */
export interface StepStatus {
  readonly started?: { readonly migrationId: string; readonly mode: MigrationMode; readonly sourceHostId?: string; readonly targetHostId?: string; readonly at: string };
  readonly progress?: MigrationProgress;
  readonly outcome?: VmOutcome;
}

/** The control state of a wave, set through its handlers and watched by its run. */
export interface ControlState {
  /** Bumped on every change. */
  readonly seq: number;
  readonly paused: boolean;
  /** Gentle stop: nothing new starts, in-flight migrations finish. */
  readonly stop?: string;
  /** Cancel: nothing new starts, in-flight migrations are cancelled. */
  readonly cancel?: string;
  /** Per-VM cancels: VM id → reason. */
  readonly cancelVms: Readonly<Record<string, string>>;
}

/** A wave's state as its progress query reports it. */
export type WaveState = "running" | "paused" | "stopping" | "finished";

/** The summary a wave keeps current. */
export interface WaveSummary {
  readonly state: WaveState;
  /** Migrations in the plan. */
  readonly total: number;
  /** Outcomes settled so far (they are numbered 0…settled-1 in the order they settled). */
  readonly settled: number;
  readonly counts: Readonly<Record<VmOutcomeStatus, number>>;
  /** Plan positions (`order`) of the migrations in flight. */
  readonly inFlight: readonly number[];
  readonly startedAt: string;
  readonly stopping?: { readonly reason: string; readonly cancelInFlight: boolean };
  /** Engine figures over the settled steps that ran a migration. */
  readonly engine: EngineFigures;
}

/** What the engine added to the migrations it ran. */
export interface EngineFigures {
  /** Steps that started a migration (the figures below are sums over them). */
  readonly steps: number;
  /** Time from a step's first action to the platform's start request, ms (slots, journaling). */
  readonly beforeStartMs: number;
  /** Time a step held its slots beyond the migration's duration on the platform, ms (following, journaling, release). */
  readonly afterPlatformMs: number;
  /** Looks at the platform while following. */
  readonly polls: number;
}

/** Fixed facts of a wave, written when it starts. */
export interface WaveMeta {
  readonly planId: string;
  readonly profile: string;
  readonly scope: string;
  readonly kind: FleetPlan["kind"];
  readonly adapter: string;
  readonly migrations: number;
  readonly skipped: number;
  readonly limits: FleetLimits;
}

/** The answer of a wave's `status` handler. */
export interface WaveStatus {
  /** Absent when no wave with this id has started. */
  readonly meta?: WaveMeta;
  readonly summary?: WaveSummary;
  /** Outcomes settled from `since` on (in the order they settled), at most `limit`. */
  readonly outcomes: readonly VmOutcome[];
  /** Position of the first outcome above (the `since` asked for). */
  readonly since: number;
  /** The report, once the wave finished. */
  readonly report?: FleetReport;
}
