/**
 * The KubeVirt adapter: maps vmshift's contract onto the Kubernetes/KubeVirt REST API.
 * VM ids are `namespace/name`, host ids are Node names, live migration ids `namespace/name` of the
 * VirtualMachineInstanceMigration, cold migration ids `cold:namespace/vm/token`.
 */
import type { HypervisorAdapter, Host, ListHostsOptions, ListVmsOptions, MigrationSnapshot, NormalizedMigrationRequest, OperationContext, Page, PreflightCheck, ProbeResult, Vm } from "@vmshift/core";
import { type ErrorCode, VmshiftError, bindOperations, isVmshiftError } from "@vmshift/core";
import { kubevirtCapabilities, kubevirtLimits } from "./capabilities.ts";
import { type ColdOptions, ColdMigrations } from "./cold.ts";
import { type KubevirtConnectionOptions, loadKubeConfig } from "./connection.ts";
import { type ObjectRef, formatRef, isColdMigrationId, parseRef, requireNamespace } from "./ids.ts";
import { LiveMigrations, type LiveOptions } from "./live.ts";
import { runPreflight } from "./preflight.ts";
import { KubevirtApi, type ListOptions } from "./resources/api.ts";
import { toHost, usageByNode } from "./resources/node.ts";
import { isBareVmi, toVm } from "./resources/vm.ts";
import { HttpKubeTransport, type KubeTransport } from "./transport.ts";
import type { KubeList, KvVirtualMachine, KvVmi } from "./types.ts";

/** Options of {@link createKubevirtAdapter}. */
export interface KubevirtAdapterOptions {
  /** How to reach the cluster (ignored when `transport` is given). Default: kubectl's lookup (`$KUBECONFIG`, `~/.kube/config`, in-cluster). */
  readonly connection?: KubevirtConnectionOptions;
  /** A ready transport (tests, custom HTTP stacks). */
  readonly transport?: KubeTransport;
  /** Namespace of bare VM names (and of migration ids without one). Default: the kubeconfig context's namespace (in a pod, the pod's), else `default`. */
  readonly defaultNamespace?: string;
  /** Page size when the caller gives none. Default 100; at most 500. */
  readonly defaultPageSize?: number;
  /** Refuse a start whose explicit target fails a hard preflight check (missing, cordoned, no room), before creating anything. Default true. */
  readonly guardTarget?: boolean;
  /** Cold migration timing. */
  readonly cold?: ColdOptions;
  /** Watch tuning and the optional metrics path (see {@link LiveOptions}). */
  readonly watch?: Omit<LiveOptions, "defaultNamespace">;
}

/** Error code for each preflight check that blocks a start. */
export const BLOCKING_CHECK_CODE: Readonly<Record<string, ErrorCode>> = {
  "vm.running": "INVALID_STATE",
  "kubevirt.LiveMigratable": "INCOMPATIBLE",
  "migration.inFlight": "CONFLICT",
  "host.exists": "NOT_FOUND",
  "host.same": "INVALID_ARGUMENT",
  "host.schedulable": "INCOMPATIBLE",
  "vm.placement": "INCOMPATIBLE",
  "host.memory": "INSUFFICIENT_RESOURCES",
  "host.cpu": "INSUFFICIENT_RESOURCES",
};

const MAX_PAGE = 500;
/** Cursor prefix of the bare-VMI part of a VM listing. */
const BARE_CURSOR = "vmi:";
const VMI_READS_IN_FLIGHT = 16;

/** `Promise.all(items.map(fn))` with at most `limit` calls in flight; results keep their order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
const signalOf = (ctx: OperationContext) => (ctx.signal ? { signal: ctx.signal } : {});

/** The KubeVirt / OpenShift Virtualization adapter. */
export class KubevirtAdapter implements HypervisorAdapter {
  readonly name = "kubevirt";
  readonly capabilities = kubevirtCapabilities;
  readonly limits = kubevirtLimits;
  readonly api: KubevirtApi;
  readonly #live: LiveMigrations;
  readonly #cold: ColdMigrations;
  readonly #namespace: string;
  readonly #pageSize: number;
  readonly #guard: boolean;
  readonly #transport: KubeTransport;

