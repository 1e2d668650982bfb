import net from "node:net";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { envelopeProblems, loadSubset } from "../test/wsdl-contract.ts";
import { normalizeThumbprint } from "./tls.ts";
import { type SoapExchange, createSoapTransport, endpointUrl, faultFromSoap } from "./transport.ts";
import { el, moref, seq } from "./xml.ts";

const URL_ = "https://vc.example.test/sdk";
const ENV = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("SOAP transport", () => {
  it("keeps the session cookie from Login and sends it (and SOAPAction) on later calls", async () => {
    const scope = nock("https://vc.example.test")
      .post("/sdk", (b: string) => b.includes("<vim25:Login") && b.includes("<password>pa&amp;ss</password>"))
      .reply(200, ENV('<LoginResponse xmlns="urn:vim25"><returnval><key>k</key><userName>u</userName></returnval></LoginResponse>'), { "Set-Cookie": "vmware_soap_session=abc123; Path=/; HttpOnly" })
      .post("/sdk")
      .matchHeader("cookie", "vmware_soap_session=abc123")
      .matchHeader("soapaction", '"urn:vim25/8.0"')
      .reply(200, ENV('<CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-01-01T00:00:00Z</returnval></CurrentTimeResponse>'));
    const methods: string[] = [];
    const t = createSoapTransport({ url: URL_, apiVersion: "8.0", onRequest: (m) => methods.push(m) });
    await t.call("Login", seq(moref("_this", { type: "SessionManager", value: "SessionManager" }), el("userName", "u"), el("password", "pa&ss")));
    expect(await t.call("CurrentTime", moref("_this", { type: "ServiceInstance", value: "ServiceInstance" }))).toEqual(new Date("2026-01-01T00:00:00Z"));
    expect(methods).toEqual(["Login", "CurrentTime"]);
    expect(scope.isDone()).toBe(true);
    await t.close();
  });

  it("sends envelopes the WSDL subset accepts, with the headers vCenter expects, and reports each exchange", async () => {
    const subset = await loadSubset();
    const seen: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
    nock("https://vc.example.test")
      .post("/sdk")
      .twice()
      // nock 15 hands the reply function the request (a fetch Request).
      .reply((async (request: Request) => {
        seen.push({ body: await request.text(), headers: Object.fromEntries(request.headers) });
        return [200, ENV('<LoginResponse xmlns="urn:vim25"><returnval><key>k</key></returnval></LoginResponse>'), { "Content-Type": "text/xml; charset=utf-8" }];
      }) as never);
    const exchanges: SoapExchange[] = [];
    const t = createSoapTransport({ url: URL_, onExchange: (x) => exchanges.push(x) });
    const login = seq(moref("_this", { type: "SessionManager", value: "SessionManager" }), el("userName", "dom\\u"), el("password", "p<&>'\"]]>"));
    expect(await t.call("Login", login)).toEqual({ key: "k" });
    await t.call("CreateContainerView", seq(moref("_this", { type: "ViewManager", value: "ViewManager" }), moref("container", { type: "Folder", value: "group-d1" }), el("type", "VirtualMachine"), el("recursive", true)));
    for (const s of seen) expect(envelopeProblems(subset, s.body)).toEqual([]);
    expect(seen[0]!.headers).toMatchObject({ "content-type": "text/xml; charset=utf-8", soapaction: '"urn:vim25/6.5"', "content-length": String(Buffer.byteLength(seen[0]!.body)) });
    expect(exchanges.map((x) => [x.method, x.status, x.request === seen[exchanges.indexOf(x)]!.body, x.response.includes("LoginResponse")])).toEqual([
      ["Login", 200, true, true],
      ["CreateContainerView", 200, true, true],
    ]);
    await t.close();
  });

  it("reports an answer that is not SOAP as TRANSPORT with its HTTP status (retryable for 5xx, not for 4xx)", async () => {
    nock("https://vc.example.test").post("/sdk").reply(503, "injected transient failure (vmshift-vcsim)\n").post("/sdk").reply(404, "404 page not found\n").post("/sdk").reply(200, "<html>oops");
    const t = createSoapTransport({ url: URL_ });
    const e503 = await t.call("CurrentTime", seq()).catch((e: unknown) => e);
    expect(isVmshiftError(e503, "TRANSPORT")).toBe(true);
    expect((e503 as Error).message).toMatch(/CurrentTime: HTTP 503/);
    expect((e503 as { retryable: boolean }).retryable).toBe(true);
    const e404 = await t.call("CurrentTime", seq()).catch((e: unknown) => e);
    expect((e404 as Error).message).toMatch(/HTTP 404/);
    expect((e404 as { retryable: boolean }).retryable).toBe(false);
    const garbled = await t.call("CurrentTime", seq()).catch((e: unknown) => e);
    expect(isVmshiftError(garbled, "TRANSPORT")).toBe(true);
    expect((garbled as Error).message).toMatch(/HTTP 200: the answer is not well-formed XML/);
  });

  it("times out a request that gets no answer in requestTimeoutMs", async () => {
    nock("https://vc.example.test").post("/sdk").delay(2000).reply(200, ENV('<CurrentTimeResponse xmlns="urn:vim25"/>'));
    const error = await createSoapTransport({ url: URL_, requestTimeoutMs: 50 }).call("CurrentTime", seq()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "TIMEOUT" });
    expect((error as { retryable: boolean }).retryable).toBe(true);
  });

  it("sends through an injected axios-like client, and reads its answers the same way", async () => {
    const requests: { url: string; headers: Record<string, string>; data: string; timeout: number }[] = [];
    const http = {
      async request(config: { url: string; headers: Record<string, string>; data: string; timeout: number }) {
        requests.push(config);
        return { status: 200, data: ENV('<CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-01-01T00:00:00Z</returnval></CurrentTimeResponse>'), headers: { "Set-Cookie": "vmware_soap_session=xyz; Path=/" } };
      },
    };
    const t = createSoapTransport({ url: URL_, http, requestTimeoutMs: 1234 });
    expect(await t.call("CurrentTime", seq())).toEqual(new Date("2026-01-01T00:00:00Z"));
    await t.call("CurrentTime", seq());
    expect(requests[0]).toMatchObject({ url: URL_, timeout: 1234, headers: { SOAPAction: '"urn:vim25/6.5"' } });
    expect(requests[1]!.headers["Cookie"]).toBe("vmware_soap_session=xyz");
  });

  it("stops sending the cookie after clearSession", async () => {
    nock("https://vc.example.test")
      .post("/sdk")
      .reply(200, ENV('<LoginResponse xmlns="urn:vim25"><returnval><key>k</key></returnval></LoginResponse>'), { "Set-Cookie": "vmware_soap_session=abc; Path=/" });
    const without = nock("https://vc.example.test", { badheaders: ["cookie"] }).post("/sdk").reply(200, ENV('<LogoutResponse xmlns="urn:vim25"/>'));
    const t = createSoapTransport({ url: URL_ });
    await t.call("Login", seq());
    t.clearSession();
    await t.call("Logout", seq());
    expect(without.isDone()).toBe(true);
  });

  it("turns a SOAP fault into the mapped code, whatever prefix binds xsi", async () => {
    nock("https://vc.example.test")
      .post("/sdk")
      .reply(
        500,
        ENV(
          '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The object has already been deleted</faultstring><detail><ManagedObjectNotFoundFault xmlns="urn:vim25" xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ManagedObjectNotFound"><obj type="VirtualMachine">vm-9</obj></ManagedObjectNotFoundFault></detail></soapenv:Fault>',
        ),
      );
    const error = await createSoapTransport({ url: URL_ }).call("RetrievePropertiesEx", seq()).catch((e: unknown) => e);
    expect(isVmshiftError(error, "NOT_FOUND")).toBe(true);
    expect((error as { cause: { type: string } }).cause.type).toBe("ManagedObjectNotFound");
  });

  it("reports a dropped connection (vcsim panics that way) as a retryable TRANSPORT error, without the password", async () => {
    // A real socket that reads the request and closes without an answer, as vcsim does when a handler panics.
    const server = net.createServer((socket) => socket.once("data", () => socket.destroy()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    nock.enableNetConnect("127.0.0.1");
    try {
      const t = createSoapTransport({ url: `http://127.0.0.1:${port}/sdk`, secrets: ["Hunter2Hunter2"] });
      const error = await t.call("Login", seq(el("userName", "u"), el("password", "Hunter2Hunter2"))).catch((e: unknown) => e);
      expect(isVmshiftError(error, "TRANSPORT")).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
      expect((error as Error).message).not.toContain("Hunter2Hunter2");
      await t.close();
    } finally {
      nock.disableNetConnect();
      server.close();
    }
  });

  it("reports an aborted call as ABORTED", async () => {
    nock("https://vc.example.test").post("/sdk").delay(2000).reply(200, ENV("<CurrentTimeResponse xmlns=\"urn:vim25\"/>"));
    const controller = new AbortController();
    const pending = createSoapTransport({ url: URL_ }).call("CurrentTime", seq(), { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 20);
    expect(isVmshiftError(await pending, "ABORTED")).toBe(true);
  });
});

describe("endpoint and TLS options", () => {
  it("normalises the URL and refuses credentials in it", () => {
    expect(endpointUrl("https://vc.example.test")).toBe("https://vc.example.test/sdk");
    expect(() => endpointUrl("https://root:pw@vc.example.test/sdk")).toThrow(/must not carry credentials/);
    expect(() => endpointUrl("ftp://vc")).toThrow(/INVALID_ARGUMENT/);
    expect(() => endpointUrl("not a url")).toThrow(/INVALID_ARGUMENT/);
  });

  it("accepts SHA-256 thumbprints with or without colons and refuses SHA-1", () => {
    const hex = "ab".repeat(32);
    expect(normalizeThumbprint(hex.toUpperCase().match(/../g)!.join(":"))).toBe(hex);
    expect(() => normalizeThumbprint("ab".repeat(20))).toThrow(/SHA-1/);
    expect(() => normalizeThumbprint("zz")).toThrow(/INVALID_ARGUMENT/);
  });

  it("refuses thumbprint together with insecureSkipTlsVerify", () => {
    expect(() => createSoapTransport({ url: URL_, thumbprint: "ab".repeat(32), insecureSkipTlsVerify: true })).toThrow(/either thumbprint or insecureSkipTlsVerify/);
  });

  it("reads fault types from detail elements without xsi:type too", () => {
    expect(faultFromSoap({ faultstring: "x", detail: { InvalidStateFault: { attributes: {} } } })?.type).toBe("InvalidState");
    expect(faultFromSoap({ faultstring: "xml.Unmarshal: bad" })?.type).toBe("InvalidRequest");
    expect(faultFromSoap(undefined)).toBeUndefined();
  });
});
