/**
 * An adapter that talks to a served simulator (server.ts) over HTTP with Node's `fetch`: the same
 * contract as the in-process simulator, for clients in other processes. Migrations are followed by
 * polling (`migration.watch` is unsupported over this wire); everything else is supported as the
 * simulator supports it.
 */
import { type CapabilityTable, type HypervisorAdapter, type MigrationSnapshot, type OperationContext, VmshiftError, bindOperations, unsupported } from "@vmshift/core";
import { simulatorCapabilities } from "../capabilities.ts";
import { type RemoteOperation, fromWire, wireArgument } from "./protocol.ts";

/** Options of {@link createRemoteSimulatorAdapter}. */
export interface RemoteSimulatorOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Bearer token, when the server requires one. Never logged or put in messages. */
  readonly token?: string;
  /** Per-request timeout, ms. Default 30,000. */
  readonly requestTimeoutMs?: number;
}

/** The served simulator's capabilities: the simulator's, without push progress. */
export const remoteSimulatorCapabilities = {
  ...simulatorCapabilities,
  "migration.watch": unsupported("the served simulator is followed by polling"),
} as const satisfies CapabilityTable;

const ADAPTER = "simulator";

/** Creates the adapter; no request is sent until an operation is called. */
export function createRemoteSimulatorAdapter(options: RemoteSimulatorOptions): HypervisorAdapter {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new VmshiftError("INVALID_ARGUMENT", "url must be an absolute http(s) URL of a served simulator", { adapter: ADAPTER, operation: "connect" });
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new VmshiftError("INVALID_ARGUMENT", `url must be http or https, not ${base.protocol}`, { adapter: ADAPTER, operation: "connect" });

  async function call<T>(operation: RemoteOperation, args: readonly unknown[], ctx: OperationContext): Promise<T> {
    const signals = [AbortSignal.timeout(options.requestTimeoutMs ?? 30_000), ...(ctx.signal ? [ctx.signal] : [])];
    let response: Response;
    try {
      response = await fetch(new URL(`v1/${operation}`, base.href.endsWith("/") ? base : `${base.href}/`), {
        method: "POST",
        headers: { "content-type": "application/json", ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }) },
        body: JSON.stringify({ args: args.map(wireArgument) }),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      if (ctx.signal?.aborted) throw new VmshiftError("ABORTED", `${operation} aborted`, { adapter: ADAPTER, operation, cause: error });
      throw new VmshiftError("TRANSPORT", `${operation}: the served simulator at ${base.origin} did not answer`, { adapter: ADAPTER, operation, retryable: true, cause: error });
    }
    let body: { result?: unknown; error?: Record<string, unknown> };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new VmshiftError("TRANSPORT", `${operation}: the served simulator answered ${response.status} without JSON`, { adapter: ADAPTER, operation, retryable: response.status >= 500, cause: error });
    }
    if (!response.ok || body.error) throw fromWire(body.error ?? { reason: `HTTP ${response.status}` }, ADAPTER);
    return body.result as T;
  }

  return bindOperations({
    name: ADAPTER,
    capabilities: remoteSimulatorCapabilities,
    probe: (ctx) => call("probe", [], ctx),
    listVms: (opts, ctx) => call("listVms", [opts], ctx),
    getVm: (vmId, ctx) => call("getVm", [vmId], ctx),
    listHosts: (opts, ctx) => call("listHosts", [opts], ctx),
    preflight: (request, ctx) => call("preflight", [request], ctx),
    startMigration: (request, ctx) => call<MigrationSnapshot>("startMigration", [request], ctx),
    getMigration: (id, ctx) => call<MigrationSnapshot>("getMigration", [id], ctx),
    cancelMigration: (id, ctx) => call<void>("cancelMigration", [id], ctx),
    attachMigration: (id, ctx) => call<MigrationSnapshot>("attachMigration", [id], ctx),
  } satisfies HypervisorAdapter);
}
