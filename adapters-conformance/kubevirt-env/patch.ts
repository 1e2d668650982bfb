/**
 * PATCH bodies, by media type, with the rules of the API server: every resource takes JSON patch
 * (RFC 6902), JSON merge patch (RFC 7386) and server-side apply (apply.ts); strategic merge patch
 * only built-in types take (custom resources answer 415, listing the types they accept). Strategic
 * merge is applied here as a merge patch (lists replaced whole), which is what the environment's one
 * built-in type, Node, needs for labels, annotations, taints and `unschedulable`.
 */
import type { ResourceDefinition } from "./resources.ts";
import { ApiError, type StoredObject } from "./store.ts";

/** The media types. */
export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/** The patch media types a resource accepts, as its OpenAPI PATCH operation lists them. */
export function patchTypesOf(d: Pick<ResourceDefinition, "builtIn">): string[] {
  return d.builtIn ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply] : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply];
}

/** The media type of a Content-Type header, without parameters. */
export function mediaType(contentType: string): string {
  return contentType.split(";")[0]!.trim().toLowerCase();
}

/** 415 for a patch type the resource does not accept, worded as the API server words it. */
export function unsupportedPatch(d: Pick<ResourceDefinition, "builtIn">, contentType: string): ApiError | undefined {
  if (patchTypesOf(d).includes(mediaType(contentType))) return undefined;
  return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${patchTypesOf(d).join(", ")}`);
}

/**
 * Applies a JSON patch, merge patch or strategic merge patch (treated as a merge patch) to a copy of
 * `current`. Server-side apply is not handled here (apply.ts). Throws 400/422/415 as the server does.
 */
export function applyPatch(current: StoredObject, raw: string, contentType: string): StoredObject {
  let patch: unknown;
  try {
    patch = JSON.parse(raw);
  } catch (error) {
    throw new ApiError(400, "BadRequest", `error decoding patch: ${(error as Error).message}`);
  }
  const type = mediaType(contentType);
  if (type === PATCH_TYPES.json) {
    if (!Array.isArray(patch)) throw new ApiError(400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    let doc = structuredClone(current) as unknown;
    for (const op of patch as { op: string; path: string; from?: string; value?: unknown }[]) doc = jsonPatchOp(doc, op);
    return doc as StoredObject;
  }
  if (type === PATCH_TYPES.merge || type === PATCH_TYPES.strategic) {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) throw new ApiError(400, "BadRequest", "json: cannot unmarshal into Go value of type map[string]interface {}");
    return mergePatch(structuredClone(current), patch) as StoredObject;
  }
  throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${[PATCH_TYPES.json, PATCH_TYPES.merge].join(", ")}`);
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: invalid JSON pointer ${JSON.stringify(path)}`);
  return path.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function read(doc: unknown, parts: string[]): unknown {
  let at = doc;
  for (const p of parts) {
    if (at === null || typeof at !== "object") return undefined;
    at = Array.isArray(at) ? at[Number(p)] : (at as Record<string, unknown>)[p];
  }
  return at;
}

function jsonPatchOp(doc: unknown, op: { op: string; path: string; from?: string; value?: unknown }): unknown {
  const parts = pointer(op.path);
  const fail = (why: string) => new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: ${why}`);
  if (op.op === "test") {
    if (JSON.stringify(read(doc, parts)) !== JSON.stringify(op.value)) throw fail(`testing value ${op.path} failed: test failed`);
    return doc;
  }
  if (op.op === "move" || op.op === "copy") {
    const value = structuredClone(read(doc, pointer(op.from ?? "")));
    if (value === undefined) throw fail(`missing value at ${op.from}`);
    if (op.op === "move") doc = jsonPatchOp(doc, { op: "remove", path: op.from ?? "" });
    return jsonPatchOp(doc, { op: "add", path: op.path, value });
  }
  if (parts.length === 0) return op.op === "remove" ? undefined : op.value;
  const last = parts.at(-1)!;
  const parent = read(doc, parts.slice(0, -1));
  if (parent === null || typeof parent !== "object") throw fail(`doc is missing path: "${op.path}": missing value`);
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length || (op.op !== "add" && index >= parent.length)) throw fail(`unable to access invalid index: ${last}`);
    if (op.op === "add") parent.splice(index, 0, op.value);
    else if (op.op === "replace") parent[index] = op.value;
    else if (op.op === "remove") parent.splice(index, 1);
    else throw fail(`Unexpected kind: ${op.op}`);
    return doc;
  }
  const record = parent as Record<string, unknown>;
  if (op.op === "add") record[last] = op.value;
  else if (op.op === "replace" || op.op === "remove") {
    if (!(last in record)) throw fail(`${op.op} operation does not apply: doc is missing key: ${op.path}: missing value`);
    if (op.op === "replace") record[last] = op.value;
    else delete record[last];
  } else throw fail(`Unexpected kind: ${op.op}`);
  return doc;
}

/** RFC 7386 merge. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out = (target !== null && typeof target === "object" && !Array.isArray(target) ? target : {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
