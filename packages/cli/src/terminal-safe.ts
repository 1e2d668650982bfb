/**
 * What the CLI prints is shown to people: text that came from a platform (VM names, messages) may
 * carry characters that a terminal acts on or hides — bidirectional overrides that reorder a line,
 * zero-width characters, separators, escape sequences. Invisible format and separator characters
 * are escaped in everything the CLI writes (as `\uXXXX`, which keeps NDJSON valid); table cells
 * escape control characters too. The CLI's own escape sequences (the progress line) are untouched.
 */

const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/gu;
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `\uXXXX` (a surrogate pair of them above U+FFFF): valid in JSON strings, readable in text. */
function escapeCodePoint(char: string): string {
  let out = "";
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).toUpperCase().padStart(4, "0")}`;
  return out;
}

/** Escapes invisible format characters and line/paragraph separators; everything else is kept. */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, escapeCodePoint);
}

/** Escapes control characters as well: for values that come from a platform, printed as text. */
export function terminalSafe(text: string): string {
  return text.replace(INVISIBLE_OR_CONTROL, escapeCodePoint);
}

/** A writer that passes everything through {@link escapeInvisible}. */
export function invisibleEscaping<W extends { write(text: string): unknown }>(stream: W): W {
  return new Proxy(stream, {
    get(target, key, receiver) {
      if (key === "write") return (text: unknown, ...rest: unknown[]) => (target.write as (...a: unknown[]) => unknown)(typeof text === "string" ? escapeInvisible(text) : text, ...rest);
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
