/**
 * One kubeconfig text (YAML or JSON) → its named clusters, users and contexts, still raw, each
 * remembering the directory its relative paths resolve against. Scalars are read as text (YAML's
 * failsafe schema), so a token such as `0123` or `true` keeps its exact characters; booleans are
 * interpreted where the format has them.
 *
 * Parse errors name the line and column only: YAML's own messages quote the offending text, which
 * may be a token.
 */
import { parseDocument } from "yaml";
import { configError } from "./problems.ts";

/** A mapping as parsed. */
export type RawMap = Readonly<Record<string, unknown>>;

/** One named entry of `clusters`, `users` or `contexts`. */
export interface RawEntry {
  readonly name: string;
  readonly body: RawMap;
  /** Directory against which the entry's relative paths resolve (the file's, or the working directory for text). */
  readonly baseDir: string;
  /** The file (or `kubeconfig text`) it came from. */
  readonly source: string;
}

/** A parsed kubeconfig file. */
export interface KubeconfigDocument {
  readonly source: string;
  readonly clusters: ReadonlyMap<string, RawEntry>;
  readonly users: ReadonlyMap<string, RawEntry>;
  readonly contexts: ReadonlyMap<string, RawEntry>;
  readonly currentContext?: string;
}

/** True for text that stands for "nothing" (YAML null, an empty value). */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === "" || value === "null" || value === "~" || value === "Null" || value === "NULL";
}

/** A mapping, or an empty one for a blank value; anything else is an error. */
export function asMap(value: unknown, what: string, source: string): RawMap {
  if (isBlank(value)) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw configError(`${what} must be a mapping`, source);
  return value as RawMap;
}

/** A list, or an empty one for a blank value. */
export function asList(value: unknown, what: string, source: string): readonly unknown[] {
  if (isBlank(value)) return [];
  if (!Array.isArray(value)) throw configError(`${what} must be a list`, source);
  return value;
}

/** Text, or undefined for a blank value. */
export function asText(value: unknown, what: string, source: string): string | undefined {
  if (isBlank(value)) return undefined;
  if (typeof value !== "string") throw configError(`${what} must be a string`, source);
  return value;
}

/** A YAML/JSON boolean (`true`/`false` in any case); undefined for a blank value. */
export function asBool(value: unknown, what: string, source: string): boolean | undefined {
  if (isBlank(value)) return undefined;
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw configError(`${what} must be true or false`, source);
}

function entries(list: unknown, key: "cluster" | "user" | "context", source: string, baseDir: string): Map<string, RawEntry> {
  const out = new Map<string, RawEntry>();
  for (const [i, item] of asList(list, `${key}s`, source).entries()) {
    const entry = asMap(item, `${key}s[${i}]`, source);
    const name = asText(entry["name"], `${key}s[${i}].name`, source);
    if (name === undefined) throw configError(`${key}s[${i}] has no name`, source);
    // Within one file a later entry of the same name replaces an earlier one, as client-go's conversion does.
    out.set(name, { name, body: asMap(entry[key], `${key} ${JSON.stringify(name)}`, source), baseDir, source });
  }
  return out;
}

/**
 * Parses one kubeconfig. `source` names it in messages (a path, or `kubeconfig text`); `baseDir`
 * is where its relative paths point. Throws `INVALID_ARGUMENT` for text that is not a kubeconfig.
 */
export function parseKubeconfig(text: string, source: string, baseDir: string): KubeconfigDocument {
  const doc = parseDocument(text, { schema: "failsafe", prettyErrors: false, uniqueKeys: false });
  const problem = doc.errors[0];
  if (problem) {
    const at = problem.linePos?.[0];
    throw configError(`not valid YAML or JSON (${problem.code}${at ? ` at line ${at.line}, column ${at.col}` : ""})`, source);
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch {
    // The library's message quotes the alias, which may be anything from the file.
    throw configError("not valid YAML (an alias is unresolved or expands too far)", source);
  }
  const root = asMap(js, "the document", source);
  const kind = asText(root["kind"], "kind", source);
  if (kind !== undefined && kind !== "Config") throw configError(`kind is ${JSON.stringify(kind)}, expected Config`, source);
  const currentContext = asText(root["current-context"], "current-context", source);
  return {
    source,
    clusters: entries(root["clusters"], "cluster", source, baseDir),
    users: entries(root["users"], "user", source, baseDir),
    contexts: entries(root["contexts"], "context", source, baseDir),
    ...(currentContext === undefined ? {} : { currentContext }),
  };
}
