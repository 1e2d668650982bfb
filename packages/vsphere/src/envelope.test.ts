/**
 * The WSDL subset is the contract of envelope.ts: checked here with the `soap` package's own WSDL
 * parser and client (test-only), against every request and answer recorded from vcsim.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Subset, envelopeProblems, loadSubset } from "../test/wsdl-contract.ts";
import { EnvelopeSyntaxError, VIM_OPERATIONS, type VimOperation, envelope, parseEnvelope, returnValue } from "./envelope.ts";
import { el, moref, seq, typed } from "./xml.ts";

interface Exchange {
  readonly method: string;
  readonly request: string;
  readonly status: number;
  readonly response: string;
}

const FIXTURES = fileURLToPath(new URL("../test/fixtures/", import.meta.url));
const recorded: { scenario: string; x: Exchange }[] = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => (JSON.parse(readFileSync(`${FIXTURES}${d.name}/exchanges.json`, "utf8")) as { exchanges: Exchange[] }).exchanges.map((x) => ({ scenario: d.name, x })));
const OPERATIONS = Object.keys(VIM_OPERATIONS) as VimOperation[];
const ENV = (body: string, prefix = "soapenv", xsi = "xsi") =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${prefix}:Envelope xmlns:${prefix}="http://schemas.xmlsoap.org/soap/envelope/" xmlns:${xsi}="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><${prefix}:Body>${body}</${prefix}:Body></${prefix}:Envelope>`;

let subset: Subset;
beforeAll(async () => {
  subset = await loadSubset();
});

/** Ours and soap's reading of one answer, in comparable form. */
function both(xml: string): { ours: unknown; soap: unknown } {
  let ours: unknown;
  try {
    const p = parseEnvelope(xml);
    ours = p.kind === "fault" ? { fault: p.fault } : p.kind === "response" ? { body: p.response } : { other: true };
  } catch (error) {
    ours = { error: error instanceof EnvelopeSyntaxError };
  }
  const s = subset.parse(xml);
  const theirs = s.faultRoot
    ? { fault: (s.faultRoot as { Envelope: { Body: { Fault: unknown } } }).Envelope.Body.Fault }
    : s.envelope
      ? "Body" in s.envelope
        ? { body: s.envelope["Body"] }
        : { other: true }
      : { error: (s.error as { Fault?: { faultstring?: string } })?.Fault?.faultstring === "Invalid XML" };
  return { ours, soap: theirs };
}

