/**
 * Live migration: create a VirtualMachineInstanceMigration whose name derives from the request id
 * (so a retried POST, or a retried start, finds the first one instead of making a second), follow
 * it with one watch of the VMIM from the resourceVersion last seen (the POST's answer: no list
 * first), cancel by deleting it.
 */
import { type ListWatchEvent, type ListWatchSource, type MigrationSnapshot, type NormalizedMigrationRequest, type OperationContext, VmshiftError, backoffDelay, isTerminalPhase, isVmshiftError, listWatch } from "@vmshift/core";
import { type ObjectRef, formatRef, parseRef, requestIdLabel, requestToken } from "./ids.ts";
import { mergeStreams } from "./merge.ts";
import { migrationFigures } from "./resources/metrics.ts";
import type { KubevirtApi } from "./resources/api.ts";
import { ANNOTATIONS, kvPhase, liveSnapshot } from "./resources/migration.ts";
import { VOLUME_MIGRATION_LABEL } from "./storage.ts";
import { POLICY_LABEL, type PolicyDefaults, STALL_DETECTION_GATE, policyBody, policyName, tuningOf } from "./resources/policy.ts";
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
  /** How often metrics are read while transferring, ms: at most one read per interval and migration. Default 5000 (virt-handler's own period). */
  readonly metricsIntervalMs?: number;
  /** Settings added to the MigrationPolicy of every tuned migration (see resources/policy.ts). */
  readonly migrationPolicy?: PolicyDefaults;
  /** Cancels a volume migration the KubeVirt way (restores the VM's old claims) before its VMIM is deleted (storage.ts). */
  readonly restoreVolumes?: (vm: ObjectRef, ctx: OperationContext) => Promise<unknown>;
  /**
   * After a volume migration's cancel: deletes the destinations it created once KubeVirt's migration
   * ended (storage.ts `releaseCancelled`; nothing unless a restore left its record); the warnings of
   * those left end up in the cancelled result.
   */
  readonly releaseVolumes?: (vm: ObjectRef, ctx: OperationContext) => Promise<readonly string[]>;
}

const FINAL = new Set(["Succeeded", "Failed"]);
const signalOf = (ctx: OperationContext) => (ctx.signal ? { signal: ctx.signal } : {});
/** POSTs of a VMIM sent again after a transient failure (the name makes that safe). */
const POST_RETRIES = 2;
/** VMIMs remembered per process (the last seen object per id), oldest dropped first. */
const REMEMBERED = 1000;

/**
 * The VMIM name of a request: `vmshift-<vm>-<16 hex of sha256(requestId)>`, at most 63 characters
 * (dots of the VM name become dashes, so the name is also a DNS label). A second POST with the
 * same request id meets the first object (AlreadyExists, or KubeVirt's in-flight refusal) instead
 * of creating another.
 */
export function migrationName(vmName: string, requestId: string): string {
  return `vmshift-${vmName.slice(0, 38).replace(/\./g, "-").replace(/-+$/, "")}-${requestToken(requestId)}`;
}

/** A POST that failed without an answer: it may have been applied. */
const unanswered = (error: unknown): boolean => isVmshiftError(error) && (error.code === "TIMEOUT" || error.details?.["networkCode"] !== undefined || error.details?.["httpStatus"] === undefined);
/** A POST failure worth sending again: retryable transport trouble, a timeout. */
const transient = (error: unknown): boolean => isVmshiftError(error) && ((error.code === "TRANSPORT" && error.retryable) || error.code === "TIMEOUT");
/** The POST met an existing migration of the VMI: the name is taken, or KubeVirt refused a second one in flight. */
const metExisting = (error: unknown): boolean => isVmshiftError(error, "CONFLICT") && (error.details?.["row"] === "status.alreadyExists" || error.details?.["row"] === "admission.inFlight");

/** Live migrations on one cluster. */
export class LiveMigrations {
  readonly #api: KubevirtApi;
  readonly #options: LiveOptions;
  /** Ids this process asked to cancel. */
  readonly #cancelled = new Set<string>();
  /** uids seen per id, so a vanished VMIM can still be matched to the VMI's migrationState. */
  readonly #uids = new Map<string, string>();
  /** The VMIM last seen per id: a watch starts from its resourceVersion instead of listing first. */
  readonly #seen = new Map<string, KvMigration>();
  /** virt-handler's figures last read per id, and when (metrics are read at most once per interval). */
  readonly #figures = new Map<string, { readonly at: number; readonly figures: ReturnType<typeof migrationFigures> }>();
  /** Per cancelled volume migration id: the deletion of its destinations, resolving to the warnings of those left. */
  readonly #releases = new Map<string, Promise<readonly string[]>>();
  /** The VM of each volume migration this process asked to cancel (a second cancel retries the deletion). */
  readonly #volumeVms = new Map<string, ObjectRef>();

