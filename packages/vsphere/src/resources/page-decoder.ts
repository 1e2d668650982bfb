/**
 * A streaming decoder of RetrievePropertiesEx / ContinueRetrievePropertiesEx answers: it reads the
 * body piece by piece as the transport receives it (through `xml-reader.ts`'s tokenizer) and turns
 * each `ObjectContent` into the caller's type as soon as the object closes (handing it over at once
 * with `onItem`, or collecting the page), keeping only the
 * properties asked for — no generic object tree of the answer, no whole-body string. Values come as
 * `envelope.ts` (and `soap`) would give them to `decode.ts`: trimmed text, a moref as
 * `{ attributes: { type }, $value }`, `xsi:nil` left out, a value with child elements left out.
 * A fault (or anything that is not the expected response) is declined: the transport then reads
 * the answer the generic way. `page-decoder.test.ts` checks it against `soap`'s parser.
 */
import type { MoRef } from "../xml.ts";
import { type XmlTokenHandler, XmlTokenizer, forEachAttribute } from "../xml-reader.ts";
import type { AnswerDecoder } from "../transport.ts";

const XSI_URI = "http://www.w3.org/2001/XMLSchema-instance";

/** A decoded page: the objects of the wanted type (mapped), the server's token, and how many objects the page held in all. */
export interface DecodedPage<T> {
  readonly items: T[];
  readonly token?: string;
  /** ObjectContents in the page, of any type (the offset of the next page moves by this). */
  readonly objects: number;
}

/** What to decode: the response element, the object type kept, the property paths kept, and the mapping. */
export interface PageShape<T> {
  /** `RetrievePropertiesEx` or `ContinueRetrievePropertiesEx`. */
  readonly method: "RetrievePropertiesEx" | "ContinueRetrievePropertiesEx";
  readonly type: string;
  readonly paths: readonly string[];
  readonly map: (ref: MoRef, props: Readonly<Record<string, unknown>>) => T;
  /** Called once the token is known (it comes before the objects), e.g. to ask for the next page early. */
  readonly onToken?: (token: string) => void;
  /**
   * Called with each object of the wanted type as soon as it is decoded (while the body still
   * arrives), instead of collecting it: the page's `items` are then empty.
   */
  readonly onItem?: (item: T) => void;
}

const localName = (qname: string) => qname.slice(qname.indexOf(":") + 1);

/**
 * A copy of `text` that does not hold the piece of the body it was cut from: V8 keeps a substring
 * of 13 characters or more as a view of its parent string, so a VM's name would keep a whole
 * received piece alive as long as the VM (and the young generation would grow to hold them).
 */
function detached(text: string): string {
  // A flat copy: a slice or a concatenation would again be a view (of the copy), twice the size.
  return JSON.parse(JSON.stringify(text)) as string;
}

/** Moref values remembered per page (hosts, clusters: the same few on every VM), at most. */
const SHARED_REFS = 1024;

/** What an open element is to the decoder. */
type Role = "envelope" | "body" | "response" | "returnval" | "token" | "objects" | "obj" | "propSet" | "name" | "val" | "skip";

/** The role of element `name` inside an element of role `parent` (undefined: the root). */
function roleOf(parent: Role | undefined, name: string): Role {
  switch (parent) {
    case undefined:
      return name === "Envelope" ? "envelope" : "skip";
    case "envelope":
      return name === "Body" ? "body" : "skip";
    case "response":
      return name === "returnval" ? "returnval" : "skip";
    case "returnval":
      return name === "token" ? "token" : name === "objects" ? "objects" : "skip";
    case "objects":
      return name === "obj" ? "obj" : name === "propSet" ? "propSet" : "skip";
    case "propSet":
      return name === "name" ? "name" : name === "val" ? "val" : "skip";
    default:
      return "skip";
  }
}

/** A decoder of one page answer for the transport ({@link AnswerDecoder}); its result is a {@link DecodedPage}. */
export class PageDecoder<T> implements AnswerDecoder {
  readonly #shape: PageShape<T>;
  readonly #paths: ReadonlySet<string>;
  readonly #response: string;
  readonly #tokenizer: XmlTokenizer;
  readonly #items: T[] = [];
  readonly #xmlns = new Map<string, string>();
  readonly #refs = new Map<string, string>();
  readonly #roles: Role[] = [];
  #state: "undecided" | "response" | "other" = "undecided";
  #objects = 0;
  #token: string | undefined;
  /** Text of the element being read (trimmed runs joined, as `soap`), or undefined when none is. */
  #text: string | undefined;
  #refType: string | undefined;
  #ref: MoRef | undefined;
  #props: Record<string, unknown> = {};
  #propName: string | undefined;
  #val: unknown;
  #valType: string | undefined;
  #valNil = false;
  #valComplex = false;
  /** The last tag's `type` attribute and whether its `xsi:nil` is true (see `#attributes`). */
  #attrType: string | undefined;
  #attrNil = false;

  constructor(shape: PageShape<T>) {
    this.#shape = shape;
    this.#paths = new Set(shape.paths);
    this.#response = `${shape.method}Response`;
    const handler: XmlTokenHandler = {
      open: (name, raw, offset) => this.#open(localName(name), raw, offset),
      close: () => this.#close(),
      text: (text) => this.#onText(text),
      cdata: (text) => this.#onText(text),
    };
    this.#tokenizer = new XmlTokenizer(handler);
  }

