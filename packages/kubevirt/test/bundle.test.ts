/**
 * A consumer bundled by esbuild (ESM, platform node, no banner, no flags) starts and talks to the
 * cluster: every dependency of @vmshift/kubevirt must be bundleable as ES modules (a CommonJS
 * dependency that requires a Node builtin crashes such a bundle at start-up with
 * `Dynamic require of "…" is not supported`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Plugin, build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, startHttpServer, status } from "./http-server.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** `@vmshift/<name>` → the workspace package's sources (published packages resolve to dist/, which may be stale here). */
const workspaceSources: Plugin = {
  name: "workspace-sources",
  setup(b) {
    b.onResolve({ filter: /^@vmshift\/[a-z-]+$/ }, (args) => ({ path: join(ROOT, "packages", args.path.slice("@vmshift/".length), "src", "index.ts") }));
  },
};

/** Lists the VMs of the cluster named in argv[2], then reaches for a port where nothing listens (argv[3]). */
const CONSUMER = `
import { VmshiftClient, isVmshiftError } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";

const kubeconfig = (server) => \`apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "\${server}" } }]
users: [{ name: u, user: { token: bundle-test-token } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
\`;
const connect = (server) => new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: kubeconfig(server) } }));

const live = connect(process.argv[2]);
try {
  const vms = await live.listVms().all();
  console.log("listed: " + vms.map((vm) => vm.id).join(","));
} finally {
  await live.close();
}
const closed = connect(process.argv[3]);
try {
  await closed.listVms().all();
  console.log("unexpected: listed VMs");
} catch (error) {
  console.log(isVmshiftError(error) ? "started: " + error.code : "crashed: " + String(error));
} finally {
  await closed.close();
}
`;

const VM_LIST = {
  apiVersion: "kubevirt.io/v1",
  kind: "VirtualMachineList",
  metadata: { resourceVersion: "7" },
  items: [
    { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "web-01", namespace: "default", uid: "u-1", resourceVersion: "5" }, spec: { runStrategy: "Halted", template: { spec: { domain: { devices: {} } } } }, status: { printableStatus: "Stopped" } },
  ],
};

function run(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: tmpdir(), stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env["PATH"] ?? "", HOME: tmpdir() } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("a consumer bundled by esbuild (ESM, platform node)", () => {
  let dir: string;
  let server: TestServer;
  let closedPort: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubevirt-bundle-"));
    server = await startHttpServer((r) => {
      if (r.method !== "GET") return status(405, "MethodNotAllowed");
      if (r.url.startsWith("/apis/kubevirt.io/v1/virtualmachines?")) return { status: 200, body: VM_LIST };
      // listVms also lists the VMIs of the scope (joined with the VMs; those no VirtualMachine owns are listed after them).
      if (/^\/apis\/kubevirt\.io\/v1\/virtualmachineinstances(\?|$)/.test(r.url)) return { status: 200, body: { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceList", metadata: { resourceVersion: "7" }, items: [] } };
      return status(404, "NotFound");
    });
    // A port that was just free: nothing listens there.
    const spare = await startHttpServer(() => status(500, "InternalError"));
    closedPort = spare.url;
    await spare.close();
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts without a banner or flags, lists VMs over HTTP and maps a refused connection to TRANSPORT", async () => {
    const outfile = join(dir, "bundle.mjs");
    const result = await build({
      stdin: { contents: CONSUMER, resolveDir: ROOT, sourcefile: "consumer.mjs", loader: "js" },
      bundle: true,
      platform: "node",
      format: "esm",
      outfile,
      plugins: [workspaceSources],
      metafile: true,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    // What was bundled: this package's sources, and no CommonJS module (esbuild's ESM output cannot require builtins for one).
    const inputs = result.metafile.inputs;
    expect(Object.keys(inputs)).toContain("packages/kubevirt/src/transport.ts");
    expect(Object.entries(inputs).filter(([, input]) => input.format === "cjs").map(([path]) => path)).toEqual([]);
    const r = await run(outfile, [server.url, closedPort]);
    expect(r.stderr).not.toMatch(/Dynamic require/);
    expect(r.stdout.trim().split("\n"), r.stderr).toEqual(["listed: default/web-01", "started: TRANSPORT"]);
    expect(r.code, r.stderr).toBe(0);
    expect(server.seen[0]).toMatchObject({ method: "GET", authorization: "Bearer bundle-test-token" });
    expect(server.seen[0]?.url).toMatch(/^\/apis\/kubevirt\.io\/v1\/virtualmachines\?limit=\d+$/);
  });
});
