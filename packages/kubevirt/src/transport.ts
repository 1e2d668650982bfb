/**
 * The only file that does network I/O: Kubernetes REST over Node's own `node:http`/`node:https`,
 * authenticated from a kubeconfig (bearer token or token file, basic auth, client certificate, CA,
 * exec plugins, in-cluster; see `kubeconfig/`). `https://` and plain `http://` servers (e.g.
 * `kubectl proxy`) both work, with or without credentials. Safe requests (GET, DELETE) are retried
 * on transient faults; every fault becomes a VmshiftError through the one table in errors.ts.
 *
 * No HTTP client library: Node's own modules load in no time and bundle as they are (an ES-module
 * bundle of a consumer cannot `require` builtins from a CommonJS dependency).
 */
import { createHash } from "node:crypto";
import { Agent as HttpAgent, type IncomingMessage, type OutgoingHttpHeaders, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { type Readable, pipeline } from "node:stream";
import { urlToHttpOptions } from "node:url";
import { constants as zlibConstants, createBrotliDecompress, createUnzip } from "node:zlib";
import { type Clock, VmshiftError, abortError, isVmshiftError, quietAgent, systemClock, withRetry } from "@vmshift/core";
import { type KubeFault, mapKubeFault } from "./errors.ts";
import { CredentialSource, type RequestCredentials } from "./kubeconfig/credentials.ts";
import { type KubeconfigSystem, nodeSystem } from "./kubeconfig/system.ts";
import { type TlsMaterial, loadTlsMaterial } from "./kubeconfig/tls-material.ts";
import type { KubeConfig } from "./kubeconfig/types.ts";
import type { KubeStatus } from "./types.ts";

/** One API request. `path` must come from `apiPath` (already escaped). */
export interface KubeRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** Default `application/json`; PATCH callers pass `application/merge-patch+json` or `application/json-patch+json`. */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** Dotted vmshift operation, for errors. */
  readonly operation?: string;
}

/** One event of a watch stream. */
export interface KubeWatchEvent<T> {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  readonly object: T;
}

/** What the adapter needs from the wire; tests may pass their own. */
export interface KubeTransport {
  /** Sends a request and returns the parsed JSON body (undefined for an empty body). */
  request<T>(request: KubeRequest): Promise<T>;
  /** Sends a GET and returns the body as text (Prometheus metrics through the API server). */
  requestText(request: KubeRequest): Promise<string>;
  /** Opens a watch (`?watch=true` is added) and yields events until the server ends the stream. */
  watch<T>(request: KubeRequest): AsyncIterable<KubeWatchEvent<T>>;
  /** Requests sent so far. */
  readonly requestCount: number;
  /** Releases kept-alive connections. */
  close?(): void;
}

/** Options of {@link HttpKubeTransport}. */
export interface HttpTransportOptions {
  /** Where the server, user and TLS settings come from (see `loadKubeConfig`). */
  readonly kubeConfig: KubeConfig;
  /** Environment, files and process spawning for token files, certificate files and exec plugins. Default: the real ones. */
  readonly system?: KubeconfigSystem;
  /** Longest run of an exec credential plugin, ms. Default 60 000. */
  readonly execTimeoutMs?: number;
  /** Per-request timeout, ms: from sending until the whole answer is read (a watch: until its answer starts). Default 30 000. */
  readonly timeoutMs?: number;
  /** Retries of GET/DELETE on transient faults. Default 2. */
  readonly retries?: number;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * @deprecated Renamed {@link HttpTransportOptions}. The `axios` option is gone: the transport uses
 * `node:http`/`node:https` (for another HTTP stack, pass your own `transport` to the adapter).
 */
export type AxiosTransportOptions = HttpTransportOptions;

/** Kept-alive agents (distinct TLS configurations) at most. */
const MAX_AGENTS = 4;

/** Sent with every request. */
const USER_AGENT = "vmshift-kubevirt";
/** Encodings the answer may come in (the API server gzips large answers); decoded by zlib. */
const ACCEPT_ENCODING = "gzip, deflate, br";

/** Kubernetes REST over `node:http`/`node:https`, one keep-alive agent per TLS identity. */
export class HttpKubeTransport implements KubeTransport {
  readonly #kc: KubeConfig;
  readonly #credentials: CredentialSource;
  readonly #system: KubeconfigSystem;
  #tls: Promise<TlsMaterial> | undefined;
  /** Keep-alive agents by TLS settings (CA, client certificate, verification), so requests reuse connections. */
  readonly #agents = new Map<string, HttpsAgent | HttpAgent>();
  /** Agents no longer reused (see #agent), ended by close(). */
  #retired: (HttpsAgent | HttpAgent)[] = [];
  /** 401 errors after which the credentials were renewed, so one more try may pass. */
  readonly #renewed = new WeakSet<object>();
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #clock: Clock;
  #count = 0;
  /** Credentials sent with the last requests (masked in every error, since servers may echo them). */
  #secrets: string[] = [];

