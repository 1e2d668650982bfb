/**
 * Migration ids carry what `attachMigration` needs after a process restart:
 * - live: `live/<vm>/<sourceHost|->/<targetHost|->/<targetCluster|->/<taskExtId>` (the Prism task does the work);
 * - cold: `cold/<vm>/<sourceHost|->/<targetHost|->/<targetCluster|->/<on|off>/<shutdownTimeoutMs|->/<restart 1|0>/<requestId>`
 *   (the steps are re-found through their derived `NTNX-Request-Id`s);
 * - a bare Prism task extId (`ZXJnb24=:<uuid>`) is accepted by `attachMigration` too.
 * Segments are percent-encoded; the last one takes the rest of the string.
 */
import { VmshiftError } from "@vmshift/core";

/** A live migration, followed through one Prism task. */
export interface LiveId {
  readonly kind: "live";
  readonly vmExtId: string;
  readonly sourceHostId?: string;
  readonly targetHostId?: string;
  /** Set for cross-cluster moves. */
  readonly targetClusterId?: string;
  readonly taskExtId: string;
}

/** A cold migration, run by vmshift step by step. */
export interface ColdId {
  readonly kind: "cold";
  readonly vmExtId: string;
  readonly sourceHostId?: string;
  readonly targetHostId?: string;
  readonly targetClusterId?: string;
  readonly wasOn: boolean;
  readonly shutdownTimeoutMs?: number;
  readonly restartOnSource: boolean;
  readonly requestId: string;
}

/** A bare task id given to `attachMigration`. */
export interface TaskId {
  readonly kind: "task";
  readonly taskExtId: string;
}

/** Any parsed migration id. */
export type MigrationId = LiveId | ColdId | TaskId;

/** `-` marks an absent segment, so a value that is exactly `-` is written `%2D`. */
const opt = (v: string | undefined): string => (v === undefined ? "-" : v === "-" ? "%2D" : encodeURIComponent(v));
const back = (v: string | undefined): string | undefined => (v === undefined || v === "-" ? undefined : decodeURIComponent(v));

/** Formats a migration id. */
export function formatMigrationId(id: LiveId | ColdId): string {
  if (id.kind === "live") return ["live", encodeURIComponent(id.vmExtId), opt(id.sourceHostId), opt(id.targetHostId), opt(id.targetClusterId), id.taskExtId].join("/");
  return [
    "cold",
    encodeURIComponent(id.vmExtId),
    opt(id.sourceHostId),
    opt(id.targetHostId),
    opt(id.targetClusterId),
    id.wasOn ? "on" : "off",
    id.shutdownTimeoutMs === undefined ? "-" : String(id.shutdownTimeoutMs),
    id.restartOnSource ? "1" : "0",
    encodeURIComponent(id.requestId),
  ].join("/");
}

/** Parses a migration id; `INVALID_ARGUMENT` when it is malformed. */
export function parseMigrationId(value: string): MigrationId {
  const bad = (why: string) => new VmshiftError("INVALID_ARGUMENT", `not a Nutanix migration id (${why}): ${value.slice(0, 120)}`, { adapter: "nutanix", operation: "migration.attach" });
  try {
    if (value.startsWith("live/")) {
      const parts = value.split("/");
      if (parts.length < 6) throw bad("live ids have 6 parts");
      const taskExtId = parts.slice(5).join("/");
      if (!taskExtId) throw bad("no task id");
      const source = back(parts[2]);
      const target = back(parts[3]);
      const cluster = back(parts[4]);
      return {
        kind: "live",
        vmExtId: decodeURIComponent(parts[1]!),
        ...(source ? { sourceHostId: source } : {}),
        ...(target ? { targetHostId: target } : {}),
        ...(cluster ? { targetClusterId: cluster } : {}),
        taskExtId,
      };
    }
    if (value.startsWith("cold/")) {
      const parts = value.split("/");
      if (parts.length < 9) throw bad("cold ids have 9 parts");
      const timeout = parts[6] === "-" ? undefined : Number(parts[6]);
      if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0)) throw bad("shutdown timeout");
      if (parts[5] !== "on" && parts[5] !== "off") throw bad("power flag");
      const source = back(parts[2]);
      const target = back(parts[3]);
      const cluster = back(parts[4]);
      return {
        kind: "cold",
        vmExtId: decodeURIComponent(parts[1]!),
        ...(source ? { sourceHostId: source } : {}),
        ...(target ? { targetHostId: target } : {}),
        ...(cluster ? { targetClusterId: cluster } : {}),
        wasOn: parts[5] === "on",
        ...(timeout === undefined ? {} : { shutdownTimeoutMs: timeout }),
        restartOnSource: parts[7] !== "0",
        requestId: decodeURIComponent(parts.slice(8).join("/")),
      };
    }
  } catch (error) {
    if (error instanceof VmshiftError) throw error;
    throw bad("bad percent-encoding");
  }
  if (/^[A-Za-z0-9+/=_-]+:[0-9a-fA-F-]{8,}$/.test(value)) return { kind: "task", taskExtId: value };
  throw bad("expected live/…, cold/… or a Prism task id");
}
