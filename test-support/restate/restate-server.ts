/**
 * Real Restate servers for the tests and the bench: the native `restate-server` binary from npm
 * (`@restatedev/restate-server`, its per-platform optional package), started on loopback with free
 * ports and a private data directory per node. One node, or a three-node cluster (replicated log
 * and metadata, replication 2: it tolerates one node down), with SIGKILL and restart from disk per
 * node. The facts this relies on: docs/fleet.md, "What this relies on in Restate".
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";

/** The native server binary inside node_modules (the npm wrapper would survive a SIGKILL of its child, and vice versa). */
export function restateServerBinary(): string {
  const wrapper = createRequire(import.meta.url).resolve("@restatedev/restate-server/package.json");
  return createRequire(wrapper).resolve(`@restatedev/restate-server-${platform()}-${arch()}/bin/restate-server`);
}

/**
 * How to start the binary. restate-server asks GitHub for its latest release at startup
 * (`check_if_latest_version`, unconditional in 1.7); these machines reach no such address, and a
 * test must not try. Where we may (root, util-linux `unshare`), the server runs in a private mount
 * namespace whose /etc/hosts sends api.github.com to 127.0.0.1: the check fails on loopback and no
 * packet or name lookup leaves the machine. The network namespace is shared: loopback is the same.
 */
function launcher(dir: string): (binary: string, args: readonly string[]) => { command: string; args: string[] } {
  const direct = (binary: string, args: readonly string[]) => ({ command: binary, args: [...args] });
  if (process.platform !== "linux" || process.getuid?.() !== 0) return direct;
  const probe = spawnSync("unshare", ["-m", "--propagation", "private", "true"], { stdio: "ignore" });
  if (probe.status !== 0) return direct;
  const hosts = join(dir, "hosts");
  writeFileSync(hosts, "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 api.github.com github.com\n");
  return (binary, args) => ({ command: "unshare", args: ["-m", "--propagation", "private", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', hosts, binary, ...args] });
}

/** A free TCP port on loopback (bound and released: good enough on a test machine). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** One node of a cluster. */
export interface RestateNode {
  readonly name: string;
  readonly ingressUrl: string;
  readonly adminUrl: string;
  readonly dataDir: string;
  /** Running now. */
  readonly alive: boolean;
  /** SIGKILL (no shutdown, no flush): what a crash or an OOM kill does. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again from its data directory; resolves once its admin API answers. */
  start(): Promise<void>;
}

/** A running single node or cluster. */
export interface RestateCluster {
  readonly nodes: readonly RestateNode[];
  /** The first node that is alive. */
  alive(): RestateNode;
  /** Kills every node (SIGKILL). */
  kill(): Promise<void>;
  /** Starts every stopped node again (in parallel: the metadata servers need a quorum) and waits until the cluster serves. */
  start(): Promise<void>;
  /** The last lines each node wrote (for failure messages). */
  logs(): string;
}

/** Options of {@link startRestate}. */
export interface StartRestateOptions {
  /** Where the nodes keep their data (a private temp dir per test). */
  readonly dir: string;
  /** 1 (default) or 3. */
  readonly nodes?: 1 | 3;
  /** Partitions of the cluster. Default 8 (the server's default is 24). */
  readonly partitions?: number;
}

async function waitHealthy(url: string, timeoutMs: number, proc: () => ChildProcess | undefined, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = proc();
    if (!p || p.exitCode !== null || p.signalCode !== null) throw new Error(`restate-server exited before ${url} answered:\n${logs()}`);
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`restate-server at ${url} not healthy after ${timeoutMs} ms:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts one node or a three-node cluster; resolves once every node's admin API answers and the cluster accepts invocations. */
export async function startRestate(options: StartRestateOptions): Promise<RestateCluster> {
  const count = options.nodes ?? 1;
  const binary = restateServerBinary();
  mkdirSync(options.dir, { recursive: true });
  const launch = launcher(options.dir);
  const clusterName = `vmshift-test-${process.pid}-${Date.now().toString(36)}`;
  const ports = await Promise.all(Array.from({ length: count }, async () => ({ node: await freePort(), admin: await freePort(), ingress: await freePort() })));
  const metadata = ports.map((p) => `"http://127.0.0.1:${p.node}/"`).join(", ");
  const nodes = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const dataDir = join(options.dir, name);
    mkdirSync(dataDir, { recursive: true });
    const config = join(options.dir, `${name}.toml`);
    writeFileSync(
      config,
      [
        `node-name = "${name}"`,
        `cluster-name = "${clusterName}"`,
        `auto-provision = ${i === 0}`,
        `default-replication = ${count === 3 ? 2 : 1}`,
        `default-num-partitions = ${options.partitions ?? 8}`,
        `base-dir = "${dataDir}"`,
        `advertised-address = "http://127.0.0.1:${p.node}/"`,
        `bind-address = "127.0.0.1:${p.node}"`,
        `listen-mode = "tcp"`,
        `disable-telemetry = true`,
        `log-filter = "warn"`,
        `log-format = "compact"`,
        `log-disable-ansi-codes = true`,
        `rocksdb-total-memory-size = "512 MiB"`,
        `metadata-update-interval = "1s"`,
        `[metadata-client]`,
        `addresses = [${metadata}]`,
        `[admin]`,
        `bind-address = "127.0.0.1:${p.admin}"`,
        `disable-web-ui = true`,
        `[ingress]`,
        `bind-address = "127.0.0.1:${p.ingress}"`,
        "",
      ].join("\n"),
    );
    let proc: ChildProcess | undefined;
    const tail: string[] = [];
    const node: RestateNode & { spawn(): void } = {
      name,
      ingressUrl: `http://127.0.0.1:${p.ingress}`,
      adminUrl: `http://127.0.0.1:${p.admin}`,
      dataDir,
      get alive() {
        return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
      },
      spawn() {
        const { command, args } = launch(binary, ["--no-logo", "-c", config]);
        proc = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_BACKTRACE: "0" } });
        const keep = (chunk: Buffer) => {
          tail.push(...chunk.toString("utf8").split("\n").filter(Boolean));
          if (tail.length > 60) tail.splice(0, tail.length - 60);
        };
        proc.stdout!.on("data", keep);
        proc.stderr!.on("data", keep);
      },
      async kill() {
        const p0 = proc;
        if (!p0 || p0.exitCode !== null || p0.signalCode !== null) return;
        const gone = new Promise<void>((resolve) => p0.once("exit", () => resolve()));
        p0.kill("SIGKILL");
        await gone;
      },
      async start() {
        if (node.alive) return;
        node.spawn();
        await waitHealthy(node.adminUrl, 60_000, () => proc, () => `${name}: ${tail.join("\n")}`);
      },
    };
    Object.defineProperty(node, "tail", { value: tail });
    return node;
  });
  const cluster: RestateCluster = {
    nodes,
    alive() {
      const n = nodes.find((x) => x.alive);
      if (!n) throw new Error("no Restate node is running");
      return n;
    },
    async kill() {
      await Promise.all(nodes.map((n) => n.kill()));
    },
    async start() {
      await Promise.all(nodes.map((n) => n.start()));
      await untilServing(cluster);
    },
    logs() {
      return nodes.map((n) => `--- ${n.name}\n${((n as unknown as { tail: string[] }).tail ?? []).join("\n")}`).join("\n");
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await cluster.kill();
    throw error;
  }
  return cluster;
}

