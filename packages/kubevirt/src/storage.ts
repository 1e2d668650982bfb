/**
 * Storage live migration (KubeVirt volume migration, v1.3+, GA in v1.9; reference §11.1): the VM's
 * PVC-backed volumes are copied to new claims of the StorageClass `targetStorageId` while it runs.
 * vmshift creates one claim per volume (same size, access and volume mode, named
 * `<claim>-<8 hex of the request id>`), then patches the VM in one merge patch: the claims swapped in
 * `spec.template.spec.volumes`, `spec.updateVolumesStrategy: Migration`, and its record (the old and
 * new claims) in an annotation. KubeVirt's workload updater then creates a
 * `kubevirt-workload-update-*` VMIM labelled `kubevirt.io/volume-update-migration=<vm>`, which the
 * adapter finds by that label (paged) and follows like any live migration. Cancel restores the old
 * claims (KubeVirt's documented cancel) and deletes the VMIM.
 */
import { type NormalizedMigrationRequest, type OperationContext, VmshiftError, backoffDelay, isVmshiftError } from "@vmshift/core";
import { type ObjectRef, formatRef, requestIdLabel, requestToken } from "./ids.ts";
import type { KubevirtApi } from "./resources/api.ts";
import type { KvMigration, KvVirtualMachine, KvVmi } from "./types.ts";
import { LABELS } from "./types.ts";

/** The label KubeVirt puts on a volume migration's VMIM. */
export const VOLUME_MIGRATION_LABEL = "kubevirt.io/volume-update-migration";
/** The VM annotation holding vmshift's record of a volume migration (JSON {@link VolumeRecord}). */
export const VOLUME_RECORD_ANNOTATION = "vmshift.io/volume-migration";

/** What vmshift wrote on the VM: the request, and each moved volume's old and new claim. */
export interface VolumeRecord {
  readonly requestId: string;
  readonly storageClass: string;
  readonly volumes: readonly { readonly volume: string; readonly from: string; readonly to: string }[];
}

type Volume = NonNullable<NonNullable<NonNullable<KvVirtualMachine["spec"]["template"]>["spec"]>["volumes"]>[number];
const fail = (code: "INVALID_ARGUMENT" | "NOT_SUPPORTED" | "INVALID_STATE" | "TIMEOUT", message: string) => new VmshiftError(code, message, { adapter: "kubevirt", operation: "migration.start", retryable: false });
/** How long to wait for KubeVirt's workload updater to create the VMIM, ms. */
const FIND_TIMEOUT_MS = 60_000;

/** The name of the new claim of `claim` for a request (a DNS subdomain: at most 253 characters). */
export function destinationClaim(claim: string, requestId: string): string {
  return `${claim.slice(0, 240)}-${requestToken(requestId).slice(0, 8)}`;
}

/** The VM's volumes with the PVC claims swapped to their destinations, and the record of it. Throws what KubeVirt would refuse. */
export function planVolumeMove(vm: KvVirtualMachine, storageClass: string, requestId: string): { volumes: Volume[]; record: VolumeRecord } {
  const volumes = vm.spec.template?.spec?.volumes ?? [];
  if (volumes.some((v) => v.dataVolume)) throw fail("NOT_SUPPORTED", "the VM has DataVolume-backed volumes: vmshift moves persistentVolumeClaim volumes only (create the destination DataVolumes and swap them in yourself)");
  const moved = volumes.filter((v) => v.persistentVolumeClaim?.claimName);
  if (moved.length === 0) throw fail("INVALID_ARGUMENT", "the VM has no PersistentVolumeClaim volumes to move");
  const record: VolumeRecord = { requestId, storageClass, volumes: moved.map((v) => ({ volume: v.name, from: v.persistentVolumeClaim!.claimName, to: destinationClaim(v.persistentVolumeClaim!.claimName, requestId) })) };
  const to = new Map(record.volumes.map((r) => [r.volume, r.to]));
  return { volumes: volumes.map((v) => (to.has(v.name) ? { ...v, persistentVolumeClaim: { ...v.persistentVolumeClaim!, claimName: to.get(v.name)! } } : v)), record };
}

