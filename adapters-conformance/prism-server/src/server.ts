/**
 * The HTTP face of the Prism-like server: auth, fault injection, idempotency on
 * `NTNX-Request-Id`, If-Match enforcement and routing onto {@link PrismSim}.
 */
import { createReadStream } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DiskStore } from "./disks.ts";
import { type Clause, matches, parseFilter } from "./filter.ts";
import { SimImages } from "./images.ts";
import { addVmsWithDisks } from "./seed-disks.ts";
import { ApiError, PrismSim, type Timings } from "./sim.ts";
import { type Inventory, type SeedOptions, seedInventory } from "./state.ts";
import { hostToV3, hostToWire, imageToWire, listMetadata, v4Error, vmToV3, vmToWire } from "./wire.ts";

/** Options of {@link startPrismServer}. */
export interface PrismServerOptions {
  /** Accepted Basic credentials. Default `admin` / `nutanix/4u`. */
  readonly username?: string;
  readonly password?: string;
  /** Accepted `X-ntnx-api-key`. Default none. */
  readonly apiKey?: string;
  readonly timings?: Partial<Timings>;
  /** Time an image creation from a VM disk runs, ms. Default 200. */
  readonly imageMs?: number;
  readonly seed?: SeedOptions;
  /** Serve the v3 subset too. Default true. */
  readonly v3?: boolean;
  /** Serve v4. Default true; false simulates a v3-only Prism Central. */
  readonly v4?: boolean;
  /** Time source, ms. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Check `If-Match` before looking the `NTNX-Request-Id` up (Prism's order is unverified).
   * Default false: a repeated request id returns the first answer whatever its ETag.
   */
  readonly ifMatchBeforeRequestId?: boolean;
  /** Called with every answered exchange (fixture recording). Lost answers are not reported. */
  readonly onExchange?: (exchange: Exchange) => void;
}

/** One request and its answer, as a recorder sees it. */
export interface Exchange {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  /** Which Prism headers were present (values are volatile: request ids, ETags). */
  readonly sent: { readonly ifMatch: boolean; readonly requestId: boolean };
  readonly requestBody?: unknown;
  readonly status: number;
  readonly etag?: string;
  readonly responseBody: unknown;
  /** The server acted but dropped the connection instead of answering. */
  readonly lost?: boolean;
}

