/**
 * One kubeconfig text (YAML or JSON) → its named clusters, users and contexts, still raw, each
 * remembering the directory its relative paths resolve against. Scalars are read as text (YAML's
 * failsafe schema), so a token such as `0123` or `true` keeps its exact characters; booleans are
 * interpreted where the format has them. A key given twice keeps its last value (as JSON.parse and
 * client-go's YAML reader do).
 *
 * The parser is js-yaml, whose package has a real ES-module build for Node (a bundle of a consumer
 * needs no CommonJS shim). Parse errors name the line and column only: the parser's own messages
 * quote the offending text (an alias, a tag, a snippet of the file), which may be a token.
 */
import { FAILSAFE_SCHEMA, defineScalarTag, loadAll } from "js-yaml";
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

/** Strings, sequences and mappings only; a scalar with an explicit tag (`!!int 12`, `!x y`) keeps its text, as everywhere else. */
const SCHEMA = FAILSAFE_SCHEMA.withTags(defineScalarTag("", { matchByTagPrefix: true, resolve: (text) => text, identify: () => false }));
/** Aliases (`*name`) one document may use at most. */
const MAX_ALIASES = 100;
/** Nodes that aliases may add to a document at most (an alias repeats its anchor's whole subtree). */
const MAX_ALIAS_EXPANSION = 10_000;

/** Where the parser stopped, 1-based; js-yaml's `mark` (0-based) when the error has one. */
function position(error: unknown): { line: number; column: number } | undefined {
  const mark = (error as { mark?: { line?: unknown; column?: unknown } } | null)?.mark;
  if (typeof mark?.line !== "number" || typeof mark.column !== "number") return undefined;
  return { line: mark.line + 1, column: mark.column + 1 };
}

/**
 * The document's size with every alias expanded, minus its size as written. js-yaml shares one
 * object for an anchor and its aliases, so a few aliases can stand for an exponential tree (the
 * "billion laughs"); code reading the result must never walk that. Linear in the distinct nodes.
 */
function aliasExpansion(root: unknown): number {
  const expanded = new Map<object, number>();
  const size = (node: unknown): number => {
    if (node === null || typeof node !== "object") return 1;
    const known = expanded.get(node);
    if (known !== undefined) return known;
    expanded.set(node, 1); // a cycle (an alias inside its own anchor) counts once
    let total = 1;
    for (const child of Object.values(node)) total += size(child);
    expanded.set(node, total);
    return total;
  };
  const whole = size(root);
  let written = 0;
  for (const node of expanded.keys()) written += 1 + Object.values(node).filter((c) => c === null || typeof c !== "object").length;
  return whole - written;
}

/** The single document of `text` (undefined when there is none). Throws `INVALID_ARGUMENT` naming a line and column at most. */
function load(text: string, source: string): unknown {
  let documents: unknown[];
  try {
    // `json: true`: a duplicate key keeps its last value instead of failing.
    documents = loadAll(text, { schema: SCHEMA, json: true, maxAliases: MAX_ALIASES });
  } catch (error) {
    const at = position(error);
    const reason = (error as { reason?: unknown } | null)?.reason;
    // The parser's reason is not repeated: it may quote the file.
    if (typeof reason === "string" && /alias/i.test(reason)) throw configError(`not valid YAML (an alias is unresolved or expands too far${at ? `, at line ${at.line}, column ${at.column}` : ""})`, source);
    throw configError(`not valid YAML or JSON${at ? ` (at line ${at.line}, column ${at.column})` : ""}`, source);
  }
  if (documents.length > 1) throw configError("not valid YAML or JSON (more than one document)", source);
  const js = documents[0];
  if (aliasExpansion(js) > MAX_ALIAS_EXPANSION) throw configError("not valid YAML (an alias is unresolved or expands too far)", source);
  return js;
}

/**
 * Parses one kubeconfig. `source` names it in messages (a path, or `kubeconfig text`); `baseDir`
 * is where its relative paths point. Throws `INVALID_ARGUMENT` for text that is not a kubeconfig.
 */
export function parseKubeconfig(text: string, source: string, baseDir: string): KubeconfigDocument {
  const root = asMap(load(text, source), "the document", source);
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
