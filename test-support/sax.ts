/** Test support: a strict `sax` parser — the XML parser `soap` (and so the vSphere transport) uses — with its types. */
import { createRequire } from "node:module";

/** An opening tag as sax reports it. */
export interface SaxTag {
  readonly name: string;
  readonly attributes: Record<string, string>;
}

/** The part of a sax parser the tests use. */
export interface SaxParser {
  onerror: (error: Error) => void;
  onopentag: (tag: SaxTag) => void;
  ontext: (text: string) => void;
  onclosetag: (name: string) => void;
  write(xml: string): SaxParser;
  close(): SaxParser;
}

const sax = createRequire(import.meta.url)("sax") as { parser(strict: boolean, options?: Readonly<Record<string, boolean>>): SaxParser };

/** A strict parser that throws on anything that is not well-formed XML. */
export function strictSaxParser(options: Readonly<Record<string, boolean>> = {}): SaxParser {
  const parser = sax.parser(true, options);
  parser.onerror = (error) => {
    throw error;
  };
  return parser;
}
