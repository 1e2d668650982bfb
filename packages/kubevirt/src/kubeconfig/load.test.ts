import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { fakeSystem } from "../../test/fake-system.ts";
import { loadKubeConfig } from "../connection.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** A small kubeconfig as kubectl writes it. */
function kubeconfig(o: { cluster?: string; server?: string; user?: string; userBody?: string; context?: string; namespace?: string; current?: string | null; clusterExtra?: string } = {}): string {
  const cluster = o.cluster ?? "c1";
  const user = o.user ?? "u1";
  const context = o.context ?? "ctx1";
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${cluster}`,
    "  cluster:",
    `    server: ${o.server ?? "https://10.0.0.1:6443"}`,
    ...(o.clusterExtra ? [o.clusterExtra] : []),
    "users:",
    `- name: ${user}`,
    "  user:",
    o.userBody ?? "    token: tok-1",
    "contexts:",
    `- name: ${context}`,
    "  context:",
    `    cluster: ${cluster}`,
    `    user: ${user}`,
    ...(o.namespace ? [`    namespace: ${o.namespace}`] : []),
    ...(o.current === null ? [] : [`current-context: ${o.current ?? context}`]),
    "",
  ].join("\n");
}

function caught(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected an error");
}

describe("loadKubeConfig: sources", () => {
  it("merges $KUBECONFIG files as kubectl does: the first file to set a key wins, missing files are skipped", () => {
    const first = kubeconfig({ cluster: "shared", server: "https://first:6443", user: "alice", userBody: "    token: alice-1", context: "a", namespace: "team-a" });
    const second = [
      kubeconfig({ cluster: "shared", server: "https://second:6443", user: "alice", userBody: "    token: alice-2\n    username: ignored", context: "b", current: "b" }),
    ].join("");
    const system = fakeSystem({ env: { KUBECONFIG: "/cfg/one::/cfg/missing:/cfg/two" }, files: { "/cfg/one": first, "/cfg/two": second, "/home/user/.kube/config": kubeconfig({ server: "https://home:6443" }) } });
    const kc = loadKubeConfig({}, system);
    // current-context from the first file that sets it; the cluster and user named in both come whole from the first.
    expect(kc).toMatchObject({ contextName: "a", namespace: "team-a", cluster: { name: "shared", server: "https://first:6443" }, user: { name: "alice", token: "alice-1" } });
    expect(kc.user.username).toBeUndefined();
    expect(kc.source).toContain("$KUBECONFIG");
    // A context only the second file defines is usable, with the first file's cluster of the same name.
    expect(loadKubeConfig({ context: "b" }, system)).toMatchObject({ contextName: "b", cluster: { server: "https://first:6443" } });
  });

  it("a later file's current-context applies when the earlier files set none", () => {
    const system = fakeSystem({ env: { KUBECONFIG: "/a:/b" }, files: { "/a": kubeconfig({ context: "x", current: null }), "/b": kubeconfig({ context: "y", cluster: "c2", server: "https://b:6443" }) } });
    expect(loadKubeConfig({}, system)).toMatchObject({ contextName: "y", cluster: { server: "https://b:6443" } });
  });

  it("uses ~/.kube/config when $KUBECONFIG is unset, and not when it is set", () => {
    const files = { "/home/user/.kube/config": kubeconfig({ server: "https://home:6443" }) };
    expect(loadKubeConfig({}, fakeSystem({ files })).cluster.server).toBe("https://home:6443");
    const error = caught(() => loadKubeConfig({}, fakeSystem({ files, env: { KUBECONFIG: "/nowhere" } })));
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    expect(error.message).toMatch(/no Kubernetes cluster configured/);
  });

  it("falls back to the pod's service account, with the host in brackets when it is IPv6", () => {
    const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
    const files = { [`${sa}/token`]: "sa-token", [`${sa}/ca.crt`]: "CA", [`${sa}/namespace`]: "kubevirt-jobs\n" };
    const kc = loadKubeConfig({}, fakeSystem({ files, env: { KUBERNETES_SERVICE_HOST: "fd00:10:96::1", KUBERNETES_SERVICE_PORT: "443" } }));
    expect(kc).toEqual({
      source: "in-cluster",
      contextName: "in-cluster",
      namespace: "kubevirt-jobs",
      cluster: { name: "in-cluster", server: "https://[fd00:10:96::1]:443", insecureSkipTlsVerify: false, certificateAuthorityFile: `${sa}/ca.crt` },
      user: { name: "service-account", tokenFile: `${sa}/token` },
    });
    const v4 = loadKubeConfig({ inCluster: true }, fakeSystem({ files, env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443", POD_NAMESPACE: "from-env" } }));
    expect(v4).toMatchObject({ namespace: "from-env", cluster: { server: "https://10.96.0.1:443" } });
    expect(caught(() => loadKubeConfig({ inCluster: true }, fakeSystem())).message).toMatch(/KUBERNETES_SERVICE_HOST/);
  });

  it("finds nothing: INVALID_ARGUMENT, never http://localhost:8080", () => {
    const error = caught(() => loadKubeConfig({}, fakeSystem()));
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    expect(error.message).toMatch(/no Kubernetes cluster configured/);
  });

  it("reads JSON, and keeps scalars' exact text (a token that looks like a number)", () => {
    const json = JSON.stringify({ kind: "Config", clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:8001", "insecure-skip-tls-verify": true } }], users: [{ name: "u", user: {} }], contexts: [{ name: "x", context: { cluster: "c", user: "u" } }], "current-context": "x" });
    expect(loadKubeConfig({ kubeconfigYaml: json }, fakeSystem())).toMatchObject({ cluster: { server: "http://127.0.0.1:8001", insecureSkipTlsVerify: true }, user: { name: "u" } });
    expect(loadKubeConfig({ kubeconfigYaml: kubeconfig({ userBody: "    token: 0123" }) }, fakeSystem()).user.token).toBe("0123");
  });
});

describe("loadKubeConfig: contexts, clusters, users", () => {
  it("resolves relative paths against the kubeconfig file's directory (a bare exec command stays a PATH lookup)", () => {
    const userBody = ["    client-certificate: certs/me.crt", "    client-key: ../keys/me.key", "    tokenFile: tok", "    exec:", "      apiVersion: client.authentication.k8s.io/v1", "      command: ./bin/plugin", "      interactiveMode: Never"].join("\n");
    const clusterExtra = "    certificate-authority: ca.pem";
    const kc = loadKubeConfig({ kubeconfigPath: "/etc/kube/config" }, fakeSystem({ files: { "/etc/kube/config": kubeconfig({ userBody, clusterExtra }) } }));
    expect(kc.cluster.certificateAuthorityFile).toBe("/etc/kube/ca.pem");
    expect(kc.user).toMatchObject({ clientCertificateFile: "/etc/kube/certs/me.crt", clientKeyFile: "/etc/keys/me.key", tokenFile: "/etc/kube/tok", exec: { command: "/etc/kube/bin/plugin" } });
    const bare = loadKubeConfig({ kubeconfigPath: "/etc/kube/config" }, fakeSystem({ files: { "/etc/kube/config": kubeconfig({ userBody: userBody.replace("./bin/plugin", "kubelogin") }) } }));
    expect(bare.user.exec?.command).toBe("kubelogin");
  });

  it("decodes the *-data fields and reads the TLS name and the exec extension", () => {
    const clusterExtra = [`    certificate-authority-data: ${b64("-----BEGIN CERTIFICATE-----\nCA\n")}`, "    tls-server-name: api.internal", "    extensions:", "    - name: client.authentication.k8s.io/exec", "      extension: {audience: kubevirt}"].join("\n");
    const userBody = [`    client-certificate-data: ${b64("CERT")}`, `    client-key-data: ${b64("KEY")}`].join("\n");
    const kc = loadKubeConfig({ kubeconfigYaml: kubeconfig({ clusterExtra, userBody }) }, fakeSystem());
    expect(kc.cluster).toMatchObject({ certificateAuthorityData: "-----BEGIN CERTIFICATE-----\nCA\n", tlsServerName: "api.internal", execExtension: { audience: "kubevirt" } });
    expect(kc.user).toMatchObject({ clientCertificateData: "CERT", clientKeyData: "KEY" });
  });

  it("selects a named context, with its namespace; a missing context, cluster or user is INVALID_ARGUMENT", () => {
    const yaml = kubeconfig({ namespace: "vms" }) + "";
    expect(loadKubeConfig({ kubeconfigYaml: yaml, context: "ctx1" }, fakeSystem())).toMatchObject({ contextName: "ctx1", namespace: "vms" });
    expect(caught(() => loadKubeConfig({ kubeconfigYaml: yaml, context: "nope" }, fakeSystem())).message).toMatch(/no context "nope"/);
    expect(caught(() => loadKubeConfig({ kubeconfigYaml: yaml.replace("    cluster: c1", "    cluster: gone") }, fakeSystem())).message).toMatch(/refers to cluster "gone"/);
    expect(caught(() => loadKubeConfig({ kubeconfigYaml: yaml.replace("    user: u1", "    user: gone") }, fakeSystem())).message).toMatch(/refers to user "gone"/);
    expect(caught(() => loadKubeConfig({ kubeconfigYaml: kubeconfig({ current: null }) }, fakeSystem())).message).toMatch(/no current-context.*"ctx1"/);
  });

  it("a context without a user is anonymous (kubectl proxy)", () => {
    const yaml = "clusters:\n- name: p\n  cluster: {server: 'http://127.0.0.1:8001'}\ncontexts:\n- name: proxy\n  context: {cluster: p}\ncurrent-context: proxy\n";
    expect(loadKubeConfig({ kubeconfigYaml: yaml }, fakeSystem())).toMatchObject({ cluster: { server: "http://127.0.0.1:8001" }, user: { name: "" } });
  });

  it.each([
    ["an auth-provider", "    auth-provider:\n      name: oidc\n      config: {id-token: secret-id-token}", /auth-provider "oidc" is not supported; use an exec plugin/],
    ["a token and a password", "    token: t\n    username: u\n    password: p", /only one authentication method/],
    ["a certificate without a key", `    client-certificate-data: ${b64("C")}`, /certificate without a key/],
    ["impersonation", "    token: t\n    as: admin", /impersonation \(as\) is not supported/],
    ["exec v1 without interactiveMode", "    exec: {apiVersion: client.authentication.k8s.io/v1, command: p}", /interactiveMode is required/],
    ["exec v1alpha1", "    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: p}", /v1alpha1" is not supported/],
    ["an interactive exec plugin", "    exec: {apiVersion: client.authentication.k8s.io/v1, command: p, interactiveMode: Always}", /needs a terminal/],
  ])("refuses a user with %s (INVALID_ARGUMENT)", (_what, userBody, message) => {
    const error = caught(() => loadKubeConfig({ kubeconfigYaml: kubeconfig({ userBody }) }, fakeSystem()));
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("secret-id-token");
  });

  it.each([
    ["proxy-url", { clusterExtra: "    proxy-url: http://proxy:3128" }, /proxy-url, which the KubeVirt adapter does not support/],
    ["a server without a scheme", { server: "10.0.0.1:6443" }, /must be an https:\/\/ or http:\/\/ URL/],
    ["credentials in the server URL", { server: "https://admin:hunter2@10.0.0.1" }, /must not carry credentials/],
  ])("refuses a cluster with %s (INVALID_ARGUMENT)", (_what, o, message) => {
    const error = caught(() => loadKubeConfig({ kubeconfigYaml: kubeconfig(o) }, fakeSystem()));
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("hunter2");
  });

  it("v1beta1 exec defaults interactiveMode to IfAvailable; insecureSkipTlsVerify overrides the cluster", () => {
    const userBody = "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n      args: [eks, get-token, --cluster-name, prod]\n      env: [{name: AWS_PROFILE, value: ops}]\n      provideClusterInfo: true";
    const kc = loadKubeConfig({ kubeconfigYaml: kubeconfig({ userBody }), insecureSkipTlsVerify: true }, fakeSystem());
    expect(kc.user.exec).toEqual({ command: "aws", args: ["eks", "get-token", "--cluster-name", "prod"], env: [{ name: "AWS_PROFILE", value: "ops" }], apiVersion: "client.authentication.k8s.io/v1beta1", interactiveMode: "IfAvailable", provideClusterInfo: true });
    expect(kc.cluster.insecureSkipTlsVerify).toBe(true);
  });
});
