/**
 * Migration ids carry what `attachMigration` needs after a process restart: source and target
 * host ids, the domain UUID, the mode and the start time. Format: `lv1.<base64url(JSON)>`.
 */
import { VmshiftError, type MigrationMode } from "@vmshift/core";

/** The decoded id. */
export interface MigrationRef {
  readonly source: string;
  readonly target: string;
  /** Domain UUID (stable across hosts). */
  readonly domain: string;
  readonly mode: MigrationMode;
  /** Start, ms since the epoch. */
  readonly startedAt: number;
  readonly requestId: string;
}

const PREFIX = "lv1.";

/** Encodes a reference into an opaque id. */
export function encodeMigrationId(ref: MigrationRef): string {
  const body = { s: ref.source, t: ref.target, d: ref.domain, m: ref.mode, at: ref.startedAt, r: ref.requestId };
  return PREFIX + Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

/** Decodes an id; `NOT_FOUND` when it is not one of ours (it cannot name a migration). */
export function decodeMigrationId(id: string): MigrationRef {
  const fail = () => new VmshiftError("NOT_FOUND", `not a libvirt migration id: ${JSON.stringify(id.slice(0, 80))}`, { adapter: "libvirt", retryable: false });
  if (!id.startsWith(PREFIX)) throw fail();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(id.slice(PREFIX.length), "base64url").toString("utf8"));
  } catch {
    throw fail();
  }
  const b = body as Record<string, unknown>;
  if (typeof b !== "object" || b === null || typeof b.s !== "string" || typeof b.t !== "string" || typeof b.d !== "string" || typeof b.r !== "string" ||
    (b.m !== "live" && b.m !== "cold") || typeof b.at !== "number" || !/^[0-9a-f-]{36}$/.test(b.d)) throw fail();
  return { source: b.s, target: b.t, domain: b.d, mode: b.m, startedAt: b.at, requestId: b.r };
}