describe("the WSDL subset as the contract", () => {
  it("has exactly the operations envelope.ts writes", () => {
    expect([...subset.operations].sort()).toEqual([...OPERATIONS].sort());
  });

  it.each(OPERATIONS)("%s: the response's returnval is typed as the subset types it", (operation) => {
    const type = VIM_OPERATIONS[operation];
    expect(subset.responseDescription(operation)).toEqual({ [`${operation}Response`]: type === undefined ? {} : { returnval: type } });
  });

  it.each(OPERATIONS)("%s: the envelope is byte for byte the one soap writes from the subset", async (operation) => {
    const body = seq(moref("_this", { type: "T", value: "v&<1>" }), el("x", "a'b\"c"), typed("y", "Z", el("z", "\u00e9"))).xml;
    const sent = await subset.send(operation, body);
    expect(envelope(operation, body)).toBe(sent.xml);
    expect(sent.headers["Content-Type"]).toBe("text/xml; charset=utf-8");
  });

  it("re-creates every recorded request (they were written by soap) byte for byte", () => {
    expect(recorded.length).toBeGreaterThan(100);
    for (const { scenario, x } of recorded) {
      const m = /<vim25:(\w+) xmlns:vim25="urn:vim25" xmlns="urn:vim25">([\s\S]*)<\/vim25:\1><\/soap:Body>/.exec(x.request);
      expect(m, `${scenario}: ${x.request.slice(0, 200)}`).not.toBeNull();
      expect(m![1]).toBe(x.method);
      expect(envelope(x.method as VimOperation, m![2]!), scenario).toBe(x.request);
    }
  });

  it("finds every recorded request valid against the subset", () => {
    for (const { scenario, x } of recorded) expect(envelopeProblems(subset, x.request), `${scenario} ${x.method}`).toEqual([]);
  });

  it("the validator itself refuses what the subset does not allow", () => {
    const wrap = (op: string, body: string) => envelope(op as VimOperation, body);
    expect(envelopeProblems(subset, wrap("Login", "<_this type=\"SessionManager\">SessionManager</_this><password>p</password><userName>u</userName>"))).not.toEqual([]);
    expect(envelopeProblems(subset, wrap("Login", "<_this type=\"SessionManager\">SessionManager</_this><userName>u</userName>"))).toEqual(["Login: <password> is required"]);
    expect(envelopeProblems(subset, wrap("CreateContainerView", "<_this>v</_this><container>c</container><type>A</type><type>B</type><recursive>yes</recursive>"))).toEqual(['CreateContainerView/recursive: "yes" is not an xsd:boolean']);
    expect(envelopeProblems(subset, wrap("PowerOnVM_Task" as string, "<_this>v</_this><host>h</host><host>h</host>"))).toEqual(["PowerOnVM_Task: <host> occurs more than 1 time(s)"]);
    expect(envelopeProblems(subset, wrap("Nope", "<_this>v</_this>"))).toEqual(["Nope is not an operation of the WSDL subset"]);
    const badService = '<_this>vm</_this><spec><service><url>u</url><instanceUuid>i</instanceUuid></service></spec>';
    expect(envelopeProblems(subset, wrap("RelocateVM_Task", badService)).length).toBeGreaterThan(0);
    const badCredential = '<_this>vm</_this><spec><service><instanceUuid>i</instanceUuid><url>u</url><credential xsi:type="ServiceLocatorNamePassword"><password>p</password></credential></service></spec>';
    expect(envelopeProblems(subset, wrap("RelocateVM_Task", badCredential))).toContain("RelocateVM_Task/spec/service/credential: <username> is required");
  });
});

