/**
 * Reads datastore files through vCenter's datastore HTTP interface, `GET /folder/<path>?dcPath=<datacenter>&dsName=<datastore>`
 * (vSphere Web Services SDK programming guide, "HTTP access to datastore files"; what `govc datastore.download`
 * uses): the whole file, or only byte ranges (`Range: bytes=a-b`, answered 206) written at their own
 * offsets into a local file. Used by warm moves to read a snapshot's frozen disk. The session cookie
 * is handed in by the caller (move-api.ts) and never appears in a URL, an error or a log.
 */
import { openSync, closeSync, writeSync, ftruncateSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import type https from "node:https";
import { request as httpsRequest } from "node:https";
import { VmshiftError, redact } from "@vmshift/core";

/** A datastore file: `[datastore] dir/file.vmdk` and the datacenter whose datastore it is. */
export interface DatastoreFile {
  /** Inventory path of the datacenter (its name when it sits in the root folder). */
  readonly datacenter: string;
  /** A datastore path, `[datastore] dir/file`. */
  readonly path: string;
}

/** A byte range of a file. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** The `/folder` URL of a datastore file on `base` (every path segment and query value escaped here, and only here). */
export function folderUrl(base: URL, file: DatastoreFile): URL {
  const m = /^\[([^\]]+)\]\s*(.+)$/.exec(file.path);
  if (!m || m[2]!.split("/").some((s) => s === ".." || s === ".")) {
    throw new VmshiftError("INVALID_ARGUMENT", `${JSON.stringify(file.path)} is not a datastore path ([datastore] dir/file)`, { adapter: "vsphere", operation: "move.readDatastoreFile" });
  }
  const url = new URL(base.origin);
  url.pathname = `/folder/${m[2]!.split("/").filter(Boolean).map(encodeURIComponent).join("/")}`;
  url.search = new URLSearchParams({ dcPath: file.datacenter, dsName: m[1]! }).toString();
  return url;
}

/** An export lease's device URL, resolved: where to GET it and whether that is vCenter itself. */
export interface NfcDeviceUrl {
  readonly url: URL;
  /** True when the URL names the host the session is on (`*` or the same host and port): only then is the session cookie sent. */
  readonly onSessionHost: boolean;
  /** The host name and port the URL names (an ESXi host's, or vCenter's). */
  readonly host: string;
  /** The URL for messages: the ticket segment (the download's authorization on an ESXi host) left out. */
  readonly label: string;
}

const STAR = "vmshift-device-url-star.invalid";

/**
 * Resolves an HttpNfcLeaseDeviceUrl's `url` against the session's `base` (vSphere: "if a `*` is
 * returned the client must substitute the `*` with the hostname or IP address used when
 * connecting"): `https://*​/nfc/…` and `https://*:port/nfc/…` take base's host (and its port when the
 * URL names none); any other host is kept, parsed by the WHATWG URL parser (IDNA, IPv6 brackets).
 * Refuses (`INVALID_ARGUMENT`) what is not `https://<host>/nfc/<ticket>/<file>` without credentials.
 */
export function nfcDeviceUrl(base: URL, deviceUrl: string): NfcDeviceUrl {
  const refuse = (why: string) => new VmshiftError("INVALID_ARGUMENT", `the export lease's device URL is not an NFC URL (${why})`, { adapter: "vsphere", operation: "move.download" });
  let url: URL;
  try {
    url = new URL(deviceUrl.replace(/^https:\/\/\*(?=[:/])/i, `https://${STAR}`));
  } catch {
    throw refuse("it does not parse as a URL");
  }
  if (url.hostname === STAR) {
    const port = url.port;
    url.hostname = base.hostname;
    url.port = port || base.port;
  }
  const segments = url.pathname.split("/");
  if (url.protocol !== "https:") throw refuse(`scheme ${url.protocol.replace(/:$/, "")}, not https`);
  if (url.username || url.password) throw refuse("it carries credentials");
  if (segments[1] !== "nfc" || segments.length !== 4 || !segments[2] || !segments[3]) throw refuse("its path is not /nfc/<ticket>/<file>");
  url.hash = "";
  return { url, onSessionHost: url.host === base.host, host: url.host, label: `https://${url.host}/nfc/…/${segments[3]}` };
}

/** What {@link readDatastoreFile} needs from the connection. */
export interface DatastoreHttp {
  readonly base: URL;
  readonly agent: https.Agent;
  /** The `Cookie` header value of the session. */
  cookie(): Promise<string>;
  /** Values to scrub from error messages. */
  secrets(): readonly string[];
}

