/**
 * The one registry of resources the KubeVirt API environment serves. Routing (http.ts), discovery
 * (discovery.ts), OpenAPI (openapi.ts), Table output (table.ts) and the patch types a resource accepts
 * (patch.ts) are all derived from it, so a resource registered here is served, discovered, described
 * and printed without further edits.
 *
 * Printer columns are KubeVirt v1.9.0's `additionalPrinterColumns` (virt-operator builds the CRDs in
 * `pkg/virt-operator/resource/generate/components/crds.go`; reference §1), and the Node columns are
 * those of Kubernetes' built-in Node printer (`pkg/printers/internalversion/printers.go`).
 */
import type { Resource, StoredObject } from "./store.ts";

/** One column of a Table, as a CRD's `additionalPrinterColumns` declares it. */
export interface PrinterColumn {
  readonly name: string;
  /** `string`, `integer`, `number`, `boolean` or `date` (rendered as an age, e.g. `5m`). */
  readonly type: string;
  /** A simple JSONPath into the object (see table.ts for the subset). */
  readonly jsonPath?: string;
  /** Computes the cell instead of `jsonPath` (built-in printers). */
  readonly cell?: (object: StoredObject, now: Date) => unknown;
  /** 0: always shown; 1: only with `-o wide`. */
  readonly priority?: number;
  readonly format?: string;
  readonly description?: string;
}

/** A resource served by the environment. */
export interface ResourceDefinition {
  /** Plural, as in the URL (`virtualmachineinstancemigrations`). */
  readonly resource: Resource;
  readonly singular: string;
  readonly kind: string;
  /** API group; `""` for the core group (`/api/v1`). */
  readonly group: string;
  readonly version: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** The `components.schemas` key in the pinned KubeVirt spec; without it no schema validation. */
  readonly schema?: string;
  /** Table columns after `Name` (CRD `additionalPrinterColumns`). Without them: `Name`, `Age`. */
  readonly columns?: readonly PrinterColumn[];
  /**
   * A built-in Kubernetes type (accepts strategic merge patch). Custom resources (false) answer a
   * strategic merge patch with 415, as the API server does for CRDs.
   */
  readonly builtIn: boolean;
  /** Field selectors beyond `metadata.name` / `metadata.namespace`, with how to read them. */
  readonly fieldSelectors?: Readonly<Record<string, (object: StoredObject) => string>>;
  /** Subresources listed in discovery (e.g. `status`). */
  readonly subresources?: readonly string[];
}

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
const ready = (type: string, name: string, priority = 0): PrinterColumn => ({ name, type: "string", jsonPath: `.status.conditions[?(@.type=='${type}')].status`, priority });

