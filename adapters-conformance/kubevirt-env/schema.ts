/**
 * Validates request bodies against the pinned KubeVirt v1.9.0 OpenAPI document
 * (packages/kubevirt/spec/openapi3.json), the way the API server applies a CRD's structural
 * schema: wrong types and missing required fields are 422 Invalid causes; unknown fields are
 * pruned and reported as warnings (fieldValidation=Warn, the default).
 *
 * Covers the OpenAPI subset the spec uses: $ref, type, properties, required, additionalProperties,
 * items, oneOf, nullable, enum, format int32/int64.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One schema node. */
export interface SchemaNode {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  nullable?: boolean;
  enum?: unknown[];
  format?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/** A problem with one field, as a Kubernetes StatusCause. */
export interface SchemaCause {
  readonly reason: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueNotSupported";
  readonly message: string;
  readonly field: string;
}

/** What validation found. */
export interface SchemaResult {
  readonly causes: SchemaCause[];
  /** Unknown fields that were pruned, by path. */
  readonly unknown: string[];
}

/** Where the pinned spec is. */
export const SPEC_PATH = fileURLToPath(new URL("../../packages/kubevirt/spec/openapi3.json", import.meta.url));

let cached: Record<string, SchemaNode> | undefined;

/** The spec's `components.schemas`, loaded once. */
export function schemas(): Record<string, SchemaNode> {
  cached ??= (JSON.parse(readFileSync(SPEC_PATH, "utf8")) as { components: { schemas: Record<string, SchemaNode> } }).components.schemas;
  return cached;
}

const typeOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : typeof v);

function walk(node: SchemaNode, value: unknown, path: string, out: SchemaResult, prune: boolean): void {
  const all = schemas();
  if (node.$ref) {
    const name = node.$ref.replace("#/components/schemas/", "");
    const target = all[name];
    if (!target) throw new Error(`schema ${name} missing from the spec`);
    walk(target, value, path, out, prune);
    return;
  }
  if (value === null) {
    if (!node.nullable && node.type !== undefined) out.causes.push({ reason: "FieldValueInvalid", message: `Invalid value: null: ${path} in body must be of type ${node.type}`, field: path });
    return;
  }
  if (node.oneOf) {
    const ok = node.oneOf.some((alt) => {
      const trial: SchemaResult = { causes: [], unknown: [] };
      walk(alt, value, path, trial, false);
      return trial.causes.length === 0;
    });
    if (!ok) out.causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: ${path} in body must match one of ${node.oneOf.map((a) => a.type ?? "schema").join(", ")}`, field: path });
    return;
  }
  if (node.enum && !node.enum.includes(value)) {
    out.causes.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${node.enum.map((e) => JSON.stringify(e)).join(", ")}`, field: path });
    return;
  }
  const actual = typeOf(value);
  switch (node.type) {
    case undefined:
      return;
    case "object": {
      if (actual !== "object") {
        out.causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "${actual}": ${path} in body must be of type object: "${actual}"`, field: path });
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of node.required ?? []) {
        if (record[key] === undefined) out.causes.push({ reason: "FieldValueRequired", message: `Required value`, field: `${path}.${key}` });
      }
      for (const [key, child] of Object.entries(record)) {
        if (child === undefined) continue; // absent once serialised
        const childPath = `${path}.${key}`;
        const property = node.properties?.[key];
        if (property) walk(property, child, childPath, out, prune);
        else if (typeof node.additionalProperties === "object") walk(node.additionalProperties, child, childPath, out, prune);
        else if (node.properties && node.additionalProperties !== true && !node["x-kubernetes-preserve-unknown-fields"]) {
          out.unknown.push(childPath);
          if (prune) delete record[key];
        }
      }
      return;
    }
    case "array":
      if (actual !== "array") {
        out.causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "${actual}": ${path} in body must be of type array: "${actual}"`, field: path });
        return;
      }
      (value as unknown[]).forEach((item, i) => node.items && walk(node.items, item, `${path}[${i}]`, out, prune));
      return;
    case "integer":
      if (actual !== "integer") out.causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "${actual}": ${path} in body must be of type integer: "${actual}"`, field: path });
      else if (node.format === "int32" && Math.abs(value as number) > 2 ** 31) out.causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${String(value)}: ${path} out of int32 range`, field: path });
      return;
    case "number":
      if (actual !== "integer" && actual !== "number") out.causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "${actual}": ${path} in body must be of type number: "${actual}"`, field: path });
      return;
    default:
      if (actual !== node.type) out.causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "${actual}": ${path} in body must be of type ${node.type}: "${actual}"`, field: path });
  }
}

/**
 * Validates `value` against `components.schemas[name]`. With `prune`, unknown fields are removed
 * from `value` in place.
 */
export function validateAgainst(name: string, value: unknown, options: { readonly prune?: boolean } = {}): SchemaResult {
  const node = schemas()[name];
  if (!node) throw new Error(`schema ${name} is not in the pinned spec`);
  const out: SchemaResult = { causes: [], unknown: [] };
  walk(node, value, "", out, options.prune ?? false);
  return { causes: out.causes.map((c) => ({ ...c, field: c.field.replace(/^\./, "") })), unknown: out.unknown.map((u) => u.replace(/^\./, "")) };
}
