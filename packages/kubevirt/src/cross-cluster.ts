/**
 * Cross-cluster live migration: KubeVirt's decentralized live migration (≥ 1.6, Alpha feature
 * gate `DecentralizedLiveMigration`; user guide `compute/decentralized_live_migration.md`).
 *
 * A start reads the source VM and VMI and both clusters' KubeVirt CRs (gate, the target's
 * `status.synchronizationAddresses`), creates on the target cluster a copy of the VM with
 * `runStrategy: WaitAsReceiver` (the source's run strategy in `kubevirt.io/restore-run-strategy`),
 * waits for its receiving VMI, creates the receive VMIM there, then the sendTo VMIM on the source.
 * Both VMIMs are named like a live migration's (after the request id), which is also the shared
 * `migrationID`. The migration id is `xc:<cluster>:<source ns>/<name>:<target ns>/<name>`.
 */
import { type MigrationSnapshot, type NormalizedMigrationRequest, type OperationContext, VmshiftError, isTerminalPhase, isVmshiftError } from "@vmshift/core";
import { type ObjectRef, formatRef, requestIdLabel } from "./ids.ts";
import { migrationName } from "./live.ts";
import type { KubevirtApi } from "./resources/api.ts";
import { ANNOTATIONS, liveSnapshot } from "./resources/migration.ts";
import { type KvMigration, type KvVirtualMachine, type KvVmi, LABELS } from "./types.ts";

/** Prefix of cross-cluster migration ids. */
export const CROSS_CLUSTER_PREFIX = "xc:";
/** The feature gate both clusters need. */
export const DECENTRALIZED_GATE = "DecentralizedLiveMigration";
/** Reads of the receiving VMI (or of the target VMIM's sync address) before a start gives up. */
const WAIT_READS = 20;

/** A second cluster a VM can be migrated to. */
export interface TargetCluster {
  readonly api: KubevirtApi;
  /** Namespace of the receiving VM. Default: the source VM's namespace. */
  readonly namespace?: string;
  /** The sync controller address to send to. Default: the target KubeVirt CR's `status.synchronizationAddresses[0]`, else the target VMIM's. */
  readonly connectURL?: string;
}

/** Options of {@link CrossClusterMigrations}. */
export interface CrossClusterOptions {
  /** How often a watch reads both migrations, ms. Default 500. */
  readonly pollIntervalMs?: number;
}

interface CrossRef {
  readonly cluster: string;
  readonly source: ObjectRef;
  readonly target: ObjectRef;
}

/** Whether an id names a cross-cluster migration. */
export const isCrossClusterId = (id: string): boolean => id.startsWith(CROSS_CLUSTER_PREFIX);

/** The id of a cross-cluster migration: both VMIMs and the cluster id (URI-encoded). */
export function crossClusterId(ref: CrossRef): string {
  return `${CROSS_CLUSTER_PREFIX}${encodeURIComponent(ref.cluster)}:${formatRef(ref.source)}:${formatRef(ref.target)}`;
}

const gateOn = (kv: { spec?: { configuration?: { developerConfiguration?: { featureGates?: string[] | null } | null } | null } } | undefined) => (kv?.spec?.configuration?.developerConfiguration?.featureGates ?? []).includes(DECENTRALIZED_GATE);
const signalOf = (ctx: OperationContext) => (ctx.signal ? { signal: ctx.signal } : {});

/** Cross-cluster migrations from one source cluster to the configured target clusters. */
export class CrossClusterMigrations {
  readonly #api: KubevirtApi;
  readonly #clusters: ReadonlyMap<string, TargetCluster>;
  readonly #options: CrossClusterOptions;
  /** Ids this process cancelled, with the source VMIM last seen: once both are deleted, the outcome comes from here. */
  readonly #cancelled = new Map<string, KvMigration | undefined>();

  constructor(api: KubevirtApi, clusters: ReadonlyMap<string, TargetCluster>, options: CrossClusterOptions = {}) {
    this.#api = api;
    this.#clusters = clusters;
    this.#options = options;
  }

  /** The configured cluster, or NOT_FOUND (before any request). */
  #cluster(id: string, operation: string): TargetCluster {
    const cluster = this.#clusters.get(id);
    if (!cluster) {
      const known = [...this.#clusters.keys()];
      throw new VmshiftError("NOT_FOUND", `target cluster ${JSON.stringify(id)} is not configured (adapter option clusters${known.length ? `: ${known.join(", ")}` : " is empty"}); nothing was changed`, { adapter: "kubevirt", operation, subject: id, retryable: false });
    }
    return cluster;
  }

