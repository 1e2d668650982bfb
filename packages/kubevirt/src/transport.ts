/**
 * The only file that does I/O: Kubernetes REST over axios, authenticated from a kubeconfig through
 * @kubernetes/client-node's KubeConfig (token, client certificate, CA, exec plugins, in-cluster).
 * Safe requests (GET, DELETE) are retried on transient faults; every fault becomes a VmshiftError
 * through the one table in errors.ts.
 */
import { Agent } from "node:https";
import type { Readable } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import { type Clock, VmshiftError, abortError, isVmshiftError, systemClock, withRetry } from "@vmshift/core";
import { type KubeFault, mapKubeFault } from "./errors.ts";
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

/** Options of {@link AxiosKubeTransport}. */
export interface AxiosTransportOptions {
  /** Where the server, user and TLS settings come from. */
  readonly kubeConfig: KubeConfig;
  /** Default: a new axios instance. */
  readonly axios?: AxiosInstance;
  /** Per-request timeout, ms (watches excepted). Default 30 000. */
  readonly timeoutMs?: number;
  /** Retries of GET/DELETE on transient faults. Default 2. */
  readonly retries?: number;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

/** Kubernetes REST over axios. */
export class AxiosKubeTransport implements KubeTransport {
  readonly #kc: KubeConfig;
  readonly #http: AxiosInstance;
  /** Keep-alive agents by TLS settings: client-node builds a fresh agent per request, which would cost a TLS handshake each time. */
  readonly #agents = new Map<string, Agent>();
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #clock: Clock;
  #count = 0;
  /** Credentials sent with the last request (masked in every error, since servers may echo them). */
  #secrets: string[] = [];

  constructor(options: AxiosTransportOptions) {
    this.#kc = options.kubeConfig;
    this.#http = options.axios ?? axios.create();
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retries = options.retries ?? 2;
    this.#clock = options.clock ?? systemClock;
  }

  get requestCount(): number {
    return this.#count;
  }

  /**
   * Sends a request. GET and DELETE are retried on transient faults (5xx, 429, connection errors,
   * timeouts). Any request answered 401 is retried after a pause when the kubeconfig's credentials
   * renew themselves (exec plugin, auth provider): a rotated or expired token is fetched again.
   */
  async request<T>(request: KubeRequest): Promise<T> {
    return this.#withRetries(request, () => this.#once<T>(request));
  }

