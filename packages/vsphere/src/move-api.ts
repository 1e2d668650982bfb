/**
 * What `@vmshift/move`'s vSphere source needs from vCenter, over this package's transport:
 * property reads, a few vim25 calls whose parameters are written here (through `xml.ts`, the one
 * escaping helper), task waits, and NFC downloads of an export lease's device URLs (with the
 * session cookie on vCenter; pinned to the URL's sslThumbprint, without the cookie, on an ESXi
 * host). The cookie stays inside this object: callers get bytes, never the cookie.
 *
 * It has the shape `@vmshift/move`'s `VsphereMoveApi` expects (structurally: neither package
 * imports the other).
 */
import { createWriteStream } from "node:fs";
import type https from "node:https";
import { request as httpsRequest } from "node:https";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { VmshiftError, redact } from "@vmshift/core";
import { type ByteRange, type DatastoreFile, nfcDeviceUrl, readDatastoreFile } from "./datastore-files.ts";
import { esxiAgentFor } from "./esxi-tls.ts";
import { faultToError } from "./errors.ts";
import { asArray, moRef, num } from "./resources/decode.ts";
import { readObject } from "./resources/properties.ts";
import { waitTask as followTask } from "./resources/tasks.ts";
import { VimSession } from "./session.ts";
import { type TlsOptions, httpsAgentFor } from "./tls.ts";
import { type VimMethod, createSoapTransport, endpointUrl } from "./transport.ts";
import { type MoRef, type Xml, el, moref, seq } from "./xml.ts";

/** Options of {@link createVsphereMoveApi}. */
export interface VsphereMoveApiOptions extends TlsOptions {
  /** `https://vcenter.example.com/sdk`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Unused: tasks are followed by push (WaitForUpdatesEx, `resources/tasks.ts`). Kept so existing callers compile. */
  readonly pollMs?: number;
}

/** A parameter of {@link VsphereMoveApi.invoke}: a string/number element or a moref. */
export type MoveCallParam = readonly [name: string, value: string | number | MoRef];

/** The calls a move makes (the subset's operations a source needs). */
export type MoveCallMethod = Extract<VimMethod, "ExportVm" | "HttpNfcLeaseProgress" | "HttpNfcLeaseComplete" | "HttpNfcLeaseAbort" | "PowerOffVM_Task" | "PowerOnVM_Task" | "ShutdownGuest" | "Destroy_Task">;

/** `DiskChangeInfo` of QueryChangedDiskAreas: the areas changed in `[startOffset, startOffset + length)`. */
export interface DiskChangeInfo {
  readonly startOffset: number;
  readonly length: number;
  readonly changedArea: readonly { readonly start: number; readonly length: number }[];
}

export type { ByteRange, DatastoreFile } from "./datastore-files.ts";

/** The vCenter side of a vSphere move source. */
export interface VsphereMoveApi {
  /** Properties of one object by path (values as `resources/decode.ts` reads them); `NOT_FOUND` when it does not exist. */
  properties(ref: MoRef, paths: readonly string[], signal?: AbortSignal): Promise<Readonly<Record<string, unknown>>>;
  /** Calls `method` on `self`; parameters are written with the escaping XML builder. Resolves with the returnval. */
  invoke(method: MoveCallMethod, self: MoRef, params?: readonly MoveCallParam[], signal?: AbortSignal): Promise<unknown>;
  /** Waits for a task to end; its fault as a `VmshiftError`. */
  waitTask(task: MoRef, signal?: AbortSignal): Promise<void>;
  /**
   * Downloads an export lease's device URL into `file` (created 0600). Returns the bytes written.
   * On this vCenter's host (`https://*` → its host) with the session cookie and this connection's
   * TLS settings; on another host (the ESXi host that runs the VM) without the cookie — the ticket
   * in the URL path authorizes the read — and TLS pinned to `sslThumbprint` (the device URL's,
   * SHA-1), or, without one, verified against the profile's CA.
   */
  download(deviceUrl: string, file: string, options?: { readonly signal?: AbortSignal; readonly onBytes?: (bytes: number) => void; readonly sslThumbprint?: string }): Promise<number>;
  /**
   * CreateSnapshot_Task (warm moves: `memory` and `quiesce` false, as Forklift takes them), waited
   * for; resolves with the new VirtualMachineSnapshot.
   */
  createSnapshot(vm: MoRef, name: string, options: { readonly description?: string; readonly memory: boolean; readonly quiesce: boolean }, signal?: AbortSignal): Promise<MoRef>;
  /** RemoveSnapshot_Task, waited for (`removeChildren` default false, `consolidate` default true). */
  removeSnapshot(snapshot: MoRef, options?: { readonly removeChildren?: boolean; readonly consolidate?: boolean }, signal?: AbortSignal): Promise<void>;
  /** QueryChangedDiskAreas of disk `deviceKey` at `snapshot` since `changeId` (`"*"`: every allocated area). */
  queryChangedDiskAreas(vm: MoRef, snapshot: MoRef, deviceKey: number, startOffset: number, changeId: string, signal?: AbortSignal): Promise<DiskChangeInfo>;
  /**
   * Reads a datastore file through `/folder/<path>?dcPath=&dsName=` into local file `dest` (0600):
   * the whole file, or only `ranges` (HTTP Range reads, at most `parallel` in flight, default 1), each at its own offset in `dest`. Returns the bytes read.
   */
  readDatastoreFile(file: DatastoreFile, dest: string, options?: { readonly ranges?: readonly ByteRange[]; readonly sizeBytes?: number; readonly parallel?: number; readonly signal?: AbortSignal; readonly onBytes?: (bytes: number) => void }): Promise<number>;
  /** Logs out and releases sockets. */
  close(): Promise<void>;
}

