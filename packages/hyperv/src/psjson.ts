/**
 * Reading what scripts print. PowerShell 7 and Windows PowerShell 5.1 differ: 5.1's ConvertTo-Json
 * writes dates as `"\/Date(1700000000000)\/"`, enums as numbers (no `-EnumsAsStrings`), and can
 * wrap arrays as `{"value":[…],"Count":n}`. Scripts already emit names and ISO dates; these
 * helpers accept both forms so output from either edition validates the same way.
 */
import { VmshiftError } from "@vmshift/core";

/** What every script prints: one of these, as one JSON document. */
export type Envelope = { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly error: Readonly<Record<string, unknown>> };

const MS_DATE_RE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/** Parses a script's stdout into its envelope; `INTERNAL` when it is not one. */
export function parseEnvelope(stdout: string, operation: string): Envelope {
  const text = stdout.trim();
  const candidates = [text, ...text.split(/\r?\n/).reverse()];
  for (const candidate of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    if (isRecord(value) && typeof value["ok"] === "boolean") {
      const normalized = normalize(value) as Record<string, unknown>;
      if (normalized["ok"] === true) return { ok: true, data: normalized["data"] ?? null };
      if (isRecord(normalized["error"])) return { ok: false, error: normalized["error"] };
    }
  }
  throw new VmshiftError("INTERNAL", `the script did not print a vmshift JSON envelope (got ${text.length} characters: ${JSON.stringify(text.slice(0, 120))})`, { adapter: "hyperv", operation });
}

/** Converts 5.1 forms to 7 forms, recursively: `/Date(ms)/` → ISO 8601, `{value:[…],Count}` → array. */
export function normalize(value: unknown): unknown {
  if (typeof value === "string") {
    const m = MS_DATE_RE.exec(value);
    return m ? new Date(Number(m[1])).toISOString() : value;
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 2 && Array.isArray(value["value"]) && typeof value["Count"] === "number") return normalize(value["value"]);
    return Object.fromEntries(keys.map((k) => [k, normalize(value[k])]));
  }
  return value;
}

/** A plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads fields of one object, throwing `INTERNAL` that names the field on a shape violation. */
export class Reader {
  readonly #value: Record<string, unknown>;
  readonly #what: string;

  constructor(value: unknown, what: string) {
    if (!isRecord(value)) throw shapeError(what, "an object", value);
    this.#value = value;
    this.#what = what;
  }

  string(field: string): string {
    const v = this.#value[field];
    if (typeof v !== "string") throw shapeError(`${this.#what}.${field}`, "a string", v);
    return v;
  }

  optionalString(field: string): string | undefined {
    const v = this.#value[field];
    if (v === null || v === undefined || v === "") return undefined;
    if (typeof v !== "string") throw shapeError(`${this.#what}.${field}`, "a string or null", v);
    return v;
  }

  number(field: string): number {
    const v = this.#value[field];
    if (typeof v !== "number" || !Number.isFinite(v)) throw shapeError(`${this.#what}.${field}`, "a number", v);
    return v;
  }

  optionalNumber(field: string): number | undefined {
    const v = this.#value[field];
    if (v === null || v === undefined) return undefined;
    return this.number(field);
  }

  boolean(field: string): boolean {
    const v = this.#value[field];
    if (typeof v !== "boolean") throw shapeError(`${this.#what}.${field}`, "a boolean", v);
    return v;
  }

  optionalBoolean(field: string): boolean | undefined {
    const v = this.#value[field];
    return v === null || v === undefined ? undefined : this.boolean(field);
  }

  /** An enum given by name (PowerShell 7, `.ToString()`) or by number (5.1). */
  enumName(field: string, byNumber: Readonly<Record<number, string>>): string {
    const v = this.#value[field];
    if (typeof v === "string" && v !== "") return v;
    if (typeof v === "number" && byNumber[v] !== undefined) return byNumber[v];
    throw shapeError(`${this.#what}.${field}`, `an enum name or one of ${Object.keys(byNumber).join(", ")}`, v);
  }

  /**
   * Like {@link enumName}, but a number outside the table (a value newer than vmshift, or one
   * the documentation leaves out) is returned as its decimal text instead of failing the read.
   */
  enumNameOrNumber(field: string, byNumber: Readonly<Record<number, string>>): string {
    const v = this.#value[field];
    if (typeof v === "number" && Number.isInteger(v) && byNumber[v] === undefined) return String(v);
    return this.enumName(field, byNumber);
  }

  /** An array (a single object or null are accepted as one- or zero-element arrays, as 5.1 prints them). */
  array(field: string): unknown[] {
    return asArray(this.#value[field]);
  }

  raw(field: string): unknown {
    return this.#value[field];
  }
}

/** Array, single value or null → array. */
export function asArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function shapeError(what: string, expected: string, got: unknown): VmshiftError {
  const shown = got === undefined ? "nothing" : JSON.stringify(got)?.slice(0, 80);
  return new VmshiftError("INTERNAL", `unexpected output from Hyper-V: ${what} should be ${expected}, got ${shown}`, { adapter: "hyperv" });
}
