/**
 * SOAP 1.1 envelopes for vim25, without a SOAP library on the path of a call: {@link envelope}
 * wraps a request body (written by `xml.ts`) exactly as the `soap` package wrote it from the WSDL
 * subset, and {@link parseEnvelope} turns an answer into the objects `soap` made of it (the shape
 * `resources/decode.ts` reads), reading the XML with `xml-reader.ts`.
 *
 * The WSDL subset in `spec/vim25-subset.wsdl` stays the contract: `envelope.test.ts` checks with
 * `soap`'s own WSDL parser that every operation here is one of the subset's, that every envelope
 * is byte for byte what `soap` sends, that every recorded request validates against the subset's
 * element sequences, and that every recorded answer (and generated ones) parses to what `soap`
 * makes of it. Loading `soap` (axios, xml-crypto, formidable, …) and parsing the WSDL took most of
 * a client's cold start; none of it is needed to write or read these envelopes.
 */
import { XmlSyntaxError, readXml } from "./xml-reader.ts";

/** The operations of `spec/vim25-subset.wsdl`, each with the type of its response's `returnval` (`undefined`: empty response). */
export const VIM_OPERATIONS = {
  RetrieveServiceContent: "xsd:anyType",
  Login: "xsd:anyType",
  Logout: undefined,
  CurrentTime: "xsd:dateTime",
  CreateContainerView: "xsd:anyType",
  DestroyView: undefined,
  RetrievePropertiesEx: "xsd:anyType",
  ContinueRetrievePropertiesEx: "xsd:anyType",
  CancelRetrievePropertiesEx: undefined,
  CreatePropertyCollector: "xsd:anyType",
  DestroyPropertyCollector: undefined,
  DestroyPropertyFilter: undefined,
  CreateFilter: "xsd:anyType",
  WaitForUpdatesEx: "xsd:anyType",
  RelocateVM_Task: "xsd:anyType",
  CancelTask: undefined,
  PowerOffVM_Task: "xsd:anyType",
  PowerOnVM_Task: "xsd:anyType",
  Destroy_Task: "xsd:anyType",
  ShutdownGuest: undefined,
  CheckRelocate_Task: "xsd:anyType",
  ExportVm: "xsd:anyType",
  HttpNfcLeaseProgress: undefined,
  HttpNfcLeaseComplete: undefined,
  HttpNfcLeaseAbort: undefined,
  CreateSnapshot_Task: "xsd:anyType",
  RemoveSnapshot_Task: "xsd:anyType",
  QueryChangedDiskAreas: "xsd:anyType",
} as const satisfies Readonly<Record<string, string | undefined>>;

/** An operation of the WSDL subset. */
export type VimOperation = keyof typeof VIM_OPERATIONS;

/** Namespaces and the prefix `soap` binds. */
const ENV_URI = "http://schemas.xmlsoap.org/soap/envelope/";
const XSI_URI = "http://www.w3.org/2001/XMLSchema-instance";

/**
 * The request envelope of `method` around `body` (already escaped XML), as `soap` writes it for the
 * subset (document/literal, target namespace `urn:vim25`), so recorded fixtures match byte for byte.
 */
export function envelope(method: VimOperation, body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${ENV_URI}" xmlns:xsi="${XSI_URI}"  xmlns:vim25="urn:vim25">` +
    `<soap:Body><vim25:${method} xmlns:vim25="urn:vim25" xmlns="urn:vim25">${body}</vim25:${method}></soap:Body></soap:Envelope>`
  );
}

/** A parsed answer: the response element's content, or the SOAP fault. */
export type ParsedEnvelope =
  | { readonly kind: "response"; readonly envelope: Record<string, unknown>; readonly response: unknown }
  | { readonly kind: "fault"; readonly envelope: Record<string, unknown>; readonly fault: Record<string, unknown> }
  | { readonly kind: "other"; readonly root: Record<string, unknown> };

