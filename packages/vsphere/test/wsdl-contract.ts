/**
 * Test support: the WSDL subset (`spec/vim25-subset.wsdl`) as the contract of every envelope the
 * transport writes and every answer it reads, through the `soap` package's own WSDL parser. The
 * product code no longer loads `soap` (see src/envelope.ts); these checks keep it honest.
 */
import soap from "soap";
import { DEFAULT_WSDL_PATH } from "../src/transport.ts";
import { strictSaxParser } from "../../../test-support/sax.ts";

/** What `soap` put on the wire for one call. */
export interface SoapRequest {
  readonly xml: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface SchemaNode {
  readonly name: string;
  readonly $name?: string;
  readonly $type?: string;
  readonly $minOccurs?: string;
  readonly $maxOccurs?: string;
  readonly $base?: string;
  readonly children?: readonly SchemaNode[];
}

/** One element of a sequence: name, type, occurrences. */
export interface Particle {
  readonly name: string;
  readonly type: string;
  readonly min: number;
  readonly max: number;
}

/** The subset as `soap` reads it. */
export interface Subset {
  /** Operation names, in the WSDL's order. */
  readonly operations: readonly string[];
  /** The element sequence of an operation's request element. */
  requestSequence(operation: string): readonly Particle[];
  /** The element sequence of a named complex type (base types first), or undefined when the subset does not declare it. */
  typeSequence(type: string): readonly Particle[] | undefined;
  /** `soap`'s description of an output message (what its parser types the answer by). */
  responseDescription(operation: string): unknown;
  /** Sends `operation` with `$xml` through a `soap` client whose HTTP client captures the request and answers with `answer`. */
  send(operation: string, bodyXml: string, answer?: { status: number; body: string }): Promise<SoapRequest>;
  /** `soap`'s parse of an answer: its Envelope, or the root of the fault it throws. */
  parse(xml: string): { envelope?: Record<string, unknown>; faultRoot?: Record<string, unknown>; error?: unknown };
}

let loaded: Promise<Subset> | undefined;

/** Loads the subset once per test file. */
export function loadSubset(): Promise<Subset> {
  loaded ??= build();
  return loaded;
}

async function build(): Promise<Subset> {
  let captured: SoapRequest | undefined;
  let answer = { status: 200, body: "" };
  const httpClient = {
    request(_url: string, data: string, callback: (error: unknown, response?: unknown, body?: unknown) => void, headers: Record<string, string>) {
      captured = { xml: data, headers: { ...headers } };
      const response = { status: answer.status, headers: {}, data: answer.body };
      setImmediate(() => callback(null, response, answer.body));
      return Promise.resolve(response);
    },
  };
  const client = await soap.createClientAsync(DEFAULT_WSDL_PATH, { endpoint: "https://vc.example.test/sdk", httpClient: httpClient as never });
  const wsdl = (client as unknown as { wsdl: { definitions: { schemas: Record<string, { elements: Record<string, SchemaNode>; complexTypes: Record<string, SchemaNode> }>; messages: Record<string, { description(d: unknown): unknown }> }; xmlToObject(xml: string): unknown } }).wsdl;
  const schema = wsdl.definitions.schemas["urn:vim25"]!;
  const operations = Object.keys((client.describe() as Record<string, Record<string, Record<string, unknown>>>)["VimService"]!["VimPort"]!);

  const sequenceOf = (node: SchemaNode): Particle[] => {
    const out: Particle[] = [];
    const walk = (n: SchemaNode) => {
      if (n.name === "extension" && n.$base) out.push(...(typeSequence(n.$base.replace(/^vim25:/, "")) ?? []));
      if (n.name === "element" && n.$name) {
        out.push({ name: n.$name, type: n.$type ?? "", min: n.$minOccurs === undefined ? 1 : Number(n.$minOccurs), max: n.$maxOccurs === undefined ? 1 : n.$maxOccurs === "unbounded" ? Infinity : Number(n.$maxOccurs) });
        return;
      }
      for (const c of n.children ?? []) walk(c);
    };
    for (const c of node.children ?? []) walk(c);
    return out;
  };
  const typeSequence = (type: string) => {
    const node = schema.complexTypes[type];
    return node ? sequenceOf(node) : undefined;
  };
  return {
    operations,
    requestSequence(operation) {
      const node = schema.elements[operation];
      if (!node) throw new Error(`${operation} is not an element of the subset`);
      return sequenceOf(node);
    },
    typeSequence,
    responseDescription(operation) {
      return wsdl.definitions.messages[`${operation}Response`]?.description(wsdl.definitions);
    },
    async send(operation, bodyXml, reply = { status: 200, body: `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${operation}Response xmlns="urn:vim25"/></soap:Body></soap:Envelope>` }) {
      answer = reply;
      captured = undefined;
      const fn = (client as unknown as Record<string, (args: unknown) => Promise<unknown>>)[`${operation}Async`]!;
      await fn.call(client, { $xml: bodyXml }).catch(() => undefined);
      if (!captured) throw new Error(`soap sent nothing for ${operation}`);
      return captured;
    },
    parse(xml) {
      try {
        return { envelope: wsdl.xmlToObject(xml) as Record<string, unknown> };
      } catch (error) {
        const root = (error as { root?: Record<string, unknown> }).root;
        return root ? { faultRoot: root } : { error };
      }
    },
  };
}

interface Node {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: Node[];
  text: string;
}

function tree(xml: string): Node {
  const root: Node = { name: "#document", attributes: {}, children: [], text: "" };
  const stack = [root];
  const parser = strictSaxParser();
  parser.onopentag = (tag) => {
    const node: Node = { name: tag.name, attributes: { ...tag.attributes }, children: [], text: "" };
    stack.at(-1)!.children.push(node);
    stack.push(node);
  };
  parser.ontext = (text) => {
    stack.at(-1)!.text += text;
  };
  parser.onclosetag = () => void stack.pop();
  parser.write(xml).close();
  return root;
}

const local = (name: string) => name.slice(name.indexOf(":") + 1);
const XSI = "http://www.w3.org/2001/XMLSchema-instance";

/**
 * Checks a request envelope against the subset: one `Body` holding one `vim25:<operation>` of the
 * subset, whose children follow the operation's element sequence (names, order, occurrences;
 * `xsd:boolean` values are `true`/`false`, `xsd:string` ones are text); elements whose `xsi:type`
 * names a type of the subset, and `RelocateVM_Task`'s `spec.service` (a `ServiceLocator`), follow
 * that type's sequence. Returns the problems found (none: valid).
 */
export function envelopeProblems(subset: Subset, xml: string): string[] {
  const problems: string[] = [];
  let doc: Node;
  try {
    doc = tree(xml);
  } catch (error) {
    return [`not well-formed: ${(error as Error).message}`];
  }
  const env = doc.children[0];
  if (!env || local(env.name) !== "Envelope" || !Object.values(env.attributes).includes("http://schemas.xmlsoap.org/soap/envelope/")) return ["the root is not a SOAP 1.1 Envelope"];
  const xsiPrefix = Object.entries(env.attributes).find(([k, v]) => k.startsWith("xmlns:") && v === XSI)?.[0].slice(6);
  const bodies = env.children.filter((c) => local(c.name) === "Body");
  if (bodies.length !== 1 || env.children.length !== 1) return ["the Envelope must hold exactly one Body and nothing else"];
  const calls = bodies[0]!.children;
  if (calls.length !== 1) return ["the Body must hold exactly one operation element"];
  const call = calls[0]!;
  const [prefix, operation] = call.name.includes(":") ? call.name.split(":") : ["", call.name];
  if (!subset.operations.includes(operation!)) return [`${operation} is not an operation of the WSDL subset`];
  if (call.attributes[prefix ? `xmlns:${prefix}` : "xmlns"] !== "urn:vim25") problems.push(`${call.name} is not in the urn:vim25 namespace`);
  const checkSequence = (path: string, node: Node, sequence: readonly Particle[]) => {
    let i = 0;
    const counts = new Map<string, number>();
    for (const c of node.children) {
      const name = local(c.name);
      while (i < sequence.length && sequence[i]!.name !== name) i++;
      const particle = sequence[i];
      if (!particle) {
        problems.push(`${path}: <${name}> is not allowed here (expected one of ${sequence.map((p) => p.name).join(", ")}, in that order)`);
        return;
      }
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      if (n > particle.max) problems.push(`${path}: <${name}> occurs more than ${particle.max} time(s)`);
      if (particle.type === "xsd:boolean" && !/^(true|false|1|0)$/.test(c.text)) problems.push(`${path}/${name}: ${JSON.stringify(c.text)} is not an xsd:boolean`);
      if (particle.type === "xsd:string" && c.children.length > 0) problems.push(`${path}/${name}: an xsd:string holds elements`);
      checkTyped(`${path}/${name}`, c, particle);
    }
    for (const p of sequence) if ((counts.get(p.name) ?? 0) < p.min) problems.push(`${path}: <${p.name}> is required`);
  };
  const checkTyped = (path: string, node: Node, particle?: Particle) => {
    const xsiType = xsiPrefix ? node.attributes[`${xsiPrefix}:type`] : undefined;
    const declared = particle?.type.startsWith("vim25:") ? particle.type.slice(6) : undefined;
    const type = xsiType ?? declared;
    const sequence = type ? subset.typeSequence(type) : undefined;
    if (sequence) {
      checkSequence(path, node, sequence);
      return;
    }
    for (const c of node.children) checkTyped(`${path}/${local(c.name)}`, c);
  };
  checkSequence(operation!, call, subset.requestSequence(operation!));
  if (operation === "RelocateVM_Task") {
    const service = call.children.find((c) => local(c.name) === "spec")?.children.find((c) => local(c.name) === "service");
    if (service) checkSequence(`${operation}/spec/service`, service, subset.typeSequence("ServiceLocator") ?? []);
  }
  return problems;
}
