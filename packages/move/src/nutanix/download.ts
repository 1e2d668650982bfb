/**
 * Downloads a Prism image file (`GET /api/vmm/v4.0/content/images/{imageExtId}/file`) into a local
 * file with Node, so the credentials stay in this process's memory: qemu-img's curl driver would
 * need the server to answer `Range` requests (the v4 spec documents none) and offers no CA file,
 * and nothing here may put a password in argv. Errors name the status and Prism's error code and
 * message, never the credentials.
 */
import { createWriteStream } from "node:fs";
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { pipeline } from "node:stream/promises";
import { VmshiftError, quietAgent, redact } from "@vmshift/core";

/** Where Prism Central is and how to authenticate (HTTP Basic or an API key). */
export interface PrismConnection {
  /** `https://<prism-central>:9440` (http only for local test servers). */
  readonly baseUrl: string;
  /** Prism credentials: user name and password (basic), or an API key. Never logged. */
  readonly auth: { readonly username: string; readonly password: string } | { readonly apiKey: string };
  /** Extra CA certificate(s), PEM. */
  readonly ca?: string | readonly string[];
  /** Turns certificate verification off. Default false. */
  readonly insecureSkipTlsVerify?: boolean;
}

/** Streams a Prism path's body into a local file. */
export interface ImageFileDownloader {
  /** GETs `path` (built with `prismPath`) into `file`; returns the bytes written. */
  download(path: string, file: string, ctx: { readonly signal: AbortSignal }): Promise<number>;
}

/** A downloader over `node:http(s)` with the connection's credentials. */
export function prismImageFiles(connection: PrismConnection): ImageFileDownloader {
  let base: URL;
  try {
    base = new URL(connection.baseUrl);
  } catch {
    throw new VmshiftError("INVALID_ARGUMENT", "baseUrl must be an absolute URL such as https://prism-central:9440", { adapter: "nutanix", operation: "move.connect" });
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") throw new VmshiftError("INVALID_ARGUMENT", `baseUrl must use https (or http for local test servers), got ${base.protocol}`, { adapter: "nutanix", operation: "move.connect" });
  const auth = connection.auth;
  const secrets = "apiKey" in auth ? [auth.apiKey] : [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString("base64")];
  const headers: Record<string, string> = "apiKey" in auth ? { "X-ntnx-api-key": auth.apiKey } : { Authorization: `Basic ${secrets[1]}` };
  const tls = base.protocol === "https:";
  const ca = connection.ca === undefined ? undefined : typeof connection.ca === "string" ? [connection.ca] : [...connection.ca];
  // Quiet agents: NODE_DEBUG=net/tls must not print the Authorization header with the socket options.
  const agent = tls ? quietAgent(new HttpsAgent({ rejectUnauthorized: connection.insecureSkipTlsVerify !== true, ...(ca ? { ca } : {}) })) : quietAgent(new HttpAgent());
  const send = tls ? httpsRequest : httpRequest;

  return {
    async download(path, file, ctx) {
      const url = new URL(path, base.origin);
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = send(url, { method: "GET", headers: { Accept: "application/octet-stream, application/json", ...headers }, agent, signal: ctx.signal }, resolve);
        req.on("error", (e) => reject(e));
        req.end();
      }).catch((e: unknown) => {
        if (ctx.signal.aborted) throw new VmshiftError("ABORTED", "image download cancelled", { adapter: "nutanix", operation: "move.openDisk" });
        throw new VmshiftError("TRANSPORT", `image download from ${url.origin} failed: ${redact((e as Error).message, secrets)}`, { adapter: "nutanix", operation: "move.openDisk", retryable: true });
      });
      if (res.statusCode !== 200) {
        const text = await readSome(res, 64 * 1024);
        const appMessage = parseAppMessage(text);
        const code = res.statusCode === 404 ? "NOT_FOUND" : res.statusCode === 401 ? "UNAUTHENTICATED" : res.statusCode === 403 ? "PERMISSION_DENIED" : "MIGRATION_FAILED";
        throw new VmshiftError(code, redact(`image download answered ${res.statusCode}${appMessage ? `: ${appMessage}` : ""}`, secrets), { adapter: "nutanix", operation: "move.openDisk" });
      }
      let bytes = 0;
      res.on("data", (c: Buffer) => (bytes += c.length));
      try {
        await pipeline(res, createWriteStream(file, { mode: 0o600 }), { signal: ctx.signal });
      } catch (e) {
        if (ctx.signal.aborted) throw new VmshiftError("ABORTED", "image download cancelled", { adapter: "nutanix", operation: "move.openDisk" });
        throw new VmshiftError("MIGRATION_FAILED", `image download broke off after ${bytes} bytes: ${redact((e as Error).message, secrets)}`, { adapter: "nutanix", operation: "move.openDisk", retryable: true });
      }
      const expected = Number(res.headers["content-length"]);
      if (Number.isFinite(expected) && expected !== bytes) throw new VmshiftError("MIGRATION_FAILED", `image download ended after ${bytes} of ${expected} bytes`, { adapter: "nutanix", operation: "move.openDisk", retryable: true });
      return bytes;
    },
  };
}

async function readSome(res: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if (n < max) chunks.push(c);
    n += c.length;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, max);
}

/** `CODE: message` of the first v4 AppMessage in an error body (or a flat `{code, message}`). */
function parseAppMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { data?: { error?: { code?: string; message?: string }[] }; code?: string; message?: string };
    const m = body.data?.error?.[0] ?? body;
    return m.message ? `${m.code ? `${m.code}: ` : ""}${m.message}` : undefined;
  } catch {
    return undefined;
  }
}
