/** A small OData `$filter` subset: `field eq literal` clauses joined by `and`. */
import { ApiError } from "./sim.ts";

/** One clause. */
export interface Clause {
  readonly field: string;
  readonly value: string;
}

/** Parses `host/extId eq 'x' and powerState eq Vmm.Ahv.Config.PowerState'ON'`; 400 on anything else. */
export function parseFilter(text: string): Clause[] {
  const clauses: Clause[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    const m = /^([A-Za-z][A-Za-z0-9/]*)\s+eq\s+(?:[A-Za-z.]+)?'((?:[^']|'')*)'/.exec(rest);
    if (!m) throw new ApiError(400, "VMM-10410", `unsupported $filter near: ${rest.slice(0, 60)}`);
    clauses.push({ field: m[1]!, value: m[2]!.replaceAll("''", "'") });
    rest = rest.slice(m[0].length).trim();
    if (rest.length === 0) break;
    const and = /^and\s+/.exec(rest);
    if (!and) throw new ApiError(400, "VMM-10410", `unsupported $filter near: ${rest.slice(0, 60)}`);
    rest = rest.slice(and[0].length);
  }
  return clauses;
}

/** True when `item` satisfies every clause; `get` reads a field path. */
export function matches(clauses: readonly Clause[], get: (field: string) => string | undefined): boolean {
  return clauses.every((c) => get(c.field) === c.value);
}
