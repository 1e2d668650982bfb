import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock, isVmshiftError, systemClock } from "@vmshift/core";
import { NutanixTransport, tlsAgentOptions } from "./transport.ts";

const BASE = "https://pc.transport.test:9440";
afterEach(() => nock.cleanAll());

/** Header values of every request the scope sees (nock 15 hands a fetch-style Request to the "request" event). */
function capture(scope: nock.Scope, names: readonly string[]): string[] {
  const seen: string[] = [];
  scope.on("request", (req: { headers: Headers }) => seen.push(names.map((n) => req.headers.get(n) ?? "-").join("|")));
  return seen;
}

const basic = (o: Partial<ConstructorParameters<typeof NutanixTransport>[0]> = {}) =>
  new NutanixTransport({ baseUrl: BASE, auth: { username: "admin", password: "s3cr3t-pass" }, clock: new VirtualClock(), retryDelayMs: 10, ...o });

describe("NutanixTransport", () => {
  it("sends Basic auth, or X-ntnx-api-key", async () => {
    const seen = capture(nock(BASE).get("/api/vmm/v4.0/ahv/config/vms").times(2).reply(200, { data: [] }), ["authorization", "x-ntnx-api-key"]);
    await basic().request({ method: "GET", path: "/api/vmm/v4.0/ahv/config/vms", operation: "vm.list" });
    await new NutanixTransport({ baseUrl: BASE, auth: { apiKey: "the-api-key" } }).request({ method: "GET", path: "/api/vmm/v4.0/ahv/config/vms", operation: "vm.list" });
    expect(seen).toEqual([`Basic ${Buffer.from("admin:s3cr3t-pass").toString("base64")}|-`, "-|the-api-key"]);
  });

  it("keeps TLS verification on unless insecureSkipTlsVerify is set", () => {
    expect(tlsAgentOptions({}).rejectUnauthorized).toBe(true);
    expect(tlsAgentOptions({ ca: "PEM" })).toEqual({ rejectUnauthorized: true, keepAlive: true, ca: ["PEM"] });
    expect(tlsAgentOptions({ insecureSkipTlsVerify: true }).rejectUnauthorized).toBe(false);
  });

  it("retries 503 and lost answers with the very same NTNX-Request-Id and If-Match", async () => {
    const scope = nock(BASE)
      .post("/api/vmm/v4.0/ahv/config/vms/vm-1/$actions/power-on")
      .reply(503, { data: { error: [{ code: "PRISM-50300", message: "unavailable" }] } })
      .post("/api/vmm/v4.0/ahv/config/vms/vm-1/$actions/power-on")
      .replyWithError("socket hang up")
      .post("/api/vmm/v4.0/ahv/config/vms/vm-1/$actions/power-on")
      .reply(202, { data: { extId: "ZXJnb24=:1" } });
    const ids = capture(scope, ["ntnx-request-id", "if-match"]);
    const t = basic({ clock: systemClock, retryDelayMs: 5 });
    const res = await t.request<{ data: { extId: string } }>({ method: "POST", path: "/api/vmm/v4.0/ahv/config/vms/vm-1/$actions/power-on", headers: { "NTNX-Request-Id": "rid-1", "If-Match": "etag-1" }, body: {}, operation: "vm.power" });
    expect(res.data.data.extId).toBe("ZXJnb24=:1");
    expect(ids).toEqual(["rid-1|etag-1", "rid-1|etag-1", "rid-1|etag-1"]);
    expect(t.requestCount).toBe(3);
    expect(scope.isDone()).toBe(true);
  });

  it("gives up after the retry budget with a retryable TRANSPORT error", async () => {
    nock(BASE).get("/x").times(3).reply(503, {});
    const error = await basic({ retries: 2 }).request({ method: "GET", path: "/x", operation: "vm.list" }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "TRANSPORT")).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
  });

  it("does not retry 4xx, and keeps credentials out of the error and its cause", async () => {
    nock(BASE).get("/x").reply(401, { data: { error: [{ code: "PRISM-40100", message: "bad password s3cr3t-pass for admin" }] } });
    const error = await basic().request({ method: "GET", path: "/x", operation: "vm.list" }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "UNAUTHENTICATED")).toBe(true);
    const everything = JSON.stringify({ message: (error as Error).message, cause: (error as Error).cause, details: (error as { details: unknown }).details });
    expect(everything).not.toContain("s3cr3t-pass");
    expect(everything).not.toContain(Buffer.from("admin:s3cr3t-pass").toString("base64"));
  });

  it("rejects a bad base URL or missing credentials before any request", () => {
    expect(() => new NutanixTransport({ baseUrl: "not a url", auth: { apiKey: "k" } })).toThrow(/absolute URL/);
    expect(() => new NutanixTransport({ baseUrl: "ftp://pc", auth: { apiKey: "k" } })).toThrow(/https/);
    expect(() => new NutanixTransport({ baseUrl: BASE, auth: { username: "a", password: "" } })).toThrow(/auth needs/);
  });
});