  /** Parses an id made by {@link crossClusterId}. */
  parse(id: string, operation: string): CrossRef & { readonly cluster: string } {
    const m = /^xc:([^:]+):([^:/]+)\/([^:/]+):([^:/]+)\/([^:/]+)$/.exec(id);
    if (!m) throw new VmshiftError("INVALID_ARGUMENT", `not a cross-cluster migration id: ${JSON.stringify(id)} (expected xc:<cluster>:<namespace>/<name>:<namespace>/<name>)`, { adapter: "kubevirt", operation, retryable: false });
    return { cluster: decodeURIComponent(m[1]!), source: { namespace: m[2]!, name: m[3]! }, target: { namespace: m[4]!, name: m[5]! } };
  }

  /**
   * Starts one. Requests: GET source VM, GET source VMI, GET the VMIM of this request id (a retried
   * start returns it), GET both KubeVirt CRs, POST the receiving
   * VM, GET its VMI until it exists (usually 1–2), POST the receive VMIM, (GET it for the sync
   * address only when the target CR lists none), POST the sendTo VMIM: 9 in the usual case.
   * Refused before anything is written: an unknown cluster (NOT_FOUND), a VM that is not running,
   * the gate off on either cluster (NOT_SUPPORTED), a receiving VM of that name that is not this
   * request's (CONFLICT). A failure after the receiving VM was created removes what was created.
   */
  async start(ref: ObjectRef, request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    const clusterId = request.targetClusterId!;
    const cluster = this.#cluster(clusterId, "migration.start");
    const name = migrationName(ref.name, request.requestId);
    const target: ObjectRef = { namespace: cluster.namespace ?? ref.namespace, name: ref.name };
    const id = crossClusterId({ cluster: clusterId, source: { namespace: ref.namespace, name }, target: { namespace: target.namespace, name } });
    const vm = await this.#api.findVm(ref, ctx.signal);
    const vmi = await this.#api.findVmi(ref, ctx.signal);
    if (!vm) throw new VmshiftError(vmi ? "NOT_SUPPORTED" : "NOT_FOUND", vmi ? `${formatRef(ref)} is a VirtualMachineInstance without a VirtualMachine: a decentralized migration needs a VirtualMachine on both sides` : `VM ${formatRef(ref)} does not exist`, { adapter: "kubevirt", operation: "migration.start", retryable: false });
    const earlier = await this.#api.findMigration({ namespace: ref.namespace, name }, ctx.signal);
    if (earlier?.metadata?.annotations?.[ANNOTATIONS.requestId] === request.requestId) return this.get(id, ctx);
    if (!vmi || vmi.status?.phase !== "Running") throw new VmshiftError("INVALID_STATE", `the VM is not running (VMI phase ${vmi?.status?.phase ?? "none"}); live migration needs a running VM`, { adapter: "kubevirt", operation: "migration.start", retryable: false });
    const [sourceKv, targetKv] = [await this.#api.findKubeVirt(ctx.signal), await cluster.api.findKubeVirt(ctx.signal)];
    for (const [where, kv] of [["source", sourceKv], [`target (${clusterId})`, targetKv]] as const) {
      if (kv && !gateOn(kv)) throw new VmshiftError("NOT_SUPPORTED", `the ${where} cluster's KubeVirt CR does not enable the feature gate ${DECENTRALIZED_GATE} (spec.configuration.developerConfiguration.featureGates; Alpha since KubeVirt 1.6); nothing was changed`, { adapter: "kubevirt", operation: "migration.start", retryable: false, details: { featureGate: DECENTRALIZED_GATE } });
    }
    const annotations = { [ANNOTATIONS.requestId]: request.requestId };
    const receiving: KvVirtualMachine = {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: {
        name: target.name,
        labels: { ...(vm.metadata?.labels ?? {}), [LABELS.requestId]: requestIdLabel(request.requestId) },
        annotations: { ...annotations, "kubevirt.io/restore-run-strategy": vm.spec.runStrategy ?? (vm.spec.running === false ? "Halted" : "Always") },
      },
      spec: { ...structuredClone(vm.spec), runStrategy: "WaitAsReceiver" },
    };
    delete (receiving.spec as { running?: boolean }).running;
    try {
      await cluster.api.createVm(target.namespace, receiving, ctx.signal);
    } catch (error) {
      if (!isVmshiftError(error, "CONFLICT")) throw error;
      const existing = await cluster.api.findVm(target, ctx.signal);
      if (existing?.metadata?.annotations?.[ANNOTATIONS.requestId] !== request.requestId) {
        throw new VmshiftError("CONFLICT", `target cluster ${clusterId} already has a VirtualMachine ${formatRef(target)}; nothing was changed`, { adapter: "kubevirt", operation: "migration.start", retryable: false, cause: error });
      }
    }
    try {
      await this.#waitFor(() => cluster.api.findVmi(target, ctx.signal), ctx, "the receiving VirtualMachineInstance");
      const receive = await this.#createMigration(cluster.api, target.namespace, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name, labels: { [LABELS.requestId]: requestIdLabel(request.requestId) }, annotations }, spec: { vmiName: target.name, receive: { migrationID: name } } } as KvMigration, ctx);
      const connectURL = cluster.connectURL ?? targetKv?.status?.synchronizationAddresses?.[0] ?? receive.status?.synchronizationAddresses?.[0] ?? (await this.#waitFor(async () => (await cluster.api.findMigration({ namespace: target.namespace, name }, ctx.signal))?.status?.synchronizationAddresses?.[0], ctx, "the target's synchronization address"));
      const sent = await this.#createMigration(this.#api, ref.namespace, {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachineInstanceMigration",
        metadata: { name, labels: { [LABELS.requestId]: requestIdLabel(request.requestId) }, annotations: { ...annotations, ...(vmi.status?.nodeName ? { [ANNOTATIONS.sourceHost]: vmi.status.nodeName } : {}) } },
        spec: { vmiName: ref.name, sendTo: { migrationID: name, connectURL } },
      } as KvMigration, ctx);
      ctx.logger.log("info", "started a cross-cluster (decentralized) live migration", { requestId: request.requestId, migrationId: id, cluster: clusterId, connectURL });
      return this.#snapshot(id, sent, receive, vmi, undefined, ctx);
    } catch (error) {
      ctx.logger.log("warn", "the cross-cluster start failed; removing what it created on the target cluster", { requestId: request.requestId, cluster: clusterId, error: (error as Error).message });
      await cluster.api.deleteMigration({ namespace: target.namespace, name }).catch(() => undefined);
      await cluster.api.deleteVm(target).catch(() => undefined);
      throw error;
    }
  }

