/**
 * A small strict XML reader for SOAP answers: one sticky regular expression walks the document
 * and reports elements, text and CDATA in order, the events `sax` (the parser `soap` used) gives in
 * strict mode without namespaces, so `envelope.ts` builds the same objects. It decodes the five
 * predefined entities and character references, skips the XML declaration, processing
 * instructions and comments, and refuses what is not well-formed XML — unbalanced or mismatched
 * tags, markup it cannot read, text outside the root, a second root, a bare `&` or an unknown
 * entity, `<` in an attribute value — and DTDs (SOAP forbids them). `sax` is a character-by-
 * character state machine whose first use costs more than a whole vim25 call; this is not, and it
 * reads large property pages several times faster. `envelope.test.ts` checks it against `sax`.
 */

/** Receives the document's events, in order. */
export interface XmlHandler {
  /** An element opens (a self-closing one is followed at once by its {@link close}). */
  open(name: string, attributes: Record<string, string>): void;
  close(name: string): void;
  /** Character data between two pieces of markup, entities decoded (one call per run, as `sax`). */
  text(text: string): void;
  /** The content of a CDATA section (none for an empty one, as `sax`). */
  cdata(text: string): void;
}

/** The document is not well-formed (or holds a DTD). */
export class XmlSyntaxError extends Error {
  override readonly name = "XmlSyntaxError";
}

const NAME = "[A-Za-z_:\\u00C0-\\uFFFF][\\w.:\\u00B7\\u00C0-\\uFFFF-]*";
/** One token at `lastIndex`: open tag (name, attributes, `/`), close tag, comment, CDATA, PI, or text. */
const TOKEN = new RegExp(
  `<(?:(${NAME})((?:\\s+[^\\s=/>"'<]+\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>` +
    `|/(${NAME})\\s*>` +
    "|!--([\\s\\S]*?)-->" +
    "|!\\[CDATA\\[([\\s\\S]*?)\\]\\]>" +
    "|\\?[\\s\\S]*?\\?>" +
    "|(!DOCTYPE))" +
    "|([^<]+)",
  "y",
);
/** An open tag and a close tag alone, tested sticky (no match array): see {@link XmlTokenizer}'s fast path. */
const OPEN_TAG = new RegExp(`<${NAME}(?:\\s+[^\\s=/>"'<]+\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*\\s*/?>`, "y");
const CLOSE_TAG = new RegExp(`</${NAME}\\s*>`, "y");
const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
/** What may follow a tag's name on the fast path: `/`, `>` or the white space XML allows. */
const NAME_END: ReadonlySet<number> = new Set([SLASH, GT, 0x20, 0x09, 0x0a, 0x0d]);
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+))?;?/g;
const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** True for a code point XML 1.0 allows as a character reference. */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** `raw` with its entity and character references decoded; throws {@link XmlSyntaxError} for a bare `&`. */
export function decode(raw: string, at: number): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(REFERENCE, (match: string, name?: string, dec?: string, hex?: string) => {
    if (!match.endsWith(";") || match === "&;") throw new XmlSyntaxError(`a bare "&" or an unknown entity near offset ${at}`);
    if (name) return NAMED[name]!;
    const code = dec !== undefined ? Number(dec) : Number.parseInt(hex!, 16);
    if (!isXmlChar(code)) throw new XmlSyntaxError(`character reference ${match} is not an XML character (near offset ${at})`);
    return String.fromCodePoint(code);
  });
}

/** True for what `\s` matches in a JavaScript regular expression. */
function isSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Calls `each` with every attribute of a tag's raw attribute text, in order (duplicates included),
 * values decoded: {@link attributesOf} without building an object. A tag's well-formed attributes
 * are scanned without a match array per attribute; from anything else on, the EACH_ATTRIBUTE
 * expression reads the rest, so the attributes reported are those it finds.
 */
export function forEachAttribute(raw: string, at: number, each: (name: string, value: string) => void): void {
  const n = raw.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(raw.charCodeAt(i))) i++;
    if (i >= n) return;
    const nameStart = i;
    for (let c = raw.charCodeAt(i); i < n && c !== EQUALS && !isSpace(c); c = raw.charCodeAt(++i));
    const nameEnd = i;
    while (i < n && isSpace(raw.charCodeAt(i))) i++;
    if (nameEnd === nameStart || raw.charCodeAt(i) !== EQUALS) return eachAttributeFrom(raw, nameStart, at, each);
    i++;
    while (i < n && isSpace(raw.charCodeAt(i))) i++;
    const quote = raw.charCodeAt(i);
    const close = quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE ? raw.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", i + 1) : -1;
    if (close < 0) return eachAttributeFrom(raw, nameStart, at, each);
    const value = raw.slice(i + 1, close);
    each(raw.slice(nameStart, nameEnd), value.includes("&") ? decode(value, at) : value);
    i = close + 1;
  }
}