/** Waits until the ingress of every live node answers a request routed to a partition (the cluster is provisioned and has leaders). */
async function untilServing(cluster: RestateCluster): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (const node of cluster.nodes.filter((n) => n.alive)) {
    for (;;) {
      try {
        // An unknown service answers 404 once the ingress routes requests; 503 while partitions have no leader.
        const r = await fetch(`${node.ingressUrl}/restate/health`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) break;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`Restate ingress ${node.ingressUrl} not serving:\n${cluster.logs()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Waits until every partition can invoke the registered worker: a read-only slot query on keys
 * that spread over the partitions, until each answers. A fresh cluster's nodes learn a new
 * registration within seconds; a wave started earlier only waits longer, this makes the tests'
 * timings about the wave.
 */
export async function untilInvocable(ingressUrl: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  const keys = Array.from({ length: 48 }, (_, i) => `warm-up/host/${i}`);
  let pending = keys;
  while (pending.length > 0) {
    if (Date.now() - started > timeoutMs) throw new Error(`Restate at ${ingressUrl} could not invoke the worker for ${pending.length} keys after ${timeoutMs} ms`);
    const failed = await Promise.all(
      pending.map(async (k) => {
        try {
          const r = await fetch(`${ingressUrl}/VmshiftSlots/${encodeURIComponent(k)}/held`, { method: "POST", signal: AbortSignal.timeout(2000) });
          return r.ok ? undefined : k;
        } catch {
          return k;
        }
      }),
    );
    pending = failed.filter((k): k is string => k !== undefined);
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - started;
}
