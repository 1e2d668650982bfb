/**
 * The only file that does I/O: one axios instance per connection, auth headers, TLS, bounded
 * retries of transient failures (408/429/503/504 and lost answers) that resend the very same
 * request (same `NTNX-Request-Id`, so the server can never act twice), and error mapping through
 * `errors.ts`. Credentials never leave this file: errors carry a sanitised cause, never the axios
 * config.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent } from "node:https";
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import { type Clock, type Logger, VmshiftError, isVmshiftError, quietAgent, redact, silentLogger, systemClock, withRetry } from "@vmshift/core";
import { faultFromBody, toVmshiftError } from "./errors.ts";
import { queryString } from "./escape.ts";

/** How to authenticate: HTTP Basic, or a Prism Central API key (`X-ntnx-api-key`). */
export type NutanixAuth = { readonly username: string; readonly password: string } | { readonly apiKey: string };

/** Options of a connection to Prism Central. */
export interface NutanixConnectionOptions {
  /** `https://<prism-central>:9440` (no path). */
  readonly baseUrl: string;
  readonly auth: NutanixAuth;
  /** Turns TLS certificate verification off. Default false; prefer `ca`. */
  readonly insecureSkipTlsVerify?: boolean;
  /** Extra CA certificate(s), PEM, for a Prism Central with a private CA. */
  readonly ca?: string | readonly string[];
  /** Per-request timeout, ms. Default 30 000. */
  readonly requestTimeoutMs?: number;
  /** Retries of transient failures per request. Default 3. */
  readonly retries?: number;
  /** First retry delay, ms (doubles, capped at 5 s, jittered). Default 500. */
  readonly retryDelayMs?: number;
  /** Injected HTTP client (tests, proxies). Default: a new axios instance. */
  readonly httpClient?: AxiosInstance;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: silent. Messages are redacted before they reach it. */
  readonly logger?: Logger;
}

/** One request. `path` must be built with `buildPath` (escape.ts). */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "OPTIONS";
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** For errors, e.g. `migration.start`. */
  readonly operation: string;
  readonly subject?: string;
  readonly signal?: AbortSignal;
  /** Statuses returned instead of thrown (e.g. 404 during a probe). */
  readonly acceptStatus?: readonly number[];
}

/** One answer. */
export interface HttpResponse<T> {
  readonly status: number;
  readonly data: T;
  /** The `ETag` header, when sent. */
  readonly etag?: string;
}

/** The HTTP transport of the Nutanix adapter. */
export class NutanixTransport {
  readonly #http: AxiosInstance;
  readonly #options: NutanixConnectionOptions;
  readonly #secrets: string[];
  readonly #clock: Clock;
  readonly #logger: Logger;
  #sent = 0;