const EQUALS = 0x3d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const EACH_ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** {@link forEachAttribute} through the expression, from `from` on. */
function eachAttributeFrom(raw: string, from: number, at: number, each: (name: string, value: string) => void): void {
  const pattern = EACH_ATTRIBUTE;
  pattern.lastIndex = from;
  for (let m = pattern.exec(raw); m !== null; m = pattern.exec(raw)) {
    const value = m[2] ?? m[3] ?? "";
    each(m[1]!, value.includes("&") ? decode(value, at) : value);
  }
}

/** The attributes of a tag's raw attribute text (first of two same-named wins, as `sax`), values decoded. */
export function attributesOf(raw: string, at: number): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const m of raw.matchAll(ATTRIBUTE)) {
    const name = m[1]!;
    // Like `sax`, the first of two same-named attributes wins.
    if (Object.hasOwn(attributes, name)) continue;
    Object.defineProperty(attributes, name, { value: decode(m[2] ?? m[3] ?? "", at), enumerable: true, writable: true, configurable: true });
  }
  return attributes;
}

/** Receives the raw tokens of {@link XmlTokenizer}: attributes unparsed (see {@link attributesOf}). */
export interface XmlTokenHandler {
  /** An element opens; `rawAttributes` is the attribute text of the tag ("" when none), `offset` where the tag starts. */
  open(name: string, rawAttributes: string, offset: number): void;
  close(name: string): void;
  text(text: string): void;
  cdata(text: string): void;
}

/**
 * The reader, fed piece by piece (a response body as it arrives): a token cut by the end of a
 * piece waits for the next one, so the events and the errors are those of {@link readXml} on the
 * whole text, whatever the cuts.
 */
export class XmlTokenizer {
  readonly #handler: XmlTokenHandler;
  readonly #open: string[] = [];
  readonly #token = new RegExp(TOKEN);
  #rootClosed = false;
  // Character data waits for the next markup: `sax` does not end a text run at an empty comment.
  #pending: string | undefined;
  #carry = "";
  /** Offset of `#carry`'s start in the whole document. */
  #base = 0;

  constructor(handler: XmlTokenHandler) {
    this.#handler = handler;
  }

  /** Reads the next piece of the document. */
  write(piece: string): void {
    this.#read(this.#carry.length === 0 ? piece : this.#carry + piece, false);
  }