describe("parseEnvelope reads answers as soap did", () => {
  it("for every recorded answer (responses and faults)", () => {
    let answers = 0;
    for (const { scenario, x } of recorded) {
      if (x.status === 0 || x.response === "") continue;
      answers++;
      const { ours, soap } = both(x.response);
      expect(ours, `${scenario} ${x.method}`).toEqual(soap);
    }
    expect(answers).toBeGreaterThan(100);
  });

  const cases: Record<string, string> = {
    "whitespace around text and between elements": ENV('<RetrievePropertiesExResponse xmlns="urn:vim25">\n  <returnval>\n    <objects><obj type="VirtualMachine">  vm-1\n</obj><propSet><name> name </name><val xsi:type="xsd:string">  a  b  </val></propSet></objects>\n  </returnval>\n</RetrievePropertiesExResponse>'),
    "entities, character references and CDATA": ENV('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name><val xsi:type="xsd:string">a &amp; b &lt;c&gt; &#x263A; <![CDATA[<raw> & ]]></val></propSet></objects></returnval></RetrievePropertiesExResponse>'),
    "repeated elements become arrays, single ones stay objects": ENV('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="HostSystem">host-1</obj><propSet><name>vm</name><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="VirtualMachine">vm-1</ManagedObjectReference><ManagedObjectReference type="VirtualMachine">vm-2</ManagedObjectReference></val></propSet><propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore">ds-1</ManagedObjectReference></val></propSet></objects><token>t1</token></returnval></RetrievePropertiesExResponse>'),
    "empty elements, nil elements and attributes without text": ENV('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>network</name><val xsi:type="ArrayOfManagedObjectReference"></val></propSet><propSet><name>x</name><val xsi:nil="true"/></propSet><propSet><name>y</name><val type="HostSystem"/></propSet><propSet><name/></propSet></objects></returnval></RetrievePropertiesExResponse>'),
    "another prefix for the envelope and for XSI": ENV('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name><val XMLSchema-instance:type="xsd:string" xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance">web</val></propSet></objects></returnval></RetrievePropertiesExResponse>', "SOAP-ENV", "XMLSchema-instance"),
    "CurrentTime is a Date": ENV('<CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-01-02T03:04:05.678Z</returnval></CurrentTimeResponse>'),
    "an empty response": ENV('<LogoutResponse xmlns="urn:vim25"></LogoutResponse>'),
    "an answer with a header": '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><x>1</x></soap:Header><soap:Body><LoginResponse xmlns="urn:vim25"><returnval><key>k</key></returnval></LoginResponse></soap:Body></soap:Envelope>',
    "a fault with a typed detail": ENV('<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The object has already been deleted</faultstring><detail><ManagedObjectNotFoundFault xmlns="urn:vim25" xsi:type="ManagedObjectNotFound"><obj type="VirtualMachine">vm-9</obj></ManagedObjectNotFoundFault></detail></soapenv:Fault>'),
    "a fault with an empty faultstring and detail": ENV("<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring></faultstring><detail></detail></soapenv:Fault>"),
    "not XML at all": "<html><body>503 Service Unavailable</body>",
    "plain text": "injected transient failure (vmshift-vcsim)\n",
    "XML that is not an envelope": "<error><code>1</code></error>",
  };
  it.each(Object.entries(cases))("for %s", (_name, xml) => {
    const { ours, soap } = both(xml);
    expect(ours).toEqual(soap);
  });

  it("for generated property values (text, entities, whitespace, repeats)", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s));
    const prop = fc.record({ name: fc.constantFrom("name", "config.uuid", "x"), vals: fc.array(text, { minLength: 0, maxLength: 3 }), attr: fc.boolean() });
    fc.assert(
      fc.property(fc.array(prop, { maxLength: 4 }), (props) => {
        const propSets = props
          .map((p) => `<propSet><name>${p.name}</name>${p.vals.map((v) => `<val${p.attr ? ' xsi:type="xsd:string"' : ""}>${seq(v).xml}</val>`).join("")}</propSet>`)
          .join("");
        const { ours, soap } = both(ENV(`<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj>${propSets}</objects></returnval></RetrievePropertiesExResponse>`));
        expect(ours).toEqual(soap);
      }),
      { numRuns: 300 },
    );
  });

  it("ignores what surrounds the envelope, as soap's HTTP client did (before its parser)", () => {
    const clean = ENV('<LoginResponse xmlns="urn:vim25"><returnval><key>k</key></returnval></LoginResponse>');
    expect(parseEnvelope(`garbage\n<!-- a comment -->${clean}\ntrailing`)).toEqual(parseEnvelope(clean));
  });

  it("reads an answer with an element the subset does not know as untyped text (soap threw a TypeError)", () => {
    const parsed = parseEnvelope(ENV('<SomethingElseResponse xmlns="urn:vim25"><returnval>1</returnval></SomethingElseResponse>'));
    expect(parsed).toMatchObject({ kind: "response", response: { SomethingElseResponse: { returnval: "1" } } });
    expect(returnValue("Login", parsed as Extract<typeof parsed, { kind: "response" }>)).toBeUndefined();
  });

  it("returnValue picks the operation's returnval", () => {
    const parsed = parseEnvelope(ENV('<CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-01-02T03:04:05Z</returnval></CurrentTimeResponse>'));
    expect(parsed.kind).toBe("response");
    expect(returnValue("CurrentTime", parsed as Extract<typeof parsed, { kind: "response" }>)).toEqual(new Date("2026-01-02T03:04:05Z"));
    const empty = parseEnvelope(ENV('<LogoutResponse xmlns="urn:vim25"/>'));
    expect(returnValue("Logout", empty as Extract<typeof empty, { kind: "response" }>)).toBeUndefined();
  });
});
