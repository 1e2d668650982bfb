/**
 * storage.k8s.io/v1 StorageClasses as the registry serves them (create, get, list, delete through
 * http.ts; cluster-scoped), with kubectl's columns (`pkg/printers/internalversion/printers.go`:
 * NAME, PROVISIONER, RECLAIMPOLICY, VOLUMEBINDINGMODE, ALLOWVOLUMEEXPANSION, AGE). CDI's model
 * (cdi.ts) reads `volumeBindingMode` of a claim's class: `WaitForFirstConsumer` delays binding until
 * a pod uses the claim (Kubernetes "Storage Classes: Volume Binding Mode").
 */
import { registerResource } from "./resources.ts";
import type { Resource, Store, StoredObject } from "./store.ts";

/** The store key of StorageClasses. */
export const STORAGE_CLASSES = "storageclasses" as Resource;

/** The annotation marking the cluster's default class. */
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

type StorageClassLike = StoredObject & { provisioner?: string; reclaimPolicy?: string; volumeBindingMode?: string; allowVolumeExpansion?: boolean };

registerResource({
  resource: STORAGE_CLASSES,
  singular: "storageclass",
  kind: "StorageClass",
  group: "storage.k8s.io",
  version: "v1",
  namespaced: false,
  shortNames: ["sc"],
  builtIn: true,
  columns: [
    { name: "Provisioner", type: "string", cell: (o) => (o as StorageClassLike).provisioner ?? "", description: "Provisioner indicates the type of the provisioner." },
    { name: "ReclaimPolicy", type: "string", cell: (o) => (o as StorageClassLike).reclaimPolicy ?? "Delete", description: "Dynamically provisioned PersistentVolumes of this storage class are created with this reclaimPolicy." },
    { name: "VolumeBindingMode", type: "string", cell: (o) => (o as StorageClassLike).volumeBindingMode ?? "Immediate", description: "VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound." },
    { name: "AllowVolumeExpansion", type: "string", cell: (o) => String((o as StorageClassLike).allowVolumeExpansion ?? false), description: "AllowVolumeExpansion shows whether the storage class allows volume expand." },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
});

/**
 * The binding mode of the class a claim names (`storageClassName`, else the class annotated as the
 * default): `WaitForFirstConsumer` or `Immediate` (also when there is no such class).
 */
export function bindingModeOf(store: Store, storageClassName: string | undefined): "Immediate" | "WaitForFirstConsumer" {
  const classes = store.all(STORAGE_CLASSES) as StorageClassLike[];
  const sc = storageClassName ? classes.find((c) => c.metadata.name === storageClassName) : classes.find((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
  return sc?.volumeBindingMode === "WaitForFirstConsumer" ? "WaitForFirstConsumer" : "Immediate";
}
