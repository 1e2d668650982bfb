import { afterEach, describe, expect, it } from "vitest";
import { type Clock, VmshiftClient, isVmshiftError } from "@vmshift/core";
import { fakeSystem } from "../test/fake-system.ts";
import { type Answer, type SeenRequest, type TestServer, startHttpServer, status } from "../test/http-server.ts";
import { createKubevirtAdapter } from "./adapter.ts";
import { loadKubeConfig } from "./connection.ts";
import type { KubeconfigSystem } from "./kubeconfig/system.ts";
import { HttpKubeTransport } from "./transport.ts";

/** Real time, but retry pauses end at once. */
const instant: Clock = { now: () => Date.now(), sleep: async () => {} };

const VM = { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "web-01", namespace: "default" }, spec: { runStrategy: "Halted", template: { spec: { domain: { devices: {} } } } }, status: { printableStatus: "Stopped" } };

/** Answers a VM GET (and 404 for the rest) when `authorized` accepts the request. */
const kube = (authorized: (r: SeenRequest) => boolean) => (r: SeenRequest): Answer => {
  if (!authorized(r)) return status(401, "Unauthorized");
  return r.url.startsWith("/apis/kubevirt.io/v1/namespaces/default/virtualmachines/web-01") ? { status: 200, body: VM } : status(404, "NotFound", "not found");
};

function kubeconfig(server: string, user: string | undefined): string {
  return [
    "clusters:",
    "- name: c",
    "  cluster:",
    `    server: ${server}`,
    ...(user === undefined ? [] : ["users:", "- name: u", "  user:", user]),
    "contexts:",
    "- name: x",
    "  context:",
    "    cluster: c",
    ...(user === undefined ? [] : ["    user: u"]),
    "current-context: x",
    "",
  ].join("\n");
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(yaml: string, system?: KubeconfigSystem): VmshiftClient {
  const transport = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: yaml }, system ?? fakeSystem()), clock: instant, ...(system ? { system } : {}) });
  return new VmshiftClient(createKubevirtAdapter({ transport }), { clock: instant });
}

describe("HttpKubeTransport over plain http", () => {
  it("talks to an http:// server without credentials (kubectl proxy)", async () => {
    server = await startHttpServer(kube(() => true));
    // Through the public path: the adapter loads the kubeconfig itself.
    const adapter = createKubevirtAdapter({ connection: { kubeconfigYaml: kubeconfig(server.url, undefined) } });
    const vm = await new VmshiftClient(adapter).getVm("default/web-01");
    expect(vm).toMatchObject({ id: "default/web-01", powerState: "stopped" });
    expect(server.seen[0]).toEqual({ method: "GET", url: "/apis/kubevirt.io/v1/namespaces/default/virtualmachines/web-01" });
    await adapter.close();
  });

  it("sends a bearer token, and basic auth, when the user has them", async () => {
    server = await startHttpServer(kube((r) => r.authorization === "Bearer tok-1" || r.authorization === `Basic ${Buffer.from("admin:pw-1").toString("base64")}`));
    expect((await client(kubeconfig(server.url, "    token: tok-1")).getVm("default/web-01")).id).toBe("default/web-01");
    expect((await client(kubeconfig(server.url, "    username: admin\n    password: pw-1")).getVm("default/web-01")).id).toBe("default/web-01");
  });

  it("a 401 with a static token is UNAUTHENTICATED after one request", async () => {
    server = await startHttpServer(kube(() => false));
    const error = await client(kubeconfig(server.url, "    token: stale")).getVm("default/web-01").catch((e: unknown) => e);
    expect(isVmshiftError(error, "UNAUTHENTICATED")).toBe(true);
    expect(server.seen.length).toBe(1);
  });

  it("runs the exec plugin again after a 401 and retries with the new token", async () => {
    let accepted = "t-2";
    server = await startHttpServer(kube((r) => r.authorization === `Bearer ${accepted}`));
    let n = 0;
    const system = fakeSystem({ plugin: () => ({ code: 0, stdout: JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: `t-${++n}` } }), stderr: "" }) });
    const c = client(kubeconfig(server.url, "    exec: {apiVersion: client.authentication.k8s.io/v1, command: plugin, interactiveMode: Never}"), system);
    expect((await c.getVm("default/web-01")).id).toBe("default/web-01");
    expect(server.seen.map((r) => r.authorization)).toEqual(["Bearer t-1", "Bearer t-2", "Bearer t-2"]);
    expect(system.runs.length).toBe(2);
    // The token is cached: the next call runs no plugin.
    await c.getVm("default/web-01");
    expect(system.runs.length).toBe(2);
    accepted = "t-3";
    await c.getVm("default/web-01");
    expect(system.runs.length).toBe(3);
  });

  it("reads a rotated token file after a 401", async () => {
    server = await startHttpServer(kube((r) => r.authorization === "Bearer sa-2"));
    const system = fakeSystem({ files: { "/sa/token": "sa-1" } });
    const c = client(kubeconfig(server.url, "    tokenFile: /sa/token"), system);
    const first = await c.getVm("default/web-01").catch((e: unknown) => e);
    expect(isVmshiftError(first, "UNAUTHENTICATED")).toBe(true);
    expect(server.seen.length).toBe(1);
    system.files.set("/sa/token", "sa-2");
    expect((await c.getVm("default/web-01")).id).toBe("default/web-01");
  });
});