  /** POST, or the same request's object when the name is taken. */
  async #createMigration(api: KubevirtApi, namespace: string, body: KvMigration, ctx: OperationContext): Promise<KvMigration> {
    try {
      return await api.createMigration(namespace, body, ctx.signal);
    } catch (error) {
      if (!isVmshiftError(error, "CONFLICT") || error.details?.["row"] !== "status.alreadyExists") throw error;
      const found = await api.findMigration({ namespace, name: body.metadata!.name! }, ctx.signal);
      if (found?.metadata?.annotations?.[ANNOTATIONS.requestId] !== body.metadata?.annotations?.[ANNOTATIONS.requestId] || !found) throw error;
      return found;
    }
  }

  async #waitFor<T>(read: () => Promise<T | undefined>, ctx: OperationContext, what: string): Promise<T> {
    for (let i = 0; i < WAIT_READS; i++) {
      const value = await read();
      if (value !== undefined) return value;
      await ctx.clock.sleep(Math.min(1000, 50 * 2 ** i), ctx.signal);
    }
    throw new VmshiftError("TIMEOUT", `${what} did not appear on the target cluster (is KubeVirt ≥ 1.6 with ${DECENTRALIZED_GATE} running there?)`, { adapter: "kubevirt", operation: "migration.start", retryable: true });
  }

  /** The state from both VMIMs (2 GETs), and the VMIs once final (2 more). */
  async get(id: string, ctx: OperationContext, operation = "migration.get"): Promise<MigrationSnapshot> {
    const ref = this.parse(id, operation);
    const cluster = this.#cluster(ref.cluster, operation);
    const source = await this.#api.findMigration(ref.source, ctx.signal);
    const target = await cluster.api.findMigration(ref.target, ctx.signal);
    if (!source && !target && this.#cancelled.has(id)) {
      const vmName = this.#cancelled.get(id)?.spec.vmiName;
      const vmi = vmName ? await this.#api.findVmi({ namespace: ref.source.namespace, name: vmName }, ctx.signal) : undefined;
      return this.#snapshot(id, this.#cancelled.get(id), undefined, vmi, undefined, ctx, true);
    }
    if (!source && !target) throw new VmshiftError("NOT_FOUND", `cross-cluster migration ${id}: neither VirtualMachineInstanceMigration exists (finished ones are garbage-collected)`, { adapter: "kubevirt", operation });
    const final = (m: KvMigration | undefined) => m?.status?.phase === "Succeeded" || m?.status?.phase === "Failed";
    // The VM has the same name on both clusters (the receiving VM is a copy).
    const vmName = source?.spec.vmiName ?? target?.spec.vmiName;
    const sourceVmi = (final(source) || !source) && vmName ? await this.#api.findVmi({ namespace: ref.source.namespace, name: vmName }, ctx.signal) : undefined;
    const targetVmi = final(source) && target?.spec.vmiName ? await cluster.api.findVmi({ namespace: ref.target.namespace, name: target.spec.vmiName }, ctx.signal) : undefined;
    return this.#snapshot(id, source, target, sourceVmi, targetVmi, ctx);
  }

  /** Polls {@link get} until a terminal snapshot, yielding each change. */
  async *watch(id: string, ctx: OperationContext): AsyncIterable<MigrationSnapshot> {
    let last = "";
    for (;;) {
      const snapshot = await this.get(id, ctx, "migration.watch");
      const key = JSON.stringify({ ...snapshot, progress: { ...snapshot.progress, observedAt: "" } });
      if (key !== last) {
        last = key;
        yield snapshot;
      }
      if (isTerminalPhase(snapshot.phase)) return;
      await ctx.clock.sleep(this.#options.pollIntervalMs ?? 500, ctx.signal);
    }
  }

  /** Deletes both VMIMs (KubeVirt's cancel) and the receiving VM this start created; 404s are fine. */
  async cancel(id: string, ctx: OperationContext): Promise<void> {
    const ref = this.parse(id, "migration.cancel");
    const cluster = this.#cluster(ref.cluster, "migration.cancel");
    const source = await this.#api.findMigration(ref.source, ctx.signal);
    if (source?.status?.phase === "Succeeded") return;
    this.#cancelled.set(id, source);
    if (this.#cancelled.size > 1000) this.#cancelled.delete(this.#cancelled.keys().next().value!);
    await this.#api.deleteMigration(ref.source, ctx.signal);
    const target = await cluster.api.findMigration(ref.target, ctx.signal);
    await cluster.api.deleteMigration(ref.target, ctx.signal);
    const vmName = target?.spec.vmiName;
    if (vmName) {
      // Only the receiving VM of this request goes; KubeVirt needs it gone before another try.
      const vm = await cluster.api.findVm({ namespace: ref.target.namespace, name: vmName }, ctx.signal);
      if (vm?.spec.runStrategy === "WaitAsReceiver" && vm.metadata?.annotations?.[ANNOTATIONS.requestId] === target.metadata?.annotations?.[ANNOTATIONS.requestId]) await cluster.api.deleteVm({ namespace: ref.target.namespace, name: vmName }, ctx.signal);
    }
    ctx.logger.log("info", "cancelled a cross-cluster migration (deleted both migrations)", { migrationId: id });
  }

  #snapshot(id: string, source: KvMigration | undefined, target: KvMigration | undefined, sourceVmi: KvVmi | undefined, targetVmi: KvVmi | undefined, ctx: OperationContext, gone = false): MigrationSnapshot {
    const ref = this.parse(id, "migration.get");
    const observedAt = new Date(ctx.clock.now()).toISOString();
    // The source VMIM decides (its status carries the outcome); a missing one is read from the target's.
    const base = liveSnapshot(source ?? target, source ? sourceVmi : undefined, id, { cancelRequested: this.#cancelled.has(id) || Boolean(source?.metadata?.deletionTimestamp || target?.metadata?.deletionTimestamp), gone: gone || !source, observedAt });
    const vmId = formatRef({ namespace: ref.source.namespace, name: source?.spec.vmiName ?? target?.spec.vmiName ?? ref.source.name.replace(/^vmshift-/, "").replace(/-[0-9a-f]{16}$/, "") });
    const targetNode = target?.status?.migrationState?.targetNode ?? targetVmi?.status?.nodeName;
    const message = `${base.progress.message ?? ""} (to cluster ${ref.cluster}, namespace ${ref.target.namespace}; its receiving migration: ${target?.status?.phase ?? "absent"})`;
    const snapshot: MigrationSnapshot = { ...base, vmId, ...(targetNode ? { targetHostId: targetNode } : {}), progress: { ...base.progress, message } };
    if (!snapshot.result) return snapshot;
    const result = { ...snapshot.result, migrationId: id, vmId };
    if (snapshot.phase === "completed") {
      return { ...snapshot, result: { ...result, ...(targetNode ? { targetHostId: targetNode } : {}), vmLocation: { side: "target", powerState: targetVmi?.status?.phase === "Running" ? "running" : "unknown", ...(targetNode ? { hostId: targetNode } : {}) } } };
    }
    return { ...snapshot, result };
  }
}
