/**
 * Volume (storage live) migration as KubeVirt v1.9 runs it (user guide `storage/volume_migration.md`,
 * reference §11.1): a running VM whose `spec.updateVolumesStrategy` is `Migration` and whose
 * template's PVC volumes now name other claims than its VMI's gets a workload-update migration
 * (`kubevirt-workload-update-*`, labelled `kubevirt.io/volume-update-migration=<vm>`) that copies
 * the disks; the VM's `status.volumeUpdateState` and the VMI's `status.migratedVolumes` list the
 * volumes moving. When it succeeds the VMI uses the new claims; when it fails it is retried with
 * backoff; restoring the old claims on the VM cancels it (the in-flight migration is deleted, and as
 * v1.9.0's `cancelVolumeMigration` does the VMI's `VolumesChange` turns False and its
 * `migratedVolumes` are cleared).
 * A destination claim smaller than the source fails it with KubeVirt's message.
 * Destinations may be PVCs or DataVolumes (the VM's `dataVolume` volumes renamed, and its
 * `dataVolumeTemplates` with them). Before creating the migration the destinations are checked as
 * v1.9.0's `volumemig.ValidateVolumes` does: a missing claim or DataVolume sets the VMI's
 * `VolumesChange` condition False ("One of the destination volumes doesn't exist: the datavolume X
 * doesn't exist") and waits; a DataVolume that has not Succeeded needs its claim, and that claim a
 * `dataSourceRef` (CSI volume populators), else the VM gets `RestartRequired` ("invalid volumes to
 * update with migration: DV storage class isn't a CSI or not using volume populators: [vol]") and
 * no migration is made.
 * PersistentVolumeClaims are served so a client can create the destination claims.
 */
import { admitMigrationCreate } from "./admission.ts";
import { registerResource } from "./resources.ts";
import type { Resource, Store, StoredObject } from "./store.ts";

registerResource({
  resource: "persistentvolumeclaims",
  singular: "persistentvolumeclaim",
  kind: "PersistentVolumeClaim",
  group: "",
  version: "v1",
  namespaced: true,
  shortNames: ["pvc"],
  builtIn: true,
  subresources: ["status"],
  columns: [
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    { name: "Volume", type: "string", jsonPath: ".spec.volumeName" },
    { name: "Capacity", type: "string", jsonPath: ".status.capacity.storage" },
    { name: "StorageClass", type: "string", jsonPath: ".spec.storageClassName" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
});

/** The label KubeVirt puts on a volume migration's VMIM. */
export const VOLUME_MIGRATION_LABEL = "kubevirt.io/volume-update-migration";

type Obj = StoredObject & { spec: any; status: any };
const FINAL = new Set(["Succeeded", "Failed"]);
const DATAVOLUMES = "datavolumes" as Resource;

/** `volumeName → claimName` of the PVC-backed volumes of a VMI spec. */
export function claimsOf(spec: { volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; dataVolume?: { name: string } }[] } | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of spec?.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName ?? v.dataVolume?.name;
    if (claim) out.set(v.name, claim);
  }
  return out;
}

function bytes(value: unknown): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value ?? "0"));
  const mult: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return m ? Number(m[1]) * (m[2] ? mult[m[2]]! : 1) : 0;
}

/** virt-controller's volume-migration part (VM controller + workload updater), one reconcile at a time. */
export class VolumeMigrations {
  readonly #store: Store;
  readonly #now: () => number;
  /** One KubeVirt second, ms (the retry backoff is 20 s, doubling). */
  readonly #secondMs: number;
  readonly #retryAt = new Map<string, { at: number; failures: number }>();

  constructor(store: Store, now: () => number, secondMs: number) {
    this.#store = store;
    this.#now = now;
    this.#secondMs = secondMs;
  }