const COOKIE = "vmware_soap_session";

/** A {@link VsphereMoveApi} over a fresh session to `options.url`. */
export function createVsphereMoveApi(options: VsphereMoveApiOptions): VsphereMoveApi {
  let cookie: string | undefined;
  const tls: TlsOptions = {
    ...(options.thumbprint === undefined ? {} : { thumbprint: options.thumbprint }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.insecureSkipTlsVerify === undefined ? {} : { insecureSkipTlsVerify: options.insecureSkipTlsVerify }),
  };
  const transport = createSoapTransport({
    url: options.url,
    secrets: [options.password],
    ...tls,
    onExchange: (x) => {
      const header = x.responseHeaders["set-cookie"];
      for (const v of Array.isArray(header) ? header : typeof header === "string" ? [header] : []) {
        const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(String(v));
        if (m?.[1]) cookie = m[1];
      }
    },
  });
  const session = new VimSession(transport, { username: options.username, password: options.password });
  const base = new URL(endpointUrl(options.url));
  let agent: https.Agent | undefined;
  /** Agents to ESXi hosts named by device URLs, by host and pinned thumbprint. */
  const esxiAgents = new Map<string, https.Agent>();
  const secrets = () => [options.password, ...(cookie ? [cookie] : [])];
  /** Starts a `*_Task` method and follows it to its end (the adapter's push wait); its result. */
  async function runTask(method: "CreateSnapshot_Task" | "RemoveSnapshot_Task", self: MoRef, body: Xml, signal?: AbortSignal): Promise<unknown> {
    const task = moRef(await session.call(method, self, body, signal ? { signal } : {}));
    if (!task) throw new VmshiftError("INTERNAL", `${method} returned no task`, { adapter: "vsphere", operation: "move.task" });
    const state = await followTask(session, await session.content(), task, signal);
    if (state.state === "error") throw faultToError(state.error ?? { type: "SystemError", message: `task ${task.value} failed` }, { operation: "move.task", subject: task.value, secrets: secrets() });
    return state.result;
  }

  const api: VsphereMoveApi = {
    async properties(ref, paths, signal) {
      return readObject(session, await session.content(), ref, paths, signal ? { signal } : {});
    },
    async invoke(method, self, params = [], signal) {
      const body: Xml[] = params.map(([name, value]) => (typeof value === "object" ? moref(name, value) : el(name, value)));
      return session.call(method, self, seq(...body), signal ? { signal } : {});
    },
    async waitTask(task, signal) {
      const state = await followTask(session, await session.content(), task, signal);
      if (state.state === "error") throw faultToError(state.error ?? { type: "SystemError", message: `task ${task.value} failed` }, { operation: "move.task", subject: task.value });
    },
    async createSnapshot(vm, name, { description, memory, quiesce }, signal) {
      const result = await runTask("CreateSnapshot_Task", vm, seq(el("name", name), ...(description === undefined ? [] : [el("description", description)]), el("memory", memory), el("quiesce", quiesce)), signal);
      const snapshot = moRef(result);
      if (!snapshot) throw new VmshiftError("MIGRATION_FAILED", `CreateSnapshot_Task of ${vm.value} returned no snapshot`, { adapter: "vsphere", operation: "move.snapshot", subject: vm.value });
      return snapshot;
    },
    async removeSnapshot(snapshot, { removeChildren = false, consolidate = true } = {}, signal) {
      await runTask("RemoveSnapshot_Task", snapshot, seq(el("removeChildren", removeChildren), el("consolidate", consolidate)), signal);
    },
    async queryChangedDiskAreas(vm, snapshot, deviceKey, startOffset, changeId, signal) {
      const v = (await session.call("QueryChangedDiskAreas", vm, seq(moref("snapshot", snapshot), el("deviceKey", deviceKey), el("startOffset", startOffset), el("changeId", changeId)), signal ? { signal } : {})) as Record<string, unknown> | undefined;
      return {
        startOffset: num(v?.["startOffset"]) ?? startOffset,
        length: num(v?.["length"]) ?? 0,
        changedArea: asArray<Record<string, unknown>>(v?.["changedArea"]).map((a) => ({ start: num(a["start"]) ?? 0, length: num(a["length"]) ?? 0 })),
      };
    },
    async readDatastoreFile(file, dest, opts = {}) {
      agent ??= httpsAgentFor(tls);
      return readDatastoreFile(
        {
          base,
          agent,
          cookie: async () => {
            if (!cookie) await session.content().then(() => session.call("CurrentTime", { type: "ServiceInstance", value: "ServiceInstance" }));
            return `${COOKIE}=${cookie ?? ""}`;
          },
          secrets,
        },
        file,
        dest,
        opts,
      );
    },
    async download(deviceUrl, file, { signal, onBytes, sslThumbprint } = {}) {
      const target = nfcDeviceUrl(base, deviceUrl);
      const { url, label } = target;
      const headers: Record<string, string> = {};
      let via: https.Agent;
      if (target.onSessionHost) {
        if (!cookie) await session.content().then(() => session.call("CurrentTime", { type: "ServiceInstance", value: "ServiceInstance" }));
        agent ??= httpsAgentFor(tls);
        via = agent;
        headers["Cookie"] = `${COOKIE}=${cookie ?? ""}`;
      } else {
        // An ESXi host: the ticket in the path authorizes the read; the session cookie is vCenter's and stays here.
        const key = `${target.host} ${sslThumbprint ?? ""}`;
        via = esxiAgents.get(key) ?? esxiAgents.set(key, esxiAgentFor(target.host, sslThumbprint, tls)).get(key)!;
      }
      const res = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
        const req = httpsRequest(url, { method: "GET", agent: via, headers, ...(signal ? { signal } : {}) }, resolve);
        req.on("error", reject);
        req.end();
      }).catch((error: unknown) => {
        if (error instanceof VmshiftError) throw error;
        const untrusted = !target.onSessionHost && !sslThumbprint && /certificate|self[- ]signed|issuer|altnames/i.test((error as Error).message);
        const why = untrusted ? `; the device URL carries no sslThumbprint and the profile's CA does not trust ESXi host ${target.host}` : "";
        throw new VmshiftError(signal?.aborted ? "ABORTED" : "TRANSPORT", redact(`NFC download of ${label} failed: ${(error as Error).message}${why}`, secrets()), { adapter: "vsphere", operation: "move.download", subject: target.host });
      });
      if (res.statusCode !== 200) {
        res.resume();
        throw new VmshiftError(res.statusCode === 404 ? "NOT_FOUND" : "MIGRATION_FAILED", `NFC download of ${label} answered HTTP ${res.statusCode}`, { adapter: "vsphere", operation: "move.download", subject: target.host });
      }
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          onBytes?.(bytes);
          done(null, chunk);
        },
      });
      try {
        const out = createWriteStream(file, { mode: 0o600 });
        await (signal ? pipeline(res, count, out, { signal }) : pipeline(res, count, out));
      } catch (error) {
        throw new VmshiftError(signal?.aborted ? "ABORTED" : "TRANSPORT", redact(`NFC download of ${label} failed after ${bytes} bytes: ${(error as Error).message}`, secrets()), { adapter: "vsphere", operation: "move.download", subject: target.host });
      }
      return bytes;
    },
    async close() {
      agent?.destroy();
      for (const a of esxiAgents.values()) a.destroy();
      esxiAgents.clear();
      await session.close();
    },
  };
  return api;
}
