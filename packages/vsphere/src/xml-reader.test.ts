import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { strictSaxParser } from "../../../test-support/sax.ts";
import { XmlSyntaxError, XmlTokenizer, attributesOf, forEachAttribute, readXml } from "./xml-reader.ts";
import { escapeXml } from "./xml.ts";

type Event = [string, string, Record<string, string>?];

function ours(xml: string): Event[] {
  const events: Event[] = [];
  readXml(xml, {
    open: (name, attributes) => events.push(["open", name, attributes]),
    close: (name) => events.push(["close", name]),
    text: (text) => events.push(["text", text]),
    cdata: (text) => events.push(["cdata", text]),
  });
  return events;
}

/** The tokenizer fed `xml` cut at `cuts` (offsets), events as {@link ours} reports them. */
function inPieces(xml: string, cuts: readonly number[]): Event[] {
  const events: Event[] = [];
  const tokenizer = new XmlTokenizer({
    open: (name, raw, offset) => events.push(["open", name, raw ? attributesOf(raw, offset) : {}]),
    close: (name) => events.push(["close", name]),
    text: (text) => events.push(["text", text]),
    cdata: (text) => events.push(["cdata", text]),
  });
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    tokenizer.write(xml.slice(from, cut));
    from = cut;
  }
  tokenizer.write(xml.slice(from));
  tokenizer.end();
  return events;
}

/** What strict `sax` (the parser `soap` used) reports; its whitespace runs outside the root (which `soap` ignores) left out. */
function sax(xml: string): Event[] {
  const events: Event[] = [];
  const parser = strictSaxParser();
  let depth = 0;
  parser.onopentag = (tag) => {
    depth++;
    events.push(["open", tag.name, { ...tag.attributes }]);
  };
  parser.onclosetag = (name) => {
    depth--;
    events.push(["close", name]);
  };
  parser.ontext = (text) => {
    if (depth > 0 || text.trim() !== "") events.push(["text", text]);
  };
  (parser as unknown as { oncdata: (t: string) => void }).oncdata = (text) => void events.push(["cdata", text]);
  parser.write(xml).close();
  return events;
}

const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const value = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 10 }),
  fc.constantFrom("<", ">", "&", "\"", "'", "]]", " a  b ", "\t", "\r\n", "\u00e9", "\u{1F600}", "&amp;"),
).filter((s) => !FORBIDDEN.test(s));
const name = fc.constantFrom("a", "vim25:Login", "returnval", "val", "_this", "x.y-z", "ManagedObjectReference", "\u00e9l\u00e9ment");
const attrName = fc.constantFrom("type", "xsi:type", "xmlns", "xmlns:xsi", "id", "href");

interface Tree {
  readonly name: string;
  readonly attributes: readonly [string, string, boolean][];
  readonly children: readonly (Tree | { kind: "text" | "cdata" | "comment" | "pi"; value: string })[];
}
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.record({
    name,
    attributes: fc.uniqueArray(fc.tuple(attrName, value, fc.boolean()), { maxLength: 3, selector: (a) => a[0] }),
    children: fc.array(
      fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.record({ kind: fc.constantFrom("text", "cdata", "comment", "pi") as fc.Arbitrary<"text" | "cdata" | "comment" | "pi">, value }),
        tie("tree"),
      ),
      { maxLength: 4 },
    ),
  }),
})).tree;

function write(t: Tree, selfCloseEmpty: boolean): string {
  const attrs = t.attributes.map(([k, v, single]) => (single ? ` ${k}='${escapeXml(v)}'` : ` ${k} = "${escapeXml(v)}"`)).join("");
  if (t.children.length === 0 && selfCloseEmpty) return `<${t.name}${attrs}/>`;
  const inner = t.children
    .map((c) => {
      if ("name" in c) return write(c, selfCloseEmpty);
      if (c.kind === "text") return escapeXml(c.value);
      if (c.kind === "cdata") return `<![CDATA[${c.value.replaceAll("]]>", "")}]]>`;
      if (c.kind === "comment") return `<!--${c.value.replaceAll("-", "")}-->`;
      return `<?pi ${c.value.replaceAll("?", "")}?>`; // sax misreads "??>"
    })
    .join("");
  return `<${t.name}${attrs}>${inner}</${t.name} >`;
}

