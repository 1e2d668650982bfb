import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { fakeSystem } from "../../test/fake-system.ts";
import { CredentialSource } from "./credentials.ts";
import { EXEC_INFO_ENV, ExecPlugin } from "./exec.ts";
import type { ExecOutcome, ExecRequest } from "./system.ts";
import type { KubeClusterConfig, KubeExecConfig } from "./types.ts";

const V1 = "client.authentication.k8s.io/v1";
const cluster: KubeClusterConfig = { name: "c", server: "https://api.example:6443", insecureSkipTlsVerify: false, certificateAuthorityFile: "/kube/ca.pem", tlsServerName: "api.internal", execExtension: { audience: "kubevirt" } };
const config = (o: Partial<KubeExecConfig> = {}): KubeExecConfig => ({ command: "/bin/plugin", args: ["get-token"], env: [{ name: "PLUGIN_MODE", value: "test" }], apiVersion: V1, interactiveMode: "Never", provideClusterInfo: false, ...o });
const credential = (status: Record<string, unknown>, apiVersion = V1): ExecOutcome => ({ code: 0, stdout: JSON.stringify({ apiVersion, kind: "ExecCredential", status }), stderr: "" });

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("exec credential plugins", () => {
  it("runs the plugin with its args, the adapter's environment plus its env, and KUBERNETES_EXEC_INFO (cluster info on request)", async () => {
    const system = fakeSystem({ env: { PATH: "/usr/bin", HOME: "/home/u" }, files: { "/kube/ca.pem": "-----CA-----" }, plugin: () => credential({ token: "t-1" }) });
    const plain = new ExecPlugin(config(), { cluster, system, now: () => 0 });
    expect(await plain.credential()).toEqual({ token: "t-1" });
    const run = system.runs[0]!;
    expect(run).toMatchObject({ command: "/bin/plugin", args: ["get-token"], env: { PATH: "/usr/bin", HOME: "/home/u", PLUGIN_MODE: "test" } });
    expect(JSON.parse(run.env[EXEC_INFO_ENV]!)).toEqual({ apiVersion: V1, kind: "ExecCredential", spec: { interactive: false } });

    const withInfo = new ExecPlugin(config({ provideClusterInfo: true, apiVersion: "client.authentication.k8s.io/v1beta1" }), { cluster, system: fakeSystem({ files: { "/kube/ca.pem": "-----CA-----" }, plugin: (r) => (system.runs.push(r), credential({ token: "t-2" }, "client.authentication.k8s.io/v1beta1")) }), now: () => 0 });
    expect((await withInfo.credential()).token).toBe("t-2");
    expect(JSON.parse(system.runs[1]!.env[EXEC_INFO_ENV]!)).toEqual({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      spec: { interactive: false, cluster: { server: "https://api.example:6443", "tls-server-name": "api.internal", "certificate-authority-data": Buffer.from("-----CA-----").toString("base64"), config: { audience: "kubevirt" } } },
    });
  });

  it("keeps the credential until its expirationTimestamp, one run serving concurrent callers", async () => {
    let now = Date.parse("2026-08-01T10:00:00Z");
    let n = 0;
    const system = fakeSystem({ plugin: async () => credential({ token: `t-${++n}`, expirationTimestamp: new Date(now + 60_000).toISOString() }) });
    const plugin = new ExecPlugin(config(), { cluster, system, now: () => now });
    const [a, b] = await Promise.all([plugin.credential(), plugin.credential()]);
    expect([a.token, b.token, system.runs.length]).toEqual(["t-1", "t-1", 1]);
    now += 59_000;
    expect((await plugin.credential()).token).toBe("t-1");
    now += 2_000;
    expect((await plugin.credential()).token).toBe("t-2");
    expect(system.runs.length).toBe(2);
  });

  it("without an expiry the credential lasts until the server refuses it (401)", async () => {
    let n = 0;
    const system = fakeSystem({ plugin: () => credential({ token: `t-${++n}` }) });
    const source = new CredentialSource({ name: "u", exec: config() }, cluster, { system, now: () => 0 });
    expect(source.renewable).toBe(true);
    const first = await source.current();
    expect(first.authorization).toBe("Bearer t-1");
    expect((await source.current()).authorization).toBe("Bearer t-1");
    expect(await source.refused(first)).toBe(true);
    expect((await source.current()).authorization).toBe("Bearer t-2");
    // A late 401 for the old credential does not throw the new one away.
    expect(await source.refused(first)).toBe(true);
    expect((await source.current()).authorization).toBe("Bearer t-2");
    expect(system.runs.length).toBe(2);
  });

  it("issues client certificates too", async () => {
    const system = fakeSystem({ plugin: () => credential({ clientCertificateData: "CERT-PEM", clientKeyData: "KEY-PEM" }) });
    const creds = await new CredentialSource({ name: "u", exec: config() }, cluster, { system, now: () => 0 }).current();
    expect(creds).toMatchObject({ clientCertificate: "CERT-PEM", clientKey: "KEY-PEM", secrets: ["KEY-PEM"] });
    expect(creds.authorization).toBeUndefined();
  });

  it.each<[string, (r: ExecRequest) => ExecOutcome | Promise<ExecOutcome>, RegExp]>([
    ["a missing program, with its install hint", () => Promise.reject(Object.assign(new Error("spawn /bin/plugin ENOENT"), { code: "ENOENT" })), /exec plugin \/bin\/plugin was not found\. Install it with: brew install plugin/],
    ["a failing program", () => ({ code: 3, stdout: '{"status":{"token":"leaked-stdout-token"}}', stderr: "error: refresh failed\nhint: login again" }), /exited with code 3: error: refresh failed \| hint: login again/],
    ["output that is not JSON", () => ({ code: 0, stdout: "token=leaked-stdout-token", stderr: "" }), /output is not JSON/],
    ["another apiVersion", () => credential({ token: "leaked-stdout-token" }, "client.authentication.k8s.io/v1beta1"), /answered apiVersion "client.authentication.k8s.io\/v1beta1", but the kubeconfig asks for client.authentication.k8s.io\/v1/],
    ["no credential", () => credential({ expirationTimestamp: "2030-01-01T00:00:00Z" }), /neither a token nor a client certificate/],
    ["a bad expiry", () => credential({ token: "leaked-stdout-token", expirationTimestamp: "tomorrow" }), /expirationTimestamp that is not an RFC 3339 time/],
    ["a key without a certificate", () => credential({ clientKeyData: "leaked-stdout-token" }), /key without a certificate/],
  ])("%s is UNAUTHENTICATED with a clear message, never the plugin's output", async (_what, plugin, message) => {
    const error = await rejection(new ExecPlugin(config({ installHint: "Install it with: brew install plugin" }), { cluster, system: fakeSystem({ plugin }), now: () => 0 }).credential());
    expect(isVmshiftError(error, "UNAUTHENTICATED")).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("leaked-stdout-token");
  });

  it("masks tokens and env values that the plugin echoes on standard error", async () => {
    let n = 0;
    const system = fakeSystem({
      plugin: () => (++n === 1 ? credential({ token: "first-token-abc123" }) : { code: 1, stdout: "", stderr: "cannot refresh first-token-abc123 with key sk-live-998877" }),
    });
    const plugin = new ExecPlugin(config({ env: [{ name: "API_KEY", value: "sk-live-998877" }] }), { cluster, system, now: () => 0 });
    const issued = await plugin.credential();
    plugin.invalidate(issued);
    const error = await rejection(plugin.credential());
    expect(error.message).toMatch(/cannot refresh \*\*\* with key \*\*\*/);
  });
});