  constructor(options: KubevirtAdapterOptions = {}) {
    const kubeConfig = options.transport ? undefined : loadKubeConfig(options.connection);
    const transport = options.transport ?? new HttpKubeTransport({ kubeConfig: kubeConfig! });
    this.#transport = transport;
    this.api = new KubevirtApi(transport);
    this.#namespace = options.defaultNamespace ?? kubeConfig?.namespace ?? "default";
    this.#pageSize = Math.min(MAX_PAGE, options.defaultPageSize ?? 100);
    this.#guard = options.guardTarget ?? true;
    this.#live = new LiveMigrations(this.api, { defaultNamespace: this.#namespace, ...options.watch });
    this.#cold = new ColdMigrations(this.api, options.cold);
  }

  /** Releases kept-alive connections. */
  async close(): Promise<void> {
    this.#transport.close?.();
  }

  async probe(ctx: OperationContext): Promise<ProbeResult> {
    const kv = await this.api.findKubeVirt(ctx.signal);
    const version = kv?.status?.observedKubeVirtVersion ?? kv?.status?.operatorVersion;
    const gates = kv?.spec.configuration?.developerConfiguration?.featureGates ?? [];
    return {
      ...(version ? { server: `KubeVirt ${version}` } : {}),
      notes: [kv ? `KubeVirt CR ${kv.metadata?.namespace}/${kv.metadata?.name}, phase ${kv.status?.phase ?? "unknown"}` : "no readable KubeVirt CR (needs get/list on kubevirts.kubevirt.io)", ...(gates.length ? [`feature gates: ${gates.join(", ")}`] : [])],
    };
  }

