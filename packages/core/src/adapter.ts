/**
 * The adapter contract: a table of optional operations, after libvirt's driver table. The client
 * validates arguments, checks capabilities and raises `NOT_SUPPORTED` for absent operations, so an
 * adapter contains only real implementations.
 */
import type { Capability, CapabilityTable, Support } from "./capabilities.ts";
import type { Clock } from "./clock.ts";
import type { Logger } from "./logger.ts";
import type {
  Host,
  ListHostsOptions,
  ListVmsOptions,
  MigrationRequest,
  MigrationSnapshot,
  Page,
  PreflightCheck,
  Vm,
} from "./model.ts";

/** Handed to every adapter operation. */
export interface OperationContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

/** A migration request after validation: mode and request id are always set. */
export type NormalizedMigrationRequest = MigrationRequest & {
  readonly mode: "live" | "cold";
  readonly requestId: string;
};

/** What a live probe learned about one connection. */
export interface ProbeResult {
  /** Platform and version as the server reports it, e.g. `vCenter 8.0.3`. */
  readonly server?: string;
  /** Capabilities that differ on this connection from the static table. */
  readonly capabilities?: Partial<Record<Capability, Support>>;
  /** Human-readable notes (feature gates seen, API versions found). */
  readonly notes?: readonly string[];
}

/** Documented concurrency limits; the orchestrator's defaults. `undefined` means no documented limit. */
export interface MigrationLimits {
  readonly perSourceHost?: number;
  readonly perTargetHost?: number;
  readonly perCluster?: number;
  /** Where the numbers come from (documentation reference). */
  readonly source?: string;
}

/**
 * A platform adapter. Every operation is optional; names are the same in every adapter.
 * Operations throw {@link VmshiftError}; the client adds adapter/operation context.
 */
export interface HypervisorAdapter {
  /** Short stable name, e.g. `kubevirt`, used in errors and reports. */
  readonly name: string;
  /** The static capability table (every capability decided). */
  readonly capabilities: CapabilityTable;
  /** Documented concurrency limits. */
  readonly limits?: MigrationLimits;

  probe?(ctx: OperationContext): Promise<ProbeResult>;
  listVms?(options: ListVmsOptions, ctx: OperationContext): Promise<Page<Vm>>;
  getVm?(vmId: string, ctx: OperationContext): Promise<Vm>;
  listHosts?(options: ListHostsOptions, ctx: OperationContext): Promise<Page<Host>>;
  /** Checks only; must not change anything. */
  preflight?(request: NormalizedMigrationRequest, ctx: OperationContext): Promise<readonly PreflightCheck[]>;
  /**
   * Starts a migration and returns its first snapshot. Must be idempotent on `requestId`:
   * a retry with the same id returns the first migration, never a second one.
   */
  startMigration?(request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot>;
  getMigration?(migrationId: string, ctx: OperationContext): Promise<MigrationSnapshot>;
  /** Pushes snapshots until the migration is terminal (platforms with push: watch, WaitForUpdatesEx). */
  watchMigration?(migrationId: string, ctx: OperationContext): AsyncIterable<MigrationSnapshot>;
  /** Asks the platform to cancel; the client then follows the migration to a terminal phase. */
  cancelMigration?(migrationId: string, ctx: OperationContext): Promise<void>;
  /** Validates and resolves an id after a process restart; defaults to `getMigration`. */
  attachMigration?(migrationId: string, ctx: OperationContext): Promise<MigrationSnapshot>;
  /** Releases sessions and sockets. */
  close?(): Promise<void>;
}

/** The operation names, for name-parity checks and NOT_SUPPORTED messages. */
export const ADAPTER_OPERATIONS = [
  "probe",
  "listVms",
  "getVm",
  "listHosts",
  "preflight",
  "startMigration",
  "getMigration",
  "watchMigration",
  "cancelMigration",
  "attachMigration",
] as const;

/** One adapter operation name. */
export type AdapterOperation = (typeof ADAPTER_OPERATIONS)[number];

/**
 * Makes an adapter's operations own properties bound to it. Call it on class-based adapters
 * (`return bindOperations(new MyAdapter())`): tools that wrap adapters with `Object.create` or a
 * spread — to count requests, add metrics — then keep working even when the class uses `#private`
 * fields. Returns the same object.
 */
export function bindOperations<A extends HypervisorAdapter>(adapter: A): A {
  for (const name of [...ADAPTER_OPERATIONS, "close"] as const) {
    const op = adapter[name];
    if (typeof op === "function") Object.defineProperty(adapter, name, { value: (op as (...args: unknown[]) => unknown).bind(adapter), enumerable: true, configurable: true, writable: true });
  }
  return adapter;
}
