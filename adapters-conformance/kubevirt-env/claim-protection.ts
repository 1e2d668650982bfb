/**
 * Kubernetes' storage-object-in-use protection for PersistentVolumeClaims (KEP-1174 / the
 * `StorageObjectInUseProtection` admission plugin and the PVC protection controller, Kubernetes docs
 * "Persistent Volumes — Storage Object in Use Protection"): every claim gets the finalizer
 * `kubernetes.io/pvc-protection` when it is created; a claim deleted while a pod uses it stays,
 * `Terminating` (deletionTimestamp set), until no pod that is not Succeeded or Failed uses it, then
 * the controller removes the finalizer and the claim is gone.
 *
 * "Pods" here are the environment's pods (pods.ts) and the virt-launcher pods KubeVirt would run,
 * which the environment does not store: a VMI's pod uses the claims (and DataVolumes' claims) of its
 * `spec.volumes` until the VMI is Succeeded or Failed, and a volume migration's target pod uses the
 * destinations the VMI's `status.migratedVolumes` listed while its VMIM was in flight until that VMIM
 * is final (KubeVirt clears `migratedVolumes` when the old volumes are restored, before the VMIM is
 * aborted and its target pod ends). Opt-in: {@link protectClaims} on an environment's store.
 */
import type { Resource, Store, StoredObject } from "./store.ts";

/** The finalizer the API server puts on every claim. */
export const PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";
const PVCS = "persistentvolumeclaims" as Resource;
const PODS = "pods" as Resource;
const FINAL = new Set(["Succeeded", "Failed"]);

type Vol = { name?: string; persistentVolumeClaim?: { claimName?: string }; dataVolume?: { name?: string } };
type Obj = StoredObject & { spec?: { volumes?: Vol[]; vmiName?: string }; status?: { phase?: string; migratedVolumes?: { destinationPVCInfo?: { claimName?: string } }[] } };

const claimOf = (v: Vol): string | undefined => v.persistentVolumeClaim?.claimName || v.dataVolume?.name || undefined;

/**
 * `namespace/claim` of every claim a running pod uses, with who uses it. `targets` remembers, per
 * VMIM (uid), the destinations its target pod mounts, across calls (updated here).
 */
export function claimsInUse(store: Store, targets = new Map<string, Set<string>>()): Map<string, string> {
  const used = new Map<string, string>();
  const add = (key: string | undefined, by: string) => void (key && !used.has(key) && used.set(key, by));
  for (const pod of store.all(PODS) as Obj[]) {
    if (FINAL.has(pod.status?.phase ?? "")) continue;
    for (const v of pod.spec?.volumes ?? []) if (v.persistentVolumeClaim?.claimName) add(`${pod.metadata.namespace}/${v.persistentVolumeClaim.claimName}`, `pod ${pod.metadata.name}`);
  }
  const vmis = new Map((store.all("virtualmachineinstances") as Obj[]).map((v) => [`${v.metadata.namespace}/${v.metadata.name}`, v]));
  for (const vmi of vmis.values()) {
    if (FINAL.has(vmi.status?.phase ?? "")) continue;
    for (const v of vmi.spec?.volumes ?? []) if (claimOf(v)) add(`${vmi.metadata.namespace}/${claimOf(v)}`, `pod virt-launcher-${vmi.metadata.name}`);
  }
  const live = new Set<string>();
  for (const m of store.all("virtualmachineinstancemigrations") as Obj[]) {
    if (FINAL.has(m.status?.phase ?? "")) continue;
    live.add(m.metadata.uid);
    const ns = m.metadata.namespace;
    const mounted = targets.get(m.metadata.uid) ?? new Set<string>();
    for (const d of vmis.get(`${ns}/${m.spec?.vmiName}`)?.status?.migratedVolumes ?? []) if (d.destinationPVCInfo?.claimName) mounted.add(`${ns}/${d.destinationPVCInfo.claimName}`);
    targets.set(m.metadata.uid, mounted);
    for (const key of mounted) add(key, `migration target pod of ${m.metadata.name}`);
  }
  for (const uid of [...targets.keys()]) if (!live.has(uid)) targets.delete(uid);
  return used;
}

/** An installed protection. */
export interface ClaimProtection {
  /** The claims pods use now (see {@link claimsInUse}). */
  inUse(): Map<string, string>;
  /** Uninstalls it. */
  close(): void;
}

/**
 * Installs the protection on a store: new claims get the finalizer, deleted claims no pod uses lose
 * it (and are gone). Re-checked on every change of claims, pods, VMIs and VMIMs.
 */
export function protectClaims(store: Store): ClaimProtection {
  const targets = new Map<string, Set<string>>();
  let busy = false;
  const sweep = () => {
    if (busy) return;
    busy = true;
    try {
      for (const claim of store.all(PVCS)) {
        if (!claim.metadata.deletionTimestamp && !(claim.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER)) {
          store.mutate(PVCS, claim.metadata.namespace, claim.metadata.name, (o) => void (o.metadata.finalizers = [...(o.metadata.finalizers ?? []), PVC_PROTECTION_FINALIZER]));
        }
      }
      const used = claimsInUse(store, targets);
      for (const claim of store.all(PVCS)) {
        if (!claim.metadata.deletionTimestamp || !(claim.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER)) continue;
        if (used.has(`${claim.metadata.namespace}/${claim.metadata.name}`)) continue;
        store.mutate(PVCS, claim.metadata.namespace, claim.metadata.name, (o) => void (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER)));
      }
    } finally {
      busy = false;
    }
  };
  const watched = new Set<string>([PVCS, PODS, "virtualmachineinstances", "virtualmachineinstancemigrations"]);
  const unsubscribe = store.subscribe((e) => {
    if (watched.has(e.resource)) sweep();
  });
  sweep();
  return { inUse: () => claimsInUse(store, targets), close: unsubscribe };
}
