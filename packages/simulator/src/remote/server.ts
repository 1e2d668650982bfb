/**
 * Serves a {@link SimulatorWorld} over HTTP (see protocol.ts), so several processes — CLI runs, a
 * fleet worker, an Ansible play — act on one simulated platform that outlives each of them.
 * Loopback by default; with a token, every request must carry `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { type HypervisorAdapter, type OperationContext, VmshiftError, isVmshiftError, silentLogger } from "@vmshift/core";
import { createSimulatorAdapter } from "../adapter.ts";
import type { SimulatorWorld } from "../world.ts";
import { REMOTE_OPERATIONS, type RemoteOperation, statusFor, toWire } from "./protocol.ts";

/** Options of {@link serveSimulator}. */
export interface ServeSimulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port; default 0 (any free one). */
  readonly port?: number;
  /** When set, requests must present it as a bearer token. */
  readonly token?: string;
  /** Largest request body accepted, bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

/** A running server. */
export interface ServedSimulator {
  /** e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Stops accepting requests and closes open connections. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, error: VmshiftError): void {
  send(res, statusFor(error.code), { error: toWire(error) });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new VmshiftError("INVALID_ARGUMENT", `request body larger than ${limit} bytes`, { adapter: "simulator" });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Serves `world` until closed. */
export async function serveSimulator(world: SimulatorWorld, options: ServeSimulatorOptions = {}): Promise<ServedSimulator> {
  const adapter: HypervisorAdapter = createSimulatorAdapter(world);
  const ctx: OperationContext = { clock: world.clock, logger: silentLogger };
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorized(req, options.token)) return sendError(res, new VmshiftError("UNAUTHENTICATED", "missing or wrong bearer token", { adapter: "simulator" }));
    const match = /^\/v1\/(\w+)$/.exec(req.url ?? "");
    const operation = match?.[1] as RemoteOperation | undefined;
    if (req.method !== "POST" || operation === undefined || !REMOTE_OPERATIONS.includes(operation)) {
      return sendError(res, new VmshiftError("NOT_FOUND", `no such operation: ${req.method} ${req.url ?? ""}`, { adapter: "simulator" }));
    }
    let args: unknown[];
    try {
      const parsed = JSON.parse(await readBody(req, limit)) as { args?: unknown };
      if (!Array.isArray(parsed.args)) throw new Error("args is not a list");
      args = parsed.args;
    } catch (error) {
      return sendError(res, isVmshiftError(error) ? error : new VmshiftError("INVALID_ARGUMENT", "the body must be JSON of the form {\"args\": [...]}", { adapter: "simulator", operation }));
    }
    const op = adapter[operation] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (!op) return sendError(res, new VmshiftError("NOT_SUPPORTED", `${operation} is not served`, { adapter: "simulator", operation }));
    try {
      const result = await op(...args, ctx);
      send(res, 200, { result: result ?? null });
    } catch (error) {
      sendError(res, isVmshiftError(error) ? error : new VmshiftError("INTERNAL", (error as Error).message, { adapter: "simulator", operation, cause: error }));
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new VmshiftError("INTERNAL", "the server has no TCP address", { adapter: "simulator" });
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
