/**
 * The HTTP face of the KubeVirt API environment: Kubernetes REST paths for Nodes, VirtualMachines,
 * VMIs, VirtualMachineInstanceMigrations, the KubeVirt CR and MigrationPolicies, the VM lifecycle
 * subresources, `Status` errors, watch streams with bookmarks, and the fault knobs.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { admitMigrationCreate, admitMigrationUpdate } from "./admission.ts";
import { validateAgainst } from "./schema.ts";
import { ApiError, type Resource, type Store, type StoreEvent, type StoredObject, matchFields, matchLabels } from "./store.ts";

/** One request and its answer, for recordings. Watch answers carry their lines with time offsets. */
export interface Exchange {
  readonly seq: number;
  /** When the request arrived, ms after the server started listening. */
  readonly atMs: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly requestBody?: unknown;
  readonly contentType?: string;
  readonly status: number;
  readonly responseBody?: unknown;
  readonly watchLines?: readonly { readonly atMs: number; readonly line: string }[];
}

/** A fault on the next requests that match. */
export interface RequestFault {
  readonly matches: (method: string, path: string, watch: boolean) => boolean;
  /** How many more requests it hits. */
  count: number;
  /** `status`: answer this HTTP status before acting; `lose`: act, then cut the connection before answering. */
  readonly effect: { readonly kind: "status"; readonly status: number } | { readonly kind: "lose" };
}

/** Fault knobs of the HTTP layer. */
export interface HttpFaults {
  /** The next N requests (watches included) answer this status (default 503). */
  failNext: { count: number; status: number };
  /** Targeted faults, first match wins. */
  rules: RequestFault[];
  /** Every answer waits this long, ms. */
  slowMs: number;
  /** Bookmark period of watches, ms (0: none). */
  bookmarkIntervalMs: number;
}

interface Route {
  readonly resource: Resource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

const KINDS: Record<Resource, { kind: string; apiVersion: string; schema?: string; namespaced: boolean }> = {
  nodes: { kind: "Node", apiVersion: "v1", namespaced: false },
  virtualmachines: { kind: "VirtualMachine", apiVersion: "kubevirt.io/v1", schema: "v1.VirtualMachine", namespaced: true },
  virtualmachineinstances: { kind: "VirtualMachineInstance", apiVersion: "kubevirt.io/v1", schema: "v1.VirtualMachineInstance", namespaced: true },
  virtualmachineinstancemigrations: { kind: "VirtualMachineInstanceMigration", apiVersion: "kubevirt.io/v1", schema: "v1.VirtualMachineInstanceMigration", namespaced: true },
  kubevirts: { kind: "KubeVirt", apiVersion: "kubevirt.io/v1", schema: "v1.KubeVirt", namespaced: true },
  migrationpolicies: { kind: "MigrationPolicy", apiVersion: "migrations.kubevirt.io/v1alpha1", schema: "v1alpha1.MigrationPolicy", namespaced: false },
};

const KV_RESOURCES = new Set(["virtualmachines", "virtualmachineinstances", "virtualmachineinstancemigrations", "kubevirts"]);

/** Maps a URL path to a resource, or undefined. */
export function route(path: string): Route | undefined {
  const p = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (p[0] === "api" && p[1] === "v1" && p[2] === "nodes" && p.length <= 4) return { resource: "nodes", ...(p[3] ? { name: p[3] } : {}) };
  if (p[0] === "apis" && p[1] === "migrations.kubevirt.io" && p[2] === "v1alpha1" && p[3] === "migrationpolicies" && p.length <= 5) return { resource: "migrationpolicies", ...(p[4] ? { name: p[4] } : {}) };
  if (p[0] === "apis" && p[1] === "subresources.kubevirt.io" && p[2] === "v1" && p[3] === "namespaces" && p[5] === "virtualmachines" && p.length === 8) {
    return { resource: "virtualmachines", namespace: p[4]!, name: p[6]!, subresource: p[7]! };
  }
  if (p[0] === "apis" && p[1] === "kubevirt.io" && p[2] === "v1") {
    if (p[3] === "namespaces" && p[4] && KV_RESOURCES.has(p[5] ?? "") && p.length <= 8) {
      return { resource: p[5] as Resource, namespace: p[4], ...(p[6] ? { name: p[6] } : {}), ...(p[7] ? { subresource: p[7] } : {}) };
    }
    if (KV_RESOURCES.has(p[3] ?? "") && p.length === 4) return { resource: p[3] as Resource };
  }
  return undefined;
}

function statusBody(error: ApiError): Record<string, unknown> {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: error.message, reason: error.reason, ...(error.details ? { details: error.details } : {}), code: error.code };
}