/** The record vmshift left on the VM, if any. */
export function volumeRecord(vm: KvVirtualMachine | undefined): VolumeRecord | undefined {
  const text = vm?.metadata?.annotations?.[VOLUME_RECORD_ANNOTATION];
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

  constructor(api: KubevirtApi) {
    this.#api = api;
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
      for (const move of plan.record.volumes) await this.#createClaim(ref, move.from, move.to, storageClass, request.requestId, ctx);
      await this.#api.patchVm(ref, {
        metadata: { annotations: { [VOLUME_RECORD_ANNOTATION]: JSON.stringify(plan.record) } },
        spec: { updateVolumesStrategy: "Migration", template: { spec: { volumes: plan.volumes } } },
      }, ctx.signal);
      ctx.logger.log("info", "swapped the VM's claims for a volume migration", { requestId: request.requestId, vm: formatRef(ref), volumes: plan.record.volumes.map((v) => `${v.volume}: ${v.from} -> ${v.to}`).join(", ") });
    }
    return this.#find(ref, before, ctx);
  }

  /** Creates the destination claim like the source (size, access and volume mode); an existing one of that name is kept. */
  async #createClaim(ref: ObjectRef, from: string, to: string, storageClass: string, requestId: string, ctx: OperationContext): Promise<void> {
    const source = await this.#api.findClaim({ namespace: ref.namespace, name: from }, ctx.signal);
    if (!source) throw fail("INVALID_STATE", `the VM's claim ${ref.namespace}/${from} does not exist`);
    const size = source.status?.capacity?.["storage"] ?? source.spec?.resources?.requests?.["storage"];
    try {
      await this.#api.createClaim(ref.namespace, {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: to, labels: { [LABELS.requestId]: requestIdLabel(requestId) } },
        spec: { accessModes: source.spec?.accessModes ?? ["ReadWriteOnce"], ...(source.spec?.volumeMode ? { volumeMode: source.spec.volumeMode } : {}), storageClassName: storageClass, resources: { requests: { storage: size ?? "0" } } },
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
      if (ctx.clock.now() >= deadline) throw fail("TIMEOUT", `KubeVirt created no volume migration for ${formatRef(ref)} within ${FIND_TIMEOUT_MS / 1000} s (the cluster needs workloadUpdateMethods [LiveMigrate] and vmRolloutStrategy LiveUpdate); the VM's claims were swapped: cancel restores them`);
      await ctx.clock.sleep(backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 2000 }), ctx.signal);
    }
  }

  /** KubeVirt's cancel of a volume migration: the VM's old claims restored (the record says which). False when there is no record. */
  async restore(ref: ObjectRef, ctx: OperationContext): Promise<boolean> {
    const vm = await this.#api.findVm(ref, ctx.signal);
    const record = volumeRecord(vm);
    if (!vm || !record) return false;
    const from = new Map(record.volumes.map((v) => [v.volume, v.from]));
    const volumes = (vm.spec.template?.spec?.volumes ?? []).map((v) => (from.has(v.name) && v.persistentVolumeClaim ? { ...v, persistentVolumeClaim: { ...v.persistentVolumeClaim, claimName: from.get(v.name)! } } : v));
    await this.#api.patchVm(ref, { metadata: { annotations: { [VOLUME_RECORD_ANNOTATION]: null } }, spec: { template: { spec: { volumes } } } }, ctx.signal);
    ctx.logger.log("info", "restored the VM's claims: the volume migration is cancelled", { vm: formatRef(ref), requestId: record.requestId });
    return true;
  }
}

/** Whether a VMIM is a volume migration, and of which VM. */
export function volumeMigrationVm(vmim: KvMigration | undefined): string | undefined {
  return vmim?.metadata?.labels?.[VOLUME_MIGRATION_LABEL];
}
