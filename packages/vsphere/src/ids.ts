/**
 * Migration ids carry what `attachMigration` needs after a restart: mode, VM, source and target
 * host, and (live) the vim Task moref or (cold) the start time. Parts are URI-encoded and joined
 * with `/`, e.g. `live/vm-63/host-34/host-42/task-101`.
 */
import { VmshiftError } from "@vmshift/core";

/** The decoded parts of a migration id. */
export interface MigrationRef {
  readonly mode: "live" | "cold";
  readonly vmId: string;
  readonly sourceHostId: string;
  readonly targetHostId: string;
  /** Live: the RelocateVM_Task moref value. Cold: the start time, ms since the epoch, as text. */
  readonly key: string;
}

/** Encodes a migration id. */
export function encodeMigrationId(ref: MigrationRef): string {
  return [ref.mode, ref.vmId, ref.sourceHostId, ref.targetHostId, ref.key].map(encodeURIComponent).join("/");
}

/** Decodes a migration id; `INVALID_ARGUMENT` when it is not one of ours. */
export function decodeMigrationId(id: string): MigrationRef {
  const parts = id.split("/");
  const bad = () => new VmshiftError("INVALID_ARGUMENT", "not a vSphere migration id (expected live|cold/<vm>/<source>/<target>/<key>)", { adapter: "vsphere", subject: id });
  if (parts.length !== 5 || parts.some((p) => p.length === 0)) throw bad();
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    throw bad();
  }
  const [mode, vmId, sourceHostId, targetHostId, key] = decoded as [string, string, string, string, string];
  if (mode !== "live" && mode !== "cold") throw bad();
  if (mode === "cold" && !/^\d+$/.test(key)) throw bad();
  return { mode, vmId, sourceHostId, targetHostId, key };
}

/** A vCenter task moref value as govc and the vSphere Client show it (`task-96`): `attachMigration` accepts it too. */
export const BARE_TASK_ID = /^task-\d+$/;

/** Stands for a host a bare task id cannot tell (vSphere does not expose a running task's RelocateSpec). */
export const UNKNOWN_HOST = "unknown";