const REASONS: Record<number, string> = { 500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout", 429: "TooManyRequests" };

/** Options of {@link ApiServer}. */
export interface ApiServerOptions {
  readonly store: Store;
  readonly faults: HttpFaults;
  /** Certificate and key the server presents. */
  readonly tls: { readonly cert: string; readonly key: string };
  /** When set, requests need `Authorization: Bearer <token()>` (read per request: the token may rotate). */
  readonly token?: () => string;
  /** Enables the DecentralizedLiveMigration admission path. Default false. */
  readonly decentralizedGate?: boolean;
  /** Called on every request (for request counts and recordings). */
  readonly onRequest?: (method: string, url: string) => void;
  /** Called with every finished exchange (recordings). */
  readonly onExchange?: (exchange: Exchange) => void;
  /** Prometheus text served at `/metrics` (virt-handler's migration metrics). */
  readonly metrics?: () => string;
  /** Subresource hooks the world provides (start/stop/migrate). */
  readonly subresource: (route: Required<Pick<Route, "namespace" | "name" | "subresource">>, body: unknown) => void;
}

/** The HTTP server. */
export class ApiServer {
  readonly #options: ApiServerOptions;
  readonly #server: Server;
  readonly #watches = new Set<ServerResponse>();
  #url = "";
  #seq = 0;
  #started = Date.now();

  constructor(options: ApiServerOptions) {
    this.#options = options;
    this.#server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => void this.#handle(req, res));
  }

  /** `https://127.0.0.1:<port>` once listening. */
  get url(): string {
    return this.#url;
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(port, "127.0.0.1", resolve));
    this.#url = `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    this.#started = Date.now();
    return this.#url;
  }

  /** Ends every open watch stream (clients must reconnect). */
  dropWatches(): number {
    const n = this.#watches.size;
    for (const res of [...this.#watches]) res.end();
    return n;
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const query = url.searchParams;
    this.#options.onRequest?.(method, `${url.pathname}${url.search}`);
    const faults = this.#options.faults;
    const seq = ++this.#seq;
    const atMs = Date.now() - this.#started;
    let body = "";
    const record = (status: number, responseBody: unknown, watchLines?: { atMs: number; line: string }[]) =>
      this.#options.onExchange?.({
        seq,
        atMs,
        method,
        path: url.pathname,
        query: url.search,
        ...(body ? { requestBody: parseMaybe(body), contentType: req.headers["content-type"] ?? "" } : {}),
        status,
        ...(responseBody === "" || responseBody === undefined ? {} : { responseBody }),
        ...(watchLines ? { watchLines } : {}),
      });
    try {
      body = await readBody(req);
      if (faults.slowMs > 0) await new Promise((r) => setTimeout(r, faults.slowMs));
      if (this.#options.token !== undefined && req.headers.authorization !== `Bearer ${this.#options.token()}`) throw new ApiError(401, "Unauthorized", "Unauthorized");
      if (faults.failNext.count > 0) {
        faults.failNext.count--;
        throw new ApiError(faults.failNext.status, REASONS[faults.failNext.status] ?? "InternalError", `injected fault: the server answered ${faults.failNext.status}`);
      }
      if (method === "GET" && url.pathname === "/metrics" && this.#options.metrics) {
        const text = this.#options.metrics();
        res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4", "Content-Length": String(Buffer.byteLength(text)) });
        res.end(text);
        record(200, text);
        return;
      }
      const r = route(url.pathname);
      if (!r) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
      const watch = query.get("watch") === "true" || query.get("watch") === "1";
      const rule = faults.rules.find((f) => f.count > 0 && f.matches(method, url.pathname, watch));
      if (rule) {
        rule.count--;
        if (rule.effect.kind === "status") throw new ApiError(rule.effect.status, REASONS[rule.effect.status] ?? "InternalError", `injected fault: the server answered ${rule.effect.status}`);
        this.#dispatch(method, r, query, body, req.headers["content-type"] ?? "");
        res.destroy();
        return;
      }
      if (method === "GET" && watch && !r.name) return this.#watch(r, query, res, (lines) => record(200, undefined, lines));
      const answer = this.#dispatch(method, r, query, body, req.headers["content-type"] ?? "");
      send(res, answer.code, answer.body, answer.warnings);
      record(answer.code, answer.body);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, "InternalError", error instanceof Error ? error.message : String(error));
      send(res, apiError.code, statusBody(apiError));
      record(apiError.code, statusBody(apiError));
    }
  }

  #dispatch(method: string, r: Route, query: URLSearchParams, raw: string, contentType: string): { code: number; body: unknown; warnings?: string[] } {
    const store = this.#options.store;
    const meta = KINDS[r.resource];
    const parse = (): StoredObject => {
      try {
        return JSON.parse(raw || "{}") as StoredObject;
      } catch (error) {
        throw new ApiError(400, "BadRequest", `the body of the request was in an unknown format: ${(error as Error).message}`);
      }
    };
    if (r.subresource) {
      if (method !== "PUT") throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
      if (!["start", "stop", "restart", "migrate"].includes(r.subresource) || r.resource !== "virtualmachines") throw new ApiError(404, "NotFound", `the server could not find the requested resource`);
      this.#options.subresource({ namespace: r.namespace!, name: r.name!, subresource: r.subresource }, raw ? parse() : {});
      return { code: 202, body: "" };
    }
    switch (method) {
      case "GET": {
        if (r.name) return { code: 200, body: store.require(r.resource, r.namespace, r.name) };
        const limit = query.get("limit");
        const page = store.list(r.resource, r.namespace, {
          ...(query.get("labelSelector") ? { label: query.get("labelSelector")! } : {}),
          ...(query.get("fieldSelector") ? { field: query.get("fieldSelector")! } : {}),
          ...(limit ? { limit: Number(limit) } : {}),
          ...(query.get("continue") ? { continue: query.get("continue")! } : {}),
        });
        return {
          code: 200,
          body: {
            apiVersion: meta.apiVersion,
            kind: `${meta.kind}List`,
            metadata: { resourceVersion: page.resourceVersion, ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}) },
            items: page.items.map((o) => ({ apiVersion: meta.apiVersion, kind: meta.kind, ...o })),
          },
        };
      }
      case "POST": {
        if (r.name) throw new ApiError(405, "MethodNotAllowed", "POST on a named resource");
        let object = parse();
        const warnings = this.#validate(r.resource, object);
        const ns = r.namespace;
        if (meta.namespaced) {
          if (object.metadata?.namespace && object.metadata.namespace !== ns) throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
          object.metadata = { ...object.metadata, ...(ns ? { namespace: ns } : {}) };
        }
        if (r.resource === "virtualmachineinstancemigrations") object = admitMigrationCreate(store, ns!, object, this.#options.decentralizedGate ?? false);
        object.apiVersion = meta.apiVersion;
        object.kind = meta.kind;
        return { code: 201, body: store.create(r.resource, meta.kind, object), warnings };
      }
      case "PUT":
      case "PATCH": {
        if (!r.name) throw new ApiError(405, "MethodNotAllowed", `${method} on a collection`);
        const current = store.require(r.resource, r.namespace, r.name);
        const next = method === "PUT" ? parse() : applyPatch(current, raw, contentType);
        if (next.metadata?.name !== undefined && next.metadata.name !== r.name) throw new ApiError(400, "BadRequest", "the name of the object does not match the name on the URL");
        next.metadata = { ...current.metadata, ...next.metadata, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}), uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp };
        if (method === "PATCH" && !(JSON.parse(raw || "{}") as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion) next.metadata.resourceVersion = "";
        if (r.resource !== "nodes") {
          // The status subresource is separate: writes to the object keep the stored status.
          if (current.status === undefined) delete next.status;
          else next.status = current.status;
        }
        const warnings = this.#validate(r.resource, next);
        if (r.resource === "virtualmachineinstancemigrations") admitMigrationUpdate(current, next);
        return { code: 200, body: store.update(r.resource, next), warnings };
      }
      case "DELETE":
        if (!r.name) throw new ApiError(405, "MethodNotAllowed", "deletecollection is not served by this environment");
        return { code: 200, body: store.delete(r.resource, r.namespace, r.name, raw ? ((parse() as { preconditions?: { uid?: string; resourceVersion?: string } }).preconditions ?? {}) : {}) };
      default:
        throw new ApiError(405, "MethodNotAllowed", `method ${method} not allowed`);
    }
  }

  /** Schema validation: 422 with causes on errors; unknown fields pruned with a warning. */
  #validate(resource: Resource, object: StoredObject): string[] {
    const schema = KINDS[resource].schema;
    if (!schema) return [];
    const { causes, unknown } = validateAgainst(schema, object, { prune: true });
    if (causes.length > 0) {
      const name = object.metadata?.name ?? object.metadata?.generateName ?? "";
      throw new ApiError(422, "Invalid", `${KINDS[resource].kind}.${KINDS[resource].apiVersion.split("/")[0]} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`, { name, group: KINDS[resource].apiVersion.split("/")[0], kind: KINDS[resource].kind, causes });
    }
    return unknown.map((u) => `unknown field "${u}"`);
  }

  #watch(r: Route, query: URLSearchParams, res: ServerResponse, done: (lines: { atMs: number; line: string }[]) => void): void {
    const store = this.#options.store;
    const meta = KINDS[r.resource];
    const label = query.get("labelSelector") ?? undefined;
    const field = query.get("fieldSelector") ?? undefined;
    const matches = (o: StoredObject) => (r.namespace === undefined || o.metadata.namespace === r.namespace) && matchLabels(label, o.metadata.labels) && matchFields(field, o);
    const rvParam = query.get("resourceVersion");
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache" });
    const opened = Date.now();
    const lines: { atMs: number; line: string }[] = [];
    const write = (type: string, object: unknown) => {
      const line = JSON.stringify({ type, object });
      lines.push({ atMs: Date.now() - opened, line });
      res.write(`${line}\n`);
    };
    const emit = (e: StoreEvent) => {
      if (e.resource === r.resource && matches(e.object)) write(e.type, { apiVersion: meta.apiVersion, kind: meta.kind, ...e.object });
    };
    let backlog: StoreEvent[];
    try {
      if (!rvParam || rvParam === "0") {
        backlog = store.all(r.resource, r.namespace, { ...(label ? { label } : {}), ...(field ? { field } : {}) }).map((o) => ({ type: "ADDED" as const, resource: r.resource, rv: Number(o.metadata.resourceVersion), object: o }));
      } else backlog = store.since(r.resource, Number(rvParam));
    } catch (error) {
      if (error instanceof ApiError) {
        write("ERROR", statusBody(error));
        res.end();
        done(lines);
        return;
      }
      throw error;
    }
    for (const e of backlog) emit(e);
    const unsubscribe = store.subscribe(emit);
    this.#watches.add(res);
    const bookmarks = query.get("allowWatchBookmarks") === "true" && this.#options.faults.bookmarkIntervalMs > 0
      ? setInterval(() => write("BOOKMARK", { apiVersion: meta.apiVersion, kind: meta.kind, metadata: { resourceVersion: store.resourceVersion, annotations: { "k8s.io/initial-events-end": "true" } } }), this.#options.faults.bookmarkIntervalMs)
      : undefined;
    const timeoutSeconds = Number(query.get("timeoutSeconds") ?? "0");
    const timeout = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
    let finished = false;
    const cleanup = () => {
      if (!finished) done(lines);
      finished = true;
      unsubscribe();
      clearInterval(bookmarks);
      clearTimeout(timeout);
      this.#watches.delete(res);
    };
    res.on("close", cleanup);
    res.on("finish", cleanup);
  }
}

