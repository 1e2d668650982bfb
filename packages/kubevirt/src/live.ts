/**
 * Live migration: create a VirtualMachineInstanceMigration (idempotent on a request-id label),
 * follow it with list+watch on the VMIM and the VMI, cancel by deleting it.
 */
import { type ListWatchEvent, type ListWatchSource, type MigrationSnapshot, type NormalizedMigrationRequest, type OperationContext, VmshiftError, isTerminalPhase, isVmshiftError, listWatch } from "@vmshift/core";
import { type ObjectRef, formatRef, parseRef, requestIdLabel } from "./ids.ts";
import { mergeStreams } from "./merge.ts";
import { migrationFigures } from "./resources/metrics.ts";
import type { KubevirtApi } from "./resources/api.ts";
import { ANNOTATIONS, kvPhase, liveSnapshot } from "./resources/migration.ts";
import { type KvMigration, type KvVmi, LABELS } from "./types.ts";

/** Options of {@link LiveMigrations}. */
export interface LiveOptions {
  readonly defaultNamespace: string;
  /** Reconnect backoff of watches, ms. Default 200 → 5000. */
  readonly watchBackoff?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /** Server-side watch timeout, seconds. Default 290. */
  readonly watchTimeoutSeconds?: number;
  /**
   * An API-server path that answers virt-handler's Prometheus metrics (e.g. a pod or service proxy
   * path). When set, transferring snapshots carry bytes, dirty rate and bandwidth. Default: none.
   */
  readonly metricsPath?: string;
  /** How often metrics are read while transferring, ms. Default 5000 (virt-handler's own period). */
  readonly metricsIntervalMs?: number;
}

const FINAL = new Set(["Succeeded", "Failed"]);
const signalOf = (ctx: OperationContext) => (ctx.signal ? { signal: ctx.signal } : {});

/** Live migrations on one cluster. */
export class LiveMigrations {
  readonly #api: KubevirtApi;
  readonly #options: LiveOptions;
  /** Ids this process asked to cancel. */
  readonly #cancelled = new Set<string>();
  /** uids seen per id, so a vanished VMIM can still be matched to the VMI's migrationState. */
  readonly #uids = new Map<string, string>();

  constructor(api: KubevirtApi, options: LiveOptions) {
    this.#api = api;
    this.#options = options;
  }

