/**
 * Deleting the destinations a storage live migration created once it is cancelled, rolled back or
 * failed before KubeVirt started it: the claims and blank DataVolumes hold storage (and quota) and
 * KubeVirt never deletes them. A destination is deleted only when
 * - vmshift made it for this migration: the request-id label and the {@link DESTINATION_ANNOTATION}
 *   naming the VM (a claim of the same name made by anyone else is left, with a warning);
 * - the VM no longer names it (its volumes and `dataVolumeTemplates`; restored first) and the VMI
 *   does not run on it (`spec.volumes`);
 * - KubeVirt's migration has ended: the VMI's `status.migratedVolumes` no longer lists it (KubeVirt
 *   v1.9.0 `volumemig.VolumeMigrationCancel` clears the list once the old volumes are back) and no
 *   volume migration VMIM of the VM is in flight (its target pod may still mount the claim; the
 *   `kubernetes.io/pvc-protection` finalizer would hold a deleted claim until that pod ends).
 * The wait for KubeVirt is bounded; what cannot be deleted is returned as a warning, never thrown.
 * Deleting a DataVolume lets the garbage collector delete its claim (CDI's owner reference). Each
 * DELETE carries the uid read just before as a precondition, and a destination already gone counts
 * as deleted, so running it again is harmless.
 */
import { type OperationContext, backoffDelay, isVmshiftError } from "@vmshift/core";
import { type ObjectRef, formatRef, requestIdLabel } from "./ids.ts";
import type { KubevirtApi } from "./resources/api.ts";
import { type KubeObject, type KvMigration, type KvVirtualMachine, type KvVmi, LABELS } from "./types.ts";

/** On each destination vmshift creates: `namespace/name` of the VM whose storage migration made it. */
export const DESTINATION_ANNOTATION = "vmshift.io/volume-migration-destination";
/** The label KubeVirt puts on a volume migration's VMIM (value: the VM's name). */
const VOLUME_MIGRATION_LABEL = "kubevirt.io/volume-update-migration";
/** How long to wait for KubeVirt to let go of the destinations, ms. */
export const RELEASE_WAIT_MS = 60_000;
const FINAL = new Set(["Succeeded", "Failed"]);

/** One destination to delete: its name and whether it is a DataVolume. */
export interface Destination {
  readonly name: string;
  readonly dataVolume?: true;
}

/** The names a VM's spec uses: volumes' claims and DataVolumes, and its dataVolumeTemplates. */
function vmNames(vm: KvVirtualMachine | undefined): Set<string> {
  const names = new Set<string>();
  for (const v of vm?.spec.template?.spec?.volumes ?? []) {
    const name = v.persistentVolumeClaim?.claimName || v.dataVolume?.name;
    if (name) names.add(name);
  }
  for (const t of vm?.spec.dataVolumeTemplates ?? []) if (t.metadata?.name) names.add(t.metadata.name);
  return names;
}

/** The claims and DataVolumes the VMI runs on. */
function vmiNames(vmi: KvVmi | undefined): Set<string> {
  const names = new Set<string>();
  for (const v of vmi?.spec?.volumes ?? []) {
    const name = v.persistentVolumeClaim?.claimName || v.dataVolume?.name;
    if (name) names.add(name);
  }
  return names;
}

/** Whether vmshift made this object as a destination of request `requestId` for the VM `vm`. */
export function madeByVmshift(object: KubeObject, vm: ObjectRef, requestId: string): boolean {
  return object.metadata?.labels?.[LABELS.requestId] === requestIdLabel(requestId) && object.metadata?.annotations?.[DESTINATION_ANNOTATION] === formatRef(vm);
}

/** Deletes a storage migration's destinations once KubeVirt no longer uses them. */
export class DestinationRelease {
  readonly #api: KubevirtApi;
  readonly #waitMs: number;

  constructor(api: KubevirtApi, waitMs = RELEASE_WAIT_MS) {
    this.#api = api;
    this.#waitMs = waitMs;
  }

