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
import { CrossClusterMigrations, type TargetCluster, isCrossClusterId } from "./cross-cluster.ts";
import { LiveMigrations, type LiveOptions } from "./live.ts";
import { nodeChecks, readNode, runPreflight, vmChecks } from "./preflight.ts";
import { KubevirtApi, type ListOptions } from "./resources/api.ts";
import { toHost, usageByNode } from "./resources/node.ts";
import { type EffectiveMigrationConfiguration, type PolicyDefaults, effectiveConfiguration, matchPolicy } from "./resources/policy.ts";
import { isBareVmi, toVm } from "./resources/vm.ts";
import { VolumeMoves } from "./storage.ts";
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
  /**
   * Refuse, before creating anything, a start that a check on what the start reads anyway (the
   * VMI, and the named target Node) says cannot work: not live-migratable, a migration in flight,
   * a missing or cordoned node, the VM's own node, a placement the node does not satisfy.
   * Room on the node is checked by `preflight` only. Default true.
   */
  readonly guardTarget?: boolean;
  /** Cold migration timing. */
  readonly cold?: ColdOptions;
  /** Watch tuning and the optional metrics path (see {@link LiveOptions}). */
  readonly watch?: Omit<LiveOptions, "defaultNamespace" | "migrationPolicy">;
  /**
   * Settings added to the MigrationPolicy vmshift makes for a tuned migration (one that sets
   * bandwidth, auto-converge, post-copy or max downtime), e.g. `completionTimeoutPerGiB`.
   */
  readonly migrationPolicy?: PolicyDefaults;
  /**
   * Clusters a VM can be live-migrated to (`targetClusterId`), by id: KubeVirt's decentralized live
   * migration (≥ 1.6, feature gate DecentralizedLiveMigration on both clusters, the clusters' sync
   * controllers able to reach each other). `namespace`: of the receiving VM (default: the source's);
   * `connectURL`: the target's sync address when its KubeVirt CR does not list a reachable one.
   */
  readonly clusters?: Readonly<Record<string, KubevirtClusterOptions>>;
  /** How often a cross-cluster migration is read while followed, ms. Default 500. */
  readonly crossClusterPollMs?: number;
}

/** A target cluster of {@link KubevirtAdapterOptions.clusters}. */
export interface KubevirtClusterOptions {
  readonly connection?: KubevirtConnectionOptions;
  /** A ready transport (tests). */
  readonly transport?: KubeTransport;
  readonly namespace?: string;
  readonly connectURL?: string;
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
/** Cursor prefix of the bare-VMI part of a VM listing: `vmi:` and the `namespace/name` of the last bare VMI given. */
const BARE_CURSOR = "vmi:";
/** How long the VMIs listed for one page serve the next pages of the same listing, ms. */
const VMI_LISTING_TTL_MS = 60_000;
/** Listings whose VMIs are kept at once. */
const VMI_LISTINGS_KEPT = 8;

/** The VMIs of one listing scope: by `namespace/name`, and the bare ones in key order. */
interface VmiListing {
  readonly at: number;
  readonly byKey: ReadonlyMap<string, KvVmi>;
  readonly bare: readonly KvVmi[];
}
const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
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
  readonly #policyDefaults: PolicyDefaults;
  readonly #volumes: VolumeMoves;
  readonly #cross: CrossClusterMigrations;
  readonly #clusterTransports: KubeTransport[] = [];
  /** VMIs listed for a page, by the scope and the cursor that page handed out (see {@link listVms}). */
  readonly #listings = new Map<string, VmiListing>();

