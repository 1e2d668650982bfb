/**
 * core/v1 ConfigMaps as the registry serves them (create, get, list, watch, delete through
 * http.ts), with kubectl's columns (NAME, DATA, AGE: `pkg/printers/internalversion/printers.go`,
 * DATA counting `data` and `binaryData` keys). The kubelet (kubelet.ts) mounts them as volumes.
 */
import { registerResource } from "./resources.ts";
import type { Resource, StoredObject } from "./store.ts";

/** The store key of ConfigMaps. */
export const CONFIGMAPS = "configmaps" as Resource;

type ConfigMapLike = StoredObject & { data?: Record<string, string>; binaryData?: Record<string, string> };

registerResource({
  resource: CONFIGMAPS,
  singular: "configmap",
  kind: "ConfigMap",
  group: "",
  version: "v1",
  namespaced: true,
  shortNames: ["cm"],
  builtIn: true,
  columns: [
    { name: "Data", type: "integer", cell: (o) => Object.keys((o as ConfigMapLike).data ?? {}).length + Object.keys((o as ConfigMapLike).binaryData ?? {}).length, description: "Number of keys" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
});