describe("token files", () => {
  it("reads the token again when the file changes (rotation) and after a 401", async () => {
    const system = fakeSystem({ files: { "/sa/token": "sa-1\n" } });
    const source = new CredentialSource({ name: "sa", tokenFile: "/sa/token", token: "ignored-inline" }, cluster, { system, now: () => 0 });
    const first = await source.current();
    expect(first.authorization).toBe("Bearer sa-1");
    system.touch("/sa/token", "sa-2");
    expect((await source.current()).authorization).toBe("Bearer sa-2");
    // The kubelet rewrote the file without changing its stamp: a 401 forces a read, and tells whether it changed.
    system.files.set("/sa/token", "sa-3");
    const second = await source.current();
    expect(second.authorization).toBe("Bearer sa-2");
    expect(await source.refused(second)).toBe(true);
    const third = await source.current();
    expect(third.authorization).toBe("Bearer sa-3");
    expect(await source.refused(third)).toBe(false);
  });

  it("an unreadable token file is UNAUTHENTICATED and names the file", async () => {
    const error = await rejection(new CredentialSource({ name: "sa", tokenFile: "/sa/token" }, cluster, { system: fakeSystem(), now: () => 0 }).current());
    expect(isVmshiftError(error, "UNAUTHENTICATED")).toBe(true);
    expect(error.message).toMatch(/cannot read the token file \/sa\/token \(ENOENT\)/);
  });

  it("basic auth and static tokens are not renewable", async () => {
    const basic = new CredentialSource({ name: "b", username: "admin", password: "pa55-word" }, cluster, { system: fakeSystem(), now: () => 0 });
    const creds = await basic.current();
    expect(creds.authorization).toBe(`Basic ${Buffer.from("admin:pa55-word").toString("base64")}`);
    expect(creds.secrets).toContain("pa55-word");
    expect(basic.renewable).toBe(false);
    expect(await basic.refused(creds)).toBe(false);
    expect(new CredentialSource({ name: "t", token: "x" }, cluster, { system: fakeSystem(), now: () => 0 }).renewable).toBe(false);
  });
});