const registry: ResourceDefinition[] = [
  {
    resource: "nodes",
    singular: "node",
    kind: "Node",
    group: "",
    version: "v1",
    namespaced: false,
    shortNames: ["no"],
    builtIn: true,
    subresources: ["status"],
    fieldSelectors: { "spec.unschedulable": (o) => String(Boolean((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable)) },
    columns: [
      { name: "Status", type: "string", cell: nodeStatus, description: "The status of the node" },
      { name: "Roles", type: "string", cell: nodeRoles, description: "The roles of the node" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
      { name: "Version", type: "string", jsonPath: ".status.nodeInfo.kubeletVersion", description: "Kubelet Version reported by the node." },
      { name: "Internal-IP", type: "string", cell: (o) => nodeAddress(o, "InternalIP"), priority: 1 },
      { name: "External-IP", type: "string", cell: (o) => nodeAddress(o, "ExternalIP"), priority: 1 },
      { name: "OS-Image", type: "string", cell: (o) => nodeInfo(o, "osImage"), priority: 1 },
      { name: "Kernel-Version", type: "string", cell: (o) => nodeInfo(o, "kernelVersion"), priority: 1 },
      { name: "Container-Runtime", type: "string", cell: (o) => nodeInfo(o, "containerRuntimeVersion"), priority: 1 },
    ],
  },
  {
    resource: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    group: "",
    version: "v1",
    namespaced: false,
    shortNames: ["ns"],
    builtIn: true,
    subresources: ["status"],
    fieldSelectors: { "status.phase": (o) => (o.status as { phase?: string } | undefined)?.phase ?? "" },
    columns: [{ name: "Status", type: "string", jsonPath: ".status.phase", description: "The status of the namespace" }, { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }],
  },
  {
    resource: "virtualmachines",
    singular: "virtualmachine",
    kind: "VirtualMachine",
    group: "kubevirt.io",
    version: "v1",
    namespaced: true,
    shortNames: ["vm", "vms"],
    categories: ["all"],
    schema: "v1.VirtualMachine",
    builtIn: false,
    subresources: ["status"],
    columns: [age, { name: "Status", type: "string", jsonPath: ".status.printableStatus" }, ready("Ready", "Ready")],
  },
  {
    resource: "virtualmachineinstances",
    singular: "virtualmachineinstance",
    kind: "VirtualMachineInstance",
    group: "kubevirt.io",
    version: "v1",
    namespaced: true,
    shortNames: ["vmi", "vmis"],
    categories: ["all"],
    schema: "v1.VirtualMachineInstance",
    builtIn: false,
    subresources: ["status"],
    columns: [
      age,
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      { name: "IP", type: "string", jsonPath: ".status.interfaces[0].ipAddress" },
      { name: "NodeName", type: "string", jsonPath: ".status.nodeName" },
      ready("Ready", "Ready"),
      ready("LiveMigratable", "Live-Migratable", 1),
      ready("Paused", "Paused", 1),
    ],
  },
  {
    resource: "virtualmachineinstancemigrations",
    singular: "virtualmachineinstancemigration",
    kind: "VirtualMachineInstanceMigration",
    group: "kubevirt.io",
    version: "v1",
    namespaced: true,
    shortNames: ["vmim", "vmims"],
    categories: ["all"],
    schema: "v1.VirtualMachineInstanceMigration",
    builtIn: false,
    subresources: ["status"],
    columns: [
      { name: "Phase", type: "string", jsonPath: ".status.phase", description: "The current phase of VM instance migration" },
      { name: "VMI", type: "string", jsonPath: ".spec.vmiName", description: "The name of the VMI to perform the migration on" },
    ],
  },
  {
    resource: "kubevirts",
    singular: "kubevirt",
    kind: "KubeVirt",
    group: "kubevirt.io",
    version: "v1",
    namespaced: true,
    shortNames: ["kv", "kvs"],
    categories: ["all"],
    schema: "v1.KubeVirt",
    builtIn: false,
    subresources: ["status"],
    columns: [age, { name: "Phase", type: "string", jsonPath: ".status.phase" }],
  },
  {
    resource: "migrationpolicies",
    singular: "migrationpolicy",
    kind: "MigrationPolicy",
    group: "migrations.kubevirt.io",
    version: "v1alpha1",
    namespaced: false,
    categories: ["all"],
    schema: "v1alpha1.MigrationPolicy",
    builtIn: false,
    subresources: ["status"],
  },
];

/**
 * Registers another resource (e.g. RBAC kinds, further KubeVirt CRDs). Call it at module load, before
 * the server answers: discovery, OpenAPI, Tables, routing and patch rules pick it up. Registering a
 * plural twice replaces the earlier definition. The store must accept the plural as a {@link Resource}.
 */
export function registerResource(definition: ResourceDefinition): void {
  const at = registry.findIndex((d) => d.resource === definition.resource && d.group === definition.group);
  if (at >= 0) registry[at] = definition;
  else registry.push(definition);
}

/** Every registered resource, in registration order. */
export function resources(): readonly ResourceDefinition[] {
  return registry;
}

/** The definition of a plural, or undefined. */
export function definitionOf(resource: string): ResourceDefinition | undefined {
  return registry.find((d) => d.resource === resource);
}

/** `apiVersion` of a definition (`v1` or `group/version`). */
export function apiVersionOf(d: ResourceDefinition): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

/** The group versions served, core first, each once. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const d of registry) seen.set(`${d.group}/${d.version}`, { group: d.group, version: d.version });
  return [...seen.values()].sort((a, b) => (a.group === "" ? -1 : b.group === "" ? 1 : 0));
}

/** A parsed REST path. */
export interface Route {
  readonly resource: Resource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/**
 * Maps a REST path to a resource: `/api/v1/[namespaces/{ns}/]{plural}[/{name}[/{sub}]]`,
 * `/apis/{group}/{version}/…` alike, and KubeVirt's aggregated `subresources.kubevirt.io/v1` VM
 * lifecycle paths. Undefined for anything else.
 */
export function route(path: string): Route | undefined {
  const p = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (p[0] === "apis" && p[1] === "subresources.kubevirt.io" && p[2] === "v1" && p[3] === "namespaces" && p[5] === "virtualmachines" && p.length === 8) {
    return { resource: "virtualmachines", namespace: p[4]!, name: p[6]!, subresource: p[7]! };
  }
  let group: string;
  let rest: string[];
  if (p[0] === "api" && p.length >= 3) {
    group = "";
    rest = p.slice(1);
  } else if (p[0] === "apis" && p.length >= 4) {
    group = p[1]!;
    rest = p.slice(2);
  } else return undefined;
  const version = rest[0]!;
  rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const d = registry.find((x) => x.group === group && x.version === version && x.resource === rest[0]);
  if (!d || rest.length > 3) return undefined;
  if (!d.namespaced && namespace !== undefined) return undefined;
  if (d.namespaced && namespace === undefined && rest.length > 1) return undefined;
  return { resource: d.resource, ...(namespace !== undefined ? { namespace } : {}), ...(rest[1] ? { name: rest[1] } : {}), ...(rest[2] ? { subresource: rest[2] } : {}) };
}

function nodeStatus(o: StoredObject): string {
  const status = o.status as { conditions?: { type: string; status: string }[] } | undefined;
  const readyCondition = status?.conditions?.find((c) => c.type === "Ready");
  const parts = [readyCondition?.status === "True" ? "Ready" : readyCondition ? "NotReady" : "Unknown"];
  if ((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable) parts.push("SchedulingDisabled");
  return parts.join(",");
}

function nodeRoles(o: StoredObject): string {
  const roles = Object.keys(o.metadata.labels ?? {}).filter((k) => k.startsWith("node-role.kubernetes.io/")).map((k) => k.slice("node-role.kubernetes.io/".length)).filter(Boolean);
  return roles.length ? roles.sort().join(",") : "<none>";
}

function nodeAddress(o: StoredObject, type: string): string {
  const addresses = (o.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  return addresses.find((a) => a.type === type)?.address ?? "<none>";
}

function nodeInfo(o: StoredObject, key: string): string {
  const info = (o.status as { nodeInfo?: Record<string, string> } | undefined)?.nodeInfo ?? {};
  return info[key] || "<unknown>";
}
