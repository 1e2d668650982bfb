/** POSIX shell quoting for the scripts tests and served targets write. */

/** `value` as one single-quoted POSIX shell word (a `'` inside becomes `'\''`). */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
