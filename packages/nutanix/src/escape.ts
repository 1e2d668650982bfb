/**
 * The one helper that puts values into URL paths. Every id that reaches a Prism URL goes
 * through {@link pathSegment}; nothing else in the adapter concatenates ids into paths.
 */
import { VmshiftError } from "@vmshift/core";

// RFC 3986 pchar minus what we escape anyway: unreserved, sub-delims, ':' and '@' stay as they
// are. Task ids look like `ZXJnb24=:<uuid>`, and Prism (like Go's url.PathEscape) expects ':'
// and '=' unescaped there.
const SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

/**
 * Escapes one path segment. Keeps RFC 3986 `pchar` characters (so `ZXJnb24=:uuid` stays
 * readable) and percent-encodes everything else as UTF-8, so a value always stays one segment.
 * Throws `INVALID_ARGUMENT` for the empty string, the dot segments `.` and `..` (URL parsers
 * collapse them even when percent-encoded) and lone surrogates (not valid UTF-8).
 */
export function pathSegment(value: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new VmshiftError("INVALID_ARGUMENT", "an id in a URL path must be a non-empty string", { adapter: "nutanix" });
  }
  if (value === "." || value === "..") {
    throw new VmshiftError("INVALID_ARGUMENT", `"${value}" cannot be an id in a URL path`, { adapter: "nutanix" });
  }
  let out = "";
  for (const char of value) {
    if (SAFE.test(char)) {
      out += char;
      continue;
    }
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new VmshiftError("INVALID_ARGUMENT", "an id in a URL path contains an unpaired surrogate", { adapter: "nutanix" });
    }
    for (const byte of Buffer.from(char, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Builds a path from literal parts and escaped values: `path\`/vms/${id}\`` style without the risk. */
export function buildPath(strings: TemplateStringsArray, ...values: string[]): string {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += pathSegment(value) + (strings[i + 1] ?? "");
  });
  return out;
}

/**
 * Builds a query string (`?$page=0&$limit=50`) with every name and value percent-encoded
 * (spaces as `%20`, never `+`); `$` stays readable in names. Undefined values are left out.
 */
export function queryString(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    parts.push(`${encodeQueryPart(name).replaceAll("%24", "$")}=${encodeQueryPart(String(value))}`);
  }
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

/** Percent-encodes a query name or value; a lone surrogate (not valid UTF-8) is `INVALID_ARGUMENT`. */
function encodeQueryPart(text: string): string {
  if (!text.isWellFormed()) {
    throw new VmshiftError("INVALID_ARGUMENT", "a query value contains an unpaired surrogate", { adapter: "nutanix" });
  }
  return encodeURIComponent(text);
}

/** An OData string literal for `$filter`: quoted, with single quotes doubled (`O'Brien` → `'O''Brien'`). */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
