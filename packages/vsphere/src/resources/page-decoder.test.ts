/**
 * The streaming page decoder against `soap`'s parser (test-only): every recorded page answer, and
 * generated ones, fed in pieces cut anywhere, must give the VMs and hosts (and the token) that
 * `soap`'s parse of the whole answer gives through `decode.ts` and `inventory.ts`.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Host, Vm } from "@vmshift/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Subset, loadSubset } from "../../test/wsdl-contract.ts";
import { XmlSyntaxError } from "../xml-reader.ts";
import { escapeXml } from "../xml.ts";
import { objectContents, text } from "./decode.ts";
import { HOST_PATHS, VM_PATHS, toHost, toVm } from "./inventory.ts";
import { type DecodedPage, PageDecoder } from "./page-decoder.ts";

type Method = "RetrievePropertiesEx" | "ContinueRetrievePropertiesEx";
interface Exchange {
  readonly method: string;
  readonly status: number;
  readonly response: string;
}

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
const recorded = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => (JSON.parse(readFileSync(`${FIXTURES}${d.name}/exchanges.json`, "utf8")) as { exchanges: Exchange[] }).exchanges.map((x, i) => ({ name: `${d.name}#${i}`, x })))
  .filter(({ x }) => x.status === 200 && (x.method === "RetrievePropertiesEx" || x.method === "ContinueRetrievePropertiesEx"));

const KINDS = {
  VirtualMachine: { paths: VM_PATHS, map: (ref: { type: string; value: string }, props: Readonly<Record<string, unknown>>): Vm | Host => toVm({ ref, props }) },
  HostSystem: { paths: HOST_PATHS, map: (ref: { type: string; value: string }, props: Readonly<Record<string, unknown>>): Vm | Host => toHost({ ref, props }) },
} as const;
type Kind = keyof typeof KINDS;

let subset: Subset;
beforeAll(async () => {
  subset = await loadSubset();
});

/** The decoder fed `xml` cut at `cuts`. */
function decoded(xml: string, method: Method, type: Kind, cuts: readonly number[] = []): { state: string; page: DecodedPage<Vm | Host>; tokens: string[] } {
  const tokens: string[] = [];
  const decoder = new PageDecoder({ method, type, ...KINDS[type], onToken: (t) => tokens.push(t) });
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    decoder.write(xml.slice(from, cut));
    from = cut;
  }
  decoder.write(xml.slice(from));
  const page = decoder.end();
  return { state: decoder.state, page, tokens };
}

/** What `soap`'s parse of the whole answer gives through decode.ts and inventory.ts. */
function viaSoap(xml: string, method: Method, type: Kind): { items: (Vm | Host)[]; token?: string } {
  const parsed = subset.parse(xml);
  const body = parsed.envelope?.["Body"] as Record<string, { returnval?: { objects?: unknown; token?: unknown } }> | undefined;
  const returnval = body?.[`${method}Response`]?.returnval;
  const token = text(returnval?.token);
  const wanted = new Set<string>(KINDS[type].paths);
  const items = objectContents(returnval?.objects)
    .filter((o) => o.ref.type === type)
    .map((o) => KINDS[type].map(o.ref, Object.fromEntries(Object.entries(o.props).filter(([k]) => wanted.has(k)))));
  return { items, ...(token ? { token } : {}) };
}

const typeOf = (xml: string): Kind => (xml.includes('<obj type="HostSystem">') ? "HostSystem" : "VirtualMachine");

