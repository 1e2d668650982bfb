/**
 * Field ownership (`metadata.managedFields`) and server-side apply, after the API server's field
 * manager, simplified: a field is a leaf path of the object (lists are atomic, as for lists without
 * merge keys); `Update` operations (create, update, patch) take the fields they set or change from
 * every other manager; an `Apply` (`application/apply-patch+yaml`) owns exactly the fields it sends,
 * conflicts with another manager that owns a field it would change (409, the API server's message),
 * takes them over with `force=true`, shares fields whose value it leaves unchanged, and removes the
 * fields it applied before and no longer sends when nobody else owns them.
 */
import { ApiError, type StoredObject } from "./store.ts";

type Path = string[];

/** One `managedFields` entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

const SYSTEM_META = new Set(["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generateName"]);

/** The leaf paths of the user-set part of an object (no status, no system metadata). */
export function leafPaths(object: unknown): Path[] {
  const out: Path[] = [];
  const walk = (value: unknown, path: Path) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) {
        if (path.length === 0 && (k === "status" || k === "apiVersion" || k === "kind")) continue;
        if (path.length === 1 && path[0] === "metadata" && SYSTEM_META.has(k)) continue;
        walk(v, [...path, k]);
      }
      return;
    }
    if (path.length > 0) out.push(path);
  };
  walk(object, []);
  return out;
}

const keyOf = (p: Path) => JSON.stringify(p);
/** `.spec.vmiName`, as the API server prints a field path. */
export const printPath = (p: Path) => p.map((s) => `.${s}`).join("");

