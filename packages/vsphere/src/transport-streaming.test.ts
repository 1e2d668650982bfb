/**
 * The transport hands a page answer to its decoder as the bytes arrive (a real HTTP server on
 * loopback writes it in small pieces); the decoder can hold the answer back (the request's timeout
 * stops meanwhile; a hold nobody ends ends by itself); a fault is still read the usual way; a body
 * cut short or garbled is TRANSPORT; onExchange still sees the whole text.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { isVmshiftError } from "@vmshift/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DecodedPage, PageDecoder } from "./resources/page-decoder.ts";
import { type AnswerFlow, type SoapExchange, createSoapTransport } from "./transport.ts";
import { el } from "./xml.ts";

const ENV = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
const object = (i: number) => `<objects><obj type="VirtualMachine">vm-${i}</obj><propSet><name>name</name><val xsi:type="xsd:string">VM ${i} – é😀</val></propSet></objects>`;
const PAGE = ENV(`<ContinueRetrievePropertiesExResponse xmlns="urn:vim25"><returnval><token>7</token>${Array.from({ length: 50 }, (_, i) => object(i)).join("")}</returnval></ContinueRetrievePropertiesExResponse>`);
const FAULT = ENV('<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>A specified parameter was not correct: token</faultstring><detail><InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"><invalidProperty>token</invalidProperty></InvalidArgumentFault></detail></soapenv:Fault>');

/** What the server answers next: status, body bytes, piece size. */
let answer: { status: number; body: Buffer; piece: number; stall?: { readonly at: number; readonly ms: number } } = { status: 200, body: Buffer.from(PAGE), piece: 7 };
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    request.resume();
    request.on("end", async () => {
      const { status, body, piece, stall } = answer;
      response.writeHead(status, { "Content-Type": "text/xml; charset=utf-8" });
      for (let at = 0; at < body.length; at += piece) {
        if (stall && at === stall.at) await new Promise((resolve) => setTimeout(resolve, stall.ms));
        response.write(body.subarray(at, at + piece));
        // Let the pieces arrive apart.
        if (at % (piece * 40) === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function pageDecoder(seen: { tokenAt?: number }, written: { chars: number }) {
  return (_flow?: AnswerFlow) => {
    const decoder = new PageDecoder({ method: "ContinueRetrievePropertiesEx", type: "VirtualMachine", paths: ["name"], map: (ref, props) => ({ id: ref.value, name: props["name"] }), onToken: () => (seen.tokenAt = written.chars) });
    return {
      get state() {
        return decoder.state;
      },
      write(text: string) {
        written.chars += text.length;
        decoder.write(text);
      },
      end: () => decoder.end(),
    };
  };
}

describe("SOAP transport with a streaming decoder", () => {
  it("feeds the answer to the decoder piece by piece (UTF-8 cut anywhere, BOM dropped) and resolves with its page", async () => {
    answer = { status: 200, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(PAGE)]), piece: 7 };
    const seen: { tokenAt?: number } = {};
    const written = { chars: 0 };
    const t = createSoapTransport({ url });
    const page = (await t.call("ContinueRetrievePropertiesEx", el("token", "6"), { decoder: pageDecoder(seen, written) })) as DecodedPage<{ id: string; name: unknown }>;
    expect(page.token).toBe("7");
    expect(page.items).toHaveLength(50);
    expect(page.items[3]).toEqual({ id: "vm-3", name: "VM 3 – é😀" });
    // The token was read long before the body ended.
    expect(seen.tokenAt).toBeLessThan(written.chars / 4);
    expect(written.chars).toBe(PAGE.length);
    await t.close();
  });

  it("reads a fault the usual way (a VmshiftError from the vim fault)", async () => {
    answer = { status: 500, body: Buffer.from(FAULT), piece: 5 };
    const t = createSoapTransport({ url });
    const error = await t.call("ContinueRetrievePropertiesEx", el("token", "6"), { decoder: pageDecoder({}, { chars: 0 }) }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    await t.close();
  });

  it("reports an answer cut short as TRANSPORT", async () => {
    answer = { status: 200, body: Buffer.from(PAGE.slice(0, PAGE.length - 40)), piece: 11 };
    const t = createSoapTransport({ url });
    const error = await t.call("ContinueRetrievePropertiesEx", el("token", "6"), { decoder: pageDecoder({}, { chars: 0 }) }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "TRANSPORT")).toBe(true);
    expect(String((error as Error).message)).toMatch(/not well-formed/);
    await t.close();
  });

  it("stops reading while the decoder holds the answer back, without the request's timeout running meanwhile", async () => {
    // The server sends a first part, then the rest 350 ms later; the exchange takes longer than the
    // 300 ms timeout, but the 250 ms the decoder holds the answer back do not count.
    answer = { status: 200, body: Buffer.from(PAGE), piece: 64, stall: { at: 64 * 20, ms: 350 } };
    const written = { chars: 0 };
    let heldAt = -1;
    const t = createSoapTransport({ url, requestTimeoutMs: 300 });
    const call = t.call("ContinueRetrievePropertiesEx", el("token", "6"), {
      decoder: (flow) => {
        const inner = pageDecoder({}, written)(flow);
        let holding = false;
        return {
          get state() {
            return inner.state;
          },
          write(text: string) {
            inner.write(text);
            if (holding) return;
            holding = true;
            flow.pause();
            heldAt = written.chars;
            setTimeout(() => flow.resume(), 250);
          },
          end: () => inner.end(),
        };
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Nothing more was read while held (the server keeps writing into the socket).
    expect(written.chars).toBe(heldAt);
    expect(heldAt).toBeLessThan(PAGE.length);
    const page = (await call) as DecodedPage<unknown>;
    expect(page.items).toHaveLength(50);
    expect(written.chars).toBe(PAGE.length);
    await t.close();
  });

  it("ends a hold nobody ends after as long as the request's timeout, and reads the answer on", async () => {
    answer = { status: 200, body: Buffer.from(PAGE), piece: 64 };
    const t = createSoapTransport({ url, requestTimeoutMs: 300 });
    const started = performance.now();
    const page = (await t.call("ContinueRetrievePropertiesEx", el("token", "6"), {
      decoder: (flow) => {
        const inner = pageDecoder({}, { chars: 0 })(flow);
        return {
          get state() {
            return inner.state;
          },
          write(text: string) {
            inner.write(text);
            flow.pause();
          },
          end: () => inner.end(),
        };
      },
    })) as DecodedPage<unknown>;
    expect(page.items).toHaveLength(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await t.close();
  });

  it("gives onExchange the whole text while the decoder reads it", async () => {
    answer = { status: 200, body: Buffer.from(PAGE), piece: 13 };
    const exchanges: SoapExchange[] = [];
    const t = createSoapTransport({ url, onExchange: (x) => exchanges.push(x) });
    const page = (await t.call("ContinueRetrievePropertiesEx", el("token", "6"), { decoder: pageDecoder({}, { chars: 0 }) })) as DecodedPage<unknown>;
    expect(page.items).toHaveLength(50);
    expect(exchanges[0]!.response).toBe(PAGE);
    await t.close();
  });
});
