/**
 * core/v1 Pods as the registry serves them (create, get, list, watch, delete through http.ts), with
 * the columns of Kubernetes' built-in pod printer (`pkg/printers/internalversion/printers.go`:
 * NAME, READY, STATUS, RESTARTS, AGE; `-o wide` adds IP, NODE, NOMINATED NODE, READINESS GATES).
 * The kubelet that runs them is kubelet.ts.
 */
import { registerResource } from "./resources.ts";
import type { Resource, StoredObject } from "./store.ts";

/** The store key of pods. */
export const PODS = "pods" as Resource;

interface ContainerStatus {
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly state?: { readonly waiting?: { readonly reason?: string }; readonly terminated?: { readonly reason?: string; readonly exitCode?: number } };
}
type PodLike = StoredObject & { spec?: { containers?: unknown[]; nodeName?: string; readinessGates?: { conditionType: string }[] }; status?: { phase?: string; reason?: string; podIP?: string; nominatedNodeName?: string; containerStatuses?: ContainerStatus[] } };

/** `ready/total` containers. */
function readyCell(o: StoredObject): string {
  const p = o as PodLike;
  const total = p.spec?.containers?.length ?? 0;
  const ready = (p.status?.containerStatuses ?? []).filter((c) => c.ready).length;
  return `${ready}/${total}`;
}

/** The printer's STATUS: Terminating while deleted, a container's waiting/terminated reason, else the phase. */
function statusCell(o: StoredObject): string {
  const p = o as PodLike;
  if (p.metadata.deletionTimestamp) return "Terminating";
  if (p.status?.reason) return p.status.reason;
  for (const c of p.status?.containerStatuses ?? []) {
    const why = c.state?.waiting?.reason ?? (c.state?.terminated && p.status?.phase !== "Succeeded" ? (c.state.terminated.reason ?? `ExitCode:${c.state.terminated.exitCode ?? "?"}`) : undefined);
    if (why) return why;
  }
  return p.status?.phase ?? "Pending";
}

registerResource({
  resource: PODS,
  singular: "pod",
  kind: "Pod",
  group: "",
  version: "v1",
  namespaced: true,
  shortNames: ["po"],
  categories: ["all"],
  builtIn: true,
  subresources: ["status"],
  fieldSelectors: {
    "spec.nodeName": (o) => String((o as PodLike).spec?.nodeName ?? ""),
    "status.phase": (o) => String((o as PodLike).status?.phase ?? ""),
    "status.podIP": (o) => String((o as PodLike).status?.podIP ?? ""),
  },
  columns: [
    { name: "Ready", type: "string", cell: readyCell, description: "The aggregate readiness state of this pod for accepting traffic." },
    { name: "Status", type: "string", cell: statusCell, description: "The aggregate status of the containers in this pod." },
    { name: "Restarts", type: "string", cell: (o) => String(((o as PodLike).status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0)), description: "The number of times the containers in this pod have been restarted." },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    { name: "IP", type: "string", cell: (o) => (o as PodLike).status?.podIP ?? "<none>", priority: 1, description: "The IP address assigned to the pod" },
    { name: "Node", type: "string", cell: (o) => (o as PodLike).spec?.nodeName ?? "<none>", priority: 1, description: "The name of the node the pod is assigned to" },
    { name: "Nominated Node", type: "string", cell: (o) => (o as PodLike).status?.nominatedNodeName ?? "<none>", priority: 1, description: "The name of the node that is nominated for the pod" },
    { name: "Readiness Gates", type: "string", cell: (o) => ((o as PodLike).spec?.readinessGates?.length ? (o as PodLike).spec!.readinessGates!.map((g) => g.conditionType).join(",") : "<none>"), priority: 1, description: "The readiness gates of the pod" },
  ],
});
