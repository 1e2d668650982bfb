/**
 * TLS verification in every HTTP/SOAP adapter, against a local HTTPS server whose self-signed
 * certificate is made at test time: with default options the handshake is refused (and no request,
 * so no credential, reaches the server); with the CA, the pinned thumbprint (vSphere) or an explicit
 * `insecureSkipTlsVerify` the request reaches the server and the server's own answer comes back.
 */
import { type ErrorCode, type VmshiftClient, isVmshiftError } from "@vmshift/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Endpoint, type TlsMode, kubeStatus, kubevirtClient, nutanixClient, prismError, vcenterRefusingLogin, vsphereClient } from "./support/endpoints.ts";
import { type LocalTlsServer, type Responder, startTlsServer } from "./support/tls-server.ts";

interface Target {
  readonly adapter: string;
  readonly connect: (endpoint: Endpoint) => VmshiftClient;
  readonly responder: Responder;
  /** One read operation. */
  readonly call: (client: VmshiftClient) => Promise<unknown>;
  /** The code of the server's own answer: seeing it proves the handshake succeeded. */
  readonly answered: ErrorCode;
  /** The ways this adapter can be told to trust the server. */
  readonly trusted: readonly TlsMode[];
}

const TARGETS: readonly Target[] = [
  { adapter: "kubevirt", connect: kubevirtClient, responder: kubeStatus(404, "NotFound"), call: (c) => c.getVm("default/vm-1"), answered: "NOT_FOUND", trusted: ["ca", "insecure"] },
  { adapter: "nutanix", connect: (e) => nutanixClient(e), responder: prismError(404), call: (c) => c.getVm("00000000-0000-4000-8000-000000000001"), answered: "NOT_FOUND", trusted: ["ca", "insecure"] },
  { adapter: "vsphere", connect: vsphereClient, responder: vcenterRefusingLogin(), call: (c) => c.getVm("vm-1"), answered: "UNAUTHENTICATED", trusted: ["ca", "thumbprint", "insecure"] },
];

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("the operation succeeded; the test server never answers with success"),
    (error: unknown) => error,
  );
}

const TLS_WORDS = /certificate|self[- ]signed|thumbprint|TLS|SSL|CERT/i;

describe.each(TARGETS)("TLS verification: $adapter", (target) => {
  let server: LocalTlsServer;
  beforeAll(async () => {
    server = await startTlsServer(target.responder);
  });
  afterAll(() => server.close());
  const endpoint = (tls: TlsMode): Endpoint => ({ origin: server.origin, tls, certPem: server.certPem, thumbprint: server.thumbprint });

  it("is on by default: a self-signed certificate fails the operation with a TLS error, before any request is sent", async () => {
    server.requests.length = 0;
    const error = await failure(target.call(target.connect(endpoint("default"))));
    expect(isVmshiftError(error), String(error)).toBe(true);
    if (!isVmshiftError(error)) return;
    expect(["TRANSPORT", "UNAUTHENTICATED"]).toContain(error.code);
    expect(error.adapter).toBe(target.adapter);
    expect(error.message).toMatch(TLS_WORDS);
    expect(error.retryable, "a certificate that failed verification will fail again").toBe(false);
    expect(server.requests, "no request (and so no credential) may reach an unverified server").toHaveLength(0);
  });

  it.each(target.trusted)("gets past TLS when told to trust the server (%s)", async (mode) => {
    server.requests.length = 0;
    const error = await failure(target.call(target.connect(endpoint(mode))));
    expect(isVmshiftError(error) ? error.code : String(error), "the server's own answer came back").toBe(target.answered);
    expect(server.requests.length).toBeGreaterThan(0);
  });
});

describe("TLS verification: vsphere thumbprint pinning", () => {
  let server: LocalTlsServer;
  beforeAll(async () => {
    server = await startTlsServer(vcenterRefusingLogin());
  });
  afterAll(() => server.close());

  it("refuses a server whose certificate has another SHA-256 thumbprint, before any request is sent", async () => {
    const other = server.thumbprint.replace(/^[0-9A-F]/, (c) => (c === "0" ? "1" : "0"));
    const error = await failure(vsphereClient({ origin: server.origin, tls: "thumbprint", thumbprint: other }).getVm("vm-1"));
    expect(isVmshiftError(error, "TRANSPORT"), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/thumbprint/);
    expect(server.requests).toHaveLength(0);
  });
});