/** Thrown by {@link parseEnvelope} for an answer that is not well-formed XML. */
export class EnvelopeSyntaxError extends Error {
  override readonly name = "EnvelopeSyntaxError";
}

type Schema = string | { readonly [name: string]: Schema } | undefined;

/** What `soap` knows before it reads the WSDL: the envelope and the SOAP 1.1 fault. */
const BASE_SCHEMA: Schema = {
  Envelope: {
    Header: { Security: { UsernameToken: { Username: "string", Password: "string" } } },
    Body: { Fault: { faultcode: "string", faultstring: "string", detail: "string" } },
  },
};

/** The schema of each response element, as `soap` describes the subset's output messages. */
const RESPONSE_SCHEMAS: ReadonlyMap<string, Schema> = new Map(
  Object.entries(VIM_OPERATIONS).map(([method, type]) => [`${method}Response`, type === undefined ? {} : { returnval: type }]),
);

function localName(qname: string): string {
  const name = qname.split("|", 1)[0]!;
  return name.slice(name.indexOf(":") + 1);
}

function child(schema: Schema, name: string): Schema {
  // `soap` indexes whatever the schema is: a type name string has no children.
  return schema !== undefined && typeof schema === "object" ? (schema[name] ?? schema[`${name}[]`]) : undefined;
}

function typed(text: string, schema: Schema): unknown {
  const type = typeof schema === "string" ? localName(schema) : undefined;
  switch (type) {
    case "int":
    case "integer":
    case "short":
    case "long":
      return Number.parseInt(text, 10);
    case "double":
    case "float":
    case "decimal":
      return Number(text);
    case "bool":
    case "boolean":
      return text.toLowerCase() === "true" || text === "1";
    case "dateTime":
    case "date":
      return new Date(text);
    default:
      return undefined;
  }
}

const isEmptyPlainObject = (value: unknown) =>
  value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype && Object.keys(value).length === 0;

interface Frame {
  readonly name: string | null;
  object: unknown;
  readonly schema: Schema;
  readonly nil: boolean;
}

/**
 * Parses a SOAP answer into objects the way `soap` (1.x, `attributesKey: "attributes"`,
 * `valueKey: "$value"`) does for the WSDL subset: text is trimmed; an element with attributes is
 * `{ attributes, $value?, …children }`; a repeated element becomes an array (a single one stays an
 * object); an empty element is `null`; `xsi:nil` elements are left out; a `returnval` the subset
 * types as `xsd:dateTime` becomes a `Date`, everything else stays text. Anything around the
 * envelope is ignored. Throws {@link EnvelopeSyntaxError} when the XML is not well-formed.
 * Where `soap` went wrong this does not follow it: an answer element the subset does not know is
 * read untyped (`soap` threw a TypeError), an element named like an `Object.prototype` member
 * (`constructor`) is an element, and an empty `<Fault/>` is a fault. The `xsi:type`s the subset
 * declares (ServiceLocator…) only ever appear in requests, so they type nothing here.
 */
export function parseEnvelope(xml: string): ParsedEnvelope {
  try {
    return build(xml);
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    // `soap`'s HTTP client kept only the envelope (dropping one comment and whatever surrounds it).
    const match = /(?:<\?[^?]*\?>[\s]*)?<([^:]*):Envelope([\S\s]*)<\/\1:Envelope>/i.exec(xml.replace(/<!--[\s\S]*?-->/, ""));
    try {
      if (match && match[0] !== xml) return build(match[0]);
    } catch (again) {
      if (!(again instanceof XmlSyntaxError)) throw again;
    }
    throw new EnvelopeSyntaxError(`the answer is not well-formed XML: ${error.message}`);
  }
}

/** Sets `object[name]`, an own property even for `__proto__`. */
function put(object: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  else object[name] = value;
}

