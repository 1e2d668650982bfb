/**
 * The HTTP face of the KubeVirt API environment: Kubernetes REST paths for the registered resources
 * (resources.ts), the VM lifecycle subresources, `/version`, discovery (discovery.ts), OpenAPI
 * (openapi.ts), Table output (table.ts), `dryRun=All`, field validation, the patch types per kind
 * (patch.ts), server-side apply and managedFields (apply.ts), `Status` errors with details, watch
 * streams with bookmarks, and the fault knobs.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { admitMigrationCreate, admitMigrationUpdate, admitPolicy, admitVmCreate, admitVmDataVolumeTemplates } from "./admission.ts";
import type { NamespacedAuthorizer } from "./rbac.ts";
import { recordUpdate, serverSideApply } from "./apply.ts";
import { discoveryDocument, wantsAggregated } from "./discovery.ts";
import { openApiDocument } from "./openapi.ts";
import { PATCH_TYPES, applyPatch, mediaType, unsupportedPatch } from "./patch.ts";
import { type ResourceDefinition, type Route, apiVersionOf, definitionOf, route } from "./resources.ts";
import { issueUploadToken } from "./cdi.ts";
import { validateAgainst } from "./schema.ts";
import { ApiError, type Resource, type Store, type StoreEvent, type StoredObject, matchFields, matchLabels } from "./store.ts";
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from "./table.ts";

export { applyPatch } from "./patch.ts";
export { route } from "./resources.ts";

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
  /** Namespace-scoped tokens (rbac.ts): accepted besides `token`, and their requests authorized. */
  readonly authorizer?: NamespacedAuthorizer;
  /** Enables the DecentralizedLiveMigration admission path. Default false. */
  readonly decentralizedGate?: boolean;
  /** Called on every request (for request counts and recordings). */
  readonly onRequest?: (method: string, url: string) => void;
  /** Called with every finished exchange (recordings). */
  readonly onExchange?: (exchange: Exchange) => void;
  /** Prometheus text served at `/metrics` (virt-handler's migration metrics). */
  readonly metrics?: () => string;
  /**
   * A pod container's log (`GET …/pods/<name>/log`, kubelet.ts): its text, or a message why there
   * is none yet (answered 400, as the kubelet's "container … is waiting to start"). Absent → 404.
   */
  readonly podLog?: (namespace: string, name: string, container: string | undefined) => { readonly text: string } | { readonly waiting: string };
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
      const grant = this.#options.authorizer?.authenticate(req.headers.authorization);
      if (this.#options.token !== undefined && req.headers.authorization !== `Bearer ${this.#options.token()}` && !grant) throw new ApiError(401, "Unauthorized", "Unauthorized");
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
      if (method === "GET") {
        const discovery = discoveryDocument(url.pathname, wantsAggregated(req.headers.accept));
        if (discovery) {
          sendText(res, 200, JSON.stringify(discovery.body), discovery.contentType);
          record(200, discovery.body);
          return;
        }
        const openapi = openApiDocument(url.pathname, req.headers.accept);
        if (openapi) {
          if (openapi.status !== 200) throw new ApiError(openapi.status, openapi.status === 406 ? "NotAcceptable" : "NotFound", openapi.status === 406 ? "only application/json is served for OpenAPI documents" : "the server could not find the requested resource");
          sendText(res, 200, openapi.text, "application/json");
          record(200, "(openapi)");
          return;
        }
      }
      const r = route(url.pathname);
      if (!r) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
      const watch = query.get("watch") === "true" || query.get("watch") === "1";
      if (grant) this.#options.authorizer!.authorize(grant, method, r, watch);
      const rule = faults.rules.find((f) => f.count > 0 && f.matches(method, url.pathname, watch));
      const request: Request = { method, route: r, query, raw: body, contentType: req.headers["content-type"] ?? "", table: wantsTable(req.headers.accept) };
      if (rule) {
        rule.count--;
        if (rule.effect.kind === "status") throw new ApiError(rule.effect.status, REASONS[rule.effect.status] ?? "InternalError", `injected fault: the server answered ${rule.effect.status}`);
        this.#dispatch(request);
        res.destroy();
        return;
      }
      if (method === "GET" && r.resource === ("pods" as Resource) && r.subresource === "log") {
        const text = this.#podLog(r.namespace!, r.name!, query);
        sendText(res, 200, text, "text/plain");
        record(200, text);
        return;
      }
      if (method === "GET" && watch && !r.name) return this.#watch(request, res, (lines) => record(200, undefined, lines));
      const answer = this.#dispatch(request);
      send(res, answer.code, answer.body, answer.warnings, answer.table ? TABLE_CONTENT_TYPE : undefined);
      record(answer.code, answer.body);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, "InternalError", error instanceof Error ? error.message : String(error));
      const status = statusBody(apiError);
      send(res, apiError.code, status);
      record(apiError.code, status);
    }
  }

  /** The log text a `GET …/pods/<name>/log` answers (`container`, `tailLines`), or the ApiError Kubernetes answers. */
  #podLog(namespace: string, name: string, query: URLSearchParams): string {
    const pod = this.#options.store.require("pods" as never, namespace, name) as StoredObject & { spec?: { containers?: { name: string }[] } };
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const container = query.get("container") ?? (names.length === 1 ? names[0] : undefined);
    if (container === undefined) throw new ApiError(400, "BadRequest", `a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`);
    if (!names.includes(container)) throw new ApiError(400, "BadRequest", `container ${container} is not valid for pod ${name}`);
    const log = this.#options.podLog?.(namespace, name, container);
    if (!log) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    if ("waiting" in log) throw new ApiError(400, "BadRequest", `container "${container}" in pod "${name}" is waiting to start: ${log.waiting}`);
    const tail = query.get("tailLines");
    if (tail === null) return log.text;
    const lines = log.text.split(/(?<=\n)/);
    return lines.slice(Math.max(0, lines.length - Number(tail))).join("");
  }

  #dispatch(request: Request): { code: number; body: unknown; warnings?: string[]; table?: boolean } {
    try {
      return this.#dispatchUnqualified(request);
    } catch (error) {
      throw error instanceof ApiError ? qualify(error, definitionOf(request.route.resource)!) : error;
    }
  }

  #dispatchUnqualified(request: Request): { code: number; body: unknown; warnings?: string[]; table?: boolean } {
    const { method, route: r, query, raw, contentType } = request;
    const store = this.#options.store;
    const meta = definitionOf(r.resource)!;
    const apiVersion = apiVersionOf(meta);
    const dryRun = dryRunOf(query);
    const fieldManager = query.get("fieldManager") ?? undefined;
    const strict = query.get("fieldValidation") === "Strict";
    const parse = (): StoredObject => {
      try {
        return JSON.parse(raw || "{}") as StoredObject;
      } catch (error) {
        throw new ApiError(400, "BadRequest", `the body of the request was in an unknown format: ${(error as Error).message}`);
      }
    };
    const typed = (o: StoredObject) => ({ apiVersion, kind: meta.kind, ...o });
    if (r.subresource && r.subresource !== "status") {
      if (method !== "PUT") throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
      if (!["start", "stop", "restart", "migrate"].includes(r.subresource) || r.resource !== "virtualmachines") throw new ApiError(404, "NotFound", `the server could not find the requested resource`);
      this.#options.subresource({ namespace: r.namespace!, name: r.name!, subresource: r.subresource }, raw ? parse() : {});
      return { code: 202, body: "" };
    }
    const statusOnly = r.subresource === "status";
    switch (method) {
      case "GET": {
        if (r.name) {
          const found = typed(store.require(r.resource, r.namespace, r.name));
          if (request.table) return { code: 200, body: toTable(meta, [found], { includeObject: query.get("includeObject") }), table: true };
          return { code: 200, body: found };
        }
        const selectors = this.#selectors(meta, query);
        const limit = query.get("limit");
        const page = store.list(r.resource, r.namespace, {
          ...(query.get("labelSelector") ? { label: query.get("labelSelector")! } : {}),
          ...(selectors.storeField ? { field: selectors.storeField } : {}),
          ...(limit ? { limit: Number(limit) } : {}),
          ...(query.get("continue") ? { continue: query.get("continue")! } : {}),
        });
        const items = page.items.filter(selectors.extra);
        const listMeta = { resourceVersion: page.resourceVersion, ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}) };
        if (request.table) return { code: 200, body: toTable(meta, items, { listMeta, includeObject: query.get("includeObject") }), table: true };
        return { code: 200, body: { apiVersion, kind: `${meta.kind}List`, metadata: listMeta, items: items.map(typed) } };
      }
      case "POST": {
        if (r.name) throw new ApiError(405, "MethodNotAllowed", "POST on a named resource");
        let object = parse();
        checkTypeMeta(meta, object, object.metadata?.name ?? "");
        const warnings = this.#validate(meta, object, strict);
        const ns = r.namespace;
        if (meta.namespaced) {
          if (object.metadata?.namespace && object.metadata.namespace !== ns) throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
          object.metadata = { ...object.metadata, ...(ns ? { namespace: ns } : {}) };
        }
        if (r.resource === "virtualmachineinstancemigrations") object = admitMigrationCreate(store, ns!, object, this.#options.decentralizedGate ?? false);
        if (r.resource === "virtualmachines") admitVmCreate(object, this.#options.decentralizedGate ?? false);
        if (r.resource === "migrationpolicies") admitPolicy(store, object, undefined);
        if (r.resource === "virtualmachines") admitVmDataVolumeTemplates(object);
        if ((r.resource as string) === "uploadtokenrequests") object = issueUploadToken(object, ns!);
        object.apiVersion = apiVersion;
        object.kind = meta.kind;
        if (fieldManager) recordUpdate(undefined, object, fieldManager, apiVersion);
        if (dryRun) return { code: 201, body: typed(dryCreate(store, meta, object)), warnings };
        return { code: 201, body: typed(store.create(r.resource, meta.kind, object)), warnings };
      }
      case "PUT":
      case "PATCH": {
        if (!r.name) throw new ApiError(405, "MethodNotAllowed", `${method} on a collection`);
        const type = mediaType(contentType);
        if (method === "PATCH") {
          const refused = unsupportedPatch(meta, contentType);
          if (refused) throw refused;
          if (type !== PATCH_TYPES.apply && query.has("force")) throw patchOptionsInvalid("Forbidden", "force", "may not be specified for non-apply patch");
          if (type === PATCH_TYPES.apply) return this.#apply(request, meta, dryRun, strict);
        }
        const current = store.require(r.resource, r.namespace, r.name);
        const next = method === "PUT" ? parse() : applyPatch(current, raw, contentType);
        if (method === "PUT") checkTypeMeta(meta, next, r.name);
        if (next.metadata?.name !== undefined && next.metadata.name !== r.name) throw new ApiError(400, "BadRequest", "the name of the object does not match the name on the URL");
        next.metadata = { ...current.metadata, ...next.metadata, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}), uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp };
        if (method === "PATCH" && !(parseMaybe(raw) as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion) next.metadata.resourceVersion = "";
        if (statusOnly) {
          // The status subresource writes status only.
          next.spec = current.spec;
          next.metadata = { ...current.metadata, resourceVersion: next.metadata.resourceVersion };
        } else if (r.resource !== "nodes" && r.resource !== "namespaces") {
          // The status subresource is separate: writes to the object keep the stored status.
          if (current.status === undefined) delete next.status;
          else next.status = current.status;
        }
        const warnings = this.#validate(meta, next, strict);
        if (r.resource === "virtualmachineinstancemigrations" && !statusOnly) admitMigrationUpdate(current, next);
        if (r.resource === "migrationpolicies" && !statusOnly) admitPolicy(store, next, current);
        if (r.resource === "virtualmachines" && !statusOnly) admitVmDataVolumeTemplates(next);
        if (fieldManager) recordUpdate(current, next, fieldManager, apiVersion);
        if (dryRun) return { code: 200, body: typed(dryUpdate(current, next)), warnings };
        return { code: 200, body: typed(store.update(r.resource, next)), warnings };
      }
      case "DELETE": {
        if (!r.name) throw new ApiError(405, "MethodNotAllowed", "deletecollection is not served by this environment");
        const options = raw ? (parse() as { preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[] }) : {};
        const preconditions = options.preconditions ?? {};
        // DeleteOptions carry dryRun in the body too (kubectl sends it there).
        if (dryRun || dryRunOf(new URLSearchParams((options.dryRun ?? []).map((v): [string, string] => ["dryRun", v])))) return { code: 200, body: typed(dryDelete(store.require(r.resource, r.namespace, r.name), preconditions)) };
        return { code: 200, body: typed(store.delete(r.resource, r.namespace, r.name, preconditions)) };
      }
      default:
        throw new ApiError(405, "MethodNotAllowed", `method ${method} not allowed`);
    }
  }

  /** Server-side apply: creates the object when absent, else merges the applied configuration (apply.ts). */
  #apply(request: Request, meta: ResourceDefinition, dryRun: boolean, strict: boolean): { code: number; body: unknown; warnings?: string[] } {
    const { route: r, query, raw } = request;
    const store = this.#options.store;
    const apiVersion = apiVersionOf(meta);
    const manager = query.get("fieldManager");
    if (!manager) throw patchOptionsInvalid("Required", "fieldManager", "is required for apply patch");
    let applied: StoredObject;
    try {
      applied = JSON.parse(raw) as StoredObject;
    } catch (error) {
      throw new ApiError(400, "BadRequest", `error decoding YAML: ${(error as Error).message} (this environment reads apply bodies as JSON, which kubectl sends)`);
    }
    checkTypeMeta(meta, applied, r.name!);
    applied.metadata = { ...applied.metadata, name: r.name!, ...(r.namespace ? { namespace: r.namespace } : {}) };
    const current = store.get(r.resource, r.namespace, r.name!);
    const force = query.get("force") === "true";
    let next = serverSideApply(current, applied, manager, apiVersion, force);
    next.metadata = { ...next.metadata, name: r.name!, ...(r.namespace ? { namespace: r.namespace } : {}) };
    next.apiVersion = apiVersion;
    next.kind = meta.kind;
    if (current && r.resource !== "nodes" && r.resource !== "namespaces") {
      if (current.status === undefined) delete next.status;
      else next.status = current.status;
    }
    const warnings = this.#validate(meta, next, strict);
    if (!current) {
      if (r.resource === "virtualmachineinstancemigrations") next = admitMigrationCreate(store, r.namespace!, next, this.#options.decentralizedGate ?? false);
      if (r.resource === "migrationpolicies") admitPolicy(store, next, undefined);
      if (r.resource === "virtualmachines") admitVmDataVolumeTemplates(next);
      if (dryRun) return { code: 201, body: dryCreate(store, meta, next), warnings };
      return { code: 201, body: store.create(r.resource, meta.kind, next), warnings };
    }
    if (r.resource === "virtualmachineinstancemigrations") admitMigrationUpdate(current, next);
    if (r.resource === "migrationpolicies") admitPolicy(store, next, current);
    if (r.resource === "virtualmachines") admitVmDataVolumeTemplates(next);
    next.metadata.resourceVersion = "";
    if (dryRun) return { code: 200, body: dryUpdate(current, next), warnings };
    return { code: 200, body: store.update(r.resource, next), warnings };
  }

  /**
   * Field selectors: `metadata.name` and `metadata.namespace` for every resource, plus the ones the
   * resource declares; anything else is refused as the API server refuses it.
   */
  #selectors(meta: ResourceDefinition, query: URLSearchParams): Selection {
    const selector = query.get("fieldSelector");
    if (!selector) return { extra: () => true };
    const storeTerms: string[] = [];
    const extraTerms: { read: (o: StoredObject) => string; op: string; value: string }[] = [];
    for (const raw of selector.split(",")) {
      const m = /^([\w.]+)\s*(==?|!=)\s*(.*)$/.exec(raw.trim());
      if (!m) throw new ApiError(400, "BadRequest", `invalid selector: '${selector}'; can't understand '${raw}'`);
      const [, field, op, value] = m as unknown as [string, string, string, string];
      if (field === "metadata.name" || field === "metadata.namespace") storeTerms.push(raw.trim());
      else if (meta.fieldSelectors?.[field]) extraTerms.push({ read: meta.fieldSelectors[field], op, value });
      else if (meta.builtIn) throw new ApiError(400, "BadRequest", `field label not supported: ${field}`);
      else throw new ApiError(400, "BadRequest", `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    return {
      ...(storeTerms.length ? { storeField: storeTerms.join(",") } : {}),
      extra: (o) => extraTerms.every((t) => (t.op === "!=" ? t.read(o) !== t.value : t.read(o) === t.value)),
    };
  }

  /**
   * Schema validation: 422 with causes on errors. Unknown fields are pruned and reported as warnings
   * (fieldValidation Warn, the default), or refused with 400 under `fieldValidation=Strict`.
   */
  #validate(meta: ResourceDefinition, object: StoredObject, strict: boolean): string[] {
    if (!meta.schema) return [];
    const { causes, unknown } = validateAgainst(meta.schema, object, { prune: !strict });
    if (causes.length > 0) {
      const name = object.metadata?.name ?? object.metadata?.generateName ?? "";
      throw new ApiError(422, "Invalid", `${meta.kind}.${meta.group} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`, { name, group: meta.group, kind: meta.kind, causes });
    }
    if (strict && unknown.length > 0) {
      throw new ApiError(400, "BadRequest", `${meta.kind} in version "${meta.version}" cannot be handled as a ${meta.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(", ")}`);
    }
    return unknown.map((u) => `unknown field "${u}"`);
  }

  #watch(request: Request, res: ServerResponse, done: (lines: { atMs: number; line: string }[]) => void): void {
    const { route: r, query } = request;
    const store = this.#options.store;
    const meta = definitionOf(r.resource)!;
    const label = query.get("labelSelector") ?? undefined;
    let selectors: Selection;
    try {
      selectors = this.#selectors(meta, query);
      matchLabels(label, {});
    } catch (error) {
      const apiError = error as ApiError;
      send(res, apiError.code, statusBody(apiError));
      done([]);
      return;
    }
    const field = selectors.storeField;
    const matches = (o: StoredObject) => (r.namespace === undefined || o.metadata.namespace === r.namespace) && matchLabels(label, o.metadata.labels) && matchFields(field, o) && selectors.extra(o);
    const rvParam = query.get("resourceVersion");
    res.writeHead(200, { "Content-Type": request.table ? TABLE_CONTENT_TYPE : "application/json", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache" });
    const opened = Date.now();
    const lines: { atMs: number; line: string }[] = [];
    let headers = true;
    const write = (type: string, object: unknown) => {
      // A watch ended (timeout, a dropped-watch fault) is not written to: its bookmark timer or a
      // store event can still fire between end() and the 'finish' that clears them.
      if (res.writableEnded || res.destroyed) return;
      const line = JSON.stringify({ type, object });
      lines.push({ atMs: Date.now() - opened, line });
      res.write(`${line}\n`);
    };
    const typed = (o: StoredObject) => ({ apiVersion: apiVersionOf(meta), kind: meta.kind, ...o });
    const emit = (e: StoreEvent) => {
      if (e.resource !== r.resource || !matches(e.object)) return;
      if (!request.table) return write(e.type, typed(e.object));
      write(e.type, toTable(meta, [e.object], { includeObject: query.get("includeObject"), headers, listMeta: { resourceVersion: e.object.metadata.resourceVersion } }));
      headers = false;
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
      ? setInterval(() => write("BOOKMARK", { apiVersion: apiVersionOf(meta), kind: meta.kind, metadata: { resourceVersion: store.resourceVersion, annotations: { "k8s.io/initial-events-end": "true" } } }), this.#options.faults.bookmarkIntervalMs)
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

/** A field selector split into what the store filters and what the server filters after it. */
interface Selection {
  readonly storeField?: string;
  readonly extra: (o: StoredObject) => boolean;
}

/** One parsed request. */
interface Request {
  readonly method: string;
  readonly route: Route;
  readonly query: URLSearchParams;
  readonly raw: string;
  readonly contentType: string;
  /** The client asked for a Table. */
  readonly table: boolean;
}

/** `dryRun=All` (the only value the API server accepts); anything else is 400 as there. */
function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll("dryRun");
  if (values.length === 0) return false;
  for (const v of values) {
    if (v !== "All") throw new ApiError(422, "Invalid", `dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return true;
}

/**
 * The body's apiVersion and kind against the route, as the API server checks them: another API
 * version is 400 BadRequest from the decoder; another kind of the same group version is 422, as the
 * custom resource validator's type-meta check words it.
 */
function checkTypeMeta(meta: ResourceDefinition, object: StoredObject, name: string): void {
  const expected = apiVersionOf(meta);
  if (!object || typeof object !== "object") throw new ApiError(400, "BadRequest", "the body of the request was in an unknown format");
  if (object.kind === undefined || object.kind === "") throw new ApiError(400, "BadRequest", `Object 'Kind' is missing in '${JSON.stringify(object).slice(0, 200)}'`);
  if (object.apiVersion !== undefined && object.apiVersion !== expected) {
    throw new ApiError(400, "BadRequest", `the API version in the data (${object.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (object.kind !== meta.kind) {
    const message = `Invalid value: "${object.kind}": must be ${meta.kind}`;
    throw new ApiError(422, "Invalid", `${meta.kind}${meta.group ? `.${meta.group}` : ""} "${name}" is invalid: kind: ${message}`, { name, group: meta.group, kind: meta.kind, causes: [{ reason: "FieldValueInvalid", message, field: "kind" }] });
  }
}

function patchOptionsInvalid(type: "Required" | "Forbidden", field: string, detail: string): ApiError {
  const message = `${type === "Required" ? "Required value" : "Forbidden"}: ${detail}`;
  return new ApiError(422, "Invalid", `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${message}`, { group: "meta.k8s.io", kind: "PatchOptions", causes: [{ reason: type === "Required" ? "FieldValueRequired" : "FieldValueForbidden", message, field }] });
}

let dryIds = 0;

/** What a create would store, without storing it (dryRun=All). 409 when the name is taken. */
function dryCreate(store: Store, meta: ResourceDefinition, object: StoredObject): StoredObject {
  const out = structuredClone(object);
  const m = (out.metadata ??= {} as StoredObject["metadata"]);
  if (!m.name) {
    if (!m.generateName) throw new ApiError(422, "Invalid", `${meta.kind}${meta.group ? `.${meta.group}` : ""} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind: meta.kind, group: meta.group, causes: [{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" }] });
    m.name = `${m.generateName}dry${(++dryIds).toString(36).padStart(2, "0")}`;
  } else if (store.get(meta.resource, m.namespace, m.name)) {
    throw new ApiError(409, "AlreadyExists", `${meta.resource}${meta.group ? `.${meta.group}` : ""} "${m.name}" already exists`, { name: m.name, group: meta.group, kind: meta.resource });
  }
  m.uid = `00000000-0000-4000-9000-${(++dryIds).toString(16).padStart(12, "0")}`;
  m.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  m.generation = 1;
  m.resourceVersion = "";
  return out;
}

/** What an update would store, without storing it. */
function dryUpdate(current: StoredObject, next: StoredObject): StoredObject {
  if (next.metadata.resourceVersion && next.metadata.resourceVersion !== current.metadata.resourceVersion) {
    throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
  }
  return { ...structuredClone(next), metadata: { ...structuredClone(next.metadata), resourceVersion: current.metadata.resourceVersion } };
}

/** What a delete would do, without doing it: the object, marked for deletion when finalizers hold it. */
function dryDelete(current: StoredObject, preconditions: { uid?: string; resourceVersion?: string }): StoredObject {
  if (preconditions.uid !== undefined && preconditions.uid !== current.metadata.uid) {
    throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on "${current.metadata.name}": Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  const out = structuredClone(current);
  if ((out.metadata.finalizers ?? []).length > 0) out.metadata.deletionTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, "Z");
  return out;
}

/**
 * Errors as the API server qualifies them: resource-keyed details (`NotFound`, `AlreadyExists`,
 * `Conflict`) carry the group, and the message names the resource with its group (`nodes` for the
 * core group, `virtualmachineinstancemigrations.kubevirt.io`).
 */
function qualify(error: ApiError, meta: ResourceDefinition): ApiError {
  const details = error.details as { kind?: string; group?: string; name?: string } | undefined;
  if (!details || details.group !== undefined || details.kind !== meta.resource) return error;
  const wrong = `${meta.resource}.kubevirt.io`;
  const right = meta.group ? `${meta.resource}.${meta.group}` : meta.resource;
  const next = new ApiError(error.code, error.reason, error.message.replace(wrong, right), { ...details, group: meta.group });
  if (error.stack) next.stack = error.stack;
  return next;
}

function send(res: ServerResponse, code: number, body: unknown, warnings: string[] = [], contentType = "application/json"): void {
  const text = body === "" ? "" : JSON.stringify(body);
  const headers: Record<string, string | string[]> = { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(text)) };
  if (warnings.length) headers["Warning"] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

function sendText(res: ServerResponse, code: number, text: string, contentType: string): void {
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(text)) });
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
