/**
 * The only file of @vmshift/vsphere that does I/O: vim25 SOAP calls over `node:https` (or an
 * injected axios-like client). Envelopes are written and answers read by `envelope.ts`, against
 * the WSDL subset in `spec/` (the contract its tests check; it is not read at run time). It keeps
 * the `vmware_soap_session` cookie, decodes SOAP faults into {@link VimFault}s mapped by
 * `errors.ts`, and reports network and TLS failures as `TRANSPORT`. A call may bring its own
 * {@link AnswerDecoder} (the listing's page decoder): a 200 answer then goes to it chunk by chunk
 * as it arrives, with no whole-body string, and the decoder may hold the body back while what it
 * decoded waits for its reader ({@link AnswerFlow}).
 */
import type http from "node:http";
import { fileURLToPath } from "node:url";
import { VmshiftError, quietAgent, redact } from "@vmshift/core";
import { EnvelopeSyntaxError, type VimOperation, envelope, parseEnvelope, returnValue } from "./envelope.ts";
import { XmlSyntaxError } from "./xml-reader.ts";
import { type VimFault, faultToError } from "./errors.ts";
import { type TlsOptions, httpsAgentFor } from "./tls.ts";
import type { Xml } from "./xml.ts";

/** The operations in `spec/vim25-subset.wsdl`. */
export type VimMethod = VimOperation;

/** Per-call options. */
export interface VimCallOptions {
  readonly signal?: AbortSignal;
  /** Overrides the transport's request timeout, ms. */
  readonly timeoutMs?: number;
  /**
   * Reads the answer as it arrives instead of `envelope.ts` (a fresh decoder per attempt): the call
   * then resolves with what its `end()` returns. An answer the decoder declines (a fault) is read
   * the usual way. `flow` lets it hold the body back.
   */
  readonly decoder?: (flow: AnswerFlow) => AnswerDecoder;
}

/**
 * How a decoder holds back an answer it reads as it arrives (its reader is behind): the transport
 * stops reading the body — the bytes wait in the socket, not in this process — until `resume()`.
 * The request's timeout does not run while the answer is held, and a hold ends by itself after as
 * long as that timeout (the body is then read on), so an answer nobody comes back for does not
 * keep its connection forever. Both are no-ops when the answer is not read as it arrives (a
 * compressed body, an injected HTTP client).
 */
export interface AnswerFlow {
  pause(): void;
  resume(): void;
}

/**
 * Reads an answer's body piece by piece (see `resources/page-decoder.ts`). Throws
 * `XmlSyntaxError` for a body that is not well-formed.
 */
export interface AnswerDecoder {
  write(text: string): void;
  /** The body ended: the call's result. */
  end(): unknown;
  /** `response` once the body is known to be the answer it reads, `other` when it is not (a fault): the transport keeps the raw body until then. */
  readonly state: "undecided" | "response" | "other";
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

/**
 * An HTTP client with axios' `request` signature (an axios instance fits as it is): the transport
 * sends each SOAP request through it instead of `node:https`. Answers of any status must resolve.
 */
export interface SoapHttpClient {
  request(config: {
    url: string;
    method: "POST";
    headers: Record<string, string>;
    data: string;
    timeout: number;
    signal?: AbortSignal;
    responseType: "text";
    transformResponse: (data: unknown) => unknown;
    validateStatus: null;
    maxContentLength: number;
    maxBodyLength: number;
  }): Promise<{ status: number; data: unknown; headers: unknown }>;
  /** Its HTTPS agent (axios' `defaults.httpsAgent`) is destroyed on close. */
  readonly defaults?: { readonly httpsAgent?: unknown };
}

/** Options of {@link createSoapTransport}. */
export interface SoapTransportOptions extends TlsOptions {
  /** `https://vcenter.example.com/sdk`. */
  readonly url: string;
  /** Per-request timeout, ms: the whole exchange, from sending to the last byte of the answer. Default 120 000 (longer than any WaitForUpdatesEx wait). */
  readonly requestTimeoutMs?: number;
  /** vim25 release sent in SOAPAction. Default `6.5` (every call used exists since 6.0). */
  readonly apiVersion?: string;
  /** The HTTP client; default `node:https` with a keep-alive agent per the TLS options (which then do not apply to `http`). */
  readonly http?: SoapHttpClient;
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

/** The package's WSDL subset: the contract `envelope.ts` is tested against (not read at run time). */
export const DEFAULT_WSDL_PATH = fileURLToPath(new URL("../spec/vim25-subset.wsdl", import.meta.url));

// Through getBuiltinModule, not `import`: the ESM facade of node:http reads every export, and its
// lazy WebSocket getters load undici and zlib (≈ 40 ms of a cold start) for nothing.
const nodeHttp = process.getBuiltinModule("node:http");
const nodeHttps = process.getBuiltinModule("node:https");

const COOKIE = "vmware_soap_session";
const USER_AGENT = "vmshift-vsphere";

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

/** One HTTP answer. */
interface HttpAnswer {
  readonly status: number;
  /** The body ("" when a decoder read it and nobody needs the text). */
  readonly body: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** What the decoder made of the body, when it read it whole. */
  readonly decoded?: { readonly value: unknown } | { readonly error: unknown };
}

/** How a body is read while it arrives. */
interface Reading {
  readonly decoder: AnswerDecoder;
  /** Keep the whole text too (for `onExchange`). */
  readonly keepText: boolean;
  /** The decoder's {@link AnswerFlow}, wired to the response once it streams. */
  readonly valve: Valve;
}

/** An {@link AnswerFlow} handed to a decoder before its response exists: it acts once attached. */
class Valve implements AnswerFlow {
  #held = false;
  #target: AnswerFlow | undefined;

