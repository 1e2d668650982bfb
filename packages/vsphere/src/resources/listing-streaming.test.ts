/**
 * A listing hands VMs out while the server's page is still arriving: a real HTTP server on
 * loopback sends the first part of a RetrievePropertiesEx answer and holds the rest until the test
 * lets it go; the first page reaches the caller before that. The whole listing still gives every VM
 * once, in order, in one request per server page; a page read ahead and not yet wanted is held back
 * at the socket instead of decoded into memory.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { VmshiftClient, type Vm } from "@vmshift/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createVsphereAdapter } from "../adapter.ts";
import type { VimMethod } from "../transport.ts";
import { HANDOUT } from "./listing.ts";

const RECORDED = JSON.parse(readFileSync(fileURLToPath(new URL("../../test/fixtures/inventory.list-paged/exchanges.json", import.meta.url)), "utf8")) as { exchanges: { method: string; response: string }[] };
const recorded = (method: string) => RECORDED.exchanges.find((x) => x.method === method)!.response;

const HEAD = (method: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><${method}Response xmlns="urn:vim25"><returnval>`;
const TAIL = (method: string) => `</returnval></${method}Response></soapenv:Body></soapenv:Envelope>`;
const prop = (name: string, type: string, value: string, attrs = "") => `<propSet><name>${name}</name><val xsi:type="${type}"${attrs}>${value}</val></propSet>`;
const vmXml = (i: number) =>
  `<objects><obj type="VirtualMachine">vm-${i}</obj>${prop("name", "xsd:string", `VM ${i}`)}${prop("runtime.powerState", "VirtualMachinePowerState", "poweredOn")}${prop("runtime.host", "ManagedObjectReference", `host-${i % 3}`, ' type="HostSystem"')}${prop("summary.config.memorySizeMB", "xsd:int", "32")}${prop("summary.config.numCpu", "xsd:int", "1")}</objects>`;
const vms = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => vmXml(from + k)).join("");

/** The server's page plan: the first page's VMs, where it holds, the second page's VMs. */
interface Plan {
  readonly first: number;
  /** VMs of the first page sent before the server holds (until `release()`). */
  readonly holdAfter: number;
  readonly second: number;
}
let plan: Plan;
let release: () => void = () => undefined;
let held: Promise<void> = Promise.resolve();
/** Bytes of the second page the server could hand to its socket, and whether the socket took the whole page. */
let secondPage = { written: 0, total: 0, drained: false };
let server: http.Server;
let url: string;

function holdServer(): void {
  held = new Promise<void>((resolve) => (release = resolve));
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (d: string) => (body += d));
    request.on("end", async () => {
      const method = /<vim25:(\w+)/.exec(body)?.[1] ?? "";
      response.writeHead(200, { "Content-Type": "text/xml; charset=utf-8", ...(method === "Login" ? { "Set-Cookie": 'vmware_soap_session="s1"; Path=/' } : {}) });
      if (method === "RetrievePropertiesEx") {
        response.write(HEAD(method) + "<token>t1</token>" + vms(0, plan.holdAfter));
        await held;
        response.end(vms(plan.holdAfter, plan.first) + TAIL(method));
      } else if (method === "ContinueRetrievePropertiesEx") {
        const page = Buffer.from(HEAD(method) + vms(plan.first, plan.first + plan.second) + TAIL(method));
        secondPage = { written: 0, total: page.length, drained: false };
        // In pieces, each only once the socket took the one before: how far it got shows whether the client reads.
        for (let at = 0; at < page.length; at += 16 * 1024) {
          const more = response.write(page.subarray(at, at + 16 * 1024));
          secondPage.written = Math.min(page.length, at + 16 * 1024);
          if (!more) await new Promise((resolve) => response.once("drain", resolve));
        }
        secondPage.drained = true;
        response.end();
      } else {
        response.end(recorded(method));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
});
afterEach(() => release());
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function client(methods: VimMethod[]) {
  const adapter = createVsphereAdapter({ url, username: "u", password: "p", onRequest: (m) => methods.push(m) });
  return new VmshiftClient(adapter);
}

describe("vSphere listing handed out as the answer arrives", () => {
  it("gives the caller its first VMs while the server still holds the rest of the page, then every VM once, in order", async () => {
    plan = { first: 600, holdAfter: 250, second: 40 };
    holdServer();
    const methods: VimMethod[] = [];
    const c = client(methods);
    const pages = c.listVms({ pageSize: 1000 })[Symbol.asyncIterator]();
    const first = await pages.next();
    // The server has not sent VM 250 yet: the page came from the part of the body that arrived.
    const firstItems = (first.value as { items: readonly Vm[] }).items;
    expect(first.done).toBe(false);
    expect(firstItems.length).toBeGreaterThan(HANDOUT);
    expect(firstItems.length).toBeLessThan(plan.holdAfter);
    expect(firstItems.map((v) => v.id)).toEqual(Array.from({ length: firstItems.length }, (_, i) => `vm-${i}`));
    expect(firstItems[0]).toMatchObject({ name: "VM 0", powerState: "running", hostId: "host-0", cpus: 1, memoryBytes: 32 * 2 ** 20 });
    release();
    const ids = firstItems.map((v) => v.id);
    let sizes: number[] = [firstItems.length];
    for (;;) {
      const next = await pages.next();
      if (next.done) break;
      sizes.push(next.value.items.length);
      ids.push(...next.value.items.map((v) => v.id));
    }
    expect(ids).toEqual(Array.from({ length: plan.first + plan.second }, (_, i) => `vm-${i}`));
    // No page is empty, none larger than asked for.
    sizes = sizes.filter((n) => n === 0 || n > 1000);
    expect(sizes).toEqual([]);
    // One request per server page, as before.
    expect(methods.filter((m) => m === "RetrievePropertiesEx" || m === "ContinueRetrievePropertiesEx")).toEqual(["RetrievePropertiesEx", "ContinueRetrievePropertiesEx"]);
    await c.close();
  });

  it("keeps a page read ahead at the socket (not decoded into memory) until the caller wants it", async () => {
    // A second page far larger than what a socket buffers, asked for as soon as the first page's token is read.
    plan = { first: 300, holdAfter: 300, second: 40_000 };
    holdServer();
    release();
    secondPage = { written: 0, total: 0, drained: false };
    const methods: VimMethod[] = [];
    const c = client(methods);
    const pages = c.listVms({ pageSize: 5000 })[Symbol.asyncIterator]();
    const ids: string[] = [];
    // Take the first server page only.
    while (ids.length < plan.first) {
      const next = await pages.next();
      ids.push(...(next.value as { items: readonly Vm[] }).items.map((v) => v.id));
    }
    expect(methods).toContain("ContinueRetrievePropertiesEx");
    // The server's writes stall once the socket buffers are full (nobody reads on); had the client
    // read on, they would go on to the end of the page.
    let before = -1;
    for (let tries = 0; tries < 40 && (secondPage.total === 0 || secondPage.written !== before) && !secondPage.drained; tries++) {
      before = secondPage.written;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(secondPage.total).toBeGreaterThan(0);
    expect(secondPage.drained).toBe(false);
    expect(secondPage.written).toBe(before);
    expect(secondPage.written).toBeLessThan(secondPage.total);
    // Wanted now: it is read on to its end, every VM once, in order.
    for (;;) {
      const next = await pages.next();
      if (next.done) break;
      ids.push(...next.value.items.map((v) => v.id));
    }
    expect(ids).toEqual(Array.from({ length: plan.first + plan.second }, (_, i) => `vm-${i}`));
    expect(secondPage.drained).toBe(true);
    await c.close();
  }, 30_000);
});
