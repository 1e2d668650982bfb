/** If-Match / NTNX-Request-Id handling of VM actions: 412 refreshes once, 428 is a vmshift bug. */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock, isVmshiftError } from "@vmshift/core";
import { NutanixTransport } from "../transport.ts";
import { postVmAction } from "./vms.ts";

const BASE = "https://pc.vms.test:9440";
const VM = "/api/vmm/v4.0/ahv/config/vms/vm-1";
afterEach(() => nock.cleanAll());

function capture(scope: nock.Scope, names: readonly string[]): string[] {
  const seen: string[] = [];
  scope.on("request", (req: { headers: Headers }) => seen.push(names.map((n) => req.headers.get(n) ?? "-").join("|")));
  return seen;
}

const transport = () => new NutanixTransport({ baseUrl: BASE, auth: { apiKey: "key-1234" }, clock: new VirtualClock(), retries: 0 });
const action = (etag?: string) => postVmAction(transport(), { vmExtId: "vm-1", action: "migrate-to-host", requestId: "rid-7", body: { host: { extId: "h-2" } }, operation: "migration.start", ...(etag ? { etag } : {}) });

describe("postVmAction", () => {
  it("reads the ETag first when none is given and sends it as If-Match with the request id", async () => {
    nock(BASE).get(VM).reply(200, { data: { extId: "vm-1" } }, { ETag: "e-1" });
    const sent = capture(nock(BASE).post(`${VM}/$actions/migrate-to-host`, { host: { extId: "h-2" } }).reply(202, { data: { extId: "ZXJnb24=:t-1" } }), ["if-match", "ntnx-request-id"]);
    expect(await action()).toBe("ZXJnb24=:t-1");
    expect(sent).toEqual(["e-1|rid-7"]);
  });

  it("on 412 re-reads the VM once and resends with the fresh ETag and the same request id", async () => {
    const scope = nock(BASE)
      .post(`${VM}/$actions/migrate-to-host`)
      .reply(412, { data: { error: [{ code: "PLAT-10005", message: "Invalid eTag header" }] } })
      .get(VM)
      .reply(200, { data: { extId: "vm-1" } }, { ETag: "fresh" })
      .post(`${VM}/$actions/migrate-to-host`)
      .reply(202, { data: { extId: "ZXJnb24=:t-2" } });
    const sent = capture(scope, ["if-match", "ntnx-request-id"]);
    expect(await action("stale")).toBe("ZXJnb24=:t-2");
    expect(sent).toEqual(["stale|rid-7", "-|-", "fresh|rid-7"]);
  });

  it("reports a second 412 as CONFLICT (refreshes only once)", async () => {
    nock(BASE).post(`${VM}/$actions/migrate-to-host`).times(2).reply(412, { data: { error: [{ code: "PLAT-10005", message: "Invalid eTag header" }] } });
    nock(BASE).get(VM).reply(200, { data: { extId: "vm-1" } }, { ETag: "fresh" });
    const error = await action("stale").catch((e: unknown) => e);
    expect(isVmshiftError(error, "CONFLICT")).toBe(true);
    expect(nock.isDone()).toBe(true);
  });

  it("reports 428 as INTERNAL (a request without If-Match is a vmshift bug) without retrying", async () => {
    nock(BASE).post(`${VM}/$actions/migrate-to-host`).reply(428, { data: { error: [{ code: "VMM-10428", message: "If-Match header is required" }] } });
    const error = await action("e-1").catch((e: unknown) => e);
    expect(isVmshiftError(error, "INTERNAL")).toBe(true);
    expect((error as Error).message).toMatch(/bug in vmshift/);
    expect(nock.isDone()).toBe(true);
  });

  it("refuses a 202 without a task reference", async () => {
    nock(BASE).post(`${VM}/$actions/migrate-to-host`).reply(202, { data: {} });
    expect(isVmshiftError(await action("e-1").catch((e: unknown) => e), "INTERNAL")).toBe(true);
  });
});