/** A running server. */
export interface PrismServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly sim: PrismSim;
  readonly inventory: Inventory;
  /** The content library (images made from VM disks) and its fault knobs. */
  readonly images: SimImages;
  /** The directory holding this instance's disk and image files (removed by `close`). */
  readonly disksDir: string;
  /** Requests received so far. */
  readonly requestCount: number;
  /** Forgets every session cookie issued so far (clients that rely on one must authenticate again). */
  expireSessions(): void;
  /** Request log: method and path of each request, in order. */
  readonly log: readonly { method: string; path: string; requestId?: string; ifMatch?: string; status?: number }[];
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  /** Streams this file as the body (`application/octet-stream`) instead of `body`. */
  readonly file?: { readonly path: string; readonly size: number };
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startPrismServer(options: PrismServerOptions = {}): Promise<PrismServer> {
  const inventory = seedInventory(options.seed);
  const store = new DiskStore();
  addVmsWithDisks(inventory, store, options.seed?.vmsWithDisks ?? []);
  const now = options.now ?? Date.now;
  const sim = new PrismSim(inventory, options.timings ?? {}, now);
  const images = new SimImages(sim, store, options.imageMs ?? 200);
  const recorded = new Map<string, Answer>();
  /** Session cookies issued (NTNX_IGW_SESSION); `expireSessions()` forgets them. */
  const sessions = new Set<string>();
  let sessionSeq = 0;
  const log: { method: string; path: string; requestId?: string; ifMatch?: string; status?: number }[] = [];
  const username = options.username ?? "admin";
  const password = options.password ?? "nutanix/4u";
  const v4 = options.v4 ?? true;
  const v3 = options.v3 ?? true;

  const handle = async (req: IncomingMessage, raw: string): Promise<Answer> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const method = req.method ?? "GET";
    const auth = req.headers["authorization"];
    const key = req.headers["x-ntnx-api-key"];
    const okBasic = auth === `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    const okKey = options.apiKey !== undefined && key === options.apiKey;
    const cookie = /NTNX_IGW_SESSION=([^;]+)/.exec(String(req.headers["cookie"] ?? ""))?.[1];
    const okSession = cookie !== undefined && sessions.has(cookie);
    if (!okBasic && !okKey && !okSession) return { status: 401, body: v4Error("PRISM-40100", "Authentication required"), headers: { "WWW-Authenticate": 'Basic realm="Intent Gateway"' } };
    const f = sim.faults.failNext;
    if (f.count > 0 && (!f.pattern || f.pattern.test(`${method} ${path}`))) {
      f.count--;
      return { status: f.status, body: v4Error("PRISM-50300", "Service temporarily unavailable", "prism") };
    }
    sim.engine.tick();
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        throw new ApiError(400, "VMM-10400", "the request body is not JSON");
      }
    }
    if (path.startsWith("/api/nutanix/v3/")) {
      if (!v3) throw new ApiError(404, "VMM-10404", "not found");
      return handleV3(method, path.slice("/api/nutanix/v3".length), body);
    }
    if (!v4 && path.startsWith("/api/")) throw new ApiError(404, "PRISM-10404", "no such API version");
    return handleV4(req, method, path, url.searchParams, body);
  };

  const handleV4 = (req: IncomingMessage, method: string, path: string, q: URLSearchParams, body: Record<string, unknown>): Answer => {
    const route = `${method} ${path}`;
    if (method === "OPTIONS" && path === "/api/vmm/unversioned/info") return { status: 200, body: { data: "v4.0" } };
    if (method === "GET" && path === "/api/vmm/v4.0/ahv/config/vms") {
      return list(q, path, inventory.vms, (vm, field) => ({ extId: vm.extId, name: vm.name, "host/extId": vm.powerState === "ON" ? (vm.host ?? undefined) : undefined, "cluster/extId": vm.clusterExtId, powerState: vm.powerState })[field], vmToWire);
    }
    const vmMatch = /^\/api\/vmm\/v4\.0\/ahv\/config\/vms\/([^/]+)(\/\$actions\/([a-z-]+))?$/.exec(path);
    if (vmMatch) {
      const vm = sim.vm(decodeURIComponent(vmMatch[1]!));
      if (method === "GET" && !vmMatch[2]) return { status: 200, body: { data: vmToWire(vm), $objectType: "vmm.v4.ahv.config.GetVmApiResponse" }, headers: { ETag: sim.etag(vm) } };
      if (method === "DELETE" && !vmMatch[2]) {
        // VmApi.delete_vm_by_id: If-Match (428 without, 412 stale) and NTNX-Request-Id both required; 202 with a task.
        const requestId = header(req, "ntnx-request-id");
        if (!requestId) throw new ApiError(400, "VMM-10420", "the NTNX-Request-Id header is required");
        const previous = recorded.get(requestId);
        if (previous) return previous;
        const ifMatch = header(req, "if-match");
        if (!ifMatch) throw new ApiError(428, "VMM-10428", "If-Match header is required for this operation");
        if (ifMatch !== sim.etag(vm)) throw new ApiError(412, "PLAT-10005", "Invalid eTag header");
        const task = sim.deleteVm(vm, (files) => files.forEach((f) => store.remove(f)));
        const answer: Answer = {
          status: 202,
          body: { data: { $objectType: "prism.v4.config.TaskReference", extId: task.extId }, $objectType: "vmm.v4.ahv.config.DeleteVmApiResponse", metadata: listMetadata(`/api/prism/v4.0/config/tasks/${task.extId}`, 0, 1, 1) },
        };
        recorded.set(requestId, answer);
        return answer;
      }
      if (method === "POST" && vmMatch[3]) {
        const requestId = header(req, "ntnx-request-id");
        if (!requestId) throw new ApiError(400, "VMM-10420", "the NTNX-Request-Id header is required");
        const checkIfMatch = () => {
          const ifMatch = header(req, "if-match");
          if (!ifMatch) throw new ApiError(428, "VMM-10428", "If-Match header is required for this operation");
          if (ifMatch !== sim.etag(vm)) throw new ApiError(412, "PLAT-10005", "Invalid eTag header");
        };
        if (options.ifMatchBeforeRequestId) checkIfMatch();
        const previous = recorded.get(requestId);
        if (previous) return previous;
        checkIfMatch();
        const dryRun = q.get("$dryrun") === "true";
        const task = sim.act(vm, vmMatch[3], body, dryRun);
        const answer: Answer = {
          status: 202,
          body: { data: { $objectType: "prism.v4.config.TaskReference", extId: task.extId }, $objectType: "vmm.v4.ahv.config.TaskReferenceApiResponse", metadata: listMetadata(`/api/prism/v4.0/config/tasks/${task.extId}`, 0, 1, 1) },
        };
        if (!dryRun) recorded.set(requestId, answer);
        return answer;
      }
    }
    const imageAnswer = handleImages(req, method, path, q, body);
    if (imageAnswer) return imageAnswer;
    const taskMatch = /^\/api\/prism\/v4\.0\/config\/tasks\/([^/]+?)(\/\$actions\/cancel)?$/.exec(path);
    if (taskMatch) {
      const task = sim.engine.tasks.get(decodeURIComponent(taskMatch[1]!));
      if (!task) throw new ApiError(404, "PRISM-20005", "task not found");
      if (method === "GET" && !taskMatch[2]) return { status: 200, body: { data: sim.engine.toWire(task, (id) => sim.host(id)?.hostName) } };
      if (method === "POST" && taskMatch[2]) {
        if (!sim.engine.cancel(task)) throw new ApiError(400, "PRISM-30400", `task ${task.extId} cannot be cancelled (isCancelable=false)`);
        return { status: 202, body: { data: { $objectType: "prism.v4.config.TaskReference", extId: task.extId } } };
      }
    }
    if (method === "GET" && path === "/api/prism/v4.0/config/tasks") {
      return list(q, path, [...sim.engine.tasks.values()], (t, field) => ({ extId: t.extId, status: t.status })[field], (t) => sim.engine.toWire(t));
    }
    const catMatch = /^\/api\/prism\/v4\.0\/config\/categories\/([^/]+)$/.exec(path);
    if (method === "GET" && catMatch) {
      const cat = inventory.categories.find((c) => c.extId === decodeURIComponent(catMatch[1]!));
      if (!cat) throw new ApiError(404, "PRISM-20005", "category not found");
      const expand = q.get("$expand") === "detailedAssociations";
      const assoc = [
        ...inventory.hosts.filter((h) => h.categories.includes(cat.extId)).map((h) => ({ categoryId: cat.extId, resourceType: "HOST", resourceId: h.extId })),
        ...inventory.vms.filter((v) => v.categories.includes(cat.extId)).map((v) => ({ categoryId: cat.extId, resourceType: "VM", resourceId: v.extId })),
      ];
      return { status: 200, body: { data: { extId: cat.extId, key: cat.key, value: cat.value, type: "USER", ...(expand ? { detailedAssociations: assoc } : {}) } } };
    }
    if (method === "GET" && path === "/api/vmm/v4.0/ahv/policies/vm-host-affinity-policies") {
      return list(q, path, inventory.policies, (p, field) => ({ extId: p.extId, name: p.name })[field], (p) => ({
        $objectType: "vmm.v4.ahv.policies.VmHostAffinityPolicy",
        extId: p.extId,
        name: p.name,
        vmCategories: p.vmCategories.map((extId) => ({ extId })),
        hostCategories: p.hostCategories.map((extId) => ({ extId })),
      }));
    }
    if (method === "GET" && path === "/api/clustermgmt/v4.0/config/hosts") {
      return list(q, path, inventory.hosts, (h, field) => ({ extId: h.extId, hostName: h.hostName, "cluster/uuid": h.clusterExtId })[field], (h) => hostToWire(inventory, h));
    }
    const hostsMatch = /^\/api\/clustermgmt\/v4\.0\/config\/clusters\/([^/]+)\/hosts(?:\/([^/]+))?$/.exec(path);
    if (method === "GET" && hostsMatch) {
      const cluster = decodeURIComponent(hostsMatch[1]!);
      if (!inventory.clusters.some((c) => c.extId === cluster)) throw new ApiError(404, "CLU-20005", "cluster not found");
      const inCluster = inventory.hosts.filter((h) => h.clusterExtId === cluster);
      if (hostsMatch[2]) {
        const host = inCluster.find((h) => h.extId === decodeURIComponent(hostsMatch[2]!));
        if (!host) throw new ApiError(404, "CLU-20005", "host not found in this cluster");
        return { status: 200, body: { data: hostToWire(inventory, host) } };
      }
      return list(q, path, inCluster, (h, field) => ({ extId: h.extId, hostName: h.hostName })[field], (h) => hostToWire(inventory, h));
    }
    throw new ApiError(404, "PRISM-10404", `no such endpoint: ${route}`);
  };

  /** `/api/vmm/v4.0/content/images[/{extId}[/file]]`; undefined for other paths. */
  const handleImages = (req: IncomingMessage, method: string, path: string, q: URLSearchParams, body: Record<string, unknown>): Answer | undefined => {
    const base = "/api/vmm/v4.0/content/images";
    const taskAnswer = (task: { extId: string }, objectType: string): Answer => ({
      status: 202,
      body: { data: { $objectType: "prism.v4.config.TaskReference", extId: task.extId }, $objectType: objectType, metadata: listMetadata(`/api/prism/v4.0/config/tasks/${task.extId}`, 0, 1, 1) },
    });
    if (path === base) {
      if (method === "GET") return list(q, path, images.all, (i, field) => ({ extId: i.extId, name: i.name, type: i.type })[field], imageToWire);
      if (method === "POST") {
        // NTNX-Request-Id is required on CreateImage (v4.0); a repeated id returns the first answer.
        const requestId = header(req, "ntnx-request-id");
        if (!requestId) throw new ApiError(400, "VMM-10420", "the NTNX-Request-Id header is required");
        const previous = recorded.get(requestId);
        if (previous) return previous;
        const answer = taskAnswer(images.create(body), "vmm.v4.content.CreateImageApiResponse");
        recorded.set(requestId, answer);
        return answer;
      }
      throw new ApiError(405, "VMM-10405", `${method} is not allowed on ${path}`);
    }
    const m = /^\/api\/vmm\/v4\.0\/content\/images\/([^/]+)(\/file)?$/.exec(path);
    if (!m) return undefined;
    const image = images.get(decodeURIComponent(m[1]!));
    if (m[2]) {
      if (method !== "GET") throw new ApiError(405, "VMM-10405", `${method} is not allowed on ${path}`);
      // The spec documents no Range parameter or 206 answer: the whole file, every time.
      return { status: 200, body: undefined, file: { path: image.file, size: images.fileSize(image) } };
    }
    if (method === "GET") return { status: 200, body: { data: imageToWire(image), $objectType: "vmm.v4.content.GetImageApiResponse" }, headers: { ETag: Buffer.from(`${image.extId}:1`).toString("base64url") } };
    if (method === "DELETE") return taskAnswer(images.delete(image.extId), "vmm.v4.content.DeleteImageApiResponse");
    throw new ApiError(405, "VMM-10405", `${method} is not allowed on ${path}`);
  };

  const handleV3 = (method: string, path: string, body: Record<string, unknown>): Answer => {
    const page = <T>(items: readonly T[], map: (t: T) => unknown): Answer => {
      const offset = Number(body["offset"] ?? 0);
      const length = Number(body["length"] ?? 20);
      return { status: 200, body: { api_version: "3.1", metadata: { total_matches: items.length, offset, length }, entities: items.slice(offset, offset + length).map(map) } };
    };
    if (method === "POST" && path === "/vms/list") return page(inventory.vms, vmToV3);
    if (method === "POST" && path === "/hosts/list") return page(inventory.hosts, hostToV3);
    const m = /^\/vms\/([^/]+)$/.exec(path);
    if (m) {
      const vm = inventory.vms.find((v) => v.extId === decodeURIComponent(m[1]!));
      if (!vm) return { status: 404, body: { api_version: "3.1", code: 404, kind: "vm", message_list: [{ message: `VM ${m[1]} does not exist`, reason: "ENTITY_NOT_FOUND" }], state: "ERROR" } };
      if (method === "GET") return { status: 200, body: vmToV3(vm) };
      if (method === "PUT") {
        const meta = body["metadata"] as { spec_version?: number; kind?: string } | undefined;
        // vm_metadata requires kind (v3.1.0 swagger).
        if (meta?.kind !== "vm") return { status: 422, body: { api_version: "3.1", code: 422, message_list: [{ message: "metadata.kind is required and must be vm", reason: "INVALID_REQUEST" }], state: "ERROR" } };
        if (meta?.spec_version !== vm.version) return { status: 409, body: { api_version: "3.1", code: 409, message_list: [{ message: "spec_version mismatch", reason: "CONCURRENT_REQUESTS_NOT_ALLOWED" }], state: "ERROR" } };
        const want = (body["spec"] as { resources?: { power_state?: string } } | undefined)?.resources?.power_state;
        const task = want === "ON" ? sim.act(vm, "power-on", {}, false) : want === "OFF" ? sim.act(vm, "power-off", {}, false) : undefined;
        if (!task) return { status: 422, body: { api_version: "3.1", code: 422, message_list: [{ message: "only power_state changes are supported here", reason: "INVALID_REQUEST" }], state: "ERROR" } };
        return { status: 202, body: { status: { state: "PENDING", execution_context: { task_uuid: task.extId.split(":")[1] } }, metadata: { uuid: vm.extId, kind: "vm" } } };
      }
    }
    return { status: 404, body: { api_version: "3.1", code: 404, message_list: [{ message: "not found", reason: "ENTITY_NOT_FOUND" }], state: "ERROR" } };
  };

  function list<T>(q: URLSearchParams, path: string, items: readonly T[], get: (item: T, field: string) => string | undefined, map: (item: T) => unknown): Answer {
    const page = q.has("$page") ? Number(q.get("$page")) : 0;
    const limit = q.has("$limit") ? Number(q.get("$limit")) : 50;
    if (!Number.isInteger(page) || page < 0) throw new ApiError(400, "VMM-10411", "$page must be a non-negative integer");
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ApiError(400, "VMM-10412", "$limit must be between 1 and 100");
    const filter = q.get("$filter");
    const clauses: Clause[] = filter ? parseFilter(filter) : [];
    const kept = items.filter((item) => matches(clauses, (field) => get(item, field)));
    const slice = kept.slice(page * limit, page * limit + limit);
    return { status: 200, body: { ...(slice.length > 0 ? { data: slice.map(map) } : {}), metadata: listMetadata(path, page, limit, kept.length) } };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void respond(req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });

  async function respond(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const entry: (typeof log)[number] = { method: req.method ?? "GET", path: req.url ?? "/", ...(header(req, "ntnx-request-id") ? { requestId: header(req, "ntnx-request-id")! } : {}), ...(header(req, "if-match") ? { ifMatch: header(req, "if-match")! } : {}) };
    log.push(entry);
    let answer: Answer;
    try {
      answer = await handle(req, raw);
    } catch (error) {
      answer = error instanceof ApiError ? { status: error.status, body: v4Error(error.code, error.message) } : { status: 500, body: v4Error("PRISM-50000", String(error)) };
    }
    entry.status = answer.status;
    if (sim.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, sim.faults.latencyMs));
    const lose = sim.faults.loseResponse;
    if (lose.count > 0 && lose.pattern.test(`${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`)) {
      lose.count--;
      options.onExchange?.({ ...exchange(req, raw, answer), lost: true });
      req.socket.destroy();
      return;
    }
    const text = JSON.stringify(answer.body);
    if (answer.status !== 401) {
      const token = `s${++sessionSeq}`;
      sessions.add(token);
      answer = { ...answer, headers: { ...answer.headers, "Set-Cookie": `NTNX_IGW_SESSION=${token}; Path=/; HttpOnly` } };
    }
    options.onExchange?.(exchange(req, raw, answer.file ? { ...answer, body: `<${answer.file.size} bytes>` } : answer));
    if (answer.file) {
      res.writeHead(answer.status, { "Content-Type": "application/octet-stream", "Content-Length": String(answer.file.size), "X-Ntnx-Product": "PC", ...answer.headers });
      createReadStream(answer.file.path).on("error", () => res.destroy()).pipe(res);
      return;
    }
    res.writeHead(answer.status, { "Content-Type": "application/json", "X-Ntnx-Product": "PC", ...answer.headers });
    res.end(text);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    sim,
    inventory,
    images,
    disksDir: store.dir,
    get requestCount() {
      return log.length;
    },
    log,
    expireSessions: () => sessions.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          store.destroy();
          resolve();
        });
      }),
  };
}

function exchange(req: IncomingMessage, raw: string, answer: Answer): Exchange {
  return {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    sent: { ifMatch: header(req, "if-match") !== undefined, requestId: header(req, "ntnx-request-id") !== undefined },
    ...(raw.length > 0 ? { requestBody: safeJson(raw) } : {}),
    status: answer.status,
    ...(answer.headers?.["ETag"] ? { etag: answer.headers["ETag"] } : {}),
    responseBody: answer.body,
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" && v.length > 0 ? v : undefined;
}