  /** The migrated volumes of a VM (old and new claims), empty when nothing moves. */
  #changes(vm: Obj, vmi: Obj): { volumeName: string; sourcePVCInfo: { claimName: string }; destinationPVCInfo: { claimName: string } }[] {
    const wanted = claimsOf(vm.spec?.template?.spec);
    const running = claimsOf(vmi.spec);
    return [...running].filter(([name, claim]) => wanted.has(name) && wanted.get(name) !== claim).map(([volumeName, claim]) => ({ volumeName, sourcePVCInfo: { claimName: claim }, destinationPVCInfo: { claimName: wanted.get(volumeName)! } }));
  }

  reconcile(vm: Obj): void {
    const ns = vm.metadata.namespace!;
    const name = vm.metadata.name;
    const vmi = this.#store.get("virtualmachineinstances", ns, name) as Obj | undefined;
    const inFlight = (this.#store.all("virtualmachineinstancemigrations", ns, { label: `${VOLUME_MIGRATION_LABEL}=${name}` }) as Obj[]).filter((m) => !FINAL.has(m.status?.phase) && !m.metadata.deletionTimestamp);
    if (!vmi || vmi.status?.phase !== "Running" || vm.spec?.updateVolumesStrategy !== "Migration") return;
    const changes = this.#changes(vm, vmi);
    if (changes.length === 0) {
      // The old volume set is back: the volume migration is cancelled.
      for (const m of inFlight) this.#store.delete("virtualmachineinstancemigrations", ns, m.metadata.name);
      // v1.9.0 `volumemig.VolumeMigrationCancel` → `cancelVolumeMigration`: VolumesChange False, migratedVolumes cleared.
      const migrating = ((vmi.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === "VolumesChange" && c.status === "True");
      if (migrating) this.#store.mutate("virtualmachineinstances", ns, name, (o) => {
        const s = (o as Obj).status;
        s.conditions = [...(s.conditions ?? []).filter((c: { type: string }) => c.type !== "VolumesChange"), { type: "VolumesChange", status: "False", lastProbeTime: null, lastTransitionTime: null }];
        s.migratedVolumes = null;
      });
      if (vm.status?.volumeUpdateState) this.#store.mutate("virtualmachines", ns, name, (o) => void delete (o as Obj).status.volumeUpdateState);
      this.#retryAt.delete(`${ns}/${name}`);
      return;
    }
    if (inFlight.length > 0) return;
    const retry = this.#retryAt.get(`${ns}/${name}`);
    if (retry && this.#now() < retry.at) return;
    if (!this.#destinationsValid(vm, vmi, changes)) return;
    const state = { volumeMigrationState: { migratedVolumes: changes } };
    if (JSON.stringify(vm.status?.volumeUpdateState) !== JSON.stringify(state)) this.#store.mutate("virtualmachines", ns, name, (o) => void ((o as Obj).status = { ...(o as Obj).status, volumeUpdateState: state }));
    this.#store.mutate("virtualmachineinstances", ns, name, (o) => {
      const s = (o as Obj).status;
      s.migratedVolumes = changes;
      s.conditions = [...(s.conditions ?? []).filter((c: { type: string }) => c.type !== "VolumesChange"), { type: "VolumesChange", status: "True", lastProbeTime: null, lastTransitionTime: null }];
    });
    const body = admitMigrationCreate(this.#store, ns, {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstanceMigration",
      metadata: { generateName: "kubevirt-workload-update-", namespace: ns, labels: { [VOLUME_MIGRATION_LABEL]: name }, annotations: { "kubevirt.io/workloadUpdateMigration": "" } } as unknown as StoredObject["metadata"],
      spec: { vmiName: name },
    }, false);
    this.#store.create("virtualmachineinstancemigrations", "VirtualMachineInstanceMigration", body);
  }

  /** KubeVirt v1.9.0's `ValidateVolumes` over the changed volumes, with `handleValidationErrors`' outcome. True when the migration may be made. */
  #destinationsValid(vm: Obj, vmi: Obj, changes: readonly { volumeName: string }[]): boolean {
    const ns = vm.metadata.namespace!;
    const moving = new Set(changes.map((c) => c.volumeName));
    const notCsi: string[] = [];
    let missing: string | undefined;
    for (const v of (vm.spec?.template?.spec?.volumes ?? []) as { name: string; persistentVolumeClaim?: { claimName: string }; dataVolume?: { name: string } }[]) {
      if (!moving.has(v.name) || missing) continue;
      if (v.persistentVolumeClaim && !this.#store.get("persistentvolumeclaims", ns, v.persistentVolumeClaim.claimName)) missing = `the pvc ${v.persistentVolumeClaim.claimName} doesn't exist`;
      if (!v.dataVolume) continue;
      const dv = this.#store.get(DATAVOLUMES, ns, v.dataVolume.name) as Obj | undefined;
      if (!dv) missing = `the datavolume ${v.dataVolume.name} doesn't exist`;
      else if (dv.status?.phase !== "Succeeded") {
        const claim = this.#store.get("persistentvolumeclaims", ns, v.dataVolume.name) as Obj | undefined;
        if (!claim) missing = `the pvc ${v.dataVolume.name} doesn't exist`;
        else if (!claim.spec?.dataSourceRef) notCsi.push(v.name);
      }
    }
    if (missing) {
      const message = `One of the destination volumes doesn't exist: ${missing}`;
      const current = ((vmi.status?.conditions ?? []) as { type: string; message?: string }[]).find((c) => c.type === "VolumesChange");
      if (current?.message !== message) this.#store.mutate("virtualmachineinstances", ns, vmi.metadata.name, (o) => {
        const s = (o as Obj).status;
        s.conditions = [...(s.conditions ?? []).filter((c: { type: string }) => c.type !== "VolumesChange"), { type: "VolumesChange", status: "False", message, lastProbeTime: null, lastTransitionTime: null }];
      });
      return false;
    }
    if (notCsi.length > 0) {
      const message = `invalid volumes to update with migration: DV storage class isn't a CSI or not using volume populators: [${notCsi.join(" ")}]`;
      const conditions = (vm.status?.conditions ?? []) as { type: string; message?: string }[];
      if (!conditions.some((c) => c.type === "RestartRequired" && c.message === message)) {
        this.#store.mutate("virtualmachines", ns, vm.metadata.name, (o) => {
          const s = ((o as Obj).status ??= {});
          s.conditions = [...(s.conditions ?? []).filter((c: { type: string }) => c.type !== "RestartRequired"), { type: "RestartRequired", status: "True", message, lastProbeTime: null, lastTransitionTime: null }];
        });
      }
      return false;
    }
    return true;
  }

  /** KubeVirt's refusal when a destination claim is smaller than its source, or undefined. */
  sizeError(vmim: Obj): string | undefined {
    const vmi = this.#store.get("virtualmachineinstances", vmim.metadata.namespace!, vmim.spec.vmiName) as Obj | undefined;
    for (const v of (vmi?.status?.migratedVolumes ?? []) as { sourcePVCInfo: { claimName: string }; destinationPVCInfo: { claimName: string } }[]) {
      const size = (claim: string) => bytes((this.#store.get("persistentvolumeclaims", vmim.metadata.namespace!, claim)?.spec as any)?.resources?.requests?.storage);
      const [source, target] = [size(v.sourcePVCInfo.claimName), size(v.destinationPVCInfo.claimName)];
      if (!this.#store.get("persistentvolumeclaims", vmim.metadata.namespace!, v.destinationPVCInfo.claimName)) return `Volume migration cannot be performed because the destination volume ${v.destinationPVCInfo.claimName} does not exist`;
      if (target < source) return `Volume migration cannot be performed because the destination volume is smaller than the source volume: source ${v.sourcePVCInfo.claimName} ${source} bytes, destination ${v.destinationPVCInfo.claimName} ${target} bytes`;
    }
    return undefined;
  }

  /** A volume migration ended: on success the VMI runs on the new claims; on failure it is retried with backoff (20 s, doubling). */
  finished(vmim: Obj, succeeded: boolean): void {
    const vmName = vmim.metadata.labels?.[VOLUME_MIGRATION_LABEL];
    if (!vmName) return;
    const ns = vmim.metadata.namespace!;
    const key = `${ns}/${vmName}`;
    if (!succeeded) {
      const failures = (this.#retryAt.get(key)?.failures ?? 0) + 1;
      this.#retryAt.set(key, { at: this.#now() + 20 * 2 ** (failures - 1) * this.#secondMs, failures });
      return;
    }
    this.#retryAt.delete(key);
    const vm = this.#store.get("virtualmachines", ns, vmName) as Obj | undefined;
    const wanted = claimsOf(vm?.spec?.template?.spec);
    this.#store.mutate("virtualmachineinstances", ns, vmim.spec.vmiName, (o) => {
      const spec = (o as Obj).spec;
      for (const v of spec.volumes ?? []) {
        const claim = wanted.get(v.name);
        if (!claim) continue;
        if (v.persistentVolumeClaim) v.persistentVolumeClaim.claimName = claim;
        if (v.dataVolume) v.dataVolume.name = claim;
      }
      const s = (o as Obj).status;
      s.conditions = (s.conditions ?? []).filter((c: { type: string }) => c.type !== "VolumesChange");
      s.migrationMethod = "BlockMigration";
    });
    if (vm) this.#store.mutate("virtualmachines", ns, vmName, (o) => void delete (o as Obj).status.volumeUpdateState);
  }
}