  /**
   * VirtualMachines first, then the VMIs no VirtualMachine owns (bare VMIs). A cursor is the API's
   * continue token of the VM listing, or `vmi:` and the token of the VMI listing; the last page of
   * VMs is topped up with bare VMIs up to the page size.
   */
  async listVms(options: ListVmsOptions, ctx: OperationContext): Promise<Page<Vm>> {
    const namespace = options.scope === undefined ? undefined : requireNamespace(options.scope, "vm.list");
    const limit = Math.min(MAX_PAGE, options.pageSize ?? this.#pageSize);
    if (options.cursor?.startsWith(BARE_CURSOR)) return this.#bareVmiPage(namespace, options.cursor.slice(BARE_CURSOR.length), limit, [], [], options, ctx);
    const { list, warnings } = await this.#page((o) => this.api.listVms(namespace, o), options, ctx);
    // One VMI read per VM that may run, at most VMI_READS_IN_FLIGHT at a time over kept-alive connections.
    const vms = await mapBounded(list.items, VMI_READS_IN_FLIGHT, async (vm) => {
      const ref = { namespace: vm.metadata?.namespace ?? this.#namespace, name: vm.metadata?.name ?? "" };
      const mayRun = vm.status?.created || (vm.status?.printableStatus !== undefined && vm.status.printableStatus !== "Stopped");
      return toVm(vm, mayRun ? await this.api.findVmi(ref, ctx.signal) : undefined);
    });
    const items = options.hostId === undefined ? vms : vms.filter((vm) => vm.hostId === options.hostId);
    if (list.metadata?.continue) return { items, nextCursor: list.metadata.continue, ...(warnings.length ? { warnings } : {}) };
    if (list.items.length >= limit) return { items, nextCursor: BARE_CURSOR, ...(warnings.length ? { warnings } : {}) };
    return this.#bareVmiPage(namespace, "", limit, items, warnings, options, ctx);
  }

  /**
   * Tops `before` (the tail of the VM listing) up to `pageSize` with bare VMIs, reading VMI pages
   * until the page is full or the VMIs run out (VM-owned VMIs are skipped, so one API page may add
   * none). Only when the VMs filled the last page exactly can a final page come back empty.
   */
  async #bareVmiPage(namespace: string | undefined, token: string, pageSize: number, before: readonly Vm[], warnings: readonly string[], options: ListVmsOptions, ctx: OperationContext): Promise<Page<Vm>> {
    const items = [...before];
    const notes = [...warnings];
    let cursor = token;
    for (;;) {
      const room = Math.max(1, pageSize - items.length);
      const page = await this.#page((o) => this.api.listVmis(namespace, o), { pageSize: room, ...(cursor ? { cursor } : {}) }, ctx);
      notes.push(...page.warnings);
      for (const vmi of page.list.items) {
        if (!isBareVmi(vmi)) continue;
        const vm = toVm(undefined, vmi);
        if (options.hostId === undefined || vm.hostId === options.hostId) items.push(vm);
      }
      cursor = page.list.metadata?.continue ?? "";
      if (!cursor || items.length >= pageSize) return { items, ...(cursor ? { nextCursor: `${BARE_CURSOR}${cursor}` } : {}), ...(notes.length ? { warnings: notes } : {}) };
    }
  }

  async getVm(vmId: string, ctx: OperationContext): Promise<Vm> {
    const ref = this.#vmRef(vmId, "vm.get");
    const { vm, vmi } = await this.#find(ref, "vm.get", ctx);
    return toVm(vm, vmi);
  }

  /** The VirtualMachine and its VMI, or a bare VMI alone; `NOT_FOUND` when neither exists. */
  async #find(ref: ObjectRef, operation: string, ctx: OperationContext): Promise<{ vm: KvVirtualMachine | undefined; vmi: KvVmi | undefined }> {
    const vm = await this.api.findVm(ref, ctx.signal);
    const vmi = await this.api.findVmi(ref, ctx.signal);
    if (!vm && !vmi) throw new VmshiftError("NOT_FOUND", `VM ${formatRef(ref)} does not exist (no VirtualMachine or VirtualMachineInstance of that name)`, { adapter: this.name, operation, subject: formatRef(ref) });
    return { vm, vmi };
  }

  async listHosts(options: ListHostsOptions, ctx: OperationContext): Promise<Page<Host>> {
    const { list, warnings } = await this.#page((o) => this.api.listNodes(o), options, ctx);
    const usage = usageByNode((await this.api.listVmis(undefined, signalOf(ctx))).items);
    const items = list.items.map((node) => toHost(node, usage.get(node.metadata?.name ?? "") ?? { memoryBytes: 0, cpuCores: 0 }));
    return { items, ...(list.metadata?.continue ? { nextCursor: list.metadata.continue } : {}), ...(warnings.length ? { warnings } : {}) };
  }

