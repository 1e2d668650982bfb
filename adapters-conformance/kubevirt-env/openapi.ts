/**
 * OpenAPI documents of the environment, built from the pinned KubeVirt v1.9.0 spec
 * (packages/kubevirt/spec/openapi3.json, provenance in its README) and the resource registry:
 *
 * - `/openapi/v3`: the index (`paths` → `serverRelativeURL` with a content hash), and
 *   `/openapi/v3/api/v1`, `/openapi/v3/apis/{group}/{version}`: one OpenAPI 3.0 document per group
 *   version, with the REST paths of its resources and every schema of the pinned spec. Each PATCH
 *   operation carries `x-kubernetes-group-version-kind`, the `dryRun`/`fieldManager`/`fieldValidation`/
 *   `force` query parameters and the patch media types the resource accepts: kubectl reads these to
 *   decide on server-side field validation and on the patch type of `kubectl apply`.
 * - `/openapi/v2`: the same as one Swagger 2.0 document (JSON only; a client that accepts nothing but
 *   protobuf gets 406, and client-go's callers then go on without it).
 *
 * Kubernetes' own Node is not in the KubeVirt spec: it is described by a short schema written here
 * (metadata, spec, status as open objects), enough for discovery and `kubectl explain node`.
 */
import { createHash } from "node:crypto";
import { patchTypesOf } from "./patch.ts";
import { type ResourceDefinition, apiVersionOf, groupVersions, resources } from "./resources.ts";
import { type SchemaNode, schemas } from "./schema.ts";

const META = "k8s.io.apimachinery.pkg.apis.meta.v1";

/** Schemas the pinned spec lacks, written here (the core types the environment serves). */
const CORE_SCHEMAS: Record<string, Record<string, unknown>> = {
  "k8s.io.api.core.v1.Node": {
    description: "Node is a worker node in Kubernetes. (Abbreviated by kubevirt-env: spec and status are open objects.)",
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { $ref: `#/components/schemas/${META}.ObjectMeta` },
      spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
  },
};

function schemaNameOf(d: ResourceDefinition): string {
  return d.schema ?? `k8s.io.api.core.v1.${d.kind}`;
}

function parameters(names: string[]): Record<string, unknown>[] {
  return names.map((name) => ({ name, in: "query", schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true } }));
}

function pathsFor(d: ResourceDefinition): Record<string, unknown> {
  const prefix = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
  const base = d.namespaced ? `${prefix}/namespaces/{namespace}/${d.resource}` : `${prefix}/${d.resource}`;
  const gvk = { group: d.group, version: d.version, kind: d.kind };
  const ref = { $ref: `#/components/schemas/${schemaNameOf(d)}` };
  const body = (types: string[]) => ({ content: Object.fromEntries(types.map((t) => [t, { schema: ref }])), required: true });
  const ok = { 200: { description: "OK", content: { "application/json": { schema: ref } } } };
  const op = (action: string, extra: Record<string, unknown> = {}) => ({ "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk, responses: ok, ...extra });
  const write = ["dryRun", "fieldManager", "fieldValidation"];
  return {
    [base]: {
      get: op("list", { parameters: parameters(["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch", "timeoutSeconds"]) }),
      post: op("post", { parameters: parameters(write), requestBody: body(["*/*"]) }),
    },
    [`${base}/{name}`]: {
      get: op("get"),
      put: op("put", { parameters: parameters(write), requestBody: body(["*/*"]) }),
      patch: op("patch", { parameters: parameters([...write, "force"]), requestBody: body(patchTypesOf(d)) }),
      delete: op("delete", { parameters: parameters(["dryRun", "gracePeriodSeconds", "propagationPolicy"]) }),
    },
  };
}

let v3Cache: Map<string, { text: string; hash: string }> | undefined;
/** The registry the cached documents were built from (a registration after that rebuilds them). */
let builtFor = "";

function freshCaches(): void {
  const key = resources().map((d) => `${apiVersionOf(d)}/${d.resource}`).join(",");
  if (key === builtFor) return;
  builtFor = key;
  v3Cache = undefined;
  v2Cache = undefined;
}

function allSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(schemas() as Record<string, SchemaNode>), ...CORE_SCHEMAS };
  for (const d of resources()) {
    const name = schemaNameOf(d);
    if (out[name]) out[name] = { ...(out[name] as object), "x-kubernetes-group-version-kind": [{ group: d.group, version: d.version, kind: d.kind }] };
  }
  return out;
}