function get(http: DatastoreHttp, url: URL, cookie: string, range: ByteRange | undefined, signal?: AbortSignal): Promise<IncomingMessage> {
  const headers: Record<string, string> = { Cookie: cookie };
  if (range) headers["Range"] = `bytes=${range.offset}-${range.offset + range.length - 1}`;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpsRequest(url, { method: "GET", agent: http.agent, headers, ...(signal ? { signal } : {}) }, resolve);
    req.on("error", reject);
    req.end();
  });
}

/**
 * Reads a datastore file into local file `dest` (created 0600, truncated): the whole file, or with
 * `ranges` only those bytes, each written at its own offset (the rest of `dest` is a hole of
 * zeros, `sizeBytes` long), at most `parallel` Range requests in flight (default 1; the first
 * failure stops the others). Returns the bytes read.
 */
export async function readDatastoreFile(http: DatastoreHttp, file: DatastoreFile, dest: string, options: { readonly ranges?: readonly ByteRange[]; readonly sizeBytes?: number; readonly parallel?: number; readonly signal?: AbortSignal; readonly onBytes?: (bytes: number) => void } = {}): Promise<number> {
  const url = folderUrl(http.base, file);
  const op = "move.readDatastoreFile";
  const fd = openSync(dest, "w", 0o600);
  let bytes = 0;
  try {
    if (options.sizeBytes !== undefined) ftruncateSync(fd, options.sizeBytes);
    const cookie = await http.cookie();
    const ranges: readonly (ByteRange | undefined)[] = (options.ranges ?? [undefined]).filter((r) => !r || r.length > 0);
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    let next = 0;
    const readOne = async (range: ByteRange | undefined): Promise<void> => {
      const res = await get(http, url, cookie, range, signal).catch((error: unknown) => {
        throw new VmshiftError(options.signal?.aborted ? "ABORTED" : "TRANSPORT", redact(`reading ${file.path} failed: ${(error as Error).message}`, http.secrets()), { adapter: "vsphere", operation: op });
      });
      const want = range ? 206 : 200;
      if (res.statusCode !== want) {
        res.resume();
        throw new VmshiftError(res.statusCode === 404 ? "NOT_FOUND" : "MIGRATION_FAILED", `reading ${file.path}${range ? ` (bytes ${range.offset}+${range.length})` : ""} answered HTTP ${res.statusCode}, not ${want}`, { adapter: "vsphere", operation: op, subject: file.path });
      }
      // A range past the end of the file is answered up to the end (Content-Range `bytes a-b/size`).
      const served = range ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(res.headers["content-range"] ?? "")) : null;
      const short = served ? Number(served[2]) + 1 < range!.offset + range!.length && Number(served[2]) + 1 !== Number(served[3]) : false;
      if (range && (!served || Number(served[1]) !== range.offset || Number(served[2]) >= range.offset + range.length || short)) {
        res.resume();
        throw new VmshiftError("MIGRATION_FAILED", `reading ${file.path} (bytes ${range.offset}+${range.length}) answered range ${String(res.headers["content-range"] ?? "none")}`, { adapter: "vsphere", operation: op, subject: file.path });
      }
      const end = served ? Number(served[2]) + 1 : undefined;
      let at = range?.offset ?? 0;
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          if (end !== undefined && at + chunk.length > end) throw new Error(`the server sent more than the bytes it announced`);
          writeSync(fd, chunk, 0, chunk.length, at);
          at += chunk.length;
          bytes += chunk.length;
          options.onBytes?.(bytes);
        }
      } catch (error) {
        throw new VmshiftError(options.signal?.aborted ? "ABORTED" : "TRANSPORT", redact(`reading ${file.path} failed after ${bytes} bytes: ${(error as Error).message}`, http.secrets()), { adapter: "vsphere", operation: op });
      }
      if (end !== undefined && at !== end) {
        throw new VmshiftError("MIGRATION_FAILED", `reading ${file.path}: bytes ${range!.offset}+${range!.length} ended after ${at - range!.offset}`, { adapter: "vsphere", operation: op, subject: file.path });
      }
    };
    const worker = async (): Promise<void> => {
      while (next < ranges.length && !stop.signal.aborted) await readOne(ranges[next++]);
    };
    let first: { error: unknown } | undefined;
    const workers = Array.from({ length: Math.max(1, Math.min(options.parallel ?? 1, ranges.length)) }, () =>
      worker().catch((error: unknown) => {
        first ??= { error };
        stop.abort();
      }),
    );
    await Promise.all(workers);
    if (first) throw first.error;
  } finally {
    closeSync(fd);
  }
  return bytes;
}