describe("PageDecoder reads page answers as soap does", () => {
  it("has recorded page answers of VMs and of hosts to check", () => {
    expect(recorded.filter(({ x }) => typeOf(x.response) === "HostSystem").length).toBeGreaterThan(0);
    expect(recorded.filter(({ x }) => x.response.includes('<obj type="VirtualMachine">')).length).toBeGreaterThan(0);
  });

  it.each(recorded.map(({ name, x }) => [name, x] as const))("%s, whole and cut anywhere", (_name, x) => {
    const method = x.method as Method;
    const type = typeOf(x.response);
    const expected = viaSoap(x.response, method, type);
    const whole = decoded(x.response, method, type);
    expect(whole.state).toBe("response");
    expect({ items: whole.page.items, ...(whole.page.token ? { token: whole.page.token } : {}) }).toEqual(expected);
    expect(whole.tokens).toEqual(expected.token ? [expected.token] : []);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: x.response.length }), { maxLength: 5 }), (cuts) => {
        expect(decoded(x.response, method, type, cuts).page).toEqual(whole.page);
      }),
      { numRuns: 20 },
    );
  });

  const ENV = (body: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
  const value = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 8 }).filter((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s)),
    fc.constantFrom("poweredOn", "poweredOff", " 2048 ", "4", "true", "false", "connected", "host-7", "a&b<c"),
  );
  const val = fc.oneof(
    value.map((v) => `<val xsi:type="xsd:string">${escapeXml(v)}</val>`),
    value.map((v) => `<val>${escapeXml(v)}</val>`),
    value.map((v) => `<val xsi:type="ManagedObjectReference" type="HostSystem">${escapeXml(v)}</val>`),
    value.map((v) => `<val type="ClusterComputeResource"><![CDATA[${v.replaceAll("]]>", "")}]]></val>`),
    fc.constant('<val xsi:nil="true"/>'),
    value.map((v) => `<val xsi:type="ManagedObjectReference" type="HostSystem" xsi:nil="true">${escapeXml(v)}</val>`),
    fc.constant('<val xsi:type="xsd:string"></val>'),
    fc.constant('<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="VirtualMachine">vm-1</ManagedObjectReference></val>'),
  );
  const allPaths = [...new Set([...VM_PATHS, ...HOST_PATHS, "config.uuid"])];
  const propSet = fc.tuple(fc.constantFrom(...allPaths), val).map(([name, v]) => `<propSet><name>${name}</name>${v}</propSet>`);
  const object = fc.tuple(fc.constantFrom("VirtualMachine", "HostSystem", "Folder"), fc.integer({ min: 1, max: 99 }), fc.uniqueArray(propSet, { maxLength: 6, selector: (p) => p.slice(0, p.indexOf("</name>")) }), fc.boolean()).map(
    ([type, id, props, missing]) => `<objects><obj type="${type}">${type === "HostSystem" ? "host" : "vm"}-${id}</obj>${props.join("")}${missing ? '<missingSet><path>summary</path><fault><fault xsi:type="NoPermission"/></fault></missingSet>' : ""}</objects>`,
  );

  it("for generated answers (values of every shape, nil, CDATA, missing sets, other types, tokens), cut anywhere", () => {
    fc.assert(
      fc.property(fc.constantFrom<Method>("RetrievePropertiesEx", "ContinueRetrievePropertiesEx"), fc.constantFrom<Kind>("VirtualMachine", "HostSystem"), fc.option(fc.integer({ min: 1, max: 999 })), fc.array(object, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 4 }), (method, type, token, objects, cuts) => {
        const xml = ENV(`<${method}Response xmlns="urn:vim25"><returnval>${token === null ? "" : `<token>${token}</token>`}${objects.join("")}</returnval></${method}Response>`);
        const { page } = decoded(xml, method, type, cuts.map((c) => c % (xml.length + 1)));
        expect({ items: page.items, ...(page.token ? { token: page.token } : {}) }).toEqual(viaSoap(xml, method, type));
        expect(page.objects).toBe(objects.length);
      }),
      { numRuns: 300 },
    );
  });

  it("declines a fault (the transport reads it the usual way)", () => {
    const fault = ENV('<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>bad token</faultstring><detail><InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"/></detail></soapenv:Fault>');
    expect(decoded(fault, "ContinueRetrievePropertiesEx", "VirtualMachine").state).toBe("other");
  });

  it("declines the answer of another operation", () => {
    const other = ENV('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><token>1</token></returnval></RetrievePropertiesExResponse>');
    const { state, tokens } = decoded(other, "ContinueRetrievePropertiesEx", "VirtualMachine");
    expect(state).toBe("other");
    expect(tokens).toEqual([]);
  });

  it("refuses a page that is not well-formed", () => {
    const cut = ENV('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj></returnval></RetrievePropertiesExResponse>');
    expect(() => decoded(cut, "RetrievePropertiesEx", "VirtualMachine")).toThrow(XmlSyntaxError);
    const truncated = ENV('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj></objects>');
    expect(() => decoded(truncated.slice(0, truncated.indexOf("</soapenv:Body>")), "RetrievePropertiesEx", "VirtualMachine")).toThrow(XmlSyntaxError);
  });
});
