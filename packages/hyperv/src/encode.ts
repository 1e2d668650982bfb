/**
 * The one place where values become PowerShell text. Every value a script needs is encoded here
 * as a single string literal; nothing else in the adapter concatenates values into scripts, and
 * node-powershell's `$` tagged template (which does not escape) is never used.
 *
 * Strings become single-quoted (verbatim) literals: PowerShell expands nothing inside them, and
 * the only special characters are the quotes themselves. PowerShell treats the ASCII apostrophe
 * and the Unicode quotes U+2018 ‘, U+2019 ’, U+201A ‚ and U+201B ‛ all as single quotes, so each of
 * them is doubled. Characters a verbatim literal cannot carry safely (NUL and the other C0 control
 * characters except tab, CR and LF, and DEL) send the whole value as one base64 literal decoded in
 * the script instead: `([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('…')))`.
 */
import { VmshiftError } from "@vmshift/core";

/** The characters PowerShell's tokenizer treats as a single quote. */
export const PS_SINGLE_QUOTES: readonly string[] = ["'", "\u2018", "\u2019", "\u201A", "\u201B"];

const QUOTE_RE = /['\u2018\u2019\u201A\u201B]/g;
const NEEDS_BASE64_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const B64_PREFIX = "([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String(";
const B64_SUFFIX = ")))";

/** A value a script parameter may hold. */
export type PsValue = string | number | boolean | null | readonly string[];

/**
 * Encodes a string as exactly one PowerShell string literal (see the module comment).
 * Throws `INVALID_ARGUMENT` for strings that are not well-formed Unicode (lone surrogates),
 * which cannot be transported to PowerShell without changing them.
 */
export function psString(value: string): string {
  if (typeof value !== "string") throw new VmshiftError("INVALID_ARGUMENT", `expected a string, got ${typeof value}`, { adapter: "hyperv" });
  if (LONE_SURROGATE_RE.test(value)) {
    throw new VmshiftError("INVALID_ARGUMENT", "value is not well-formed Unicode (lone surrogate)", { adapter: "hyperv" });
  }
  if (NEEDS_BASE64_RE.test(value)) return `${B64_PREFIX}'${Buffer.from(value, "utf8").toString("base64")}'${B64_SUFFIX}`;
  return `'${value.replace(QUOTE_RE, (q) => q + q)}'`;
}

/**
 * Encodes any parameter value: strings through {@link psString}, finite numbers as decimal
 * literals, booleans as `$true`/`$false`, null as `$null`, string arrays as `@(…)` of literals.
 */
export function psValue(value: PsValue): string {
  if (value === null) return "$null";
  if (typeof value === "boolean") return value ? "$true" : "$false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new VmshiftError("INVALID_ARGUMENT", `expected a finite number, got ${value}`, { adapter: "hyperv" });
    return Number.isInteger(value) ? String(value) : value.toString();
  }
  if (Array.isArray(value)) return `@(${value.map((v) => psString(v)).join(", ")})`;
  return psString(value as string);
}

/**
 * Reads back one string literal produced by {@link psString} starting at `start`, with
 * PowerShell's rules (any two consecutive single-quote characters stand for one). Returns the
 * value and the index just after the literal. Used by tests and by the stand-in `pwsh`.
 */
export function readPsString(text: string, start: number): { value: string; end: number } {
  if (text.startsWith(B64_PREFIX, start)) {
    const inner = readVerbatim(text, start + B64_PREFIX.length);
    if (!text.startsWith(B64_SUFFIX, inner.end)) throw new Error(`malformed base64 literal at ${start}`);
    return { value: Buffer.from(inner.value, "base64").toString("utf8"), end: inner.end + B64_SUFFIX.length };
  }
  return readVerbatim(text, start);
}

function isQuote(ch: string | undefined): boolean {
  return ch !== undefined && PS_SINGLE_QUOTES.includes(ch);
}

function readVerbatim(text: string, start: number): { value: string; end: number } {
  if (!isQuote(text[start])) throw new Error(`expected a single-quoted literal at ${start}`);
  let out = "";
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (!isQuote(ch)) {
      out += ch;
      continue;
    }
    if (isQuote(text[i + 1])) {
      out += ch;
      i++;
      continue;
    }
    return { value: out, end: i + 1 };
  }
  throw new Error(`unterminated literal at ${start}`);
}
