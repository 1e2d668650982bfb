/**
 * Storage live migration (KubeVirt volume migration, v1.3+, GA in v1.9; reference §11.1, user guide
 * `storage/volume_migration.md`): the VM's PVC- and DataVolume-backed volumes are copied to new
 * volumes of the StorageClass `targetStorageId` while it runs. Per volume vmshift creates the
 * destination, named `<old>-<8 hex of the request id>`, the size, access and volume mode of the old
 * claim: a PersistentVolumeClaim for a `persistentVolumeClaim` volume, a DataVolume with a blank
 * source and a `storage` spec for a `dataVolume` volume (the guide's example). Then one merge patch
 * of the VM: the volumes renamed in `spec.template.spec.volumes`, the `spec.dataVolumeTemplates`
 * entry of a renamed DataVolume renamed with it and pointed at the new StorageClass (KubeVirt's VM
 * validator refuses a template no volume names), `spec.updateVolumesStrategy: Migration`, and its
 * record (old and new names) in an annotation. KubeVirt's workload updater then creates a
 * `kubevirt-workload-update-*` VMIM labelled `kubevirt.io/volume-update-migration=<vm>`, which the
 * adapter finds by that label (paged) and follows like any live migration. Cancel restores the old
 * claims (KubeVirt's documented cancel), deletes the VMIM, and once KubeVirt's migration has ended
 * deletes the destinations this migration created (storage-release.ts); so do a start that fails
 * after creating them and a start whose VMIM never comes (rolled back). Each destination carries
 * the request-id label and the {@link DESTINATION_ANNOTATION}; nothing without them is deleted.
 */
import { type NormalizedMigrationRequest, type OperationContext, VmshiftError, backoffDelay, isVmshiftError } from "@vmshift/core";
import { type ObjectRef, formatRef, requestIdLabel, requestToken } from "./ids.ts";
import type { KubevirtApi } from "./resources/api.ts";
import { DESTINATION_ANNOTATION, type Destination, DestinationRelease, RELEASE_WAIT_MS } from "./storage-release.ts";
import type { KvMigration, KvVirtualMachine, KvVmi } from "./types.ts";
import { LABELS } from "./types.ts";

/** The label KubeVirt puts on a volume migration's VMIM. */
export const VOLUME_MIGRATION_LABEL = "kubevirt.io/volume-update-migration";
/** The VM annotation holding vmshift's record of a volume migration (JSON {@link VolumeRecord}). */
export const VOLUME_RECORD_ANNOTATION = "vmshift.io/volume-migration";
/** The VM annotation holding, after a cancel restored the old claims, the record whose destinations are still to be deleted (JSON {@link VolumeRecord}). */
export const VOLUME_RELEASE_ANNOTATION = "vmshift.io/volume-migration-release";

/** What vmshift wrote on the VM: the request, and each moved volume's old and new claim (or DataVolume). */
export interface VolumeRecord {
  readonly requestId: string;
  readonly storageClass: string;
  readonly volumes: readonly { readonly volume: string; readonly from: string; readonly to: string; readonly dataVolume?: true }[];
  /** The StorageClass of each renamed `dataVolumeTemplates` entry before the move (by old name; null: none set), so cancel can put it back. */
  readonly templates?: Readonly<Record<string, string | null>>;
}

type Volume = NonNullable<NonNullable<NonNullable<KvVirtualMachine["spec"]["template"]>["spec"]>["volumes"]>[number];
type Template = NonNullable<KvVirtualMachine["spec"]["dataVolumeTemplates"]>[number];

