/** The CLI's own version, read from its package.json (the same file in the repository and when installed). */
import { readFileSync } from "node:fs";

/** `@vmshift/cli`'s version, e.g. `0.1.0`. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}