  /** The document ends: throws {@link XmlSyntaxError} when it is cut short or has no root. */
  end(): void {
    this.#read(this.#carry, true);
    if (this.#open.length > 0) throw new XmlSyntaxError(`<${this.#open.at(-1)}> is never closed`);
    if (!this.#rootClosed) throw new XmlSyntaxError("no root element");
  }

  #flush(): void {
    if (this.#pending !== undefined) this.#handler.text(this.#pending);
    this.#pending = undefined;
  }

  /**
   * Reads a text run, a close tag or an open tag at `at` the way the TOKEN expression would, and
   * returns where the next token starts: `at` when the token is something else or not plainly
   * well-formed (the expression then reads it, errors included), -1 when text reaches the end of
   * a piece that is not the last.
   */
  #quick(xml: string, at: number, last: boolean): number {
    if (xml.charCodeAt(at) !== LT) {
      const end = xml.indexOf("<", at);
      if (end < 0 && !last) return -1;
      const stop = end < 0 ? xml.length : end;
      const text = xml.slice(at, stop);
      if (this.#open.length > 0) this.#pending = (this.#pending ?? "") + decode(text, this.#base + at);
      else if (text.trim() !== "") throw new XmlSyntaxError(`text outside the root element at offset ${this.#base + at}`);
      return stop;
    }
    const closing = xml.charCodeAt(at + 1) === SLASH;
    const tag = closing ? CLOSE_TAG : OPEN_TAG;
    tag.lastIndex = at;
    if (!tag.test(xml)) return at;
    const end = tag.lastIndex;
    const nameStart = closing ? at + 2 : at + 1;
    let nameEnd = nameStart;
    for (let c = xml.charCodeAt(nameEnd); c > 0x20 && c < 0x7f && c !== SLASH && c !== GT; c = xml.charCodeAt(++nameEnd));
    // A name with other characters, or other white space after it: the expression reads the tag.
    if (!NAME_END.has(xml.charCodeAt(nameEnd))) return at;
    const name = xml.slice(nameStart, nameEnd);
    this.#flush();
    if (closing) {
      const expected = this.#open.pop();
      if (expected !== name) throw new XmlSyntaxError(`</${name}> at offset ${this.#base + at} closes ${expected === undefined ? "nothing" : `<${expected}>`}`);
      this.#handler.close(name);
      if (this.#open.length === 0) this.#rootClosed = true;
      return end;
    }
    const selfClosing = xml.charCodeAt(end - 2) === SLASH;
    const attributesEnd = selfClosing ? end - 2 : end - 1;
    const attributes = attributesEnd > nameEnd ? xml.slice(nameEnd, attributesEnd).trimEnd() : "";
    if (this.#rootClosed) throw new XmlSyntaxError(`a second root element <${name}> at offset ${this.#base + at}`);
    this.#handler.open(name, attributes, this.#base + at);
    if (selfClosing) {
      this.#handler.close(name);
      if (this.#open.length === 0) this.#rootClosed = true;
    } else {
      this.#open.push(name);
    }
    return end;
  }

  #read(xml: string, last: boolean): void {
    const handler = this.#handler;
    const open = this.#open;
    const token = this.#token;
    let at = 0;
    while (at < xml.length) {
      // The common tokens first, without a match array per token (most of a listing's allocation).
      const quick = this.#quick(xml, at, last);
      if (quick === -1) break;
      if (quick > at) {
        at = quick;
        continue;
      }
      token.lastIndex = at;
      const m = token.exec(xml);
      const offset = this.#base + at;
      if (!m) {
        if (!last) break;
        throw new XmlSyntaxError(`markup that is not XML at offset ${offset}: ${JSON.stringify(xml.slice(at, at + 40))}`);
      }
      const [, name, attrs, selfClosing, closing, comment, cdata, doctype, text] = m;
      if (text !== undefined) {
        // Text that reaches the end of a piece may go on in the next one.
        if (!last && token.lastIndex === xml.length) break;
        if (open.length > 0) this.#pending = (this.#pending ?? "") + decode(text, offset);
        else if (text.trim() !== "") throw new XmlSyntaxError(`text outside the root element at offset ${offset}`);
      } else if (comment === "") {
        // An empty comment: the text run goes on.
      } else {
        this.#flush();
        if (name !== undefined) {
          if (this.#rootClosed) throw new XmlSyntaxError(`a second root element <${name}> at offset ${offset}`);
          handler.open(name, attrs ?? "", offset);
          if (selfClosing) {
            handler.close(name);
            if (open.length === 0) this.#rootClosed = true;
          } else {
            open.push(name);
          }
        } else if (closing !== undefined) {
          const expected = open.pop();
          if (expected !== closing) throw new XmlSyntaxError(`</${closing}> at offset ${offset} closes ${expected === undefined ? "nothing" : `<${expected}>`}`);
          handler.close(closing);
          if (open.length === 0) this.#rootClosed = true;
        } else if (cdata !== undefined) {
          if (open.length === 0) throw new XmlSyntaxError(`CDATA outside the root element at offset ${offset}`);
          if (cdata !== "") handler.cdata(cdata);
        } else if (doctype !== undefined) {
          throw new XmlSyntaxError("a DTD (<!DOCTYPE>) is not allowed in a SOAP message");
        }
        // Comments and processing instructions are skipped.
      }
      at = token.lastIndex;
    }
    this.#carry = at === 0 ? xml : xml.slice(at);
    this.#base += at;
  }
}

/** Reads `xml`, calling `handler` for each element, text run and CDATA section; throws {@link XmlSyntaxError}. */
export function readXml(xml: string, handler: XmlHandler): void {
  const tokenizer = new XmlTokenizer({
    open: (name, raw, offset) => handler.open(name, raw ? attributesOf(raw, offset) : {}),
    close: (name) => handler.close(name),
    text: (text) => handler.text(text),
    cdata: (text) => handler.cdata(text),
  });
  tokenizer.write(xml);
  tokenizer.end();
}
