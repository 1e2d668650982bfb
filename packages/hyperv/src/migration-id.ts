/**
 * Migration ids carry what attaching after a restart needs: `hv1.` + base64url of a small JSON
 * object (source host, target host, VM id, WMI job instance id, mode, storage path, cluster role).
 */
import { VmshiftError } from "@vmshift/core";
import { isRecord } from "./psjson.ts";

/** The decoded id. */
export interface MigrationRef {
  readonly vmId: string;
  readonly mode: "live" | "cold";
  readonly sourceHost: string;
  readonly targetHost: string;
  /** Msvm_MigrationJob.InstanceID (live). */
  readonly jobId?: string;
  /** Cluster role name for clustered VMs (cancel uses it). */
  readonly clusterRole?: string;
  /** -DestinationStoragePath for a storage move. */
  readonly storagePath?: string;
  /** ISO 8601. */
  readonly startedAt: string;
  /** Makes cold ids unique per start. */
  readonly nonce?: string;
}

const PREFIX = "hv1.";
const KEYS: Record<keyof MigrationRef, string> = { vmId: "v", mode: "m", sourceHost: "s", targetHost: "t", jobId: "j", clusterRole: "c", storagePath: "p", startedAt: "a", nonce: "n" };

/** Encodes a reference into an opaque id. */
export function encodeMigrationId(ref: MigrationRef): string {
  const compact: Record<string, string> = {};
  for (const [key, short] of Object.entries(KEYS)) {
    const v = ref[key as keyof MigrationRef];
    if (v !== undefined) compact[short] = v;
  }
  return PREFIX + Buffer.from(JSON.stringify(compact), "utf8").toString("base64url");
}

/** Decodes an id; `INVALID_ARGUMENT` when it was not made by {@link encodeMigrationId}. */
export function decodeMigrationId(id: string, operation: string): MigrationRef {
  const bad = (why: string) => new VmshiftError("INVALID_ARGUMENT", `not a Hyper-V migration id (${why})`, { adapter: "hyperv", operation, subject: id.slice(0, 64) });
  if (!id.startsWith(PREFIX)) throw bad(`expected the prefix ${PREFIX}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(id.slice(PREFIX.length), "base64url").toString("utf8"));
  } catch {
    throw bad("not base64url JSON");
  }
  if (!isRecord(parsed)) throw bad("not an object");
  const out: Record<string, string> = {};
  for (const [key, short] of Object.entries(KEYS)) {
    const v = parsed[short];
    if (v === undefined) continue;
    if (typeof v !== "string" || v.length === 0 || v.length > 1024) throw bad(`field ${key}`);
    out[key] = v;
  }
  for (const required of ["vmId", "mode", "sourceHost", "targetHost", "startedAt"]) if (out[required] === undefined) throw bad(`missing ${required}`);
  if (out["mode"] !== "live" && out["mode"] !== "cold") throw bad("mode");
  if (out["mode"] === "live" && out["jobId"] === undefined) throw bad("missing jobId");
  return out as unknown as MigrationRef;
}