  async requestText(request: KubeRequest): Promise<string> {
    return this.#withRetries(request, async () => {
      const response = await this.#send(request, { watch: false });
      if (response.status >= 300) throw this.#statusFault(request, response.status, response.data);
      return String(response.data ?? "");
    });
  }

  #withRetries<T>(request: KubeRequest, attempt: () => Promise<T>): Promise<T> {
    const safe = request.method === "GET" || request.method === "DELETE";
    const user = this.#kc.getCurrentUser();
    const renewable = Boolean(user?.exec || user?.authProvider);
    let transientRetries = 0;
    return withRetry(attempt, {
      clock: this.#clock,
      retries: Math.max(safe ? this.#retries : 0, renewable ? 3 : 0),
      initialDelayMs: 300,
      maxDelayMs: 2000,
      ...(request.signal ? { signal: request.signal } : {}),
      isRetryable: (e) => {
        if (!isVmshiftError(e)) return false;
        if (e.code === "UNAUTHENTICATED") return renewable;
        const transient = e.retryable && e.details?.["expired"] !== true && (e.code === "TRANSPORT" || e.code === "RATE_LIMITED" || e.code === "TIMEOUT");
        return safe && transient && transientRetries++ < this.#retries;
      },
    });
  }

  async *watch<T>(request: KubeRequest): AsyncIterable<KubeWatchEvent<T>> {
    const response = await this.#send(request, { watch: true });
    const stream = response.data as Readable;
    try {
      if (response.status >= 300) throw this.#statusFault(request, response.status, await readAll(stream));
      let buffered = "";
      for await (const chunk of stream) {
        buffered += String(chunk);
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
      throw mapKubeFault(networkFault(request, error), request.operation, this.#secrets);
    } finally {
      stream.destroy();
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
    const response = await this.#send(request, { watch: false });
    if (response.status >= 300) throw this.#statusFault(request, response.status, response.data);
    const data = response.data as unknown;
    if (data === "" || data === undefined) return undefined as T;
    if (typeof data === "string") {
      try {
        return JSON.parse(data) as T;
      } catch (error) {
        throw new VmshiftError("INTERNAL", `${request.method} ${request.path}: the answer was not JSON`, { adapter: "kubevirt", cause: error });
      }
    }
    return data as T;
  }

  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }

  /** One keep-alive agent per distinct TLS configuration (CA, client certificate, verification). */
  #keepAlive(agent: Agent): Agent {
    const o = agent.options;
    const text = (v: unknown) => (v === undefined ? "" : Buffer.isBuffer(v) ? v.toString("base64") : String(v));
    const key = [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername].map(text).join("\u0000");
    let shared = this.#agents.get(key);
    if (!shared) {
      shared = new Agent({ ...o, keepAlive: true, maxSockets: 32 });
      this.#agents.set(key, shared);
    }
    agent.destroy();
    return shared;
  }

  async #send(request: KubeRequest, mode: { readonly watch: boolean }): Promise<AxiosResponse> {
    const cluster = this.#kc.getCurrentCluster();
    if (!cluster) throw new VmshiftError("INVALID_ARGUMENT", "the kubeconfig has no current cluster", { adapter: "kubevirt" });
    const opts: { headers: Record<string, string>; agent?: Agent; auth?: string } = { headers: {} };
    try {
      await this.#kc.applyToHTTPSOptions(opts as never);
    } catch (error) {
      throw new VmshiftError("UNAUTHENTICATED", `could not get credentials from the kubeconfig: ${error instanceof Error ? error.message : String(error)}`, { adapter: "kubevirt", cause: error });
    }
    const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
    const user = this.#kc.getCurrentUser();
    const sent = [headers["Authorization"]?.replace(/^\w+\s+/, ""), user?.token, user?.password, opts.auth].filter((x): x is string => typeof x === "string" && x.length > 0);
    // Keep the last few: a renewed token must not make the previous one printable.
    this.#secrets = [...new Set([...sent, ...this.#secrets])].slice(0, 8);
    if (opts.auth) headers["Authorization"] = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    if (request.body !== undefined) headers["Content-Type"] = request.contentType ?? "application/json";
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) params[k] = String(v);
    if (mode.watch) params["watch"] = "true";
    const https = cluster.server.startsWith("https:");
    this.#count++;
    try {
      return await this.#http.request({
        baseURL: cluster.server.replace(/\/+$/, ""),
        url: request.path,
        method: request.method,
        params,
        headers,
        ...(request.body === undefined ? {} : { data: JSON.stringify(request.body) }),
        ...(https && opts.agent ? { httpsAgent: this.#keepAlive(opts.agent) } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        timeout: mode.watch ? 0 : this.#timeoutMs,
        responseType: mode.watch ? "stream" : "text",
        transformResponse: (x: unknown) => x,
        validateStatus: () => true,
        maxRedirects: 0,
        proxy: false,
      });
    } catch (error) {
      if (request.signal?.aborted) throw abortError(request.signal, request.operation);
      throw mapKubeFault(networkFault(request, error), request.operation, this.#secrets);
    }
  }

  #statusFault(request: KubeRequest, httpStatus: number, body: unknown): VmshiftError {
    let status: KubeStatus | undefined;
    if (typeof body === "string" && body) {
      try {
        const parsed = JSON.parse(body) as KubeStatus;
        if (parsed && typeof parsed === "object") status = parsed;
      } catch {
        status = { message: body.slice(0, 500) };
      }
    }
    const fault: KubeFault = { kind: "status", httpStatus, method: request.method, path: request.path, ...(status ? { status } : {}) };
    return mapKubeFault(fault, request.operation, this.#secrets);
  }
}

function networkFault(request: KubeRequest, error: unknown): KubeFault {
  const code = isAxiosError(error) ? error.code : (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { kind: "network", message, method: request.method, path: request.path, ...(code === undefined ? {} : { code }) };
}

async function readAll(stream: Readable): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text;
}
