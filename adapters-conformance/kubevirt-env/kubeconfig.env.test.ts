/** The adapter's kubeconfig support over real TLS: files relative to the kubeconfig, client certificates, tls-server-name. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { AxiosKubeTransport, loadKubeConfig, nodeSystem } from "@vmshift/kubevirt";
import { localTlsIdentity } from "./tls.ts";

const identity = localTlsIdentity();
let dir: string;
let url: string;
let close: () => Promise<void>;
const peers: (string | undefined)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kv-kubeconfig-"));
  mkdirSync(join(dir, "pki"));
  writeFileSync(join(dir, "pki", "ca.pem"), identity.cert);
  writeFileSync(join(dir, "pki", "me.crt"), identity.cert);
  writeFileSync(join(dir, "pki", "me.key"), identity.key);
  // Asks for a client certificate and reports the subject it got.
  const server = createServer({ cert: identity.cert, key: identity.key, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const cn = peer && "subject" in peer ? peer.subject?.CN : undefined;
    peers.push(Array.isArray(cn) ? cn.join(",") : cn);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ kind: "NodeList", apiVersion: "v1", metadata: {}, items: [] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((r) => (server.closeAllConnections(), server.close(() => r())));
});
afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

function write(cluster: string[], user: string[]): string {
  const path = join(dir, "config");
  writeFileSync(path, ["clusters:", "- name: c", "  cluster:", `    server: ${url}`, ...cluster.map((l) => `    ${l}`), "users:", "- name: u", "  user:", ...user.map((l) => `    ${l}`), "contexts:", "- name: x", "  context: {cluster: c, user: u}", "current-context: x", ""].join("\n"));
  return path;
}

async function get(path: string): Promise<unknown> {
  const transport = new AxiosKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigPath: path }) });
  try {
    return await transport.request({ method: "GET", path: "/api/v1/nodes" });
  } finally {
    transport.close();
  }
}

describe("kubeconfig over TLS", () => {
  it("presents the client certificate and trusts the CA, both named relative to the kubeconfig", async () => {
    peers.length = 0;
    expect(await get(write(["certificate-authority: pki/ca.pem"], ["client-certificate: pki/me.crt", "client-key: ./pki/me.key"]))).toMatchObject({ kind: "NodeList" });
    expect(peers).toEqual(["kubevirt-env"]);
  });

  it("presents a client certificate issued by an exec plugin", async () => {
    peers.length = 0;
    const path = write(["certificate-authority: pki/ca.pem"], ["exec: {apiVersion: client.authentication.k8s.io/v1, command: issue-cert, interactiveMode: Never}"]);
    const status = { clientCertificateData: identity.cert, clientKeyData: identity.key };
    const system = { ...nodeSystem(), exec: async () => ({ code: 0, stdout: JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status }), stderr: "" }) };
    const transport = new AxiosKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigPath: path }, system), system });
    expect(await transport.request({ method: "GET", path: "/api/v1/nodes" })).toMatchObject({ kind: "NodeList" });
    transport.close();
    expect(peers).toEqual(["kubevirt-env"]);
  });

  it("checks the server's certificate against tls-server-name", async () => {
    expect(await get(write(["certificate-authority: pki/ca.pem", "tls-server-name: localhost"], []))).toMatchObject({ kind: "NodeList" });
    const error = await get(write(["certificate-authority: pki/ca.pem", "tls-server-name: api.example.com"], [])).catch((e: unknown) => e);
    expect(isVmshiftError(error, "TRANSPORT")).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });

  it("a missing CA file is INVALID_ARGUMENT naming the resolved path", async () => {
    const error = await get(write(["certificate-authority: pki/none.pem"], [])).catch((e: unknown) => e);
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    expect(String(error)).toContain(join(dir, "pki", "none.pem"));
  });
});