function valueAt(object: unknown, p: Path): unknown {
  let at = object;
  for (const s of p) {
    if (at === null || typeof at !== "object" || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[s];
  }
  return at;
}

function toFields(paths: Path[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    let at = root;
    for (const s of p) at = (at[`f:${s}`] ??= {}) as Record<string, unknown>;
  }
  return root;
}

function fromFields(fields: Record<string, unknown>, prefix: Path = []): Path[] {
  const out: Path[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (!k.startsWith("f:")) continue;
    const p = [...prefix, k.slice(2)];
    const children = v && typeof v === "object" ? fromFields(v as Record<string, unknown>, p) : [];
    if (children.length === 0) out.push(p);
    else out.push(...children);
  }
  return out;
}

function entriesOf(object: StoredObject | undefined): ManagedFieldsEntry[] {
  return structuredClone((object?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? []);
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

function withPaths(entries: ManagedFieldsEntry[], manager: string, operation: "Apply" | "Update", apiVersion: string, paths: Path[]): ManagedFieldsEntry[] {
  const kept = entries.filter((e) => !(e.manager === manager && e.operation === operation));
  const next = paths.length ? [...kept, { manager, operation, apiVersion, time: now(), fieldsType: "FieldsV1" as const, fieldsV1: toFields(paths) }] : kept;
  return next.filter((e) => fromFields(e.fieldsV1).length > 0);
}

function without(entries: ManagedFieldsEntry[], drop: Set<string>, except?: (e: ManagedFieldsEntry) => boolean): ManagedFieldsEntry[] {
  return entries.map((e) => (except?.(e) ? e : { ...e, fieldsV1: toFields(fromFields(e.fieldsV1).filter((p) => !drop.has(keyOf(p)))) }));
}

/**
 * Records an `Update` by `manager` (create, update or patch): the fields that `after` sets or changes
 * against `before` move to that manager; fields `after` no longer has leave every manager.
 */
export function recordUpdate(before: StoredObject | undefined, after: StoredObject, manager: string, apiVersion: string): void {
  const beforePaths = before ? leafPaths(before) : [];
  const afterPaths = leafPaths(after);
  const afterKeys = new Set(afterPaths.map(keyOf));
  const changed = afterPaths.filter((p) => JSON.stringify(valueAt(before, p)) !== JSON.stringify(valueAt(after, p)));
  const gone = new Set(beforePaths.filter((p) => !afterKeys.has(keyOf(p))).map(keyOf));
  let entries = without(entriesOf(before), new Set([...changed.map(keyOf), ...gone]));
  const own = entries.find((e) => e.manager === manager && e.operation === "Update");
  const mine = [...(own ? fromFields(own.fieldsV1) : []).filter((p) => afterKeys.has(keyOf(p))), ...changed];
  entries = withPaths(entries, manager, "Update", apiVersion, dedupe(mine));
  after.metadata.managedFields = entries;
}

function dedupe(paths: Path[]): Path[] {
  const seen = new Map(paths.map((p) => [keyOf(p), p]));
  return [...seen.values()];
}

/** The conflict error, worded as `k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager` words it. */
function conflictError(conflicts: { entry: ManagedFieldsEntry; path: Path }[]): ApiError {
  const who = (e: ManagedFieldsEntry) => (e.operation === "Update" ? `"${e.manager}" using ${e.apiVersion}` : `"${e.manager}"`);
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${who(c.entry)}`, field: printPath(c.path) }));
  if (conflicts.length === 1) return new ApiError(409, "Conflict", `Apply failed with 1 conflict: conflict with ${who(conflicts[0]!.entry)}: ${printPath(conflicts[0]!.path)}`, { causes });
  const byManager = new Map<string, Path[]>();
  for (const c of conflicts) byManager.set(who(c.entry), [...(byManager.get(who(c.entry)) ?? []), c.path]);
  const lines = [...byManager].sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([m, paths]) => [`conflicts with ${m}:`, ...paths.map((p) => `- ${printPath(p)}`)]);
  return new ApiError(409, "Conflict", `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`, { causes });
}

/**
 * Server-side apply of `applied` (the caller's configuration) by `manager` onto `current` (undefined:
 * the object does not exist yet and is created). Returns the object to store, with managedFields.
 * Throws 409 on conflicts unless `force`.
 */
export function serverSideApply(current: StoredObject | undefined, applied: StoredObject, manager: string, apiVersion: string, force: boolean): StoredObject {
  const appliedPaths = leafPaths(applied);
  const appliedKeys = new Set(appliedPaths.map(keyOf));
  let entries = entriesOf(current);
  const conflicts: { entry: ManagedFieldsEntry; path: Path }[] = [];
  const taken = new Set<string>();
  for (const e of entries) {
    if (e.manager === manager && e.operation === "Apply") continue;
    for (const p of fromFields(e.fieldsV1)) {
      if (!appliedKeys.has(keyOf(p))) continue;
      if (JSON.stringify(valueAt(current, p)) === JSON.stringify(valueAt(applied, p))) continue;
      conflicts.push({ entry: e, path: p });
      taken.add(keyOf(p));
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  const result = structuredClone(current ?? ({ metadata: {} } as StoredObject)) as unknown as Record<string, unknown>;
  // Fields this manager applied before and no longer sends go, unless someone else owns them.
  const previous = entries.find((e) => e.manager === manager && e.operation === "Apply");
  const othersOwn = new Set(entries.filter((e) => e !== previous).flatMap((e) => fromFields(e.fieldsV1).map(keyOf)));
  for (const p of previous ? fromFields(previous.fieldsV1) : []) {
    if (appliedKeys.has(keyOf(p)) || othersOwn.has(keyOf(p))) continue;
    removeAt(result, p);
  }
  for (const p of appliedPaths) setAt(result, p, structuredClone(valueAt(applied, p)));
  entries = without(entries, taken, (e) => e.manager === manager && e.operation === "Apply");
  entries = withPaths(entries, manager, "Apply", apiVersion, appliedPaths);
  const out = result as unknown as StoredObject;
  out.metadata.managedFields = entries;
  return out;
}

function setAt(root: Record<string, unknown>, p: Path, value: unknown): void {
  let at = root;
  for (const s of p.slice(0, -1)) {
    if (at[s] === null || typeof at[s] !== "object" || Array.isArray(at[s])) at[s] = {};
    at = at[s] as Record<string, unknown>;
  }
  at[p.at(-1)!] = value;
}

function removeAt(root: Record<string, unknown>, p: Path): void {
  const parents: Record<string, unknown>[] = [root];
  let at: unknown = root;
  for (const s of p.slice(0, -1)) {
    at = (at as Record<string, unknown>)?.[s];
    if (at === null || typeof at !== "object") return;
    parents.push(at as Record<string, unknown>);
  }
  delete (at as Record<string, unknown>)[p.at(-1)!];
  // Drop emptied parent maps (not metadata/spec themselves at the top).
  for (let i = parents.length - 1; i > 1; i--) {
    if (Object.keys(parents[i]!).length === 0) delete parents[i - 1]![p[i - 1]!];
  }
}
