/**
 * A small XML reader for libvirt's domain and pool XML (well-formed, no DTDs): elements,
 * attributes, text, the five predefined entities and numeric references. Not a general parser.
 */

/** One element. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated text directly inside the element, trimmed. */
  readonly text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes entity and character references. */
export function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => (e.startsWith("#x") ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!));
}

/** Escapes text for an attribute value or element content. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

interface Building {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses a document and returns its root element; throws on malformed input. */
export function parseXml(xml: string): XmlElement {
  const stack: Building[] = [{ name: "#document", attrs: {}, children: [], text: "" }];
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<\/([A-Za-z_][\w.:-]*)\s*>|<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = token.exec(xml)) !== null) {
    if (m.index !== consumed) throw new Error(`malformed XML at offset ${consumed}`);
    consumed = token.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[1] !== undefined) top.text += m[1];
    else if (m[2] !== undefined) {
      if (top.name !== m[2]) throw new Error(`malformed XML: </${m[2]}> closes <${top.name}>`);
      stack.pop();
      const parent = stack[stack.length - 1]!;
      parent.children.push({ name: top.name, attrs: top.attrs, children: top.children, text: top.text.trim() });
    } else if (m[3] !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of (m[4] ?? "").matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = decodeXml(a[2] ?? a[3] ?? "");
      if (m[5] === "/") top.children.push({ name: m[3], attrs, children: [], text: "" });
      else stack.push({ name: m[3], attrs, children: [], text: "" });
    } else if (m[6] !== undefined) top.text += decodeXml(m[6]);
  }
  if (consumed !== xml.length || stack.length !== 1) throw new Error("malformed XML: unexpected end");
  const root = stack[0]!.children[0];
  if (!root) throw new Error("malformed XML: no root element");
  return root;
}

/** The first child named `name`. */
export function child(e: XmlElement | undefined, name: string): XmlElement | undefined {
  return e?.children.find((c) => c.name === name);
}

/** Every child named `name`. */
export function children(e: XmlElement | undefined, name: string): XmlElement[] {
  return e ? e.children.filter((c) => c.name === name) : [];
}