  /** `response` once the answer is known to be the expected response, `other` for a fault or anything else. */
  get state(): "undecided" | "response" | "other" {
    return this.#state;
  }

  write(piece: string): void {
    if (this.#state !== "other") this.#tokenizer.write(piece);
  }

  end(): DecodedPage<T> {
    if (this.#state !== "other") this.#tokenizer.end();
    if (this.#state === "undecided") this.#state = "other";
    return { items: this.#items, ...(this.#token === undefined ? {} : { token: this.#token }), objects: this.#objects };
  }

  /**
   * Reads a tag's attributes: namespace declarations into the table (like `soap`, one table for
   * the whole document), and sets `#attrType` to the `type` attribute and `#attrNil` to whether
   * `xsi:nil` is true. The first of two same-named attributes wins, as in `sax`. Fields, not a
   * result object: two tags per property of every object come through here.
   */
  #attributes(raw: string, offset: number): void {
    this.#attrType = undefined;
    this.#attrNil = false;
    if (raw === "") return;
    // The first of two same-named attributes wins; only the names acted on need remembering, and
    // a list is made only for a tag that declares a namespace or says nil (the type is a flag).
    let typeSeen = false;
    let seen: string[] | undefined;
    let nils: [string, string][] | undefined;
    forEachAttribute(raw, offset, (name, value) => {
      if (name === "type") {
        if (!typeSeen) this.#attrType = value;
        typeSeen = true;
        return;
      }
      const declaration = name === "xmlns" || name.startsWith("xmlns:");
      if (!declaration && name !== "nil" && !name.endsWith(":nil")) return;
      if (seen?.includes(name)) return;
      (seen ??= []).push(name);
      if (declaration) this.#xmlns.set(name === "xmlns" ? "" : name.slice(6), value);
      else (nils ??= []).push([name, value]);
    });
    if (nils === undefined) return;
    // Declarations anywhere in the tag count, as in `soap` (it reads them all first).
    for (const [name, value] of nils) {
      const colon = name.indexOf(":");
      if (this.#xmlns.get(colon < 0 ? "" : name.slice(0, colon)) === XSI_URI && (value.toLowerCase() === "true" || value === "1")) this.#attrNil = true;
    }
  }

  #open(name: string, raw: string, offset: number): void {
    const roles = this.#roles;
    const parent = roles.at(-1);
    let role: Role;
    if (parent === "body") {
      // The first element of the body: the response, or a fault (declined).
      role = this.#state === "undecided" && name === this.#response ? "response" : "skip";
      if (this.#state === "undecided") this.#state = role === "response" ? "response" : "other";
    } else {
      role = roleOf(parent, name);
    }
    roles.push(role);
    if (parent === "val") this.#valComplex = true;
    switch (role) {
      case "envelope":
      case "body":
        this.#attributes(raw, offset);
        return;
      case "skip":
        if (parent === undefined) this.#state = "other";
        return;
      case "objects":
        this.#ref = undefined;
        this.#props = {};
        return;
      case "obj":
        this.#attributes(raw, offset);
        this.#refType = this.#attrType;
        this.#text = "";
        return;
      case "propSet":
        this.#propName = undefined;
        this.#val = undefined;
        return;
      case "token":
      case "name":
        this.#text = "";
        return;
      case "val": {
        this.#attributes(raw, offset);
        this.#valType = this.#attrType;
        this.#valNil = this.#attrNil;
        this.#valComplex = false;
        this.#text = "";
        return;
      }
      default:
    }
  }

  #onText(raw: string): void {
    if (this.#text === undefined) return;
    const role = this.#roles.at(-1);
    if (role !== "token" && role !== "obj" && role !== "name" && role !== "val") return;
    const trimmed = raw.trim();
    if (trimmed !== "") this.#text += trimmed;
  }

  #take(): string | undefined {
    const text = this.#text;
    this.#text = undefined;
    return text === "" ? undefined : text === undefined || text.length < 13 ? text : detached(text);
  }

  /**
   * One string per moref value in a page: a listing's objects keep the morefs they point to
   * (a VM its host), and thousands of VMs on a few hosts would otherwise keep thousands of copies.
   */
  #shared(value: string): string {
    const known = this.#refs.get(value);
    if (known !== undefined) return known;
    if (this.#refs.size < SHARED_REFS) this.#refs.set(value, value);
    return value;
  }

  #close(): void {
    switch (this.#roles.pop()) {
      case "token":
        this.#token = this.#take();
        if (this.#token !== undefined) this.#shape.onToken?.(this.#token);
        return;
      case "objects":
        this.#objects++;
        if (this.#ref !== undefined && this.#ref.type === this.#shape.type) {
          const item = this.#shape.map(this.#ref, this.#props);
          if (this.#shape.onItem) this.#shape.onItem(item);
          else this.#items.push(item);
        }
        return;
      case "obj": {
        const value = this.#take();
        this.#ref = this.#refType && value ? { type: this.#refType, value } : undefined;
        return;
      }
      case "propSet":
        if (this.#propName !== undefined && this.#val !== undefined && this.#paths.has(this.#propName)) this.#props[this.#propName] = this.#val;
        return;
      case "name":
        this.#propName = this.#take();
        return;
      case "val": {
        const text = this.#take();
        if (this.#valNil || this.#valComplex) this.#val = undefined;
        else if (this.#valType !== undefined) this.#val = { attributes: { type: this.#valType }, ...(text === undefined ? {} : { $value: this.#shared(text) }) };
        else this.#val = text;
        return;
      }
      default:
    }
  }
}