function v3Documents(): Map<string, { text: string; hash: string }> {
  freshCaches();
  if (v3Cache) return v3Cache;
  const components = allSchemas();
  v3Cache = new Map();
  for (const gv of groupVersions()) {
    const key = gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
    const defs = resources().filter((d) => d.group === gv.group && d.version === gv.version);
    const doc = {
      openapi: "3.0.0",
      info: { title: "Kubernetes (kubevirt-env)", version: "v1.35.0" },
      paths: Object.assign({}, ...defs.map(pathsFor)) as Record<string, unknown>,
      components: { schemas: components },
    };
    const text = JSON.stringify(doc);
    v3Cache.set(key, { text, hash: createHash("sha512").update(text).digest("hex").slice(0, 128).toUpperCase() });
  }
  return v3Cache;
}

let v2Cache: string | undefined;

function v2Document(): string {
  freshCaches();
  if (v2Cache) return v2Cache;
  const definitions = JSON.parse(JSON.stringify(allSchemas()).replaceAll("#/components/schemas/", "#/definitions/")) as Record<string, unknown>;
  const paths: Record<string, unknown> = {};
  for (const d of resources()) {
    for (const [path, ops] of Object.entries(pathsFor(d))) {
      paths[path] = Object.fromEntries(
        Object.entries(ops as Record<string, Record<string, unknown>>).map(([verb, op]) => {
          const { requestBody, responses: _responses, parameters: params, ...rest } = op as { requestBody?: { content: Record<string, unknown> }; responses: unknown; parameters?: { name: string; in: string; schema: { type: string } }[] };
          const ref = { $ref: `#/definitions/${schemaNameOf(d)}` };
          return [
            verb,
            {
              ...rest,
              ...(requestBody ? { consumes: Object.keys(requestBody.content) } : {}),
              produces: ["application/json", "application/yaml"],
              parameters: [...(params ?? []).map((p) => ({ name: p.name, in: p.in, type: p.schema.type, uniqueItems: true })), ...(requestBody ? [{ name: "body", in: "body", required: true, schema: ref }] : [])],
              responses: { 200: { description: "OK", schema: ref } },
            },
          ];
        }),
      );
    }
  }
  v2Cache = JSON.stringify({ swagger: "2.0", info: { title: "Kubernetes (kubevirt-env)", version: "v1.35.0" }, paths, definitions });
  return v2Cache;
}

/** An OpenAPI answer: a JSON text, or a status when the path or the requested format is not served. */
export type OpenApiAnswer = { readonly status: 200; readonly text: string } | { readonly status: 404 | 406 };

/** Whether an Accept header admits JSON (`application/json`, `application/*`, `*\/*` or none). */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(",").some((p) => {
    const type = p.split(";")[0]!.trim();
    return type === "application/json" || type === "application/*" || type === "*/*";
  });
}

/** The OpenAPI document at `path` (`/openapi/v2`, `/openapi/v3`, `/openapi/v3/...`), or undefined for other paths. */
export function openApiDocument(path: string, accept: string | undefined): OpenApiAnswer | undefined {
  if (path !== "/openapi/v2" && path !== "/openapi/v3" && !path.startsWith("/openapi/v3/")) return undefined;
  if (!acceptsJson(accept)) return { status: 406 };
  if (path === "/openapi/v2") return { status: 200, text: v2Document() };
  const docs = v3Documents();
  if (path === "/openapi/v3") {
    return { status: 200, text: JSON.stringify({ paths: Object.fromEntries([...docs].map(([key, doc]) => [key, { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` }])) }) };
  }
  const doc = docs.get(path.slice("/openapi/v3/".length));
  return doc ? { status: 200, text: doc.text } : { status: 404 };
}