  /** Parses a live migration id (`namespace/name`). */
  ref(id: string, operation: string): ObjectRef {
    return parseRef(id, this.#options.defaultNamespace, operation);
  }

  /** The migration an earlier start with this request id created, if any. */
  async findByRequest(vm: ObjectRef, requestId: string, ctx: OperationContext): Promise<KvMigration | undefined> {
    const existing = await this.#api.listMigrations(vm.namespace, { labelSelector: `${LABELS.requestId}=${requestIdLabel(requestId)}`, ...signalOf(ctx) });
    return existing.items.find((m) => m.metadata?.annotations?.[ANNOTATIONS.requestId] === requestId);
  }

  /** Creates the VMIM (callers look for an earlier one with {@link findByRequest} first). */
  async create(vm: ObjectRef, vmi: KvVmi, request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    const source = vmi.status?.nodeName;
    const body: KvMigration = {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstanceMigration",
      metadata: {
        generateName: `vmshift-${vm.name.slice(0, 40)}-`,
        labels: { [LABELS.requestId]: requestIdLabel(request.requestId) },
        annotations: {
          [ANNOTATIONS.requestId]: request.requestId,
          ...(source ? { [ANNOTATIONS.sourceHost]: source } : {}),
          ...(request.targetHostId ? { [ANNOTATIONS.targetHost]: request.targetHostId } : {}),
        },
      },
      spec: {
        vmiName: vm.name,
        ...(request.targetHostId ? { addedNodeSelector: { [LABELS.hostname]: request.targetHostId } } : {}),
      },
    };
    const created = await this.#api.createMigration(vm.namespace, body, ctx.signal);
    return this.snapshot(created, vmi, ctx);
  }

  /** The VM's migration that is neither Succeeded nor Failed, if any. */
  async inFlight(vm: ObjectRef, ctx: OperationContext): Promise<KvMigration | undefined> {
    const list = await this.#api.listMigrations(vm.namespace, { labelSelector: `${LABELS.vmiName}=${vm.name}`, ...signalOf(ctx) });
    return list.items.find((m) => !FINAL.has(kvPhase(m)));
  }

  /** The current state. `NOT_FOUND` when the VMIM is gone and this process knows nothing of it. */
  async get(id: string, ctx: OperationContext, operation = "migration.get"): Promise<MigrationSnapshot> {
    const ref = this.ref(id, operation);
    const vmim = await this.#api.findMigration(ref, ctx.signal);
    if (!vmim) {
      if (!this.#uids.has(id) && !this.#cancelled.has(id)) {
        throw new VmshiftError("NOT_FOUND", `migration ${id} does not exist (finished migrations are garbage-collected after the 5 newest per VM)`, { adapter: "kubevirt", operation });
      }
      return this.#goneSnapshot(id, undefined, ctx);
    }
    const vmi = await this.#api.findVmi({ namespace: ref.namespace, name: vmim.spec.vmiName ?? "" }, ctx.signal);
    return this.#withMetrics(this.snapshot(vmim, vmi, ctx), ctx);
  }

  /** Follows the VMIM and its VMI with list+watch until a terminal snapshot. */
  async *watch(id: string, ctx: OperationContext): AsyncIterable<MigrationSnapshot> {
    const ref = this.ref(id, "migration.watch");
    const first = await this.#api.findMigration(ref, ctx.signal);
    if (!first) {
      yield await this.#goneSnapshot(id, undefined, ctx);
      return;
    }
    const vmiRef = { namespace: ref.namespace, name: first.spec.vmiName ?? "" };
    let vmim: KvMigration | undefined = first;
    let vmi: KvVmi | undefined;
    let gone = false;
    let last = "";
    const controller = new AbortController();
    const stop = () => controller.abort(ctx.signal?.reason);
    ctx.signal?.addEventListener("abort", stop, { once: true });
    const common = {
      clock: ctx.clock,
      signal: controller.signal,
      backoff: { initialDelayMs: this.#options.watchBackoff?.initialDelayMs ?? 200, maxDelayMs: this.#options.watchBackoff?.maxDelayMs ?? 5000 },
      onReconnect: (info: { relist: boolean; error?: unknown; attempt: number }) =>
        ctx.logger.log(info.error ? "warn" : "debug", info.relist ? "watch version expired; relisting" : "watch stream ended; reconnecting", { migrationId: id, attempt: info.attempt, ...(info.error ? { error: String((info.error as Error).message ?? info.error) } : {}) }),
    };
    const vmimEvents = async function* (events: AsyncIterable<ListWatchEvent<KvMigration>>): AsyncIterable<Tagged> {
      for await (const event of events) yield { kind: "vmim", event };
    };
    const vmiEvents = async function* (events: AsyncIterable<ListWatchEvent<KvVmi>>): AsyncIterable<Tagged> {
      for await (const event of events) yield { kind: "vmi", event };
    };
    const metricsPath = this.#options.metricsPath;
    const interval = this.#options.metricsIntervalMs ?? 5000;
    const ticks = async function* (): AsyncIterable<Tagged> {
      for (;;) {
        await ctx.clock.sleep(interval, controller.signal);
        yield { kind: "tick" };
      }
    };
    const streams = mergeStreams<Tagged>(
      [
        vmimEvents(listWatch(this.#source<KvMigration>(ref.namespace, `metadata.name=${ref.name}`, "vmim"), common)),
        vmiEvents(listWatch(this.#source<KvVmi>(ref.namespace, `metadata.name=${vmiRef.name}`, "vmi"), common)),
        ...(metricsPath ? [ticks()] : []),
      ],
      controller.signal,
    );
    try {
      for await (const tagged of streams) {
        if (tagged.kind === "vmim") {
          const event = tagged.event;
          if (event.type === "SYNC") {
            vmim = event.items[0];
            gone = vmim === undefined;
          } else if (event.type === "DELETED") {
            vmim = event.object;
            gone = true;
          } else vmim = event.object;
          if (vmim?.metadata?.uid) this.#uids.set(id, vmim.metadata.uid);
        } else if (tagged.kind === "vmi") {
          const event = tagged.event;
          vmi = event.type === "SYNC" ? event.items[0] : event.type === "DELETED" ? undefined : event.object;
        }
        const snapshot = gone ? await this.#goneSnapshot(id, vmi ?? (await this.#api.findVmi(vmiRef, ctx.signal)), ctx, vmim) : await this.#withMetrics(this.snapshot(vmim!, vmi, ctx), ctx);
        const key = JSON.stringify({ ...snapshot, progress: { ...snapshot.progress, observedAt: "" } });
        if (key !== last) {
          last = key;
          yield snapshot;
        }
        if (isTerminalPhase(snapshot.phase)) return;
      }
    } finally {
      ctx.signal?.removeEventListener("abort", stop);
      controller.abort();
    }
  }

  /** Deletes the VMIM (KubeVirt's cancel). A final or vanished VMIM is left alone. */
  async cancel(id: string, ctx: OperationContext): Promise<void> {
    const ref = this.ref(id, "migration.cancel");
    const vmim = await this.#api.findMigration(ref, ctx.signal);
    if (!vmim) {
      if (!this.#uids.has(id)) throw new VmshiftError("NOT_FOUND", `migration ${id} does not exist`, { adapter: "kubevirt", operation: "migration.cancel" });
      return;
    }
    if (vmim.metadata?.uid) this.#uids.set(id, vmim.metadata.uid);
    if (FINAL.has(kvPhase(vmim))) return;
    this.#cancelled.add(id);
    await this.#api.deleteMigration(ref, ctx.signal);
  }

  /** The snapshot of a VMIM and its VMI. */
  snapshot(vmim: KvMigration, vmi: KvVmi | undefined, ctx: OperationContext): MigrationSnapshot {
    const id = formatRef({ namespace: vmim.metadata?.namespace ?? this.#options.defaultNamespace, name: vmim.metadata?.name ?? "" });
    if (vmim.metadata?.uid) this.#uids.set(id, vmim.metadata.uid);
    const uid = this.#uids.get(id);
    return liveSnapshot(vmim, vmi, id, { cancelRequested: this.#cancelled.has(id), gone: false, observedAt: new Date(ctx.clock.now()).toISOString(), ...(uid ? { uid } : {}) });
  }

  /** Adds virt-handler's figures to a transferring snapshot when a metrics path is configured; best effort. */
  async #withMetrics(snapshot: MigrationSnapshot, ctx: OperationContext): Promise<MigrationSnapshot> {
    const path = this.#options.metricsPath;
    if (!path || snapshot.phase !== "transferring") return snapshot;
    const [namespace, name] = snapshot.vmId.split("/") as [string, string];
    try {
      const text = await this.#api.transport.requestText({ method: "GET", path, operation: "migration.metrics", ...(ctx.signal ? { signal: ctx.signal } : {}) });
      return { ...snapshot, progress: { ...snapshot.progress, ...migrationFigures(text, namespace, name) } };
    } catch (error) {
      if (ctx.signal?.aborted) throw error;
      ctx.logger.log("debug", "metrics unavailable; progress without figures", { path, error: error instanceof Error ? error.message : String(error) });
      return snapshot;
    }
  }

  async #goneSnapshot(id: string, vmi: KvVmi | undefined, ctx: OperationContext, lastSeen?: KvMigration): Promise<MigrationSnapshot> {
    const uid = this.#uids.get(id);
    let instance = vmi;
    if (!instance && lastSeen?.spec.vmiName) instance = await this.#api.findVmi({ namespace: lastSeen.metadata?.namespace ?? "", name: lastSeen.spec.vmiName }, ctx.signal).catch((e: unknown) => (isVmshiftError(e) ? undefined : Promise.reject(e)));
    return liveSnapshot(lastSeen, instance, id, { cancelRequested: this.#cancelled.has(id), gone: true, observedAt: new Date(ctx.clock.now()).toISOString(), ...(uid ? { uid } : {}) });
  }

  #source<T extends { metadata?: { namespace?: string; name?: string; resourceVersion?: string } }>(namespace: string, fieldSelector: string, kind: "vmim" | "vmi"): ListWatchSource<T> {
    const api = this.#api;
    const timeoutSeconds = this.#options.watchTimeoutSeconds;
    return {
      async list(signal) {
        const list = kind === "vmim" ? await api.listMigrations(namespace, { fieldSelector, signal }) : await api.listVmis(namespace, { fieldSelector, signal });
        return { items: list.items as unknown as T[], resourceVersion: list.metadata?.resourceVersion ?? "0" };
      },
      watch(resourceVersion, signal) {
        const options = { resourceVersion, fieldSelector, signal, ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }) };
        return (kind === "vmim" ? api.watchMigrations(namespace, options) : api.watchVmis(namespace, options)) as unknown as AsyncIterable<{ type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK"; object: T }>;
      },
      key: (o) => `${o.metadata?.namespace}/${o.metadata?.name}`,
      resourceVersion: (o) => o.metadata?.resourceVersion,
    };
  }
}

type Tagged = { readonly kind: "vmim"; readonly event: ListWatchEvent<KvMigration> } | { readonly kind: "vmi"; readonly event: ListWatchEvent<KvVmi> } | { readonly kind: "tick" };