  constructor(options: HttpTransportOptions) {
    if ("axios" in options && (options as { axios?: unknown }).axios !== undefined) {
      throw new VmshiftError("INVALID_ARGUMENT", "the transport's axios option is no longer supported: requests use node:http/node:https (pass your own transport to the adapter for another HTTP stack)", { adapter: "kubevirt", operation: "connect", retryable: false });
    }
    this.#kc = options.kubeConfig;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retries = options.retries ?? 2;
    this.#clock = options.clock ?? systemClock;
    this.#system = options.system ?? nodeSystem();
    const clock = this.#clock;
    this.#credentials = new CredentialSource(options.kubeConfig.user, options.kubeConfig.cluster, {
      system: this.#system,
      now: () => clock.now(),
      ...(options.execTimeoutMs === undefined ? {} : { execTimeoutMs: options.execTimeoutMs }),
    });
  }

  get requestCount(): number {
    return this.#count;
  }

  /**
   * Sends a request. GET and DELETE are retried on transient faults (5xx, 429, connection errors,
   * timeouts). Any request answered 401 is retried after a pause when the credentials can renew
   * themselves (exec plugin: run again; token file: changed since): a rotated or expired token is
   * fetched again. A static token answered 401 is `UNAUTHENTICATED` at once.
   */
  async request<T>(request: KubeRequest): Promise<T> {
    return this.#withRetries(request, () => this.#once<T>(request));
  }

  async requestText(request: KubeRequest): Promise<string> {
    return this.#withRetries(request, async () => {
      const { status, text, credentials } = await this.#exchange(request);
      if (status >= 300) throw await this.#statusFault(request, status, text, credentials);
      return text;
    });
  }

  #withRetries<T>(request: KubeRequest, attempt: () => Promise<T>): Promise<T> {
    const safe = request.method === "GET" || request.method === "DELETE";
    let transientRetries = 0;
    let authRetries = 0;
    return withRetry(attempt, {
      clock: this.#clock,
      retries: Math.max(safe ? this.#retries : 0, this.#credentials.renewable ? 3 : 0),
      initialDelayMs: 300,
      maxDelayMs: 2000,
      ...(request.signal ? { signal: request.signal } : {}),
      isRetryable: (e) => {
        if (!isVmshiftError(e)) return false;
        if (e.code === "UNAUTHENTICATED") return this.#renewed.has(e) && authRetries++ < 3;
        const transient = e.retryable && e.details?.["expired"] !== true && (e.code === "TRANSPORT" || e.code === "RATE_LIMITED" || e.code === "TIMEOUT");
        return safe && transient && transientRetries++ < this.#retries;
      },
    });
  }

  async *watch<T>(request: KubeRequest): AsyncIterable<KubeWatchEvent<T>> {
    const { answer, credentials } = await this.#open(request, { watch: true });
    const stream = answer.body;
    try {
      if (answer.status >= 300) throw await this.#statusFault(request, answer.status, await readText(stream), credentials);
      stream.setEncoding("utf8");
      let buffered = "";
      for await (const chunk of stream) {
        buffered += chunk as string;
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) yield this.#event<T>(request, line);
        }
      }
      if (buffered.trim()) yield this.#event<T>(request, buffered.trim());
    } catch (error) {
      if (request.signal?.aborted) throw abortError(request.signal, request.operation);
      if (isVmshiftError(error)) throw error;
      throw mapKubeFault(networkFault(request, answer.failure() ?? error), request.operation, this.#secrets);
    } finally {
      answer.end();
    }
  }

  #event<T>(request: KubeRequest, line: string): KubeWatchEvent<T> {
    let parsed: { type?: string; object?: unknown };
    try {
      parsed = JSON.parse(line) as { type?: string; object?: unknown };
    } catch (error) {
      throw new VmshiftError("TRANSPORT", `watch ${request.path}: a line was not JSON`, { adapter: "kubevirt", cause: error, retryable: true });
    }
    if (parsed.type === "ERROR") {
      const status = parsed.object as KubeStatus;
      throw mapKubeFault({ kind: "status", httpStatus: status.code ?? 500, status, method: "WATCH", path: request.path }, request.operation, this.#secrets);
    }
    if (parsed.type !== "ADDED" && parsed.type !== "MODIFIED" && parsed.type !== "DELETED" && parsed.type !== "BOOKMARK") {
      throw new VmshiftError("TRANSPORT", `watch ${request.path}: unknown event type ${JSON.stringify(parsed.type)}`, { adapter: "kubevirt", retryable: true });
    }
    return { type: parsed.type, object: parsed.object as T };
  }

  async #once<T>(request: KubeRequest): Promise<T> {
    const { status, text, credentials } = await this.#exchange(request);
    if (status >= 300) throw await this.#statusFault(request, status, text, credentials);
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new VmshiftError("INTERNAL", `${request.method} ${request.path}: the answer was not JSON`, { adapter: "kubevirt", cause: error });
    }
  }

  close(): void {
    for (const agent of [...this.#agents.values(), ...this.#retired]) agent.destroy();
    this.#agents.clear();
    this.#retired = [];
  }

  /** One keep-alive agent per distinct TLS configuration (CA, client certificate, verification, server name); plain HTTP shares one. */
  #agent(https: boolean, tls: TlsMaterial, credentials: RequestCredentials): HttpsAgent | HttpAgent {
    const options = { ...tls, ...(credentials.clientCertificate ? { cert: credentials.clientCertificate, key: credentials.clientKey } : {}) };
    const key = https ? createHash("sha256").update(JSON.stringify([options.ca, options.cert, options.key, options.servername, options.rejectUnauthorized])).digest("hex") : "http";
    let agent = this.#agents.get(key);
    if (!agent) {
      // Quiet agents: NODE_DEBUG=net/tls must not print the Authorization header with the socket options.
      agent = quietAgent(https ? new HttpsAgent({ ...options, keepAlive: true, maxSockets: 32 }) : new HttpAgent({ keepAlive: true, maxSockets: 32 }));
      // Exec plugins that issue client certificates make a new configuration at each renewal: keep the newest few
      // for reuse; older ones may still carry a request (a watch), so they are only ended by close().
      for (const [old, stale] of this.#agents) {
        if (this.#agents.size < MAX_AGENTS) break;
        this.#retired.push(stale);
        this.#agents.delete(old);
      }
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /** Sends a request (not a watch) and reads its whole answer as text, within the request timeout. */
  async #exchange(request: KubeRequest): Promise<{ status: number; text: string; credentials: RequestCredentials }> {
    const { answer, credentials } = await this.#open(request, { watch: false });
    try {
      return { status: answer.status, text: await readText(answer.body), credentials };
    } catch (error) {
      if (request.signal?.aborted) throw abortError(request.signal, request.operation);
      throw mapKubeFault(networkFault(request, answer.failure() ?? error), request.operation, this.#secrets);
    } finally {
      answer.end();
    }
  }

  /** Sends a request and returns once the answer's headers arrived; network faults are mapped. */
  async #open(request: KubeRequest, mode: { readonly watch: boolean }): Promise<{ answer: Answer; credentials: RequestCredentials }> {
    const server = this.#kc.cluster.server;
    const https = server.startsWith("https:");
    this.#tls ??= loadTlsMaterial(this.#kc.cluster, this.#kc.user, this.#kc.source, this.#system);
    const tls = await this.#tls.catch((error: unknown) => {
      this.#tls = undefined;
      throw error;
    });
    const credentials = await this.#credentials.current();
    // Keep the last few: a renewed token must not make the previous one printable.
    this.#secrets = [...new Set([...credentials.secrets, ...this.#secrets])].slice(0, 8);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: OutgoingHttpHeaders = { Accept: "application/json", "Accept-Encoding": ACCEPT_ENCODING, "User-Agent": USER_AGENT };
    if (credentials.authorization) headers["Authorization"] = credentials.authorization;
    if (body !== undefined) {
      headers["Content-Type"] = request.contentType ?? "application/json";
      headers["Content-Length"] = Buffer.byteLength(body);
    }
    const params: [string, string][] = [];
    for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) params.push([k, String(v)]);
    if (mode.watch) params.push(["watch", "true"]);
    const agent = this.#agent(https, tls, credentials);
    this.#count++;
    try {
      if (request.signal?.aborted) throw request.signal.reason;
      const answer = await send(requestUrl(server, request.path, params), {
        method: request.method,
        headers,
        agent,
        ...(body === undefined ? {} : { body }),
        ...(request.signal ? { signal: request.signal } : {}),
        timeoutMs: this.#timeoutMs,
        timesBody: !mode.watch,
      });
      return { answer, credentials };
    } catch (error) {
      if (request.signal?.aborted) throw abortError(request.signal, request.operation);
      throw mapKubeFault(networkFault(request, error), request.operation, this.#secrets);
    }
  }

  /** The error of a non-2xx answer; after a 401 the refused credentials are dropped, and the error marked retryable when new ones may differ. */
  async #statusFault(request: KubeRequest, httpStatus: number, body: string, credentials: RequestCredentials): Promise<VmshiftError> {
    let status: KubeStatus | undefined;
    if (body) {
      try {
        const parsed = JSON.parse(body) as KubeStatus;
        if (parsed && typeof parsed === "object") status = parsed;
      } catch {
        status = { message: body.slice(0, 500) };
      }
    }
    const fault: KubeFault = { kind: "status", httpStatus, method: request.method, path: request.path, ...(status ? { status } : {}) };
    const error = mapKubeFault(fault, request.operation, this.#secrets);
    if (httpStatus === 401 && (await this.#credentials.refused(credentials))) this.#renewed.add(error);
    return error;
  }
}

/**
 * @deprecated Renamed {@link HttpKubeTransport}: the transport no longer uses axios. Same class
 * (`instanceof` holds for both names).
 */
export const AxiosKubeTransport = HttpKubeTransport;
/** @deprecated Renamed {@link HttpKubeTransport}. */
export type AxiosKubeTransport = HttpKubeTransport;

/** The fault of a request that got no (complete) answer: Node's error code (ECONNREFUSED, ETIMEDOUT, CERT_HAS_EXPIRED, …) and message. */
function networkFault(request: KubeRequest, error: unknown): KubeFault {
  // Connecting to every address of a name may fail as an AggregateError with an empty message.
  const inner = (error as { errors?: unknown } | null)?.errors;
  const first = Array.isArray(inner) ? (inner[0] as unknown) : undefined;
  const code = (error as { code?: unknown } | null)?.code ?? (first as { code?: unknown } | undefined)?.code;
  const message = (error instanceof Error ? error.message : String(error)) || (first instanceof Error ? first.message : "") || "connection failed";
  return { kind: "network", message, method: request.method, path: request.path, ...(typeof code === "string" ? { code } : {}) };
}

/**
 * The URL of a request: the server (which may carry a path prefix, as behind a proxy) joined with the
 * API path, then the query. Values are encoded as the Kubernetes clients do: every reserved
 * character escaped except `:` `$` `,`, spaces as `+`.
 */
export function requestUrl(server: string, path: string, params: readonly (readonly [string, string])[]): URL {
  const url = new URL(`${server.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`);
  const query = params.map(([k, v]) => `${encodeQuery(k)}=${encodeQuery(v)}`).join("&");
  if (query) url.search = url.search ? `${url.search}&${query}` : `?${query}`;
  return url;
}

function encodeQuery(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ":").replace(/%24/g, "$").replace(/%2C/gi, ",").replace(/%20/g, "+");
}

/** An answer whose headers arrived. */
interface Answer {
  readonly status: number;
  /** The body, decompressed. */
  readonly body: Readable;
  /** Why the transport cut the exchange (its timeout), when it did: the body's own error then only says "aborted". */
  failure(): Error | undefined;
  /** Stops the timeout and the abort listener, and drops the connection when the body was not read to its end. */
  end(): void;
}

interface SendOptions {
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly agent: HttpAgent | HttpsAgent;
  readonly body?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  /** True: the timeout runs until the body is read (`end()`); false: until the headers arrive (watches). */
  readonly timesBody: boolean;
}

/** Sends one request through Node's `http`/`https`; resolves when the answer's headers arrive. Redirects are not followed, proxies not used. */
function send(url: URL, options: SendOptions): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    let failure: Error | undefined;
    let timer: NodeJS.Timeout | undefined;
    let response: IncomingMessage | undefined;
    let body: Readable | undefined;
    const { signal } = options;
    const cut = (error: Error) => {
      failure ??= error;
      req.destroy(error);
    };
    const onAbort = () => cut(signal?.reason instanceof Error ? signal.reason : new Error("aborted by caller"));
    const stop = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const target = { ...urlToHttpOptions(url), method: options.method, headers: options.headers, agent: options.agent };
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(target, (res) => {
      response = res;
      if (!options.timesBody) clearTimeout(timer);
      body = decoded(res, options.method);
      resolve({
        status: res.statusCode ?? 0,
        body,
        failure: () => failure,
        end() {
          stop();
          if (!res.complete) body?.destroy();
        },
      });
    });
    req.on("error", (error) => {
      if (response) return; // the body's reader sees it
      stop();
      reject(failure ?? error);
    });
    if (options.timeoutMs > 0) {
      timer = setTimeout(() => cut(Object.assign(new Error(`timeout of ${options.timeoutMs}ms exceeded`), { code: "ETIMEDOUT" })), options.timeoutMs);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    req.end(options.body);
  });
}

/** The body of an answer, decompressed when the server compressed it. */
function decoded(res: IncomingMessage, method: string): Readable {
  const encoding = String(res.headers["content-encoding"] ?? "").trim().toLowerCase();
  const empty = method === "HEAD" || res.statusCode === 204 || res.statusCode === 304 || res.headers["content-length"] === "0";
  const decoder =
    empty ? undefined
    : encoding === "gzip" || encoding === "x-gzip" || encoding === "deflate" ? createUnzip({ flush: zlibConstants.Z_SYNC_FLUSH, finishFlush: zlibConstants.Z_SYNC_FLUSH })
    : encoding === "br" ? createBrotliDecompress({ flush: zlibConstants.BROTLI_OPERATION_FLUSH, finishFlush: zlibConstants.BROTLI_OPERATION_FLUSH })
    : undefined;
  if (!decoder) return res;
  // Errors reach the reader through the decoder; destroying the decoder ends the response too.
  return pipeline(res, decoder, () => {});
}

async function readText(stream: Readable): Promise<string> {
  stream.setEncoding("utf8");
  let text = "";
  for await (const chunk of stream) text += chunk as string;
  return text;
}