  pause(): void {
    if (this.#held) return;
    this.#held = true;
    this.#target?.pause();
  }

  resume(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#target?.resume();
  }

  /** Wires the valve to a streaming response (held at once if the decoder already asked). */
  attach(target: AnswerFlow): void {
    this.#target = target;
    if (this.#held) target.pause();
  }
}

/** Sends one POST; rejects only when no answer came. */
type Send = (url: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal | undefined, reading?: Reading) => Promise<HttpAnswer>;

/** A transport over `node:https` (or `options.http`), writing and reading envelopes with `envelope.ts`. */
export function createSoapTransport(options: SoapTransportOptions): VimTransport {
  const endpoint = endpointUrl(options.url);
  const timeout = options.requestTimeoutMs ?? 120_000;
  const soapAction = `"urn:vim25/${options.apiVersion ?? "6.5"}"`;
  const secrets = options.secrets ?? [];
  let cookie: string | undefined;
  let send: Send;
  let release: () => void;
  if (options.http) {
    const client = options.http;
    send = viaClient(client);
    release = () => (client.defaults?.httpsAgent as { destroy?: () => void } | undefined)?.destroy?.();
  } else {
    // Agents are made when this transport is (so TLS option errors surface at once, whatever the
    // scheme), sockets on the first call.
    const tlsAgent = httpsAgentFor(options);
    const agent: http.Agent = endpoint.startsWith("https:") ? tlsAgent : quietAgent(new nodeHttp.Agent({ keepAlive: true }));
    send = viaNode(agent);
    release = () => agent.destroy();
  }

  return {
    async call(method, body, callOptions = {}) {
      const xml = envelope(method, body.xml);
      const headers: Record<string, string> = { "Content-Type": "text/xml; charset=utf-8", SOAPAction: soapAction, Accept: "text/xml", "User-Agent": USER_AGENT };
      if (cookie) headers["Cookie"] = `${COOKIE}=${cookie}`;
      options.onRequest?.(method);
      const startedAt = Date.now();
      let answer: HttpAnswer;
      try {
        let reading: Reading | undefined;
        if (callOptions.decoder) {
          const valve = new Valve();
          reading = { decoder: callOptions.decoder(valve), keepText: options.onExchange !== undefined, valve };
        }
        answer = await send(endpoint, headers, xml, callOptions.timeoutMs ?? timeout, callOptions.signal, reading);
      } catch (error) {
        options.onExchange?.({ method, request: xml, status: 0, response: "", responseHeaders: {}, startedAt, durationMs: Date.now() - startedAt });
        throw decodeError(error, method, callOptions.signal, secrets);
      }
      options.onExchange?.({ method, request: xml, status: answer.status, response: answer.body, responseHeaders: answer.headers, startedAt, durationMs: Date.now() - startedAt });
      if (answer.decoded) {
        if ("error" in answer.decoded) {
          const error = answer.decoded.error;
          if (!(error instanceof XmlSyntaxError)) throw error;
          throw httpError(method, answer, `the answer is not well-formed XML: ${error.message}`);
        }
        const fresh = sessionCookie(answer.headers["set-cookie"]);
        if (fresh) cookie = fresh;
        return answer.decoded.value;
      }
      let parsed: ReturnType<typeof parseEnvelope>;
      try {
        parsed = parseEnvelope(answer.body);
      } catch (error) {
        if (!(error instanceof EnvelopeSyntaxError)) throw error;
        throw httpError(method, answer, error.message);
      }
      if (parsed.kind === "fault") {
        const fault = faultFromSoap(parsed.fault);
        if (fault) throw faultToError(fault, { operation: method, secrets });
        throw httpError(method, answer, "a SOAP fault without faultstring or detail");
      }
      if (parsed.kind === "other" || parsed.response === undefined) throw httpError(method, answer, "the answer is not a SOAP envelope");
      const fresh = sessionCookie(answer.headers["set-cookie"]);
      if (fresh) cookie = fresh;
      return returnValue(method, parsed);
    },
    clearSession() {
      cookie = undefined;
    },
    async close() {
      release();
    },
  };
}

/** An answer that is not SOAP: `TRANSPORT`, retryable for 5xx, 429 and dropped or garbled bodies. */
function httpError(method: VimMethod, answer: HttpAnswer, what: string): VmshiftError {
  const status = answer.status;
  const retryable = status >= 500 || status === 429 || status === 408 || status < 300;
  return new VmshiftError("TRANSPORT", `${method}: HTTP ${status}: ${what}`, { adapter: "vsphere", retryable, cause: { name: "HttpError", status, message: what } });
}

/** Thrown when a request outlives its timeout (decoded as `TIMEOUT`). */
class RequestTimeout extends Error {
  readonly code = "ETIMEDOUT";
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function viaNode(agent: http.Agent): Send {
  return (url, headers, body, timeoutMs, signal, reading) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const data = Buffer.from(body, "utf8");
      const request = (url.startsWith("https:") ? nodeHttps : nodeHttp).request(url, {
        method: "POST",
        agent,
        headers: { ...headers, "Content-Length": String(data.length) },
        ...(signal ? { signal } : {}),
      });
      // Whatever error the destroyed request then reports (an interceptor may report its own), it timed out.
      let timedOut: RequestTimeout | undefined;
      // The exchange's time left; it does not run while the decoder holds the answer back.
      let left = timeoutMs;
      let since = performance.now();
      let timer: NodeJS.Timeout | undefined = setTimeout(() => request.destroy((timedOut = new RequestTimeout(timeoutMs))), left);
      let hold: NodeJS.Timeout | undefined;
      const stopTimers = () => {
        clearTimeout(timer);
        clearTimeout(hold);
      };
      const fail = (error: Error) => {
        stopTimers();
        reject(timedOut ?? error);
      };
      request.on("error", fail);
      request.once("response", (response) => {
        const chunks: Buffer[] = [];
        const coding = (response.headers["content-encoding"] ?? "").trim().toLowerCase();
        // A 200 answer in plain UTF-8 goes to the decoder as it arrives; anything else is read whole.
        const streaming = reading && response.statusCode === 200 && (coding === "" || coding === "identity") ? new StreamingBody(reading) : undefined;
        let flowOf: AnswerFlow | undefined;
        if (streaming) {
          let held = false;
          const flow: AnswerFlow = {
            pause() {
              if (held || response.complete || response.destroyed) return;
              held = true;
              clearTimeout(timer);
              left -= performance.now() - since;
              response.pause();
              hold = setTimeout(() => flow.resume(), timeoutMs);
            },
            resume() {
              if (!held) return;
              held = false;
              clearTimeout(hold);
              since = performance.now();
              timer = setTimeout(() => request.destroy((timedOut = new RequestTimeout(timeoutMs))), Math.max(0, left));
              response.resume();
            },
          };
          flowOf = flow;
        }
        response.on("data", (chunk: Buffer) => {
          if (!streaming || streaming.write(chunk)) chunks.push(chunk);
        });
        // After the listener: a valve held already keeps the answer paused from its first byte.
        if (flowOf) reading!.valve.attach(flowOf);
        response.on("error", fail);
        response.once("close", () => {
          if (!response.complete) fail(Object.assign(new Error("the connection closed before the answer was complete"), { code: "ECONNRESET" }));
        });
        response.once("end", () => {
          stopTimers();
          try {
            const status = response.statusCode ?? 0;
            const responseHeaders = { ...response.headers } as HttpAnswer["headers"];
            const decoded = streaming?.end();
            if (decoded) resolve({ status, body: streaming!.text(chunks), headers: responseHeaders, decoded });
            else if (reading && !streaming && status === 200) {
              // Compressed: inflate whole, then decode.
              const text = decodeBody(Buffer.concat(chunks), response.headers["content-encoding"]);
              resolve({ status, body: text, headers: responseHeaders, ...decodeWhole(reading.decoder, text) });
            } else resolve({ status, body: decodeBody(Buffer.concat(chunks), response.headers["content-encoding"]), headers: responseHeaders });
          } catch (error) {
            reject(error);
          }
        });
      });
      request.end(data);
    });
}

/** A whole body through a decoder: its result, or nothing when it declines the answer. */
function decodeWhole(decoder: AnswerDecoder, text: string): Pick<HttpAnswer, "decoded"> {
  try {
    decoder.write(text);
    const value = decoder.end();
    return decoder.state === "response" ? { decoded: { value } } : {};
  } catch (error) {
    return { decoded: { error } };
  }
}

/**
 * A body fed to a decoder as it arrives (UTF-8 across chunk cuts, BOM dropped). The raw chunks are
 * kept until the decoder knows the answer is its own (a fault is then read whole) or throughout
 * when the text is wanted.
 */
class StreamingBody {
  readonly #reading: Reading;
  readonly #utf8 = new (process.getBuiltinModule("node:string_decoder").StringDecoder)("utf8");
  #first = true;
  #error: unknown;

