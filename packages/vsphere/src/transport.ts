/**
 * The only file of @vmshift/vsphere that does I/O: vim25 SOAP calls with the `soap` package over
 * an axios instance, against the WSDL subset in `spec/` (read from disk once per process). It
 * keeps the `vmware_soap_session` cookie, decodes SOAP faults into {@link VimFault}s mapped by
 * `errors.ts`, and reports network and TLS failures as `TRANSPORT`.
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import axios, { type AxiosInstance } from "axios";
import soap from "soap";
import { VmshiftError, redact } from "@vmshift/core";
import { type VimFault, faultToError } from "./errors.ts";
import { type TlsOptions, httpsAgentFor } from "./tls.ts";
import type { Xml } from "./xml.ts";

/** The operations in `spec/vim25-subset.wsdl`. */
export type VimMethod =
  | "RetrieveServiceContent" | "Login" | "Logout" | "CurrentTime"
  | "CreateContainerView" | "DestroyView"
  | "RetrievePropertiesEx" | "ContinueRetrievePropertiesEx" | "CancelRetrievePropertiesEx"
  | "CreatePropertyCollector" | "DestroyPropertyCollector" | "CreateFilter" | "WaitForUpdatesEx"
  | "RelocateVM_Task" | "CancelTask" | "PowerOffVM_Task" | "PowerOnVM_Task" | "ShutdownGuest"
  | "CheckRelocate_Task";

/** Per-call options. */
export interface VimCallOptions {
  readonly signal?: AbortSignal;
  /** Overrides the transport's request timeout, ms. */
  readonly timeoutMs?: number;
}

/** Sends vim25 calls. `body` is the request element's content (built by `xml.ts`). */
export interface VimTransport {
  /** Resolves with the response's `returnval` (undefined when there is none). */
  call(method: VimMethod, body: Xml, options?: VimCallOptions): Promise<unknown>;
  /** Forgets the session cookie (after Logout, or before a fresh Login). */
  clearSession(): void;
  /** Releases sockets. */
  close(): Promise<void>;
}

/** Options of {@link createSoapTransport}. */
export interface SoapTransportOptions extends TlsOptions {
  /** `https://vcenter.example.com/sdk`. */
  readonly url: string;
  /** Per-request timeout, ms. Default 120 000 (longer than any WaitForUpdatesEx wait). */
  readonly requestTimeoutMs?: number;
  /** vim25 release sent in SOAPAction. Default `6.5` (every call used exists since 6.0). */
  readonly apiVersion?: string;
  /** The HTTP client; default an axios instance with an HTTPS agent per the TLS options. */
  readonly http?: AxiosInstance;
  /** Path of the WSDL subset. Default: the package's `spec/vim25-subset.wsdl`. */
  readonly wsdlPath?: string;
  /** Exact secrets (passwords) that must never appear in errors. */
  readonly secrets?: readonly string[];
  /** Called before each SOAP request is sent (metrics, request counting in tests). */
  readonly onRequest?: (method: VimMethod) => void;
  /**
   * Called with every completed HTTP exchange (tracing, fixture recording). Bodies are raw: they
   * hold the password of Login and the session cookie; redact before storing.
   */
  readonly onExchange?: (exchange: SoapExchange) => void;
}

/** One HTTP exchange as seen on the wire. */
export interface SoapExchange {
  readonly method: string;
  readonly request: string;
  /** HTTP status; 0 when no answer came (connection dropped). */
  readonly status: number;
  readonly response: string;
  readonly responseHeaders: Readonly<Record<string, string | readonly string[]>>;
  /** Epoch ms when the request was sent, and how long the answer took. */
  readonly startedAt: number;
  readonly durationMs: number;
}

/** Where the package keeps its WSDL subset. */
export const DEFAULT_WSDL_PATH = fileURLToPath(new URL("../spec/vim25-subset.wsdl", import.meta.url));

