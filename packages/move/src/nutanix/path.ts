/**
 * The one helper that puts values into Prism URL paths for the Nutanix move source (the same rule
 * as `@vmshift/nutanix`'s `pathSegment`, kept here so `@vmshift/move` needs no adapter): RFC 3986
 * `pchar` characters stay (task ids look like `ZXJnb24=:<uuid>`), everything else is
 * percent-encoded as UTF-8, so a value is always exactly one segment.
 */
import { VmshiftError } from "@vmshift/core";

const SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

/** Escapes one path segment; `INVALID_ARGUMENT` for "", "." and ".." and unpaired surrogates. */
export function prismSegment(value: string): string {
  if (typeof value !== "string" || value === "" || value === "." || value === "..") {
    throw new VmshiftError("INVALID_ARGUMENT", `${JSON.stringify(value)} cannot be an id in a Prism URL path`, { adapter: "nutanix", operation: "move.path" });
  }
  if (!value.isWellFormed()) throw new VmshiftError("INVALID_ARGUMENT", "an id in a Prism URL path contains an unpaired surrogate", { adapter: "nutanix", operation: "move.path" });
  let out = "";
  for (const char of value) out += SAFE.test(char) ? char : encodeURIComponent(char);
  return out;
}

/** A path from literal parts and escaped values: ``prismPath`/api/vmm/v4.0/ahv/config/vms/${id}` ``. */
export function prismPath(strings: TemplateStringsArray, ...values: string[]): string {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += prismSegment(value) + (strings[i + 1] ?? "");
  });
  return out;
}