function build(text: string): ParsedEnvelope {
  const root: Record<string, unknown> = {};
  const stack: Frame[] = [{ name: null, object: root, schema: BASE_SCHEMA, nil: false }];
  // Like `soap`, one namespace table for the whole document (prefixes are not scoped).
  const xmlns: Record<string, string> = {};
  const xsiPrefixes: string[] = [];
  let envPrefix = "soap";
  let responseSeen = false;
  const onText = (raw: string) => {
    const trimmed = raw.trim();
    if (trimmed.length === 0) return;
    const top = stack.at(-1)!;
    const converted = typed(trimmed, top.schema);
    const value = converted !== undefined ? converted : typeof top.object === "string" ? top.object + trimmed : trimmed;
    if (top.object !== null && typeof top.object === "object" && "attributes" in top.object) (top.object as Record<string, unknown>)["$value"] = value;
    else top.object = value;
  };
  readXml(text, {
    open(qname, nodeAttributes) {
      const name = localName(qname);
      const top = stack.at(-1)!;
      let schema = top.schema;
      const attributes: Record<string, string> = {};
      let hasAttributes = false;
      for (const [key, value] of Object.entries(nodeAttributes)) {
        if (key === "xmlns" || key.startsWith("xmlns:")) {
          const prefix = localName(key);
          put(xmlns, prefix, value);
          if (value === XSI_URI && !xsiPrefixes.includes(prefix)) xsiPrefixes.push(prefix);
          if (value === ENV_URI) envPrefix = prefix;
          continue;
        }
        hasAttributes = true;
        put(attributes, key, value);
      }
      let nil = false;
      for (const [key, value] of Object.entries(attributes)) {
        const colon = key.indexOf(":");
        const prefix = colon < 0 ? "" : key.slice(0, colon);
        if (localName(key) === "nil" && xmlns[prefix] === XSI_URI && (value.toLowerCase() === "true" || value === "1")) {
          nil = true;
          break;
        }
      }
      const object: Record<string, unknown> = {};
      if (hasAttributes) object["attributes"] = attributes;
      if (!responseSeen && xmlns[envPrefix] && top.name === "Body" && name !== "Fault") {
        // The response element: its schema is the subset's output message (unknown elements have none).
        schema = RESPONSE_SCHEMAS.has(name) ? { [name]: RESPONSE_SCHEMAS.get(name) } : undefined;
        responseSeen = true;
      }
      stack.push({ name, object, schema: child(schema, name), nil });
    },
    close(qname) {
      const current = stack.pop()!;
      const top = stack.at(-1)!;
      const name = localName(qname);
      let value = current.object;
      if (typeof current.schema === "string" && localName(current.schema) === "string" && isEmptyPlainObject(value)) value = "";
      if (current.nil) return;
      if (isEmptyPlainObject(value)) value = null;
      const parent = top.object as Record<string, unknown>;
      if (Object.hasOwn(parent, name)) {
        const existing = parent[name];
        if (Array.isArray(existing)) existing.push(value);
        else put(parent, name, [existing, value]);
      } else {
        put(parent, name, value);
      }
    },
    text: onText,
    cdata: onText,
  });

  const env = root["Envelope"];
  if (env === null || typeof env !== "object") return { kind: "other", root };
  const envelopeObject = env as Record<string, unknown>;
  const body = envelopeObject["Body"];
  if (body !== null && typeof body === "object" && "Fault" in body) {
    const fault = (body as Record<string, unknown>)["Fault"];
    return { kind: "fault", envelope: envelopeObject, fault: fault !== null && typeof fault === "object" ? (fault as Record<string, unknown>) : {} };
  }
  return { kind: "response", envelope: envelopeObject, response: body };
}

/** The `returnval` of `method`'s response in a parsed envelope (undefined when there is none). */
export function returnValue(method: VimOperation, parsed: Extract<ParsedEnvelope, { kind: "response" }>): unknown {
  const body = parsed.response;
  if (body === null || typeof body !== "object") return undefined;
  const result = (body as Record<string, unknown>)[`${method}Response`];
  if (result === null || typeof result !== "object") return undefined;
  return (result as { returnval?: unknown }).returnval ?? undefined;
}
