/**
 * Test support: reads one PowerShell string literal the way PowerShell's tokenizer does, written
 * from the language's quoting rules (independently of the adapter's own reader): a verbatim
 * literal opens and closes with any single-quote character (' ‘ ’ ‚ ‛), inside it two
 * consecutive single-quote characters stand for one, and nothing else is special. The adapter's
 * base64 form for values with control characters is read as what it is: a call decoding one
 * literal made only of base64 characters.
 */

const SINGLE_QUOTES = new Set(["'", "\u2018", "\u2019", "\u201A", "\u201B"]);
const BASE64_CALL = /^\(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('([A-Za-z0-9+/]*={0,2})'\)\)\)/;

/** The value of the literal at the start of `text`, and what follows it. Throws when there is none. */
export function readPowerShellLiteral(text: string): { readonly value: string; readonly rest: string } {
  const call = BASE64_CALL.exec(text);
  if (call) {
    const bytes = Buffer.from(call[1]!, "base64");
    if (bytes.toString("base64") !== call[1]) throw new Error("not canonical base64");
    return { value: bytes.toString("utf8"), rest: text.slice(call[0].length) };
  }
  if (!SINGLE_QUOTES.has(text[0] ?? "")) throw new Error(`not a verbatim string literal: ${JSON.stringify(text.slice(0, 20))}`);
  let value = "";
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (!SINGLE_QUOTES.has(ch)) {
      value += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined || !SINGLE_QUOTES.has(next)) return { value, rest: text.slice(i + 1) };
    // Two quote characters: PowerShell keeps the second one.
    value += next;
    i++;
  }
  throw new Error("unterminated string literal");
}
