/**
 * The vocabulary every adapter speaks: VMs, hosts, clusters, migrations and their progress.
 * Platform words (VMI, moref, extId) stay inside adapters.
 */

/** Power state of a VM as vmshift reports it on every platform. */
export type PowerState = "running" | "stopped" | "paused" | "suspended" | "migrating" | "unknown";

/** A virtual machine. */
export interface Vm {
  /** Adapter-stable id (pass it back to every call). */
  readonly id: string;
  readonly name: string;
  readonly powerState: PowerState;
  /** The host it runs on (or is registered to when stopped); absent when unscheduled. */
  readonly hostId?: string;
  readonly clusterId?: string;
  /** Configured memory, bytes. */
  readonly memoryBytes?: number;
  readonly cpus?: number;
  /** Whether the platform considers it live-migratable right now; absent when unknown. */
  readonly liveMigratable?: boolean;
  /** Free-form platform labels/tags. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A hypervisor host (node, ESXi host, Hyper-V host, AHV host, libvirt connection). */
export interface Host {
  readonly id: string;
  readonly name: string;
  readonly clusterId?: string;
  /** `connected`: reachable and usable. */
  readonly connectionState: "connected" | "disconnected" | "unknown";
  readonly maintenance: boolean;
  /** Accepts new VMs (not cordoned, not in maintenance, migration enabled). */
  readonly schedulable: boolean;
  readonly cpuCores?: number;
  readonly memoryBytes?: number;
  /** Memory free for new VMs, bytes, when the platform reports it. */
  readonly freeMemoryBytes?: number;
  /** Concurrent incoming/outgoing live migrations this host allows, when known. */
  readonly maxConcurrentMigrations?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Live (the VM keeps running) or cold (stopped, moved, started). */
export type MigrationMode = "live" | "cold";

/** Phases of a live migration, in order. */
export const LIVE_PHASES = ["preparing", "requested", "transferring", "finalizing", "completed"] as const;
/** Phases of a cold migration, in order. */
export const COLD_PHASES = ["preparing", "stopping", "relocating", "starting", "completed"] as const;
/** Terminal phases. */
export const TERMINAL_PHASES = ["completed", "failed", "cancelled"] as const;

/** Every phase a migration can report. */
export type MigrationPhase =
  | (typeof LIVE_PHASES)[number]
  | (typeof COLD_PHASES)[number]
  | (typeof TERMINAL_PHASES)[number];

/** A terminal phase. */
export type TerminalPhase = (typeof TERMINAL_PHASES)[number];

/** True for `completed`, `failed` and `cancelled`. */
export function isTerminalPhase(phase: MigrationPhase): phase is TerminalPhase {
  return (TERMINAL_PHASES as readonly string[]).includes(phase);
}

/**
 * One progress report, the same shape on every platform. Fields the platform does not report
 * are absent, never invented. `percent` may go down when dirty memory is re-sent.
 */
export interface MigrationProgress {
  readonly phase: MigrationPhase;
  /** 0–100; may decrease between reports during pre-copy. */
  readonly percent?: number;
  readonly transferredBytes?: number;
  readonly remainingBytes?: number;
  readonly totalBytes?: number;
  readonly dirtyRateBytesPerSecond?: number;
  readonly bandwidthBytesPerSecond?: number;
  /** Pre-copy round, 1-based. */
  readonly iteration?: number;
  readonly expectedDowntimeMs?: number;
  readonly message?: string;
  /** When the platform observed it, ISO 8601. */
  readonly observedAt: string;
}

/** Names of the optional numeric progress fields, each tied to a capability. */
export type ProgressField = Exclude<keyof MigrationProgress, "phase" | "observedAt" | "message">;

/** Where the VM is after (or during) a migration. */
export interface VmLocation {
  /** Host id, when known. */
  readonly hostId?: string;
  /** Relative to the migration: on its source, on its target, or unknown. */
  readonly side: "source" | "target" | "unknown";
  readonly powerState: PowerState;
}

/** What a caller asks for. */
export interface MigrationRequest {
  /** The VM to move. */
  readonly vmId: string;
  /** Target host; absent lets the platform's scheduler choose (capability `migration.schedulerChoosesTarget`). */
  readonly targetHostId?: string;
  /** Target cluster for cross-cluster moves (capability `migration.crossCluster`). */
  readonly targetClusterId?: string;
  /** Default `live`. */
  readonly mode?: MigrationMode;
  /** Also move disks (capability `migration.storage`); target datastore/storage id. */
  readonly targetStorageId?: string;
  /** Longest acceptable pause, ms (capability `migration.maxDowntime`). */
  readonly maxDowntimeMs?: number;
  /** Bandwidth cap, bytes per second (capability `migration.bandwidthLimit`). */
  readonly bandwidthBytesPerSecond?: number;
  /** Allow throttling the guest to converge (capability `migration.autoConverge`). */
  readonly allowAutoConverge?: boolean;
  /** Allow switching to post-copy when pre-copy does not converge (capability `migration.postCopy`). */
  readonly allowPostCopy?: boolean;
  /** Cold only: start the VM again on its source when the target start fails. Default true. */
  readonly restartOnSourceOnFailure?: boolean;
  /** Cold only: how long a guest shutdown may take before power-off, ms. */
  readonly shutdownTimeoutMs?: number;
  /**
   * Idempotency key: a retried start with the same key finds the first migration instead of
   * starting a second. Generated when absent.
   */
  readonly requestId?: string;
}

/** A migration as last observed. */
export interface MigrationSnapshot {
  /** Opaque id that carries what `attachMigration` needs (e.g. `ns/name`, a task moref). */
  readonly id: string;
  readonly vmId: string;
  readonly mode: MigrationMode;
  readonly phase: MigrationPhase;
  readonly sourceHostId?: string;
  readonly targetHostId?: string;
  readonly progress: MigrationProgress;
  /** ISO 8601. */
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** Set when the phase is terminal. */
  readonly result?: MigrationResult;
}

/** The outcome of a finished migration. */
export interface MigrationResult {
  readonly migrationId: string;
  readonly vmId: string;
  readonly mode: MigrationMode;
  readonly outcome: TerminalPhase;
  /** Where the VM is now. The contract: until `finalizing` ends, failure or cancel leave it on its source. */
  readonly vmLocation: VmLocation;
  readonly sourceHostId?: string;
  readonly targetHostId?: string;
  readonly durationMs?: number;
  /** Measured pause (live) or stopped time (cold), when the platform reports it. */
  readonly downtimeMs?: number;
  /** Why it failed or was cancelled. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** Categories of pre-migration checks. */
export type CheckCategory = "capacity" | "compatibility" | "storage" | "network" | "device" | "policy" | "state";

/** One pre-migration check result. Pre-checks are advisory: the platform can still refuse. */
export interface PreflightCheck {
  /** Stable id, e.g. `host.maintenance`, `kubevirt.LiveMigratable`. */
  readonly id: string;
  readonly category: CheckCategory;
  readonly severity: "error" | "warning" | "info";
  readonly message: string;
  /** The platform's own words or object, for debugging. */
  readonly native?: unknown;
}

/** Result of `preflight`. `ok` is false when any check has severity `error`. */
export interface PreflightReport {
  readonly ok: boolean;
  readonly vmId: string;
  readonly targetHostId?: string;
  readonly mode: MigrationMode;
  readonly checks: readonly PreflightCheck[];
}

/** One page of a listing. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque cursor of the next page; absent on the last page. */
  readonly nextCursor?: string;
  /** Warnings such as "continue token expired, listing restarted". */
  readonly warnings?: readonly string[];
}

/** Paging options shared by listings. */
export interface PageOptions {
  /** Items per page; the adapter may cap it. */
  readonly pageSize?: number;
  /** Resume from this cursor. */
  readonly cursor?: string;
  readonly signal?: AbortSignal;
}

/** Options of `listVms`. */
export interface ListVmsOptions extends PageOptions {
  /** Only VMs on this host. */
  readonly hostId?: string;
  /** Platform scope, e.g. a Kubernetes namespace or vSphere datacenter. */
  readonly scope?: string;
}

/** Options of `listHosts`. */
export interface ListHostsOptions extends PageOptions {
  readonly clusterId?: string;
}