  constructor(options: KubevirtAdapterOptions = {}) {
    const kubeConfig = options.transport ? undefined : loadKubeConfig(options.connection);
    const transport = options.transport ?? new HttpKubeTransport({ kubeConfig: kubeConfig! });
    this.#transport = transport;
    this.api = new KubevirtApi(transport);
    this.#namespace = options.defaultNamespace ?? kubeConfig?.namespace ?? "default";
    this.#pageSize = Math.min(MAX_PAGE, options.defaultPageSize ?? 100);
    this.#guard = options.guardTarget ?? true;
    this.#volumes = new VolumeMoves(this.api);
    this.#live = new LiveMigrations(this.api, { defaultNamespace: this.#namespace, ...options.watch, ...(options.migrationPolicy ? { migrationPolicy: options.migrationPolicy } : {}), restoreVolumes: (vm, ctx) => this.#volumes.restore(vm, ctx), releaseVolumes: (vm, ctx) => this.#volumes.releaseCancelled(vm, ctx) });
    this.#policyDefaults = options.migrationPolicy ?? {};
    this.#cold = new ColdMigrations(this.api, options.cold);
    const clusters = new Map<string, TargetCluster>();
    for (const [id, cluster] of Object.entries(options.clusters ?? {})) {
      const t = cluster.transport ?? new HttpKubeTransport({ kubeConfig: loadKubeConfig(cluster.connection) });
      this.#clusterTransports.push(t);
      clusters.set(id, { api: new KubevirtApi(t), ...(cluster.namespace ? { namespace: cluster.namespace } : {}), ...(cluster.connectURL ? { connectURL: cluster.connectURL } : {}) });
    }
    this.#cross = new CrossClusterMigrations(this.api, clusters, options.crossClusterPollMs === undefined ? {} : { pollIntervalMs: options.crossClusterPollMs });
  }