  async preflight(request: NormalizedMigrationRequest, ctx: OperationContext): Promise<readonly PreflightCheck[]> {
    return runPreflight(this.api, this.#vmRef(request.vmId, "migration.preflight"), request, ctx);
  }

  async startMigration(request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    const ref = this.#vmRef(request.vmId, "migration.start");
    const { vm, vmi } = await this.#find(ref, "migration.start", ctx);
    if (request.mode === "cold") {
      if (!vm) throw new VmshiftError("INVALID_STATE", `${formatRef(ref)} is a VirtualMachineInstance without a VirtualMachine: it cannot be stopped and started elsewhere, only live-migrated`, { adapter: this.name, operation: "migration.start", retryable: false });
      if (request.targetHostId !== undefined && this.#guard) await this.#refuseBlocked(ref, request, ctx, ["host.exists", "host.same", "host.schedulable", "vm.placement", "host.memory", "host.cpu"]);
      return this.#cold.start(ref, vm, vmi, request, ctx);
    }
    const earlier = await this.#live.findByRequest(ref, request.requestId, ctx);
    if (earlier) {
      ctx.logger.log("info", "found the migration of an earlier start with the same request id", { requestId: request.requestId, migration: earlier.metadata?.name });
      return this.#live.snapshot(earlier, vmi, ctx);
    }
    if (!vmi || vmi.status?.phase !== "Running") throw new VmshiftError("INVALID_STATE", `the VM is not running (VMI phase ${vmi?.status?.phase ?? "none"}); live migration needs a running VM`, { adapter: this.name });
    if (this.#guard) await this.#refuseBlocked(ref, request, ctx, request.targetHostId === undefined ? ["kubevirt.LiveMigratable", "migration.inFlight"] : Object.keys(BLOCKING_CHECK_CODE));
    return this.#live.create(ref, vmi, request, ctx);
  }

  async getMigration(migrationId: string, ctx: OperationContext): Promise<MigrationSnapshot> {
    return isColdMigrationId(migrationId) ? this.#cold.get(migrationId, ctx) : this.#live.get(migrationId, ctx);
  }

  watchMigration(migrationId: string, ctx: OperationContext): AsyncIterable<MigrationSnapshot> {
    return isColdMigrationId(migrationId) ? this.#cold.watch(migrationId, ctx) : this.#live.watch(migrationId, ctx);
  }

  async cancelMigration(migrationId: string, ctx: OperationContext): Promise<void> {
    if (isColdMigrationId(migrationId)) {
      throw new VmshiftError("NOT_SUPPORTED", "a cold migration cannot be cancelled once started (it would leave the VM stopped); wait for it", { adapter: this.name, operation: "migration.cancel", subject: migrationId });
    }
    await this.#live.cancel(migrationId, ctx);
  }

  async attachMigration(migrationId: string, ctx: OperationContext): Promise<MigrationSnapshot> {
    return isColdMigrationId(migrationId) ? this.#cold.attach(migrationId, ctx) : this.#live.get(migrationId, ctx, "migration.attach");
  }

  #vmRef(vmId: string, operation: string): ObjectRef {
    return parseRef(vmId, this.#namespace, operation);
  }

  async #refuseBlocked(ref: ObjectRef, request: NormalizedMigrationRequest, ctx: OperationContext, ids: readonly string[]): Promise<void> {
    const checks = await runPreflight(this.api, ref, request, ctx);
    const blocking = checks.find((c) => c.severity === "error" && ids.includes(c.id));
    if (blocking) throw new VmshiftError(BLOCKING_CHECK_CODE[blocking.id] ?? "INVALID_STATE", blocking.message, { adapter: this.name, retryable: false, details: { check: blocking.id, category: blocking.category } });
  }

  /** One page; an expired continue token (410) restarts from the first page with a warning. */
  async #page<T>(fetch: (options: ListOptions) => Promise<KubeList<T>>, options: { readonly pageSize?: number; readonly cursor?: string }, ctx: OperationContext): Promise<{ list: KubeList<T>; warnings: string[] }> {
    const limit = Math.min(MAX_PAGE, options.pageSize ?? this.#pageSize);
    try {
      return { list: await fetch({ limit, ...(options.cursor ? { continue: options.cursor } : {}), ...signalOf(ctx) }), warnings: [] };
    } catch (error) {
      if (!options.cursor || !isVmshiftError(error) || error.details?.["expired"] !== true) throw error;
      const warning = "the continue token expired (410 Gone); the listing restarted from the first page, so items may repeat";
      ctx.logger.log("warn", warning, {});
      return { list: await fetch({ limit, ...signalOf(ctx) }), warnings: [warning] };
    }
  }
}

/** Creates the adapter. */
export function createKubevirtAdapter(options: KubevirtAdapterOptions = {}): KubevirtAdapter {
  return bindOperations(new KubevirtAdapter(options));
}
