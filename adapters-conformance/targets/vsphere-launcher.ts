/**
 * Starts and stops vmshift's vcsim launcher (adapters-conformance/vcsim, built by
 * .ci/setup.d/30-vsphere.sh into .cache/vcsim/vmshift-vcsim) and talks to its control endpoint.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import https from "node:https";

/** Where the setup script puts the launcher. */
export const VCSIM_BINARY = fileURLToPath(new URL("../../.cache/vcsim/vmshift-vcsim", import.meta.url));

/** A running launcher. */
export interface Vcsim {
  /** `https://127.0.0.1:PORT/sdk`. */
  readonly url: string;
  /** SHA-256 thumbprint of its self-signed certificate. */
  readonly thumbprint: string;
  /** Its certificate, PEM (valid for 127.0.0.1), to verify it as a CA. */
  readonly caPem: string;
  /** Calls the control endpoint (`/vmshift/...`) with POST; resolves when it answered 2xx. */
  control(path: string, query?: Readonly<Record<string, string>>): Promise<void>;
  /** GETs a control endpoint and parses its JSON answer. */
  query(path: string, query?: Readonly<Record<string, string>>): Promise<unknown>;
  /** SIGTERM, then wait for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** Why the launcher cannot run here, or undefined when it can. */
export function vcsimMissing(): string | undefined {
  return existsSync(VCSIM_BINARY) ? undefined : `vcsim launcher not built at ${VCSIM_BINARY}: run .ci/setup.d/30-vsphere.sh (needs golang-go and golang-github-vmware-govmomi-dev)`;
}

/** Starts a launcher with the given flags and waits (`startTimeoutMs`, default 30 000) for its `VMSHIFT_VCSIM` line. */
export async function startVcsim(flags: readonly string[] = [], options: { readonly startTimeoutMs?: number } = {}): Promise<Vcsim> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const child = spawn(VCSIM_BINARY, ["-l", "127.0.0.1:0", ...flags], { stdio: ["ignore", "pipe", "pipe"] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => fail(new Error(`vcsim did not start within ${startTimeoutMs} ms: ${err.slice(-500)}`)), startTimeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /VMSHIFT_VCSIM [^\n]*\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once("exit", (code) => fail(new Error(`vcsim exited with ${code}: ${err.slice(-500)}`)));
    child.once("error", fail);
  });
  child.stdout!.resume();
  child.stderr!.resume();
  const url = /url=(\S+)/.exec(line)?.[1] ?? "";
  const thumbprint = /thumbprint=(\S*)/.exec(line)?.[1] ?? "";
  const certFile = /cert=(\S+)/.exec(line)?.[1];
  const caPem = certFile ? readFileSync(certFile, "utf8") : "";
  // CA verification rather than the pin here: nock (loaded by other targets in the same process)
  // wraps sockets and hides the peer certificate the pin checks.
  const agent = caPem ? new https.Agent({ ca: caPem, keepAlive: false }) : undefined;
  const base = url.replace(/\/sdk$/, "");
  return {
    url,
    thumbprint,
    caPem,
    async control(path, query = {}) {
      const qs = new URLSearchParams(query).toString();
      await request(agent, "POST", `${base}/vmshift/${path}${qs ? `?${qs}` : ""}`);
    },
    async query(path, query = {}) {
      const qs = new URLSearchParams(query).toString();
      return JSON.parse(await request(agent, "GET", `${base}/vmshift/${path}${qs ? `?${qs}` : ""}`)) as unknown;
    },
    async stop() {
      agent?.destroy();
      await stopChild(child);
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function request(agent: https.Agent | undefined, method: string, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ...(agent ? { agent } : {}), timeout: 10_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => ((res.statusCode ?? 500) < 300 ? resolve(text) : reject(new Error(`vcsim control ${url}: HTTP ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}