  constructor(options: NutanixConnectionOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new VmshiftError("INVALID_ARGUMENT", "baseUrl must be an absolute URL such as https://prism-central:9440", { adapter: "nutanix", operation: "connect" });
    }
    if (base.protocol !== "https:" && base.protocol !== "http:") {
      throw new VmshiftError("INVALID_ARGUMENT", `baseUrl must use https (or http for local test servers), got ${base.protocol}`, { adapter: "nutanix", operation: "connect" });
    }
    if ("apiKey" in options.auth ? !options.auth.apiKey : !options.auth.username || !options.auth.password) {
      throw new VmshiftError("INVALID_ARGUMENT", "auth needs username and password, or apiKey", { adapter: "nutanix", operation: "connect" });
    }
    this.#options = options;
    this.#secrets = "apiKey" in options.auth ? [options.auth.apiKey] : [options.auth.password, Buffer.from(`${options.auth.username}:${options.auth.password}`).toString("base64")];
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    // Quiet agents: NODE_DEBUG=net/tls must not print the Authorization header with the socket options.
    this.#http =
      options.httpClient ??
      axios.create({ baseURL: base.origin, httpsAgent: quietAgent(new Agent(tlsAgentOptions(options))), httpAgent: quietAgent(new HttpAgent({ keepAlive: true })), maxRedirects: 0 });
  }

  /** Requests sent so far, retries included. */
  get requestCount(): number {
    return this.#sent;
  }

  /** Sends a request, retrying transient failures with the same headers; throws a VmshiftError. */
  async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
    return withRetry((attempt) => this.#once<T>(request, attempt), {
      clock: this.#clock,
      retries: this.#options.retries ?? 3,
      initialDelayMs: this.#options.retryDelayMs ?? 500,
      maxDelayMs: 5000,
      ...(request.signal ? { signal: request.signal } : {}),
      isRetryable: (e) => isVmshiftError(e) && e.retryable && e.code !== "CONFLICT",
      onRetry: (error, attempt, delayMs) =>
        this.#logger.log("warn", "retrying Prism request", { method: request.method, path: request.path, attempt, delayMs, error: redact(String((error as Error).message), this.#secrets) }),
    });
  }

  async #once<T>(request: HttpRequest, attempt: number): Promise<HttpResponse<T>> {
    if (request.signal?.aborted) throw new VmshiftError("ABORTED", "aborted by caller", { adapter: "nutanix", operation: request.operation });
    const url = request.path + queryString(request.query ?? {});
    this.#sent++;
    this.#logger.log("debug", "prism request", { method: request.method, url, attempt });
    let response: AxiosResponse<unknown>;
    try {
      response = await this.#http.request({
        method: request.method,
        url,
        headers: { Accept: "application/json", ...(request.body === undefined ? {} : { "Content-Type": "application/json" }), ...this.#authHeaders(), ...request.headers },
        ...(request.body === undefined ? {} : { data: request.body }),
        timeout: this.#options.requestTimeoutMs ?? 30_000,
        validateStatus: () => true,
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      throw this.#networkError(error, request);
    }
    const etag = headerValue(response.headers, "etag");
    if ((response.status >= 200 && response.status < 300) || request.acceptStatus?.includes(response.status)) {
      return { status: response.status, data: response.data as T, ...(etag === undefined ? {} : { etag }) };
    }
    const fault = faultFromBody(response.status, response.data);
    // 408/429/5xx are retryable per the error table; the retry resends the same headers.
    throw toVmshiftError(
      { ...fault, message: redact(fault.message, this.#secrets) },
      {
        operation: request.operation,
        ...(request.subject === undefined ? {} : { subject: request.subject }),
        cause: { status: response.status, body: redactBody(response.data, this.#secrets) },
      },
    );
  }

  #authHeaders(): Record<string, string> {
    const auth = this.#options.auth;
    if ("apiKey" in auth) return { "X-ntnx-api-key": auth.apiKey };
    return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` };
  }

  #networkError(error: unknown, request: HttpRequest): VmshiftError {
    if (request.signal?.aborted) return new VmshiftError("ABORTED", "aborted by caller", { adapter: "nutanix", operation: request.operation });
    const errno = isAxiosError(error) ? (error.code ?? "ERR_NETWORK") : "ERR_UNKNOWN";
    const message = redact(error instanceof Error ? error.message : String(error), this.#secrets);
    return toVmshiftError(
      { kind: "network", errno, message: /CERT|SELF_SIGNED/.test(errno) && !/certificate/i.test(message) ? `${message} (${errno}: certificate)` : message },
      { operation: request.operation, ...(request.subject === undefined ? {} : { subject: request.subject }), cause: { errno, method: request.method, path: request.path } },
    );
  }
}

/** The TLS options of the HTTPS agent: verification on unless `insecureSkipTlsVerify`, extra CAs from `ca`. */
export function tlsAgentOptions(options: Pick<NutanixConnectionOptions, "insecureSkipTlsVerify" | "ca">): { rejectUnauthorized: boolean; keepAlive: boolean; ca?: string[] } {
  const ca = options.ca === undefined ? undefined : typeof options.ca === "string" ? [options.ca] : [...options.ca];
  return { rejectUnauthorized: options.insecureSkipTlsVerify !== true, keepAlive: true, ...(ca ? { ca } : {}) };
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const record = headers as Record<string, unknown>;
  const value = record[name] ?? record[name.toUpperCase()] ?? record["ETag"];
  return typeof value === "string" ? value : undefined;
}

function redactBody(body: unknown, secrets: readonly string[]): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(redact(JSON.stringify(body), secrets)) as unknown;
  } catch {
    return undefined;
  }
}