/** The destination DataVolume vmshift creates for a `dataVolume` volume (`cdi.kubevirt.io/v1beta1`). */
export interface DestinationDataVolume {
  readonly apiVersion: "cdi.kubevirt.io/v1beta1";
  readonly kind: "DataVolume";
  readonly metadata: { readonly name: string; readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
  readonly spec: { readonly source: { readonly blank: Record<string, never> }; readonly storage: { readonly accessModes: string[]; readonly volumeMode?: string; readonly storageClassName: string; readonly resources: { readonly requests: { readonly storage: string } } } };
}
const fail = (code: "INVALID_ARGUMENT" | "NOT_SUPPORTED" | "INVALID_STATE" | "TIMEOUT", message: string) => new VmshiftError(code, message, { adapter: "kubevirt", operation: "migration.start", retryable: false });
/** CDI's annotation asking for a volume populator (a claim with `dataSourceRef`) on any StorageClass. */
const USE_POPULATOR = "cdi.kubevirt.io/storage.usePopulator";
/** How long to wait for KubeVirt's workload updater to create the VMIM, ms. */
const FIND_TIMEOUT_MS = 60_000;

/** The name of the new claim of `claim` for a request (a DNS subdomain: at most 253 characters). */
export function destinationClaim(claim: string, requestId: string): string {
  return `${claim.slice(0, 240)}-${requestToken(requestId).slice(0, 8)}`;
}

/** The old or new name of a PVC- or DataVolume-backed volume; undefined for other volumes. */
const storageName = (v: Volume): string | undefined => v.persistentVolumeClaim?.claimName || v.dataVolume?.name || undefined;

/** The volume with its claim (or DataVolume) renamed. */
const renamed = (v: Volume, name: string): Volume => (v.dataVolume ? { ...v, dataVolume: { ...v.dataVolume, name } } : { ...v, persistentVolumeClaim: { ...v.persistentVolumeClaim!, claimName: name } });

/** A `dataVolumeTemplates` entry renamed and, when `storageClass` is a string, pointed at it (null: the field removed). */
function retemplate(t: Template, name: string, storageClass: string | null | undefined): Template {
  const at = (spec: { storageClassName?: string } | undefined) => {
    if (!spec || storageClass === undefined) return spec;
    const { storageClassName: _dropped, ...rest } = spec;
    return storageClass === null ? rest : { ...rest, storageClassName: storageClass };
  };
  const spec = { ...t.spec, ...(t.spec.storage ? { storage: at(t.spec.storage) } : {}), ...(t.spec.pvc ? { pvc: at(t.spec.pvc) } : {}) } as Template["spec"];
  return { ...t, metadata: { ...t.metadata, name }, spec };
}

/** What the VM's spec becomes for a volume move: its volumes and, when it has them, its dataVolumeTemplates. */
export interface VolumeMovePlan {
  readonly volumes: Volume[];
  readonly dataVolumeTemplates?: Template[];
  readonly record: VolumeRecord;
}

/** The VM's volumes with the PVC claims and DataVolumes swapped to their destinations (templates with them), and the record of it. Throws what KubeVirt would refuse. */
export function planVolumeMove(vm: KvVirtualMachine, storageClass: string, requestId: string): VolumeMovePlan {
  const volumes = vm.spec.template?.spec?.volumes ?? [];
  const moved = volumes.filter((v) => storageName(v) !== undefined);
  if (moved.length === 0) throw fail("INVALID_ARGUMENT", "the VM has no PersistentVolumeClaim or DataVolume volumes to move");
  const moves = moved.map((v) => ({ volume: v.name, from: storageName(v)!, to: destinationClaim(storageName(v)!, requestId), ...(v.dataVolume ? { dataVolume: true as const } : {}) }));
  const to = new Map(moves.map((r) => [r.volume, r.to]));
  const byOld = new Map(moves.filter((m) => m.dataVolume).map((m) => [m.from, m.to]));
  const templates = vm.spec.dataVolumeTemplates;
  const before: Record<string, string | null> = {};
  for (const t of templates ?? []) {
    const name = t.metadata?.name;
    if (name && byOld.has(name)) before[name] = (t.spec.storage ?? t.spec.pvc)?.storageClassName ?? null;
  }
  const record: VolumeRecord = { requestId, storageClass, volumes: moves, ...(Object.keys(before).length > 0 ? { templates: before } : {}) };
  return {
    volumes: volumes.map((v) => (to.has(v.name) ? renamed(v, to.get(v.name)!) : v)),
    ...(templates ? { dataVolumeTemplates: templates.map((t) => (t.metadata?.name && byOld.has(t.metadata.name) ? retemplate(t, byOld.get(t.metadata.name)!, storageClass) : t)) } : {}),
    record,
  };
}

/** The VM's spec with a record's moves undone: the old claims and DataVolumes, templates renamed back to their old StorageClass. */
export function planVolumeRestore(vm: KvVirtualMachine, record: VolumeRecord): { volumes: Volume[]; dataVolumeTemplates?: Template[] } {
  const from = new Map(record.volumes.map((v) => [v.volume, v.from]));
  const byNew = new Map(record.volumes.filter((v) => v.dataVolume).map((v) => [v.to, v.from]));
  const volumes = (vm.spec.template?.spec?.volumes ?? []).map((v) => (from.has(v.name) && storageName(v) !== undefined ? renamed(v, from.get(v.name)!) : v));
  const templates = vm.spec.dataVolumeTemplates;
  if (!templates) return { volumes };
  return {
    volumes,
    dataVolumeTemplates: templates.map((t) => {
      const old = t.metadata?.name ? byNew.get(t.metadata.name) : undefined;
      return old === undefined ? t : retemplate(t, old, record.templates && old in record.templates ? record.templates[old] : undefined);
    }),
  };
}

/** The destinations of a record, as storage-release.ts deletes them. */
export const destinationsOf = (record: VolumeRecord): Destination[] => record.volumes.map((v) => ({ name: v.to, ...(v.dataVolume ? { dataVolume: true as const } : {}) }));

/** The record vmshift left on the VM (or, with `annotation`, the one of a cancel whose destinations are still to be deleted), if any. */
export function volumeRecord(vm: KvVirtualMachine | undefined, annotation = VOLUME_RECORD_ANNOTATION): VolumeRecord | undefined {
  const text = vm?.metadata?.annotations?.[annotation];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as VolumeRecord;
  } catch {
    return undefined;
  }
}