  constructor(api: KubevirtApi, options: LiveOptions) {
    this.#api = api;
    this.#options = options;
  }

  /** Parses a live migration id (`namespace/name`). */
  ref(id: string, operation: string): ObjectRef {
    return parseRef(id, this.#options.defaultNamespace, operation);
  }

  /** The migration an earlier start with this request id created, if any: one GET of the name the request id gives. */
  async findByRequest(vm: ObjectRef, requestId: string, ctx: OperationContext): Promise<KvMigration | undefined> {
    const found = await this.#api.findMigration({ namespace: vm.namespace, name: migrationName(vm.name, requestId) }, ctx.signal);
    if (!found || found.metadata?.annotations?.[ANNOTATIONS.requestId] !== requestId || found.spec.vmiName !== vm.name) return undefined;
    this.#remember(found);
    return found;
  }

  /**
   * Creates the VMIM, named after the request id. A POST that fails transiently is sent again
   * (after one without an answer, the name is looked up first); a POST that meets an existing
   * migration of the VMI returns the earlier start's when it is this request's, else the error.
   */
  async create(vm: ObjectRef, vmi: KvVmi, request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    await this.selectPolicy(vm, vmi, request, ctx);
    const source = vmi.status?.nodeName;
    const body: KvMigration = {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstanceMigration",
      metadata: {
        name: migrationName(vm.name, request.requestId),
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
    for (let attempt = 0; ; attempt++) {
      try {
        const created = await this.#api.createMigration(vm.namespace, body, ctx.signal);
        this.#remember(created);
        return this.snapshot(created, vmi, ctx);
      } catch (error) {
        if (metExisting(error)) {
          const earlier = await this.findByRequest(vm, request.requestId, ctx);
          if (earlier) return this.#earlier(earlier, vmi, request, ctx);
          throw error;
        }
        if (!transient(error) || attempt >= POST_RETRIES || ctx.signal?.aborted) throw error;
        ctx.logger.log("warn", "creating the migration failed transiently; sending it again (its name makes that safe)", { requestId: request.requestId, attempt: attempt + 1, error: (error as Error).message });
        if (unanswered(error)) {
          const earlier = await this.findByRequest(vm, request.requestId, ctx);
          if (earlier) return this.#earlier(earlier, vmi, request, ctx);
        }
        await ctx.clock.sleep(backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 1000 }), ctx.signal);
      }
    }
  }

  /**
   * Makes KubeVirt's policy resolution pick the request's tuning: a tuned request (bandwidth, auto-
   * converge, post-copy, max downtime) gets the MigrationPolicy named after its settings (POST; one
   * that exists already has these settings, its name says so) and the VMI the label that policy
   * selects (one merge patch, skipped when it is there). An untuned request removes a label an
   * earlier tuned one left, so the cluster's configuration applies again. No request when there is
   * nothing to change. Creating a policy needs cluster-scoped `create` on migrationpolicies: without
   * it the start fails PERMISSION_DENIED before anything changed.
   */
  async selectPolicy(vm: ObjectRef, vmi: KvVmi, request: NormalizedMigrationRequest, ctx: OperationContext): Promise<void> {
    const tuning = tuningOf(request, this.#options.migrationPolicy);
    const current = vmi.metadata?.labels?.[POLICY_LABEL];
    if (!tuning) {
      if (current !== undefined) await this.#api.patchVmiLabels(vm, { [POLICY_LABEL]: null }, ctx.signal);
      return;
    }
    const name = policyName(tuning);
    try {
      await this.#api.createMigrationPolicy(policyBody(tuning), ctx.signal);
      ctx.logger.log("info", "created the MigrationPolicy of this migration's tuning", { requestId: request.requestId, policy: name, ...tuning });
    } catch (error) {
      if (isVmshiftError(error, "CONFLICT") && error.details?.["row"] === "status.alreadyExists") {
        ctx.logger.log("debug", "the MigrationPolicy of these settings exists", { policy: name });
      } else if (isVmshiftError(error) && error.message.includes(`without enabling the ${STALL_DETECTION_GATE} feature gate`)) {
        throw new VmshiftError("CAPABILITY_UNAVAILABLE", `maxDowntimeMs needs KubeVirt's ${STALL_DETECTION_GATE} feature gate: the MigrationPolicy validator refused MigrationPolicy ${name}; nothing was changed. Enable the gate in the KubeVirt CR or start without maxDowntimeMs`, { adapter: "kubevirt", operation: "migration.start", retryable: false, cause: error });
      } else if (isVmshiftError(error, "PERMISSION_DENIED")) {
        throw new VmshiftError("PERMISSION_DENIED", `tuning a KubeVirt migration (bandwidth, auto-converge, post-copy, max downtime) needs a MigrationPolicy, and this identity may not create migrationpolicies.migrations.kubevirt.io (cluster-scoped); nothing was changed. Ask a cluster admin for a policy selecting the VM, or start without tuning`, { adapter: "kubevirt", operation: "migration.start", retryable: false, cause: error });
      } else throw error;
    }
    if (current !== name) await this.#api.patchVmiLabels(vm, { [POLICY_LABEL]: name }, ctx.signal);
  }

  /** The snapshot of the migration an earlier start with the same request id created. */
  #earlier(earlier: KvMigration, vmi: KvVmi | undefined, request: NormalizedMigrationRequest, ctx: OperationContext): MigrationSnapshot {
    ctx.logger.log("info", "found the migration of an earlier start with the same request id", { requestId: request.requestId, migration: earlier.metadata?.name });
    return this.snapshot(earlier, vmi, ctx);
  }

  /** The current state, from the VMIM and its VMI. `NOT_FOUND` when the VMIM is gone and this process knows nothing of it. */
  async get(id: string, ctx: OperationContext, operation = "migration.get"): Promise<MigrationSnapshot> {
    const ref = this.ref(id, operation);
    const vmim = await this.#api.findMigration(ref, ctx.signal);
    if (!vmim) {
      if (!this.#uids.has(id) && !this.#cancelled.has(id)) {
        throw new VmshiftError("NOT_FOUND", `migration ${id} does not exist (finished migrations are garbage-collected after the 5 newest per VM)`, { adapter: "kubevirt", operation });
      }
      return this.#withRelease(await this.#goneSnapshot(id, undefined, ctx));
    }
    this.#remember(vmim);
    const vmi = await this.#api.findVmi({ namespace: ref.namespace, name: vmim.spec.vmiName ?? "" }, ctx.signal);
    return this.#withRelease(await this.#withMetrics(this.snapshot(vmim, vmi, ctx), ctx));
  }

  /**
   * Follows the VMIM until a terminal snapshot: one watch (field selector on its name) from the
   * resourceVersion of the VMIM last seen, which is the POST's answer after a start (read once
   * when this process has not seen it); a stream that ends is reopened from the last version, and
   * a version that expired (410) is answered by a list. The VMI is not watched: the VMIM's final
   * status carries the migration state (target node, timestamps, failure), so where the VM ended
   * comes from the VMIM. Snapshots while `Running` are `transferring` (KubeVirt marks the source's
   * completion only on the VMI; `getMigration` reads it and reports `finalizing`).
   */
  async *watch(id: string, ctx: OperationContext): AsyncIterable<MigrationSnapshot> {
    const ref = this.ref(id, "migration.watch");
    const first = this.#seen.get(id) ?? (await this.#api.findMigration(ref, ctx.signal));
    if (!first) {
      yield await this.#withRelease(await this.#goneSnapshot(id, undefined, ctx));
      return;
    }
    this.#remember(first);
    let vmim: KvMigration | undefined = first;
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
    const metricsPath = this.#options.metricsPath;
    const interval = this.#options.metricsIntervalMs ?? 5000;
    const ticks = async function* (): AsyncIterable<Tagged> {
      for (;;) {
        await ctx.clock.sleep(interval, controller.signal);
        yield { kind: "tick" };
      }
    };
    const streams = mergeStreams<Tagged>([vmimEvents(listWatch(this.#source(ref, first), common)), ...(metricsPath ? [ticks()] : [])], controller.signal);
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
          if (vmim && !gone) this.#remember(vmim);
          else this.#seen.delete(id);
          if (vmim?.metadata?.uid) this.#uids.set(id, vmim.metadata.uid);
        }
        const snapshot = await this.#withRelease(gone ? await this.#goneSnapshot(id, undefined, ctx, vmim) : await this.#withMetrics(this.snapshot(vmim!, undefined, ctx), ctx));
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

  /**
   * Deletes the VMIM (KubeVirt's cancel); a final or vanished VMIM is left alone. When this process
   * has seen the VMIM in flight, one DELETE with that version as its precondition: a VMIM that
   * changed since (it may have finished) answers 409 and is read again before deciding.
   */
  async cancel(id: string, ctx: OperationContext): Promise<void> {
    const ref = this.ref(id, "migration.cancel");
    let vmim = this.#seen.get(id);
    // A release started by this call is awaited, not started again, when the VMIM ended meanwhile.
    let releasing = false;
    const again = async (vm: ObjectRef | undefined) => (releasing ? void (await this.#releases.get(id)) : this.#releaseAgain(id, vm, ctx));
    for (let attempt = 0; ; attempt++) {
      if (!vmim || attempt > 0) {
        vmim = await this.#api.findMigration(ref, ctx.signal);
        if (!vmim) {
          if (!this.#uids.has(id)) throw new VmshiftError("NOT_FOUND", `migration ${id} does not exist`, { adapter: "kubevirt", operation: "migration.cancel" });
          return again(this.#volumeVms.get(id));
        }
        this.#remember(vmim);
      }
      if (vmim.metadata?.uid) this.#uids.set(id, vmim.metadata.uid);
      const volumeVm = vmim.metadata?.labels?.[VOLUME_MIGRATION_LABEL];
      // Ended: only destinations an earlier cancel left (the VM's release record says which) are deleted.
      if (FINAL.has(kvPhase(vmim))) return again(volumeVm ? { namespace: ref.namespace, name: volumeVm } : undefined);
      // A volume migration is retried by KubeVirt until the VM's old claims are back: restore them first.
      if (volumeVm && this.#options.restoreVolumes) await this.#options.restoreVolumes({ namespace: ref.namespace, name: volumeVm }, ctx);
      const asked = this.#cancelled.has(id);
      this.#cancelled.add(id);
      // Its destinations are deleted once KubeVirt's migration ended (the release waits for that); the result waits for it.
      if (volumeVm) {
        this.#volumeVms.set(id, { namespace: ref.namespace, name: volumeVm });
        if (this.#volumeVms.size > REMEMBERED) this.#volumeVms.delete(this.#volumeVms.keys().next().value!);
        if (!releasing) this.#release(id, { namespace: ref.namespace, name: volumeVm }, ctx);
        releasing = true;
      }
      const { uid, resourceVersion } = vmim.metadata ?? {};
      try {
        await this.#api.deleteMigration(ref, ctx.signal, { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) });
        await this.#releases.get(id);
        return;
      } catch (error) {
        // Changed since it was seen: read it again (at most twice), it may have finished.
        if (!isVmshiftError(error, "CONFLICT") || error.details?.["row"] !== "status.conflict" || attempt >= 2) throw error;
        if (!asked) this.#cancelled.delete(id);
      }
    }
  }

  /** A cancel of an ended volume migration: deletes again what an earlier cancel left (nothing without the VM's release record). */
  async #releaseAgain(id: string, vm: ObjectRef | undefined, ctx: OperationContext): Promise<void> {
    if (!vm || !this.#options.releaseVolumes) return;
    const before = this.#releases.get(id);
    if (before) await before;
    this.#releases.delete(id);
    this.#release(id, vm, ctx);
    await this.#releases.get(id);
  }

  /** Starts (once per id) deleting a cancelled volume migration's destinations. */
  #release(id: string, vm: ObjectRef, ctx: OperationContext): void {
    const release = this.#options.releaseVolumes;
    if (!release || this.#releases.has(id)) return;
    const done = release(vm, ctx).catch((error: unknown) => [`deleting the destinations of the storage migration failed: ${error instanceof Error ? error.message : String(error)}; they still hold storage`]);
    this.#releases.set(id, done);
    if (this.#releases.size > REMEMBERED) this.#releases.delete(this.#releases.keys().next().value!);
  }

  /**
   * A terminal snapshot of a cancelled volume migration once its destinations' deletion is over
   * (so the result tells whether any was left): their warnings are added to the result's error.
   */
  async #withRelease(snapshot: MigrationSnapshot): Promise<MigrationSnapshot> {
    const release = this.#releases.get(snapshot.id);
    if (!release || !isTerminalPhase(snapshot.phase)) return snapshot;
    const warnings = await release;
    if (warnings.length === 0 || !snapshot.result?.error) return snapshot;
    const error = { ...snapshot.result.error, message: `${snapshot.result.error.message}; warning: ${warnings.join("; ")}` };
    return { ...snapshot, result: { ...snapshot.result, error } };
  }

  /** The snapshot of a VMIM and its VMI. */
  snapshot(vmim: KvMigration, vmi: KvVmi | undefined, ctx: OperationContext): MigrationSnapshot {
    const id = formatRef({ namespace: vmim.metadata?.namespace ?? this.#options.defaultNamespace, name: vmim.metadata?.name ?? "" });
    if (vmim.metadata?.uid) this.#uids.set(id, vmim.metadata.uid);
    const uid = this.#uids.get(id);
    return liveSnapshot(vmim, vmi, id, { cancelRequested: this.#cancelled.has(id), gone: false, observedAt: new Date(ctx.clock.now()).toISOString(), ...(uid ? { uid } : {}) });
  }

  /**
   * Adds virt-handler's figures to a transferring snapshot when a metrics path is configured; best
   * effort. At most one read per `metricsIntervalMs` and migration (virt-handler itself refreshes
   * them every 5 s): a snapshot in between carries the figures read last.
   */
  async #withMetrics(snapshot: MigrationSnapshot, ctx: OperationContext): Promise<MigrationSnapshot> {
    const path = this.#options.metricsPath;
    if (!path || snapshot.phase !== "transferring") return snapshot;
    const [namespace, name] = snapshot.vmId.split("/") as [string, string];
    const last = this.#figures.get(snapshot.id);
    const now = ctx.clock.now();
    if (last && now - last.at < (this.#options.metricsIntervalMs ?? 5000)) return { ...snapshot, progress: { ...snapshot.progress, ...last.figures } };
    try {
      const text = await this.#api.transport.requestText({ method: "GET", path, operation: "migration.metrics", ...(ctx.signal ? { signal: ctx.signal } : {}) });
      const figures = migrationFigures(text, namespace, name);
      this.#figures.delete(snapshot.id);
      this.#figures.set(snapshot.id, { at: now, figures });
      if (this.#figures.size > REMEMBERED) this.#figures.delete(this.#figures.keys().next().value!);
      return { ...snapshot, progress: { ...snapshot.progress, ...figures } };
    } catch (error) {
      if (ctx.signal?.aborted) throw error;
      ctx.logger.log("debug", "metrics unavailable; progress without figures", { path, error: error instanceof Error ? error.message : String(error) });
      return snapshot;
    }
  }

  async #goneSnapshot(id: string, vmi: KvVmi | undefined, ctx: OperationContext, lastSeen?: KvMigration): Promise<MigrationSnapshot> {
    const uid = this.#uids.get(id);
    let instance = vmi;
    if (!instance && lastSeen?.spec.vmiName && !FINAL.has(kvPhase(lastSeen))) instance = await this.#api.findVmi({ namespace: lastSeen.metadata?.namespace ?? "", name: lastSeen.spec.vmiName }, ctx.signal).catch((e: unknown) => (isVmshiftError(e) ? undefined : Promise.reject(e)));
    return liveSnapshot(lastSeen, instance, id, { cancelRequested: this.#cancelled.has(id), gone: true, observedAt: new Date(ctx.clock.now()).toISOString(), ...(uid ? { uid } : {}) });
  }

  /** Remembers the VMIM last seen under its id (bounded: the oldest entry goes first). */
  #remember(vmim: KvMigration): void {
    const id = formatRef({ namespace: vmim.metadata?.namespace ?? this.#options.defaultNamespace, name: vmim.metadata?.name ?? "" });
    this.#seen.delete(id);
    this.#seen.set(id, vmim);
    if (this.#seen.size > REMEMBERED) this.#seen.delete(this.#seen.keys().next().value!);
  }

  /**
   * The VMIM as a list+watch source whose first "list" is `first` itself (no request): the watch
   * starts from its resourceVersion. Only a relist (the version expired) lists, by name.
   */
  #source(ref: ObjectRef, first: KvMigration): ListWatchSource<KvMigration> {
    const api = this.#api;
    const timeoutSeconds = this.#options.watchTimeoutSeconds;
    const fieldSelector = `metadata.name=${ref.name}`;
    let start: KvMigration | undefined = first.metadata?.resourceVersion ? first : undefined;
    return {
      async list(signal) {
        if (start) {
          const items = [start];
          start = undefined;
          return { items, resourceVersion: items[0]!.metadata!.resourceVersion! };
        }
        const list = await api.listMigrations(ref.namespace, { fieldSelector, signal });
        return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? "0" };
      },
      watch(resourceVersion, signal) {
        return api.watchMigrations(ref.namespace, { resourceVersion, fieldSelector, signal, ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }) });
      },
      key: (o) => `${o.metadata?.namespace}/${o.metadata?.name}`,
      resourceVersion: (o) => o.metadata?.resourceVersion ?? undefined,
    };
  }
}

type Tagged = { readonly kind: "vmim"; readonly event: ListWatchEvent<KvMigration> } | { readonly kind: "tick" };