  /** Releases kept-alive connections. */
  async close(): Promise<void> {
    this.#transport.close?.();
    for (const t of this.#clusterTransports) t.close?.();
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
   * VirtualMachines first, then the VMIs no VirtualMachine owns (bare VMIs). A page lists the VMs
   * (`limit`/`continue`) and the VMIs of the same scope (the namespace, or every namespace when the
   * caller asked for all), and joins them by name; the VMIs listed stay for the following pages of
   * the same listing for a minute (a continue token serves the VMs as of the first page anyway), so
   * later pages list the VMs only. A cursor is the API's continue token of the VM listing, or `vmi:`
   * and the last bare VMI given; the last page of VMs is topped up with bare VMIs up to the page size.
   */
  async listVms(options: ListVmsOptions, ctx: OperationContext): Promise<Page<Vm>> {
    const namespace = options.scope === undefined ? undefined : requireNamespace(options.scope, "vm.list");
    const limit = Math.min(MAX_PAGE, options.pageSize ?? this.#pageSize);
    if (options.cursor?.startsWith(BARE_CURSOR)) {
      const listing = await this.#vmis(namespace, options.cursor, ctx);
      return this.#barePage(namespace, listing, options.cursor.slice(BARE_CURSOR.length), limit, [], [], options);
    }
    const { list, warnings } = await this.#page((o) => this.api.listVms(namespace, o), options, ctx);
    // A listing that restarted (expired continue token) lists its VMIs afresh too.
    const listing = await this.#vmis(namespace, warnings.length ? undefined : options.cursor, ctx);
    const vms = list.items.map((vm) => {
      const mayRun = vm.status?.created || (vm.status?.printableStatus !== undefined && vm.status.printableStatus !== "Stopped");
      return toVm(vm, mayRun ? listing.byKey.get(keyOf({ metadata: { namespace: vm.metadata?.namespace ?? this.#namespace, name: vm.metadata?.name ?? "" } })) : undefined);
    });
    const items = options.hostId === undefined ? vms : vms.filter((vm) => vm.hostId === options.hostId);
    const more = (cursor: string) => {
      this.#keepListing(namespace, cursor, listing);
      return { items, nextCursor: cursor, ...(warnings.length ? { warnings } : {}) };
    };
    if (list.metadata?.continue) return more(list.metadata.continue);
    if (list.items.length >= limit) return more(BARE_CURSOR);
    return this.#barePage(namespace, listing, "", limit, items, warnings, options);
  }

  /** The VMIs of a scope: kept from the page that handed out `cursor`, else one list. */
  async #vmis(namespace: string | undefined, cursor: string | undefined, ctx: OperationContext): Promise<VmiListing> {
    const kept = cursor === undefined ? undefined : this.#listings.get(`${namespace ?? ""}\u0000${cursor}`);
    if (kept && ctx.clock.now() - kept.at < VMI_LISTING_TTL_MS) return kept;
    const vmis = (await this.api.listVmis(namespace, signalOf(ctx))).items;
    return { at: ctx.clock.now(), byKey: new Map(vmis.map((v) => [keyOf(v), v])), bare: vmis.filter(isBareVmi).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0)) };
  }

  #keepListing(namespace: string | undefined, cursor: string, listing: VmiListing): void {
    const key = `${namespace ?? ""}\u0000${cursor}`;
    this.#listings.delete(key);
    this.#listings.set(key, listing);
    if (this.#listings.size > VMI_LISTINGS_KEPT) this.#listings.delete(this.#listings.keys().next().value!);
  }

  /** Tops `before` (the tail of the VM listing) up to `pageSize` with the bare VMIs after `after` (a `namespace/name`). */
  #barePage(namespace: string | undefined, listing: VmiListing, after: string, pageSize: number, before: readonly Vm[], warnings: readonly string[], options: ListVmsOptions): Page<Vm> {
    const items = [...before];
    let i = after ? listing.bare.findIndex((v) => keyOf(v) > after) : 0;
    if (i < 0) i = listing.bare.length;
    for (; i < listing.bare.length && items.length < pageSize; i++) {
      const vm = toVm(undefined, listing.bare[i]);
      if (options.hostId === undefined || vm.hostId === options.hostId) items.push(vm);
    }
    const page = { items, ...(warnings.length ? { warnings: [...warnings] } : {}) };
    if (i >= listing.bare.length) return page;
    const cursor = `${BARE_CURSOR}${keyOf(listing.bare[i - 1]!)}`;
    this.#keepListing(namespace, cursor, listing);
    return { ...page, nextCursor: cursor };
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
    return runPreflight(this.api, this.#vmRef(request.vmId, "migration.preflight"), request, ctx, this.#policyDefaults);
  }

  /**
   * What a live migration of the VM would run with now: the MigrationPolicy KubeVirt would select
   * for its VMI (VMI and Namespace labels, KubeVirt's precedence) merged over the KubeVirt CR's
   * `spec.configuration.migrations`, or that cluster-wide configuration when no policy matches.
   * Reads the VMI, its Namespace, the MigrationPolicies (paged) and the KubeVirt CR; what this
   * identity may not read is listed in `unread` (a namespace-scoped Role reads none of the three).
   */
  async migrationConfiguration(vmId: string, ctx: OperationContext): Promise<EffectiveMigrationConfiguration & { readonly unread: readonly string[] }> {
    const ref = this.#vmRef(vmId, "migration.configuration");
    const vmi = await this.api.findVmi(ref, ctx.signal);
    if (!vmi) throw new VmshiftError("NOT_FOUND", `VM ${formatRef(ref)} has no VirtualMachineInstance (a migration needs a running VM)`, { adapter: this.name, operation: "migration.configuration", subject: formatRef(ref) });
    const [namespaceLabels, policies, kv] = [await this.api.namespaceLabels(ref.namespace, ctx.signal), await this.api.listMigrationPolicies(ctx.signal), await this.api.findKubeVirt(ctx.signal)];
    const unread = [...(namespaceLabels ? [] : [`namespace ${ref.namespace}`]), ...(policies ? [] : ["migrationpolicies.migrations.kubevirt.io"]), ...(kv ? [] : ["kubevirts.kubevirt.io"])];
    const policy = matchPolicy(policies ?? [], vmi.metadata?.labels ?? {}, namespaceLabels ?? {});
    return { ...effectiveConfiguration(kv?.spec.configuration?.migrations, policy), unread };
  }

  /**
   * Live: reads the VMI (and, only when there is none, the VM, to tell a stopped VM from a missing
   * one), the named target Node when the guard is on, then creates the VMIM; an earlier start with
   * the same request id is found by the VMIM's name. Cold: reads the VM and its VMI and the Node.
   */
  async startMigration(request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    const ref = this.#vmRef(request.vmId, "migration.start");
    if (request.targetClusterId !== undefined) {
      if (request.mode === "cold") throw new VmshiftError("NOT_SUPPORTED", "a cross-cluster move is KubeVirt's decentralized live migration; a cold one is not offered", { adapter: this.name, operation: "migration.start", retryable: false });
      return this.#cross.start(ref, request, ctx);
    }
    if (request.targetStorageId !== undefined) return this.#startVolumeMigration(ref, request, ctx);
    if (request.mode === "cold") {
      const { vm, vmi } = await this.#find(ref, "migration.start", ctx);
      if (!vm) throw new VmshiftError("INVALID_STATE", `${formatRef(ref)} is a VirtualMachineInstance without a VirtualMachine: it cannot be stopped and started elsewhere, only live-migrated`, { adapter: this.name, operation: "migration.start", retryable: false });
      const earlier = this.#cold.earlier(ref, vm, vmi, request, ctx);
      if (earlier) return earlier;
      const node = request.targetHostId === undefined ? undefined : await readNode(this.api, request.targetHostId, ctx.signal);
      if (request.targetHostId !== undefined && node !== null && this.#guard) this.#refuse(nodeChecks(node, request.targetHostId, vmi?.status?.nodeName, vmi?.spec ?? vm.spec.template?.spec));
      return this.#cold.start(ref, vm, vmi, node, request, ctx);
    }
    const vmi = await this.api.findVmi(ref, ctx.signal);
    if (!vmi || vmi.status?.phase !== "Running") {
      if (!vmi && !(await this.api.findVm(ref, ctx.signal))) throw new VmshiftError("NOT_FOUND", `VM ${formatRef(ref)} does not exist (no VirtualMachine or VirtualMachineInstance of that name)`, { adapter: this.name, operation: "migration.start", subject: formatRef(ref) });
      return this.#refuseLive(ref, vmi, request, ctx, "INVALID_STATE", `the VM is not running (VMI phase ${vmi?.status?.phase ?? "none"}); live migration needs a running VM`);
    }
    if (this.#guard) {
      const blocked = (checks: readonly PreflightCheck[]) => checks.find((c) => c.severity === "error" && c.id in BLOCKING_CHECK_CODE);
      let blocking = blocked(vmChecks(undefined, vmi, request));
      if (!blocking && request.targetHostId !== undefined) {
        const node = await readNode(this.api, request.targetHostId, ctx.signal);
        // A node this identity may not read (a namespace-scoped Role) is left to KubeVirt's scheduler.
        if (node !== null) blocking = blocked(nodeChecks(node, request.targetHostId, vmi.status?.nodeName, vmi.spec));
      }
      if (blocking) return this.#refuseLive(ref, vmi, request, ctx, BLOCKING_CHECK_CODE[blocking.id] ?? "INVALID_STATE", blocking.message, { check: blocking.id, category: blocking.category });
    }
    return this.#live.create(ref, vmi, request, ctx);
  }

  /**
   * Storage live migration (storage.ts): reads the VM and its VMI, creates the destination claims of
   * the StorageClass `targetStorageId`, swaps them into the VM with `updateVolumesStrategy: Migration`,
   * and follows the VMIM KubeVirt creates for it; its id is that VMIM's `namespace/name`.
   */
  async #startVolumeMigration(ref: ObjectRef, request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    if (request.mode === "cold") throw new VmshiftError("NOT_SUPPORTED", "moving disks is a live volume migration in KubeVirt; a cold move with targetStorageId is not offered", { adapter: this.name, operation: "migration.start", retryable: false });
    const { vm, vmi } = await this.#find(ref, "migration.start", ctx);
    if (!vm) throw new VmshiftError("NOT_SUPPORTED", `${formatRef(ref)} is a VirtualMachineInstance without a VirtualMachine: KubeVirt migrates volumes of VirtualMachines only`, { adapter: this.name, operation: "migration.start", retryable: false });
    // Tuning applies to the volume migration too (KubeVirt resolves the policy for its VMIM like any
    // other); it is written once the request has been checked, before the claims.
    const vmim = await this.#volumes.start(ref, vm, vmi, request, ctx, () => this.#live.selectPolicy(ref, vmi!, request, ctx));
    return this.#live.snapshot(vmim, vmi, ctx);
  }

  /** Refuses a live start, unless an earlier start with the same request id made its migration (then that one). */
  async #refuseLive(ref: ObjectRef, vmi: KvVmi | undefined, request: NormalizedMigrationRequest, ctx: OperationContext, code: ErrorCode, message: string, details?: Record<string, unknown>): Promise<MigrationSnapshot> {
    const earlier = await this.#live.findByRequest(ref, request.requestId, ctx);
    if (earlier) {
      ctx.logger.log("info", "found the migration of an earlier start with the same request id", { requestId: request.requestId, migration: earlier.metadata?.name });
      return this.#live.snapshot(earlier, vmi, ctx);
    }
    throw new VmshiftError(code, message, { adapter: this.name, retryable: false, ...(details ? { details } : {}) });
  }

  /** Throws the first blocking check. */
  #refuse(checks: readonly PreflightCheck[]): void {
    const blocking = checks.find((c) => c.severity === "error" && c.id in BLOCKING_CHECK_CODE);
    if (blocking) throw new VmshiftError(BLOCKING_CHECK_CODE[blocking.id] ?? "INVALID_STATE", blocking.message, { adapter: this.name, retryable: false, details: { check: blocking.id, category: blocking.category } });
  }

  async getMigration(migrationId: string, ctx: OperationContext): Promise<MigrationSnapshot> {
    if (isCrossClusterId(migrationId)) return this.#cross.get(migrationId, ctx);
    return isColdMigrationId(migrationId) ? this.#cold.get(migrationId, ctx) : this.#live.get(migrationId, ctx);
  }

  watchMigration(migrationId: string, ctx: OperationContext): AsyncIterable<MigrationSnapshot> {
    if (isCrossClusterId(migrationId)) return this.#cross.watch(migrationId, ctx);
    return isColdMigrationId(migrationId) ? this.#cold.watch(migrationId, ctx) : this.#live.watch(migrationId, ctx);
  }

  async cancelMigration(migrationId: string, ctx: OperationContext): Promise<void> {
    if (isCrossClusterId(migrationId)) return this.#cross.cancel(migrationId, ctx);
    if (isColdMigrationId(migrationId)) {
      throw new VmshiftError("NOT_SUPPORTED", "a cold migration cannot be cancelled once started (it would leave the VM stopped); wait for it", { adapter: this.name, operation: "migration.cancel", subject: migrationId });
    }
    await this.#live.cancel(migrationId, ctx);
  }

  async attachMigration(migrationId: string, ctx: OperationContext): Promise<MigrationSnapshot> {
    if (isCrossClusterId(migrationId)) return this.#cross.get(migrationId, ctx, "migration.attach");
    return isColdMigrationId(migrationId) ? this.#cold.attach(migrationId, ctx) : this.#live.get(migrationId, ctx, "migration.attach");
  }

  #vmRef(vmId: string, operation: string): ObjectRef {
    return parseRef(vmId, this.#namespace, operation);
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
