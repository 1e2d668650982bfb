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
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+))?;?/g;
const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** True for a code point XML 1.0 allows as a character reference. */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

function decode(raw: string, at: number): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(REFERENCE, (match: string, name?: string, dec?: string, hex?: string) => {
    if (!match.endsWith(";") || match === "&;") throw new XmlSyntaxError(`a bare "&" or an unknown entity near offset ${at}`);
    if (name) return NAMED[name]!;
    const code = dec !== undefined ? Number(dec) : Number.parseInt(hex!, 16);
    if (!isXmlChar(code)) throw new XmlSyntaxError(`character reference ${match} is not an XML character (near offset ${at})`);
    return String.fromCodePoint(code);
  });
}

function attributesOf(raw: string, at: number): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const m of raw.matchAll(ATTRIBUTE)) {
    const name = m[1]!;
    // Like `sax`, the first of two same-named attributes wins.
    if (Object.hasOwn(attributes, name)) continue;
    Object.defineProperty(attributes, name, { value: decode(m[2] ?? m[3] ?? "", at), enumerable: true, writable: true, configurable: true });
  }
  return attributes;
}

/** Reads `xml`, calling `handler` for each element, text run and CDATA section; throws {@link XmlSyntaxError}. */
export function readXml(xml: string, handler: XmlHandler): void {
  const open: string[] = [];
  let rootClosed = false;
  // Character data waits for the next markup: `sax` does not end a text run at an empty comment.
  let pending: string | undefined;
  const flush = () => {
    if (pending !== undefined) handler.text(pending);
    pending = undefined;
  };
  const token = new RegExp(TOKEN);
  let at = 0;
  while (at < xml.length) {
    token.lastIndex = at;
    const m = token.exec(xml);
    if (!m) throw new XmlSyntaxError(`markup that is not XML at offset ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
    const [, name, attrs, selfClosing, closing, comment, cdata, doctype, text] = m;
    if (text !== undefined) {
      if (open.length > 0) pending = (pending ?? "") + decode(text, at);
      else if (text.trim() !== "") throw new XmlSyntaxError(`text outside the root element at offset ${at}`);
    } else if (comment === "") {
      // An empty comment: the text run goes on.
    } else {
      flush();
      if (name !== undefined) {
        if (rootClosed) throw new XmlSyntaxError(`a second root element <${name}> at offset ${at}`);
        handler.open(name, attrs ? attributesOf(attrs, at) : {});
        if (selfClosing) {
          handler.close(name);
          if (open.length === 0) rootClosed = true;
        } else {
          open.push(name);
        }
      } else if (closing !== undefined) {
        const expected = open.pop();
        if (expected !== closing) throw new XmlSyntaxError(`</${closing}> at offset ${at} closes ${expected === undefined ? "nothing" : `<${expected}>`}`);
        handler.close(closing);
        if (open.length === 0) rootClosed = true;
      } else if (cdata !== undefined) {
        if (open.length === 0) throw new XmlSyntaxError(`CDATA outside the root element at offset ${at}`);
        if (cdata !== "") handler.cdata(cdata);
      } else if (doctype !== undefined) {
        throw new XmlSyntaxError("a DTD (<!DOCTYPE>) is not allowed in a SOAP message");
      }
      // Comments and processing instructions are skipped.
    }
    at = token.lastIndex;
  }
  if (open.length > 0) throw new XmlSyntaxError(`<${open.at(-1)}> is never closed`);
  if (!rootClosed) throw new XmlSyntaxError("no root element");
}
