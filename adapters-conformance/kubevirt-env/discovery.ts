/**
 * `/version` and API discovery, derived from the resource registry (resources.ts): the legacy
 * documents (`/api` APIVersions, `/apis` APIGroupList, `/api/v1` and `/apis/{g}/{v}` APIResourceList)
 * and the aggregated discovery documents (`apidiscovery.k8s.io/v2` APIGroupDiscoveryList) that kubectl
 * ≥ 1.30 asks for first on `/api` and `/apis` (Accept
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`), falling back to the legacy
 * documents when the answer's Content-Type is plain `application/json`.
 */
import { type ResourceDefinition, apiVersionOf, groupVersions, resources } from "./resources.ts";

/** The Kubernetes version the environment reports (the seeded nodes run kubelet v1.35.0). */
export const SERVER_VERSION = {
  major: "1",
  minor: "35",
  gitVersion: "v1.35.0",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-07-01T00:00:00Z",
  goVersion: "go1.25.0",
  compiler: "gc",
  platform: "linux/amd64",
} as const;

/** The Content-Type of an aggregated discovery answer. */
export const AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** The KubeVirt aggregated API (virt-api) serves VM lifecycle subresources in this group. */
const SUBRESOURCES_GROUP = { group: "subresources.kubevirt.io", version: "v1" };

const VERBS = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];

/** Whether an Accept header asks for aggregated discovery v2. */
export function wantsAggregated(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => {
    const params = part.split(";").map((s) => s.trim());
    return params.includes("g=apidiscovery.k8s.io") && params.includes("v=v2") && params.includes("as=APIGroupDiscoveryList");
  });
}

function apiResource(d: ResourceDefinition): Record<string, unknown> {
  return {
    name: d.resource,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: VERBS,
    ...(d.shortNames?.length ? { shortNames: [...d.shortNames] } : {}),
    ...(d.categories?.length ? { categories: [...d.categories] } : {}),
    storageVersionHash: Buffer.from(`${apiVersionOf(d)}/${d.kind}`).toString("base64").slice(0, 11),
  };
}

/**
 * The discovery document at `path`, or undefined when `path` is not a discovery path.
 * `aggregated` selects the v2 documents for `/api` and `/apis`.
 */
export function discoveryDocument(path: string, aggregated: boolean): { body: unknown; contentType: string } | undefined {
  const clean = path.replace(/\/+$/, "") || "/";
  const json = (body: unknown) => ({ body, contentType: "application/json" });
  if (clean === "/version") return json(SERVER_VERSION);
  const gvs = groupVersions();
  if (clean === "/api") {
    if (aggregated) return { body: aggregatedList(gvs.filter((gv) => gv.group === "")), contentType: AGGREGATED_CONTENT_TYPE };
    return json({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1:6443" }] });
  }
  if (clean === "/apis") {
    if (aggregated) return { body: aggregatedList(gvs.filter((gv) => gv.group !== "")), contentType: AGGREGATED_CONTENT_TYPE };
    const groups = new Map<string, string[]>();
    for (const gv of [...gvs.filter((g) => g.group !== ""), SUBRESOURCES_GROUP]) groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
    return json({
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    });
  }
  const m = /^\/(?:api\/(v[^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(clean);
  if (m) {
    const group = m[2] ?? "";
    const version = m[1] ?? m[3]!;
    if (group === SUBRESOURCES_GROUP.group && version === SUBRESOURCES_GROUP.version) {
      return json({ kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group}/${version}`, resources: subresourceList() });
    }
    const defs = resources().filter((d) => d.group === group && d.version === version);
    if (defs.length === 0) return undefined;
    const list: Record<string, unknown>[] = [];
    for (const d of defs) {
      list.push(apiResource(d));
      for (const sub of d.subresources ?? []) list.push({ name: `${d.resource}/${sub}`, singularName: "", namespaced: d.namespaced, kind: d.kind, verbs: ["get", "patch", "update"] });
    }
    return json({ kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources: list });
  }
  if (/^\/apis\/[^/]+$/.exec(clean)) {
    const group = clean.slice("/apis/".length);
    const versions = [...gvs, SUBRESOURCES_GROUP].filter((gv) => gv.group === group).map((gv) => gv.version);
    if (versions.length === 0) return undefined;
    return json({ kind: "APIGroup", apiVersion: "v1", name: group, versions: versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })), preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] } });
  }
  return undefined;
}

function subresourceList(): Record<string, unknown>[] {
  return ["start", "stop", "restart", "migrate"].map((sub) => ({ name: `virtualmachines/${sub}`, singularName: "", namespaced: true, kind: "", verbs: ["update"] }));
}

function aggregatedList(gvs: { group: string; version: string }[]): Record<string, unknown> {
  const byGroup = new Map<string, string[]>();
  for (const gv of gvs) byGroup.set(gv.group, [...(byGroup.get(gv.group) ?? []), gv.version]);
  const items = [...byGroup].map(([group, versions]) => ({
    metadata: { name: group, creationTimestamp: null },
    versions: versions.map((version) => ({
      version,
      freshness: "Current",
      resources: resources()
        .filter((d) => d.group === group && d.version === version)
        .map((d) => ({
          resource: d.resource,
          responseKind: { group: d.group, version: d.version, kind: d.kind },
          scope: d.namespaced ? "Namespaced" : "Cluster",
          singularResource: d.singular,
          verbs: VERBS,
          ...(d.shortNames?.length ? { shortNames: [...d.shortNames] } : {}),
          ...(d.categories?.length ? { categories: [...d.categories] } : {}),
          ...(d.subresources?.length
            ? { subresources: d.subresources.map((s) => ({ subresource: s, responseKind: { group: d.group, version: d.version, kind: d.kind }, verbs: ["get", "patch", "update"] })) }
            : {}),
        })),
    })),
  }));
  return { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items };
}