/** Volume migrations on one cluster. */
export class VolumeMoves {
  readonly #api: KubevirtApi;
  readonly #release: DestinationRelease;

  constructor(api: KubevirtApi, release = new DestinationRelease(api)) {
    this.#api = api;
    this.#release = release;
  }

  /**
   * Starts (or, for a request id that already started one, finds) the volume migration of a running
   * VM and returns its VMIM. Nothing is written when the request cannot be carried out; `beforeWrite`
   * runs once it was checked, before the first write (the MigrationPolicy of a tuned request).
   */
  async start(ref: ObjectRef, vm: KvVirtualMachine, vmi: KvVmi | undefined, request: NormalizedMigrationRequest, ctx: OperationContext, beforeWrite?: () => Promise<void>): Promise<KvMigration> {
    if (request.targetHostId !== undefined) throw fail("INVALID_ARGUMENT", "KubeVirt's volume migration lets the scheduler choose the node; leave targetHostId out");
    if (!vmi || vmi.status?.phase !== "Running") throw fail("INVALID_STATE", `the VM is not running (VMI phase ${vmi?.status?.phase ?? "none"}); a volume migration needs a running VM`);
    const storageClass = request.targetStorageId!;
    const earlier = volumeRecord(vm);
    const plan = earlier?.requestId === request.requestId ? undefined : planVolumeMove(vm, storageClass, request.requestId);
    // The volume migrations there were before, so the one KubeVirt creates for this request is told apart.
    const before = plan ? new Set((await this.#list(ref, ctx)).map((m) => m.metadata?.uid)) : undefined;
    if (plan) {
      await beforeWrite?.();
      // Destinations an earlier cancel of this VM could not delete are tried again first (same guards).
      if (volumeRecord(vm, VOLUME_RELEASE_ANNOTATION)) await this.releaseCancelled(ref, ctx);
      const created: Destination[] = [];
      try {
        for (const move of plan.record.volumes) {
          await this.#createDestination(ref, move, storageClass, request.requestId, ctx);
          created.push({ name: move.to, ...(move.dataVolume ? { dataVolume: true as const } : {}) });
        }
        await this.#api.patchVm(ref, {
          metadata: { annotations: { [VOLUME_RECORD_ANNOTATION]: JSON.stringify(plan.record) } },
          spec: { updateVolumesStrategy: "Migration", ...(plan.dataVolumeTemplates ? { dataVolumeTemplates: plan.dataVolumeTemplates } : {}), template: { spec: { volumes: plan.volumes } } },
        }, ctx.signal);
      } catch (error) {
        // The VM was not switched: what this start created is deleted (the VM's spec is checked first).
        // Also when the caller aborted (Ctrl-C): no record on the VM names these destinations yet, so
        // nothing else would ever delete them — the release runs on its own bounded signal.
        if (created.length === 0) throw error;
        const releaseCtx = ctx.signal?.aborted ? { ...ctx, signal: AbortSignal.timeout(RELEASE_WAIT_MS + 30_000) } : ctx;
        const warnings = await this.#release.release(ref, request.requestId, created, releaseCtx).catch((e: unknown) => [`deleting the destinations failed: ${(e as Error).message}`]);
        throw withWarnings(error, warnings, `; the ${created.length} destination(s) it had created were deleted`);
      }
      ctx.logger.log("info", "swapped the VM's claims for a volume migration", { requestId: request.requestId, vm: formatRef(ref), volumes: plan.record.volumes.map((v) => `${v.volume}: ${v.from} -> ${v.to}`).join(", ") });
    }
    return this.#find(ref, before, ctx);
  }

