/**
 * The client: the one entry point applications use. It validates arguments, checks capabilities
 * (raising `NOT_SUPPORTED` before any request), dispatches to the adapter's operation table,
 * puts adapter/operation context on every error, and hands out migration task handles.
 */
import { randomUUID } from "node:crypto";
import type { HypervisorAdapter, NormalizedMigrationRequest, OperationContext, ProbeResult } from "./adapter.ts";
import { type Capability, type CapabilityTable, capabilitiesFor, narrow } from "./capabilities.ts";
import { type Clock, systemClock } from "./clock.ts";
import { VmshiftError, isVmshiftError } from "./errors.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type { Host, ListHostsOptions, ListVmsOptions, MigrationRequest, MigrationResult, MigrationSnapshot, Page, PreflightReport, Vm } from "./model.ts";
import { type PageIterator, paginate } from "./paginate.ts";
import { type FollowOptions, FollowedMigration, type MigrationTask } from "./task.ts";
import { requireId, validateMigrationRequest, validatePageOptions } from "./validate.ts";
import { withRetry } from "./wait.ts";

/** Options of {@link VmshiftClient}. */
export interface ClientOptions {
  /** Default: the system clock. Tests pass a `VirtualClock`. */
  readonly clock?: Clock;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Makes request ids when the caller gives none. Default `crypto.randomUUID`. */
  readonly requestIdGenerator?: () => string;
  /** How tasks follow migrations. */
  readonly follow?: FollowOptions;
  /** Retries of a start whose answer was lost (safe: starts are idempotent on `requestId`). Default 2. */
  readonly startRetries?: number;
}

/** Per-call options. */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** The vmshift client over one adapter. */
export class VmshiftClient {
  readonly adapter: HypervisorAdapter;
  #capabilities: CapabilityTable;
  #narrowed = new Set<Capability>();
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #newRequestId: () => string;
  readonly #options: ClientOptions;

  constructor(adapter: HypervisorAdapter, options: ClientOptions = {}) {
    this.adapter = adapter;
    this.#capabilities = adapter.capabilities;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#newRequestId = options.requestIdGenerator ?? randomUUID;
    this.#options = options;
  }

  /** The clock this client waits with (the fleet orchestrator and tools default to it). */
  get clock(): Clock {
    return this.#clock;
  }

  /** The adapter's name, e.g. `vsphere`. */
  get adapterName(): string {
    return this.adapter.name;
  }

  /** The capability table in force: static, narrowed by the last `probe()`. */
  capabilities(): CapabilityTable {
    return this.#capabilities;
  }

