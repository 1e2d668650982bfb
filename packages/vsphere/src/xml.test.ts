import { strictSaxParser } from "../../../test-support/sax.ts";
import { isVmshiftError } from "@vmshift/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { el, escapeXml, moref, seq, typed } from "./xml.ts";


/** Parses a document with a strict XML parser; returns the text and the attributes of the root. */
function parse(xml: string): { text: string; attributes: Record<string, string>; tags: string[] } {
  const parser = strictSaxParser();
  let text = "";
  let attributes: Record<string, string> = {};
  const tags: string[] = [];
  parser.ontext = (t) => (text += t);
  parser.onopentag = (tag) => {
    if (tags.length === 0) attributes = tag.attributes;
    tags.push(tag.name);
  };
  parser.write(xml).close();
  return { text, attributes, tags };
}

const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const xmlSafe = fc.string({ unit: "binary", maxLength: 64 }).filter((s) => !FORBIDDEN.test(s));
const tricky = fc.constantFrom("<", ">", "&", "]]>", "\"", "'", "&amp;", "<!--", "<![CDATA[", "\t", "\n", "\r", "\r\n", "</a>", "&#0;", "\u00e9", "\u{1F600}");
const hostile = fc.array(fc.oneof(xmlSafe, tricky), { maxLength: 8 }).map((parts) => parts.join(""));

describe("escapeXml", () => {
  it("round-trips any XML-representable value through element text", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const doc = `<a>${escapeXml(value)}</a>`;
        const parsed = parse(doc);
        expect(parsed.text).toBe(value);
        expect(parsed.tags).toEqual(["a"]);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any XML-representable value through a quoted attribute", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        expect(parse(`<a v="${escapeXml(value)}"/>`).attributes["v"]).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it("never leaves markup characters or a CDATA terminator in its output", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const out = escapeXml(value);
        expect(out).not.toMatch(/[<>"']/);
        expect(out).not.toContain("]]>");
        expect(out.replace(/&(amp|lt|gt|quot|apos|#x[0-9A-F]+);/g, "")).not.toContain("&");
      }),
    );
  });

  it.each(["\u0000", "a\u0001b", "\u0008", "\u000B", "\u001F", "\uFFFE", "\uD800", "x\uDC00"])("rejects %j with INVALID_ARGUMENT", (value) => {
    let caught: unknown;
    try {
      escapeXml(value);
    } catch (error) {
      caught = error;
    }
    expect(isVmshiftError(caught, "INVALID_ARGUMENT")).toBe(true);
  });

  it("rejects control characters anywhere (property)", () => {
    fc.assert(
      fc.property(xmlSafe, fc.integer({ min: 0, max: 0x1f }).filter((c) => c !== 9 && c !== 10 && c !== 13), xmlSafe, (a, c, b) => {
        expect(() => escapeXml(a + String.fromCharCode(c) + b)).toThrow(/INVALID_ARGUMENT/);
      }),
    );
  });
});

describe("element builders", () => {
  it("escape every value and nest fragments as they are", () => {
    const body = seq(moref("_this", { type: "VirtualMachine", value: "vm-<1>&" }), el("spec", [el("name", "a]]>b"), typed("selectSet", "TraversalSpec", el("skip", false))]));
    expect(body.xml).toBe(
      '<_this type="VirtualMachine">vm-&lt;1&gt;&amp;</_this><spec><name>a]]&gt;b</name><selectSet xsi:type="TraversalSpec"><skip>false</skip></selectSet></spec>',
    );
    expect(parse(`<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${body.xml}</r>`).tags).toEqual(["r", "_this", "spec", "name", "selectSet", "skip"]);
  });

  it("refuse element or attribute names that are not XML names", () => {
    expect(() => el("a b", "x")).toThrow(/INTERNAL/);
    expect(() => el("a", "x", { "on<": "y" })).toThrow(/INTERNAL/);
  });

  it("leave out undefined children", () => {
    expect(el("spec", [undefined, el("host", "h")]).xml).toBe("<spec><host>h</host></spec>");
  });
});
