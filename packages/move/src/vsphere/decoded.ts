/**
 * Reading values as the vim25 client decodes them (strings, `{ $value, attributes }` wrappers for
 * typed values and managed object references, one-or-many lists): the one place the move's vSphere
 * code unwraps them.
 */
import type { VimRef } from "./api.ts";

/** A decoded data object. */
export type Obj = Record<string, unknown>;

/** A property that may be absent, one object or a list, as a list of objects. */
export function list(v: unknown): Obj[] {
  if (v === undefined || v === null || v === "") return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is Obj => typeof x === "object" && x !== null);
}

/** A scalar as text (numbers and booleans as the client may have typed them); undefined when none. */
export function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v && typeof v === "object" && "$value" in v) return str((v as { $value: unknown }).$value);
  return undefined;
}

/** A managed object reference (`<x type="VirtualMachine">vm-42</x>`); undefined when not one. */
export function ref(v: unknown): VimRef | undefined {
  const type = v && typeof v === "object" ? (v as { attributes?: Record<string, string> }).attributes?.["type"] : undefined;
  const value = str(v);
  return type && value ? { type, value } : undefined;
}

/** The reference of VM `id` (its moref value, e.g. `vm-42`). */
export const vmRef = (id: string): VimRef => ({ type: "VirtualMachine", value: id });
