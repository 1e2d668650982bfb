/**
 * The only file that does network I/O: Kubernetes REST over axios, authenticated from a kubeconfig
 * (bearer token or token file, basic auth, client certificate, CA, exec plugins, in-cluster; see
 * `kubeconfig/`). `https://` and plain `http://` servers (e.g. `kubectl proxy`) both work, with or
 * without credentials. Safe requests (GET, DELETE) are retried on transient faults; every fault
 * becomes a VmshiftError through the one table in errors.ts.
 */
import { createHash } from "node:crypto";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Readable } from "node:stream";
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import { type Clock, VmshiftError, abortError, isVmshiftError, systemClock, withRetry } from "@vmshift/core";
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

/** Options of {@link AxiosKubeTransport}. */
export interface AxiosTransportOptions {
  /** Where the server, user and TLS settings come from (see `loadKubeConfig`). */
  readonly kubeConfig: KubeConfig;
  /** Environment, files and process spawning for token files, certificate files and exec plugins. Default: the real ones. */
  readonly system?: KubeconfigSystem;
  /** Longest run of an exec credential plugin, ms. Default 60 000. */
  readonly execTimeoutMs?: number;
  /** Default: a new axios instance. */
  readonly axios?: AxiosInstance;
  /** Per-request timeout, ms (watches excepted). Default 30 000. */
  readonly timeoutMs?: number;
  /** Retries of GET/DELETE on transient faults. Default 2. */
  readonly retries?: number;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

/** Kept-alive agents (distinct TLS configurations) at most. */
const MAX_AGENTS = 4;

/** Kubernetes REST over axios. */
export class AxiosKubeTransport implements KubeTransport {
  readonly #kc: KubeConfig;
  readonly #http: AxiosInstance;
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

  constructor(options: AxiosTransportOptions) {
    this.#kc = options.kubeConfig;
    this.#http = options.axios ?? axios.create();
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
      const { response, credentials } = await this.#send(request, { watch: false });
      if (response.status >= 300) throw await this.#statusFault(request, response.status, response.data, credentials);
      return String(response.data ?? "");
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
    const { response, credentials } = await this.#send(request, { watch: true });
    const stream = response.data as Readable;
    try {
      if (response.status >= 300) throw await this.#statusFault(request, response.status, await readAll(stream), credentials);
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
    const { response, credentials } = await this.#send(request, { watch: false });
    if (response.status >= 300) throw await this.#statusFault(request, response.status, response.data, credentials);
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
      agent = https ? new HttpsAgent({ ...options, keepAlive: true, maxSockets: 32 }) : new HttpAgent({ keepAlive: true, maxSockets: 32 });
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

  async #send(request: KubeRequest, mode: { readonly watch: boolean }): Promise<{ response: AxiosResponse; credentials: RequestCredentials }> {
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
    const headers: Record<string, string> = { Accept: "application/json" };
    if (credentials.authorization) headers["Authorization"] = credentials.authorization;
    if (request.body !== undefined) headers["Content-Type"] = request.contentType ?? "application/json";
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) params[k] = String(v);
    if (mode.watch) params["watch"] = "true";
    const agent = this.#agent(https, tls, credentials);
    this.#count++;
    try {
      const response = await this.#http.request({
        baseURL: server.replace(/\/+$/, ""),
        url: request.path,
        method: request.method,
        params,
        headers,
        ...(request.body === undefined ? {} : { data: JSON.stringify(request.body) }),
        ...(https ? { httpsAgent: agent } : { httpAgent: agent }),
        ...(request.signal ? { signal: request.signal } : {}),
        timeout: mode.watch ? 0 : this.#timeoutMs,
        responseType: mode.watch ? "stream" : "text",
        transformResponse: (x: unknown) => x,
        validateStatus: () => true,
        maxRedirects: 0,
        proxy: false,
      });
      return { response, credentials };
    } catch (error) {
      if (request.signal?.aborted) throw abortError(request.signal, request.operation);
      throw mapKubeFault(networkFault(request, error), request.operation, this.#secrets);
    }
  }

  /** The error of a non-2xx answer; after a 401 the refused credentials are dropped, and the error marked retryable when new ones may differ. */
  async #statusFault(request: KubeRequest, httpStatus: number, body: unknown, credentials: RequestCredentials): Promise<VmshiftError> {
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
    const error = mapKubeFault(fault, request.operation, this.#secrets);
    if (httpStatus === 401 && (await this.#credentials.refused(credentials))) this.#renewed.add(error);
    return error;
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