  /**
   * Creates the destination like the source claim (size, access and volume mode; a DataVolume's
   * claim has the DataVolume's name): a claim, or for a DataVolume volume a blank DataVolume with a
   * `storage` spec. An existing one of that name is kept (a retried start).
   */
  async #createDestination(ref: ObjectRef, move: VolumeRecord["volumes"][number], storageClass: string, requestId: string, ctx: OperationContext): Promise<void> {
    const source = await this.#api.findClaim({ namespace: ref.namespace, name: move.from }, ctx.signal);
    if (!source) throw fail("INVALID_STATE", `the VM's ${move.dataVolume ? "DataVolume's claim" : "claim"} ${ref.namespace}/${move.from} does not exist`);
    const size = source.status?.capacity?.["storage"] ?? source.spec?.resources?.requests?.["storage"] ?? "0";
    const accessModes = source.spec?.accessModes ?? ["ReadWriteOnce"];
    const labels = { [LABELS.requestId]: requestIdLabel(requestId) };
    try {
      if (move.dataVolume) {
        const body: DestinationDataVolume = {
          apiVersion: "cdi.kubevirt.io/v1beta1",
          kind: "DataVolume",
          // The populator path, as the user guide's decentralized example asks: KubeVirt v1.9.0 starts
          // the migration on a DataVolume not yet Succeeded only when its claim has a dataSourceRef.
          metadata: { name: move.to, labels, annotations: { [USE_POPULATOR]: "true", [DESTINATION_ANNOTATION]: formatRef(ref) } },
          spec: { source: { blank: {} }, storage: { accessModes, ...(source.spec?.volumeMode ? { volumeMode: source.spec.volumeMode } : {}), storageClassName: storageClass, resources: { requests: { storage: String(size) } } } },
        };
        await this.#api.createDataVolume(ref.namespace, body, ctx.signal);
        return;
      }
      await this.#api.createClaim(ref.namespace, {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: move.to, labels, annotations: { [DESTINATION_ANNOTATION]: formatRef(ref) } },
        spec: { accessModes, ...(source.spec?.volumeMode ? { volumeMode: source.spec.volumeMode } : {}), storageClassName: storageClass, resources: { requests: { storage: size } } },
      }, ctx.signal);
    } catch (error) {
      if (!(isVmshiftError(error, "CONFLICT") && error.details?.["row"] === "status.alreadyExists")) throw error;
    }
  }

  /** The VM's volume migrations (label `kubevirt.io/volume-update-migration`), one page of 50. */
  async #list(ref: ObjectRef, ctx: OperationContext): Promise<KvMigration[]> {
    return (await this.#api.listMigrations(ref.namespace, { labelSelector: `${VOLUME_MIGRATION_LABEL}=${ref.name}`, limit: 50, ...(ctx.signal ? { signal: ctx.signal } : {}) })).items;
  }

  /** The newest volume migration of the VM not among `before` (uids), waiting for KubeVirt's workload updater to create it. */
  async #find(ref: ObjectRef, before: ReadonlySet<string | undefined> | undefined, ctx: OperationContext): Promise<KvMigration> {
    const deadline = ctx.clock.now() + FIND_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      const found = (await this.#list(ref, ctx)).filter((m) => !before?.has(m.metadata?.uid)).sort((a, b) => Number(b.metadata?.resourceVersion ?? 0) - Number(a.metadata?.resourceVersion ?? 0))[0];
      if (found) return found;
      if (ctx.clock.now() >= deadline) {
        const why = await this.#refusal(ref, ctx);
        const error = fail("TIMEOUT", `KubeVirt created no volume migration for ${formatRef(ref)} within ${FIND_TIMEOUT_MS / 1000} s (${why ?? "the cluster needs workloadUpdateMethods [LiveMigrate] and vmRolloutStrategy LiveUpdate"})`);
        // Rolled back: the old claims restored, then the destinations deleted once KubeVirt lets go of them.
        const warnings = await this.restore(ref, ctx).then(() => this.releaseCancelled(ref, ctx)).catch((e: unknown) => [`rolling back failed: ${(e as Error).message}; the VM's claims may still be swapped: cancel restores them`]);
        throw withWarnings(error, warnings, "; vmshift put the VM's old claims back and deleted the destinations it had created");
      }
      await ctx.clock.sleep(backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 2000 }), ctx.signal);
    }
  }

  /**
   * Why KubeVirt makes no volume migration, in its own words, read only once the wait gave up: the
   * VMI's `VolumesChange` condition False (a destination it cannot find) or the VM's
   * `RestartRequired` (volumes it cannot migrate, e.g. a DataVolume's claim without a populator).
   */
  async #refusal(ref: ObjectRef, ctx: OperationContext): Promise<string | undefined> {
    try {
      const [vmi, vm] = [await this.#api.findVmi(ref, ctx.signal), await this.#api.findVm(ref, ctx.signal)];
      const volumesChange = vmi?.status?.conditions?.find((c) => c.type === "VolumesChange" && c.status === "False")?.message;
      const restart = (vm?.status?.conditions ?? []).find((c) => c.type === "RestartRequired" && c.message?.startsWith("invalid volumes"))?.message;
      const said = volumesChange ?? restart;
      return said ? `KubeVirt says: ${said}` : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * KubeVirt's cancel of a volume migration: the VM's old claims restored (the record says which),
   * the record moved to {@link VOLUME_RELEASE_ANNOTATION} in the same patch so the destinations'
   * deletion can be resumed. False when there is no record.
   */
  async restore(ref: ObjectRef, ctx: OperationContext): Promise<boolean> {
    const vm = await this.#api.findVm(ref, ctx.signal);
    const record = volumeRecord(vm);
    if (!vm || !record) return false;
    const restored = planVolumeRestore(vm, record);
    await this.#api.patchVm(ref, { metadata: { annotations: { [VOLUME_RECORD_ANNOTATION]: null, [VOLUME_RELEASE_ANNOTATION]: JSON.stringify(record) } }, spec: { ...(restored.dataVolumeTemplates ? { dataVolumeTemplates: restored.dataVolumeTemplates } : {}), template: { spec: { volumes: restored.volumes } } } }, ctx.signal);
    ctx.logger.log("info", "restored the VM's claims: the volume migration is cancelled", { vm: formatRef(ref), requestId: record.requestId });
    return true;
  }

  /**
   * After a cancel ({@link restore}): deletes the destinations the cancelled migration created once
   * KubeVirt's migration has ended (storage-release.ts) and drops {@link VOLUME_RELEASE_ANNOTATION}
   * when none is left. Nothing to do without that annotation. Returns the warnings of those left.
   */
  async releaseCancelled(ref: ObjectRef, ctx: OperationContext): Promise<string[]> {
    const record = volumeRecord(await this.#api.findVm(ref, ctx.signal), VOLUME_RELEASE_ANNOTATION);
    if (!record) return [];
    const warnings = await this.#release.release(ref, record.requestId, destinationsOf(record), ctx);
    if (warnings.length === 0) await this.#api.patchVm(ref, { metadata: { annotations: { [VOLUME_RELEASE_ANNOTATION]: null } } }, ctx.signal);
    return warnings;
  }
}

/** The error with what was undone (`done`) or, when something was left, the warnings, added to its message. */
function withWarnings(error: unknown, warnings: readonly string[], done: string): unknown {
  if (!isVmshiftError(error)) return error;
  const reason = `${error.reason}${warnings.length === 0 ? done : `; warning: ${warnings.join("; ")}`}`;
  return new VmshiftError(error.code, reason, { adapter: error.adapter, ...(error.operation ? { operation: error.operation } : {}), ...(error.subject ? { subject: error.subject } : {}), retryable: error.retryable, cause: error, ...(error.details ? { details: error.details } : {}) });
}

/** Whether a VMIM is a volume migration, and of which VM. */
export function volumeMigrationVm(vmim: KvMigration | undefined): string | undefined {
  return vmim?.metadata?.labels?.[VOLUME_MIGRATION_LABEL];
}
