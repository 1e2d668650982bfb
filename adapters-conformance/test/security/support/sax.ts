/**
 * Test support: parses one XML element with `sax` in strict mode, the XML parser the `soap`
 * package (and so the vSphere transport) uses.
 */
import { type SaxTag, strictSaxParser } from "../../../../test-support/sax.ts";

/** The single element of `xml`: its name, attributes and text. Throws on anything that is not well-formed. */
export function parseXmlElement(xml: string): { name: string; attributes: Record<string, string>; text: string } {
  const parser = strictSaxParser({ trim: false, normalize: false });
  const tags: SaxTag[] = [];
  let text = "";
  parser.onopentag = (tag) => tags.push(tag);
  parser.ontext = (chunk) => (text += chunk);
  parser.write(xml).close();
  if (tags.length !== 1) throw new Error(`expected one element, got ${tags.length}`);
  return { name: tags[0]!.name, attributes: { ...tags[0]!.attributes }, text };
}

/** The text of every element whose local name (prefix removed) is `localName`, in document order. */
export function elementTexts(xml: string, localName: string): string[] {
  const parser = strictSaxParser({ trim: false, normalize: false });
  const found: string[] = [];
  const open: string[] = [];
  parser.onopentag = (tag) => {
    open.push(tag.name.replace(/^.*:/, ""));
    if (open.at(-1) === localName) found.push("");
  };
  parser.onclosetag = () => void open.pop();
  parser.ontext = (chunk) => {
    if (open.at(-1) === localName) found[found.length - 1] += chunk;
  };
  parser.write(xml).close();
  return found;
}