function send(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = body === "" ? "" : JSON.stringify(body);
  const headers: Record<string, string | string[]> = { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)) };
  if (warnings.length) headers["Warning"] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text;
}

/** JSON merge patch (RFC 7386) or JSON patch (RFC 6902: add, replace, remove, test). */
export function applyPatch(current: StoredObject, raw: string, contentType: string): StoredObject {
  let patch: unknown;
  try {
    patch = JSON.parse(raw);
  } catch {
    throw new ApiError(400, "BadRequest", "the patch is not JSON");
  }
  if (contentType.startsWith("application/json-patch+json")) {
    const doc = structuredClone(current) as unknown as Record<string, unknown>;
    for (const op of patch as { op: string; path: string; value?: unknown }[]) {
      const parts = op.path.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
      const last = parts.pop()!;
      let parent: Record<string, unknown> = doc;
      for (const p of parts) parent = (parent[p] ??= {}) as Record<string, unknown>;
      if (op.op === "test" && JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw new ApiError(422, "Invalid", `the test operation on ${op.path} failed`);
      if (op.op === "remove") delete parent[last];
      if (op.op === "add" || op.op === "replace") parent[last] = op.value;
    }
    return doc as unknown as StoredObject;
  }
  if (contentType.startsWith("application/merge-patch+json") || contentType.startsWith("application/strategic-merge-patch+json")) {
    return merge(structuredClone(current), patch) as StoredObject;
  }
  throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`);
}

function merge(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out = (target !== null && typeof target === "object" && !Array.isArray(target) ? target : {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}