const COOKIE = "vmware_soap_session";

/** Validates and normalises the endpoint URL: http(s), no userinfo, path defaults to `/sdk`. */
export function endpointUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new VmshiftError("INVALID_ARGUMENT", "url must be an absolute https:// URL of the vCenter SDK endpoint", { adapter: "vsphere" });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new VmshiftError("INVALID_ARGUMENT", `url must use https (got ${url.protocol})`, { adapter: "vsphere" });
  if (url.username || url.password) throw new VmshiftError("INVALID_ARGUMENT", "url must not carry credentials; pass username and password", { adapter: "vsphere" });
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/sdk";
  return url.toString();
}

/** A transport over the `soap` package. */
export function createSoapTransport(options: SoapTransportOptions): VimTransport {
  const endpoint = endpointUrl(options.url);
  const http = options.http ?? axios.create({ httpsAgent: httpsAgentFor(options), maxContentLength: Infinity, maxBodyLength: Infinity });
  const timeout = options.requestTimeoutMs ?? 120_000;
  const soapAction = `"urn:vim25/${options.apiVersion ?? "6.5"}"`;
  const secrets = options.secrets ?? [];
  let cookie: string | undefined;
  let client: Promise<soap.Client> | undefined;
  const sentXml = new Map<string, string>();
  const report = (eid: string, method: VimMethod, startedAt: number, status: number, response: unknown, headers: unknown) => {
    const request = sentXml.get(eid) ?? "";
    sentXml.delete(eid);
    options.onExchange?.({
      method, request, status, response: typeof response === "string" ? response : "",
      responseHeaders: { ...((headers ?? {}) as Record<string, string | string[]>) }, startedAt, durationMs: Date.now() - startedAt,
    });
  };

  const getClient = () =>
    (client ??= soap.createClientAsync(options.wsdlPath ?? DEFAULT_WSDL_PATH, { endpoint, request: http as never, disableCache: false }).then((c) => {
      if (options.onExchange) c.on("request", (xml: string, eid: string) => sentXml.set(eid, xml));
      return c;
    }, (error: unknown) => {
      client = undefined;
      throw new VmshiftError("INTERNAL", `cannot load the vim25 WSDL subset: ${(error as Error).message}`, { adapter: "vsphere", cause: error });
    }));

  return {
    async call(method, body, callOptions = {}) {
      const c = await getClient();
      const fn = (c as unknown as Record<string, (args: unknown, opts: unknown, headers: unknown) => Promise<unknown[]>>)[`${method}Async`];
      if (!fn) throw new VmshiftError("INTERNAL", `${method} is not in the WSDL subset`, { adapter: "vsphere" });
      const headers: Record<string, string> = { SOAPAction: soapAction };
      if (cookie) headers["Cookie"] = `${COOKIE}=${cookie}`;
      options.onRequest?.(method);
      const eid = randomUUID();
      const startedAt = Date.now();
      try {
        const [result, raw] = await fn.call(c, { $xml: body.xml }, { exchangeId: eid, timeout: callOptions.timeoutMs ?? timeout, ...(callOptions.signal ? { signal: callOptions.signal } : {}) }, headers);
        const responseHeaders = (c as unknown as { lastResponseHeaders?: Record<string, unknown> }).lastResponseHeaders ?? {};
        if (options.onExchange) report(eid, method, startedAt, 200, raw, responseHeaders);
        const fresh = sessionCookie(responseHeaders["set-cookie"]);
        if (fresh) cookie = fresh;
        if (result === null || typeof result !== "object") return undefined;
        return (result as { returnval?: unknown }).returnval ?? undefined;
      } catch (error) {
        if (options.onExchange) {
          const r = (error as { response?: { status?: number; data?: unknown; headers?: unknown } }).response;
          report(eid, method, startedAt, r?.status ?? 0, r?.data, r?.headers);
        }
        throw decodeError(error, method, callOptions.signal, secrets);
      }
    },
    clearSession() {
      cookie = undefined;
    },
    async close() {
      const agent = http.defaults.httpsAgent as { destroy?: () => void } | undefined;
      agent?.destroy?.();
    },
  };
}