  /**
   * Deletes the destinations of request `requestId` that the VM `ref` no longer uses, after waiting
   * (bounded) for KubeVirt's migration to end. Returns one warning per destination left behind.
   */
  async release(ref: ObjectRef, requestId: string, destinations: readonly Destination[], ctx: OperationContext): Promise<string[]> {
    const warnings: string[] = [];
    const left = (d: Destination, why: string) => warnings.push(`the destination ${d.dataVolume ? "DataVolume" : "PersistentVolumeClaim"} ${ref.namespace}/${d.name} was not deleted (${why}); it still holds storage: delete it once nothing uses it`);
    const deadline = ctx.clock.now() + this.#waitMs;
    let ready: Destination[] = [];
    for (let attempt = 0; ; attempt++) {
      const [vm, vmi, vmims] = [await this.#api.findVm(ref, ctx.signal), await this.#api.findVmi(ref, ctx.signal), await this.#inFlight(ref, ctx)];
      const [usedByVm, usedByVmi] = [vmNames(vm), vmiNames(vmi)];
      const migrating = new Set((vmi?.status?.migratedVolumes ?? []).map((m) => m.destinationPVCInfo?.claimName).filter((n): n is string => Boolean(n)));
      const waiting: Destination[] = [];
      ready = [];
      warnings.length = 0;
      for (const d of destinations) {
        if (usedByVm.has(d.name)) left(d, "the VM's spec names it");
        else if (usedByVmi.has(d.name)) left(d, "the running VMI uses it");
        else if (migrating.has(d.name) || vmims.length > 0) waiting.push(d);
        else ready.push(d);
      }
      if (waiting.length === 0) break;
      if (ctx.clock.now() >= deadline) {
        const why = vmims.length > 0 ? `KubeVirt's migration ${vmims.map((m) => m.metadata?.name).join(", ")} had not ended` : "the VMI's status.migratedVolumes still listed it";
        for (const d of waiting) left(d, `${why} after ${Math.round(this.#waitMs / 1000)} s`);
        break;
      }
      await ctx.clock.sleep(backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 2000 }), ctx.signal);
    }
    const deleted: string[] = [];
    for (const d of ready) {
      const why = await this.#delete(ref, requestId, d, ctx);
      if (why) left(d, why);
      else deleted.push(d.name);
    }
    for (const w of warnings) ctx.logger.log("warn", w, { vm: formatRef(ref), requestId });
    if (deleted.length > 0) ctx.logger.log("info", "deleted the destinations of the storage migration (or found them gone)", { vm: formatRef(ref), requestId, deleted: deleted.join(", ") });
    return [...warnings];
  }

  /** Deletes one destination if vmshift made it; the reason when it was not deleted. */
  async #delete(ref: ObjectRef, requestId: string, d: Destination, ctx: OperationContext): Promise<string | undefined> {
    const at = { namespace: ref.namespace, name: d.name };
    try {
      const object = d.dataVolume ? await this.#api.findDataVolume(at, ctx.signal) : await this.#api.findClaim(at, ctx.signal);
      if (!object) return undefined;
      if (!madeByVmshift(object, ref, requestId)) return `it does not carry vmshift's marks of this migration (label ${LABELS.requestId}, annotation ${DESTINATION_ANNOTATION}): vmshift did not create it`;
      await this.#api.deleteStorage(d.dataVolume ? "dataVolume" : "claim", at, object.metadata?.uid ?? undefined, ctx.signal);
      return undefined;
    } catch (error) {
      if (ctx.signal?.aborted) throw error;
      return `deleting it failed: ${isVmshiftError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** The VM's volume migrations still in flight (one page of 50). */
  async #inFlight(ref: ObjectRef, ctx: OperationContext): Promise<KvMigration[]> {
    const list = await this.#api.listMigrations(ref.namespace, { labelSelector: `${VOLUME_MIGRATION_LABEL}=${ref.name}`, limit: 50, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    return list.items.filter((m) => !FINAL.has(m.status?.phase ?? ""));
  }
}