describe("readXml reads what sax reads", () => {
  it("for generated documents (attributes in both quotes, entities, CDATA, comments, PIs, self-closing)", () => {
    fc.assert(
      fc.property(tree, fc.boolean(), fc.boolean(), (t, selfClose, prolog) => {
        const doc = `${prolog ? '<?xml version="1.0" encoding="UTF-8"?>\n<!-- c -->\n' : ""}${write(t, selfClose)}${prolog ? "\n" : ""}`;
        expect(ours(doc)).toEqual(sax(doc));
      }),
      { numRuns: 400 },
    );
  });

  it("for character references and the predefined entities", () => {
    const doc = '<a t="&lt;&#x263A;&#9;&quot;&apos;">&amp;&lt;&gt;&#60;&#x1F600;&#x10FFFF;</a>';
    expect(ours(doc)).toEqual(sax(doc));
    expect(ours(doc)[1]).toEqual(["text", "&<><\u{1F600}\u{10FFFF}"]);
  });

  it("keeps the first of two same-named attributes, as sax does", () => {
    expect(ours('<a x="1" x="2"/>')).toEqual(sax('<a x="1" x="2"/>'));
  });

  it("makes an attribute named __proto__ an own property", () => {
    const [[, , attributes]] = ours('<a __proto__="x"/>') as [[string, string, Record<string, string>]];
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.keys(attributes)).toEqual(["__proto__"]);
  });
});

describe("XmlTokenizer fed piece by piece reads what readXml reads from the whole", () => {
  it("for generated documents cut anywhere", () => {
    fc.assert(
      fc.property(tree, fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (t, selfClose, cuts) => {
        const doc = `<?xml version="1.0"?>\n<!-- c -->${write(t, selfClose)}\n`;
        expect(inPieces(doc, cuts.map((c) => c % (doc.length + 1)))).toEqual(ours(doc));
      }),
      { numRuns: 300 },
    );
  });

  it("for a document cut at every offset", () => {
    const doc = '<?xml version="1.0"?><a x="1" y=\'&lt;\'><b>t&amp;u</b><!-- c --><![CDATA[<d>]]>v<!---->w<e/></a>';
    for (let cut = 0; cut <= doc.length; cut++) expect(inPieces(doc, [cut])).toEqual(ours(doc));
  });
});

describe("forEachAttribute", () => {
  it("reports every attribute in order, values decoded, as attributesOf reads them (the first of two wins there)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(attrName, value, fc.boolean()), { maxLength: 4 }), (attributes) => {
        const raw = attributes.map(([k, v, single]) => (single ? ` ${k}='${escapeXml(v)}'` : ` ${k} = "${escapeXml(v)}"`)).join("");
        const seen: [string, string][] = [];
        forEachAttribute(raw, 0, (name, v) => seen.push([name, v]));
        expect(seen).toEqual(attributes.map(([k, v]) => [k, v]));
        const firstWins = Object.fromEntries(seen.filter(([k], i) => seen.findIndex(([other]) => other === k) === i));
        expect(attributesOf(raw, 0)).toEqual(firstWins);
      }),
      { numRuns: 200 },
    );
  });
});

describe("readXml refuses what is not well-formed", () => {
  const bad: Record<string, string> = {
    "an unclosed element": "<a><b></b>",
    "a mismatched close": "<a><b></a></b>",
    "a close without an open": "</a>",
    "text outside the root": "<a/>text",
    "text before the root": "oops<a/>",
    "a second root": "<a/><b/>",
    "a bare ampersand": "<a>fish & chips</a>",
    "an unknown entity": "<a>&nbsp;</a>",
    "an entity without its semicolon": "<a>&lt</a>",
    "a reference to a character XML cannot carry": "<a>&#0;</a>",
    "a < in an attribute value": '<a x="<"/>',
    "attributes without whitespace between them": '<a x="1"y="2"/>',
    "an unquoted attribute": "<a x=1/>",
    "a DTD": '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
    "markup it cannot read": "<a><!ELEMENT x></a>",
    "an unterminated comment": "<a><!-- x</a>",
    "no root at all": "  \n",
    "an HTML error page": "<html><body><p>503<br></body></html>",
  };
  it.each(Object.entries(bad))("%s", (_name, xml) => {
    expect(() => ours(xml)).toThrow(XmlSyntaxError);
    for (let cut = 0; cut <= xml.length; cut++) expect(() => inPieces(xml, [cut])).toThrow(XmlSyntaxError);
  });
});