function sessionCookie(header: unknown): string | undefined {
  const values = Array.isArray(header) ? header : typeof header === "string" ? [header] : [];
  for (const v of values) {
    const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(String(v));
    if (m?.[1]) return m[1];
  }
  return undefined;
}

/** Reads the typed fault out of a parsed SOAP fault (`xsi:type`, whatever prefix binds XSI). */
export function faultFromSoap(fault: unknown): VimFault | undefined {
  if (!fault || typeof fault !== "object") return undefined;
  const f = fault as { faultstring?: unknown; detail?: unknown };
  const message = typeof f.faultstring === "string" ? f.faultstring : "";
  const detail = f.detail && typeof f.detail === "object" ? Object.values(f.detail as Record<string, unknown>)[0] : undefined;
  const attrs = detail && typeof detail === "object" ? ((detail as { attributes?: Record<string, string> }).attributes ?? {}) : {};
  const typeAttr = Object.entries(attrs).find(([k]) => k === "type" || k.endsWith(":type"))?.[1];
  const fromElement = detail && f.detail ? Object.keys(f.detail as object)[0]?.replace(/Fault$/, "") : undefined;
  const type = typeAttr ?? fromElement ?? (message ? "InvalidRequest" : undefined);
  return type === undefined ? undefined : { type, message, ...(detail === undefined ? {} : { detail }) };
}

/**
 * What stays of a failed HTTP call as `cause`: name, code, status and a redacted message. The raw
 * axios error is dropped on purpose: its config holds the request body (the Login password) and
 * the session cookie.
 */
function safeCause(error: unknown, secrets: readonly string[]): { name: string; code?: string; status?: number; message: string } {
  const e = error as { name?: unknown; code?: unknown; message?: unknown; response?: { status?: number } };
  return {
    name: typeof e?.name === "string" ? e.name : "Error",
    ...(typeof e?.code === "string" ? { code: e.code } : {}),
    ...(typeof e?.response?.status === "number" ? { status: e.response.status } : {}),
    message: redact(typeof e?.message === "string" ? e.message : String(error), [...secrets]),
  };
}

function decodeError(error: unknown, method: VimMethod, signal: AbortSignal | undefined, secrets: readonly string[]): VmshiftError {
  if (error instanceof VmshiftError) return error;
  const e = error as { root?: { Envelope?: { Body?: { Fault?: unknown } } }; response?: { status?: number }; code?: string; message?: string; cause?: unknown };
  const fault = faultFromSoap(e.root?.Envelope?.Body?.Fault);
  if (fault) return faultToError(fault, { operation: method, secrets });
  const cause = safeCause(error, secrets);
  if (signal?.aborted || e.code === "ERR_CANCELED") return new VmshiftError("ABORTED", `${method} aborted by caller`, { adapter: "vsphere", cause });
  if (e.cause instanceof VmshiftError) return e.cause;
  if (e.code === "ECONNABORTED" || e.code === "ETIMEDOUT") return new VmshiftError("TIMEOUT", `${method}: no answer in time`, { adapter: "vsphere", cause, retryable: true });
  const status = e.response?.status;
  const text = cause.message;
  const tlsProblem = /certificate|self[- ]signed|SSL|TLS|thumbprint/i.test(text) || (e.code ?? "").startsWith("ERR_TLS") || /CERT|SELF_SIGNED/.test(e.code ?? "");
  return new VmshiftError("TRANSPORT", `${method}: ${status ? `HTTP ${status}: ` : ""}${text}${e.code && !text.includes(e.code) ? ` (${e.code})` : ""}`, {
    adapter: "vsphere",
    cause,
    retryable: !tlsProblem,
  });
}