  /** Asks the live connection what it can do and narrows {@link capabilities} accordingly. */
  async probe(options: CallOptions = {}): Promise<ProbeResult & { readonly table: CapabilityTable }> {
    const probe = this.adapter.probe;
    if (!probe) return { table: this.#capabilities };
    const result = await this.#call("probe", undefined, () => probe.call(this.adapter, this.#ctx(options)));
    const overrides = result.capabilities ?? {};
    this.#capabilities = narrow(this.adapter.capabilities, overrides);
    this.#narrowed = new Set(Object.keys(overrides) as Capability[]);
    return { ...result, table: this.#capabilities };
  }

  /** VMs, page by page. Nothing is fetched (or validated) until iteration starts; errors surface there. */
  listVms(options: ListVmsOptions = {}): PageIterator<Vm> {
    return this.#list("listVms", "vm.list", options);
  }

  /** One VM; `NOT_FOUND` when it does not exist. */
  async getVm(vmId: string, options: CallOptions = {}): Promise<Vm> {
    requireId("vmId", vmId, "vm.get");
    const op = this.#require("getVm", "vm.get", "vm.get");
    return this.#call("vm.get", vmId, () => op.call(this.adapter, vmId, this.#ctx(options)));
  }

  /** Hosts, page by page (lazily, like {@link listVms}). */
  listHosts(options: ListHostsOptions = {}): PageIterator<Host> {
    return this.#list("listHosts", "host.list", options);
  }

  /** Pre-migration checks; changes nothing. Advisory: the platform may still refuse. */
  async preflight(request: MigrationRequest, options: CallOptions = {}): Promise<PreflightReport> {
    const normalized = this.#normalize(request, "migration.preflight");
    const op = this.#require("preflight", "preflight", "migration.preflight");
    const checks = await this.#call("migration.preflight", request.vmId, () => op.call(this.adapter, normalized, this.#ctx(options)));
    return {
      ok: !checks.some((c) => c.severity === "error"),
      vmId: request.vmId,
      mode: normalized.mode,
      ...(request.targetHostId === undefined ? {} : { targetHostId: request.targetHostId }),
      checks,
    };
  }

  /**
   * Starts a migration and returns its task handle. Idempotent on `requestId`: a retried start
   * (here or after a lost answer) finds the first migration.
   */
  async startMigration(request: MigrationRequest, options: CallOptions = {}): Promise<MigrationTask> {
    const normalized = this.#normalize(request, "migration.start");
    const op = this.#require("startMigration", undefined, "migration.start");
    for (const capability of capabilitiesFor(normalized)) this.#requireCapability(capability, "migration.start", normalized.vmId);
    const first = await withRetry(
      () => this.#call("migration.start", normalized.vmId, () => op.call(this.adapter, normalized, this.#ctx(options))),
      {
        clock: this.#clock,
        retries: this.#options.startRetries ?? 2,
        ...(options.signal ? { signal: options.signal } : {}),
        isRetryable: (e) => isVmshiftError(e) && e.retryable && (e.code === "TRANSPORT" || e.code === "RATE_LIMITED" || e.code === "TIMEOUT"),
        onRetry: (error, attempt) =>
          this.#logger.log("warn", "retrying migration start with the same request id", { requestId: normalized.requestId, attempt, error: String((error as Error).message) }),
      },
    );
    return this.#task(first);
  }

  /** Re-attaches to an in-flight (or finished) migration by id, e.g. after a process restart. */
  async attachMigration(migrationId: string, options: CallOptions = {}): Promise<MigrationTask> {
    requireId("migrationId", migrationId, "migration.attach");
    this.#requireCapability("migration.attach", "migration.attach", migrationId);
    const op = this.adapter.attachMigration ?? this.adapter.getMigration;
    if (!op) throw this.#notSupported("migration.attach", "attachMigration");
    const first = await this.#call("migration.attach", migrationId, () => op.call(this.adapter, migrationId, this.#ctx(options)));
    return this.#task(first);
  }

  /** The current state of a migration. */
  async getMigration(migrationId: string, options: CallOptions = {}): Promise<MigrationSnapshot> {
    requireId("migrationId", migrationId, "migration.get");
    const op = this.#require("getMigration", undefined, "migration.get");
    return this.#call("migration.get", migrationId, () => op.call(this.adapter, migrationId, this.#ctx(options)));
  }

  /** Cancels by id and follows to a terminal phase (shorthand for attach + cancel). */
  async cancelMigration(migrationId: string, options: CallOptions & { readonly maxWaitMs?: number } = {}): Promise<MigrationResult> {
    this.#requireCapability("migration.cancel", "migration.cancel", migrationId);
    const task = await this.attachMigration(migrationId, options);
    return task.cancel(options);
  }

  /** Releases the adapter's sessions and sockets. */
  async close(): Promise<void> {
    await this.adapter.close?.();
  }

  #list<K extends "listVms" | "listHosts">(name: K, operation: "vm.list" | "host.list", options: Parameters<NonNullable<HypervisorAdapter[K]>>[0]): PageIterator<K extends "listVms" ? Vm : Host> {
    type Item = K extends "listVms" ? Vm : Host;
    const fetchPage = (cursor: string | undefined, signal: AbortSignal | undefined): Promise<Page<Item>> => {
      validatePageOptions(options, operation);
      const op = this.#require(name, operation, operation) as (o: typeof options, ctx: OperationContext) => Promise<Page<Item>>;
      return this.#call(operation, undefined, () => op.call(this.adapter, { ...options, ...(cursor === undefined ? {} : { cursor }) }, this.#ctx(signal ? { signal } : {})));
    };
    return paginate<Item>(fetchPage, {
      ...(options.cursor === undefined ? {} : { startCursor: options.cursor }),
      ...(options.signal ? { signal: options.signal } : {}),
      operation,
      adapter: this.adapter.name,
    });
  }

  #task(first: MigrationSnapshot): MigrationTask {
    return new FollowedMigration(this.adapter, first, this.#ctx({}), (e, op, subject) => this.#wrap(e, op, subject), this.#options.follow);
  }

  #ctx(options: CallOptions): OperationContext {
    return { clock: this.#clock, logger: this.#logger, ...(options.signal ? { signal: options.signal } : {}) };
  }

  #normalize(request: MigrationRequest, operation: string): NormalizedMigrationRequest {
    validateMigrationRequest(request, operation);
    return { ...request, mode: request.mode ?? "live", requestId: request.requestId ?? this.#newRequestId() };
  }

  #require<K extends keyof HypervisorAdapter>(name: K, capability: Capability | undefined, operation: string): NonNullable<HypervisorAdapter[K]> {
    if (capability) this.#requireCapability(capability, operation);
    const op = this.adapter[name];
    if (typeof op !== "function") throw this.#notSupported(operation, name);
    return op as NonNullable<HypervisorAdapter[K]>;
  }

  #requireCapability(capability: Capability, operation: string, subject?: string): void {
    const support = this.#capabilities[capability];
    if (support.status !== "unsupported") return;
    const code = this.#narrowed.has(capability) && this.adapter.capabilities[capability].status !== "unsupported" ? "CAPABILITY_UNAVAILABLE" : "NOT_SUPPORTED";
    throw new VmshiftError(code, `${capability} is not available: ${support.note}`, {
      adapter: this.adapter.name,
      operation,
      ...(subject === undefined ? {} : { subject }),
      details: { capability },
    });
  }

  #notSupported(operation: string, name: string): VmshiftError {
    return new VmshiftError("NOT_SUPPORTED", `the ${this.adapter.name} adapter does not implement ${name}`, { adapter: this.adapter.name, operation });
  }

  async #call<T>(operation: string, subject: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.#wrap(error, operation, subject);
    }
  }

  #wrap(error: unknown, operation: string, subject?: string): VmshiftError {
    if (isVmshiftError(error)) return error.withContext({ adapter: this.adapter.name, operation, ...(subject === undefined ? {} : { subject }) });
    const message = error instanceof Error ? error.message : String(error);
    return new VmshiftError("INTERNAL", `unexpected error: ${message}`, { adapter: this.adapter.name, operation, ...(subject === undefined ? {} : { subject }), cause: error });
  }
}

/** Creates a client over an adapter. */
export function createClient(adapter: HypervisorAdapter, options?: ClientOptions): VmshiftClient {
  return new VmshiftClient(adapter, options);
}
