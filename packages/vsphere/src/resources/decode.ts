/**
 * Decoding of what `envelope.ts` makes of vim25 responses (the objects the `soap` package made):
 * property values arrive as strings with their `xsi:type` in `attributes` (any prefix),
 * single-element arrays as objects, morefs as `{ attributes: { type }, $value }`. Values are converted by the type the caller expects.
 */
import { VmshiftError } from "@vmshift/core";
import type { MoRef } from "../xml.ts";

/** Zero, one or many → an array. */
export function asArray<T = unknown>(value: unknown): T[] {
  if (value === undefined || value === null || value === "") return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** The text of a simple value. */
export function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value && typeof value === "object" && "$value" in value) return text((value as { $value: unknown }).$value);
  return undefined;
}

/** A number (int, long, short), or undefined. */
export function num(value: unknown): number | undefined {
  const t = text(value);
  if (t === undefined || t.trim() === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** A boolean (`true`/`false`/`1`/`0`), or undefined. */
export function bool(value: unknown): boolean | undefined {
  const t = text(value);
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  return undefined;
}

/** A managed object reference, or undefined. */
export function moRef(value: unknown): MoRef | undefined {
  if (!value || typeof value !== "object") return undefined;
  const type = (value as { attributes?: Record<string, string> }).attributes?.["type"];
  const v = text(value);
  return type && v ? { type, value: v } : undefined;
}

/** A required managed object reference; `INTERNAL` when the server broke its contract. */
export function requireMoRef(value: unknown, what: string): MoRef {
  const r = moRef(value);
  if (!r) throw new VmshiftError("INTERNAL", `the server returned no managed object reference for ${what}`, { adapter: "vsphere" });
  return r;
}

/** `ArrayOfManagedObjectReference` (or a bare list) → morefs. */
export function moRefs(value: unknown): MoRef[] {
  if (value && typeof value === "object" && !Array.isArray(value) && "ManagedObjectReference" in value) {
    return asArray((value as { ManagedObjectReference: unknown }).ManagedObjectReference).map(moRef).filter((r): r is MoRef => r !== undefined);
  }
  return asArray(value).map(moRef).filter((r): r is MoRef => r !== undefined);
}

/** The `xsi:type` of a decoded value, whatever prefix binds the XSI namespace. */
export function xsiType(value: unknown): string | undefined {
  const attrs = value && typeof value === "object" ? (value as { attributes?: Record<string, string> }).attributes : undefined;
  if (!attrs) return undefined;
  for (const [k, v] of Object.entries(attrs)) if (k.endsWith(":type")) return v;
  return undefined;
}

/** One object of a RetrieveResult: its moref and its properties by path. */
export interface ObjectProps {
  readonly ref: MoRef;
  readonly props: Readonly<Record<string, unknown>>;
}

/** `ObjectContent[]` → objects with properties by path. */
export function objectContents(value: unknown): ObjectProps[] {
  return asArray<{ obj?: unknown; propSet?: unknown }>(value).flatMap((o) => {
    const ref = moRef(o.obj);
    if (!ref) return [];
    const props: Record<string, unknown> = {};
    for (const p of asArray<{ name?: unknown; val?: unknown }>(o.propSet)) {
      const name = text(p.name);
      if (name) props[name] = p.val;
    }
    return [{ ref, props }];
  });
}
