/**
 * A worker: an HTTP/2 endpoint that serves the wave, step, slot and control handlers with the
 * platform clients its profiles configure. Workers keep no state of their own (Restate holds the
 * journals, timers and objects), so any number may run behind one Restate cluster and any of them
 * may be killed at any time: Restate retries the interrupted invocations, on it once it is back or
 * on another replica behind the same address.
 */
import { type Http2Server, createServer } from "node:http2";
import { format } from "node:util";
import * as restate from "@restatedev/restate-sdk";
import type { VmshiftClient } from "@vmshift/core";
import { controlObject } from "./control.ts";
import { slotsObject } from "./slots.ts";
import { type PlatformClients, stepWorkflow } from "./step.ts";
import { waveWorkflow } from "./wave.ts";

/** Retries of interrupted invocations (a worker killed, a platform call that threw). */
export interface WorkerRetryPolicy {
  /** First wait, ms. Default 100. */
  readonly initialIntervalMs?: number;
  /** Longest wait, ms. Default 2,000: a restarted worker is found within about 2 s. */
  readonly maxIntervalMs?: number;
  /** Attempts before Restate pauses the invocation (resume it with `restate invocations resume`). Default 100,000. */
  readonly maxAttempts?: number;
}

/** How long a finished wave's status, outcomes and report (and its steps') stay queryable: 7 days. */
export const RETENTION_MS = 7 * 24 * 3600 * 1000;

/** Options of {@link workerServices} and {@link serveWorker}. */
export interface WorkerOptions {
  /** A client for a profile named by a wave. Called once per profile; the client is kept. */
  readonly client: (profile: string) => Promise<VmshiftClient>;
  readonly retry?: WorkerRetryPolicy;
  /**
   * Restate's request-identity public keys (`publickeyv1_…`): when set, the worker accepts only
   * requests signed by a Restate server holding the matching private key
   * (`request-identity-private-key-pem-file`). Without them, restrict who reaches the worker's port.
   */
  readonly identityKeys?: readonly string[];
  /** Least severe SDK log written to stderr (`off`: none; failures still reach Restate and its retries). Default `warn`. */
  readonly logLevel?: "debug" | "info" | "warn" | "error" | "off";
}

/** The services a worker serves, for `restate.endpoint().bind(…)` or {@link serveWorker}. */
export function workerServices(options: WorkerOptions) {
  const cache = new Map<string, Promise<VmshiftClient>>();
  const clients: PlatformClients = {
    client(profile) {
      let c = cache.get(profile);
      if (!c) {
        c = options.client(profile);
        cache.set(profile, c);
        c.catch(() => cache.delete(profile)); // a failed connection is tried again on the next call
      }
      return c;
    },
  };
  const retryPolicy = {
    initialInterval: options.retry?.initialIntervalMs ?? 100,
    maxInterval: options.retry?.maxIntervalMs ?? 2000,
    exponentiationFactor: 2,
    maxAttempts: options.retry?.maxAttempts ?? 100_000,
    onMaxAttempts: "pause" as const,
  };
  return {
    services: [
      waveWorkflow({ retryPolicy, enableLazyState: true, workflowRetention: RETENTION_MS }),
      stepWorkflow(clients, { retryPolicy, workflowRetention: RETENTION_MS }),
      slotsObject({ retryPolicy }),
      controlObject({ retryPolicy }),
    ],
    /** Closes the platform clients the worker opened. */
    async close(): Promise<void> {
      const all = [...cache.values()];
      cache.clear();
      await Promise.all(all.map(async (c) => (await c).close().catch(() => undefined)));
    },
  };
}

/** A running worker. */
export interface ServedWorker {
  /** e.g. `http://127.0.0.1:9080`: register it with Restate (`registerDeployment`). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting work, ends open streams (Restate retries them elsewhere) and closes the platform clients. */
  close(): Promise<void>;
}

/** Serves the worker's handlers over HTTP/2 (cleartext, as Restate connects to deployments) on `host:port`. */
export async function serveWorker(options: WorkerOptions & { readonly port?: number; readonly host?: string }): Promise<ServedWorker> {
  const { services, close } = workerServices(options);
  const handler = restate.createEndpointHandler({ services, logger: stderrLogger(options.logLevel ?? "warn"), ...(options.identityKeys?.length ? { identityKeys: [...options.identityKeys] } : {}) });
  const server: Http2Server = createServer(handler);
  const sessions = new Set<import("node:http2").ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 9080, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the worker has no TCP address");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.destroy();
      await closed;
      await close();
    },
  };
}

const LEVELS = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, off: 5 } as const;

/** The SDK's log lines from `least` up, on stderr, without replays. */
function stderrLogger(least: keyof typeof LEVELS): restate.LoggerTransport {
  return (meta, message, ...rest) => {
    if (meta.replaying || LEVELS[meta.level] < LEVELS[least]) return;
    const c = meta.context;
    const where = c ? `${c.serviceName}${c.key === undefined ? "" : `/${c.key}`}/${c.handlerName} ` : "";
    process.stderr.write(`[vmshift worker] ${meta.level.toUpperCase()} ${where}${format(message, ...rest)}\n`);
  };
}