  constructor(reading: Reading) {
    this.#reading = reading;
  }

  /** Feeds a chunk; true when the caller must keep it. */
  write(chunk: Buffer): boolean {
    if (this.#error === undefined) {
      let text = this.#utf8.write(chunk);
      if (this.#first && text.length > 0) {
        this.#first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      try {
        this.#reading.decoder.write(text);
      } catch (error) {
        this.#error = error;
      }
    }
    return this.#reading.keepText || this.#reading.decoder.state !== "response";
  }

  /** The result, or undefined when the decoder declined the answer (read it whole instead). */
  end(): HttpAnswer["decoded"] {
    if (this.#error === undefined) {
      try {
        const rest = this.#utf8.end();
        if (rest) this.#reading.decoder.write(rest);
        const value = this.#reading.decoder.end();
        if (this.#reading.decoder.state === "response") return { value };
      } catch (error) {
        this.#error = error;
      }
    }
    if (this.#error !== undefined && this.#reading.decoder.state === "response") return { error: this.#error };
    return undefined;
  }

  /** The body's text, when it was kept. */
  text(chunks: readonly Buffer[]): string {
    return this.#reading.keepText ? decodeBody(Buffer.concat(chunks), undefined) : "";
  }
}

/** The body as text (UTF-8, BOM dropped), inflated if the server compressed it although asked not to. */
function decodeBody(raw: Buffer, encoding: string | undefined): string {
  let bytes = raw;
  const coding = (encoding ?? "").trim().toLowerCase();
  if (coding && coding !== "identity") {
    const zlib = process.getBuiltinModule("node:zlib");
    if (coding === "gzip" || coding === "x-gzip") bytes = zlib.gunzipSync(raw);
    else if (coding === "deflate") bytes = zlib.inflateSync(raw);
    else if (coding === "br") bytes = zlib.brotliDecompressSync(raw);
  }
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function viaClient(client: SoapHttpClient): Send {
  return async (url, headers, body, timeoutMs, signal, reading) => {
    const answer = await client.request({
      url,
      method: "POST",
      headers,
      data: body,
      timeout: timeoutMs,
      ...(signal ? { signal } : {}),
      responseType: "text",
      transformResponse: (data) => data,
      validateStatus: null,
      maxContentLength: Infinity,
      maxBodyLength: Infinity,
    });
    const raw = (answer.headers ?? {}) as Record<string, unknown>;
    const headersOut: Record<string, string | readonly string[]> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === "string" || Array.isArray(v)) headersOut[k.toLowerCase()] = v as string | string[];
    const text = typeof answer.data === "string" ? answer.data : Buffer.isBuffer(answer.data) ? answer.data.toString("utf8") : String(answer.data ?? "");
    return { status: answer.status, body: text, headers: headersOut, ...(reading && answer.status === 200 ? decodeWhole(reading.decoder, text) : {}) };
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
 * error is dropped on purpose: an HTTP client's error (axios' config) can hold the request body
 * (the Login password) and the session cookie.
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
