/**
 * Test support: parses one XML element with `sax` in strict mode, the XML parser the `soap`
 * package (and so the vSphere transport) uses, resolved through the packages that depend on it.
 */
import { createRequire } from "node:module";
import { join } from "node:path";

interface SaxTag {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
}

interface SaxParser {
  onerror: (error: Error) => void;
  onopentag: (tag: SaxTag) => void;
  ontext: (text: string) => void;
  onclosetag: (name: string) => void;
  write(xml: string): SaxParser;
  close(): SaxParser;
}

const root = join(import.meta.dirname, "..", "..", "..", "..");
const fromVsphere = createRequire(join(root, "packages", "vsphere", "package.json"));
const sax = createRequire(fromVsphere.resolve("soap"))("sax") as { parser(strict: boolean, options: Readonly<Record<string, boolean>>): SaxParser };

/** The single element of `xml`: its name, attributes and text. Throws on anything that is not well-formed. */
export function parseXmlElement(xml: string): { name: string; attributes: Record<string, string>; text: string } {
  const parser = sax.parser(true, { trim: false, normalize: false });
  const tags: SaxTag[] = [];
  let text = "";
  parser.onerror = (error) => {
    throw error;
  };
  parser.onopentag = (tag) => tags.push(tag);
  parser.ontext = (chunk) => (text += chunk);
  parser.write(xml).close();
  if (tags.length !== 1) throw new Error(`expected one element, got ${tags.length}`);
  return { name: tags[0]!.name, attributes: { ...tags[0]!.attributes }, text };
}

/** The text of every element whose local name (prefix removed) is `localName`, in document order. */
export function elementTexts(xml: string, localName: string): string[] {
  const parser = sax.parser(true, { trim: false, normalize: false });
  const found: string[] = [];
  const open: string[] = [];
  parser.onerror = (error) => {
    throw error;
  };
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
