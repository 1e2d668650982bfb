/** Argument checks shared by the client: bad input gets `INVALID_ARGUMENT` before any I/O. */
import { VmshiftError } from "./errors.ts";
import type { MigrationRequest } from "./model.ts";

const ID_MAX = 1024;

/**
 * Characters an id may not contain: control characters (C0, DEL, C1), invisible format characters
 * (bidirectional overrides and isolates such as U+202E, zero-width characters, the BOM) and line or
 * paragraph separators. They would reach terminals, logs and platform calls unseen, and reorder or
 * hide what an operator reads.
 */
const FORBIDDEN_IN_ID = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * Throws `INVALID_ARGUMENT` unless `value` is a well-formed string of 1 to 1024 UTF-16 code units
 * without control, invisible format or separator characters (see {@link FORBIDDEN_IN_ID}). The
 * message never repeats the value.
 */
export function requireId(name: string, value: unknown, operation: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > ID_MAX || !value.isWellFormed() || FORBIDDEN_IN_ID.test(value)) {
    throw new VmshiftError("INVALID_ARGUMENT", `${name} must be a non-empty string of at most ${ID_MAX} characters without control, invisible format or separator characters`, { operation });
  }
  return value;
}

function optionalNumber(name: string, value: unknown, operation: string, options: { integer?: boolean; min?: number } = {}): void {
  if (value === undefined) return;
  const min = options.min ?? 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || (options.integer && !Number.isInteger(value))) {
    throw new VmshiftError("INVALID_ARGUMENT", `${name} must be ${options.integer ? "an integer" : "a finite number"} ≥ ${min}, got ${String(value)}`, { operation });
  }
}

/** Validates a migration request; throws `INVALID_ARGUMENT` naming the first bad field. */
export function validateMigrationRequest(request: MigrationRequest, operation: string): void {
  if (typeof request !== "object" || request === null) {
    throw new VmshiftError("INVALID_ARGUMENT", "the migration request must be an object", { operation });
  }
  requireId("vmId", request.vmId, operation);
  if (request.targetHostId !== undefined) requireId("targetHostId", request.targetHostId, operation);
  if (request.targetClusterId !== undefined) requireId("targetClusterId", request.targetClusterId, operation);
  if (request.targetStorageId !== undefined) requireId("targetStorageId", request.targetStorageId, operation);
  if (request.requestId !== undefined) requireId("requestId", request.requestId, operation);
  if (request.mode !== undefined && request.mode !== "live" && request.mode !== "cold") {
    throw new VmshiftError("INVALID_ARGUMENT", `mode must be "live" or "cold", got ${JSON.stringify(request.mode)}`, { operation });
  }
  optionalNumber("maxDowntimeMs", request.maxDowntimeMs, operation);
  optionalNumber("bandwidthBytesPerSecond", request.bandwidthBytesPerSecond, operation, { min: 1 });
  optionalNumber("shutdownTimeoutMs", request.shutdownTimeoutMs, operation);
  if (request.mode === "cold" && (request.allowPostCopy || request.allowAutoConverge)) {
    throw new VmshiftError("INVALID_ARGUMENT", "allowPostCopy and allowAutoConverge apply to live migrations only", { operation });
  }
}

/** Validates page options. */
export function validatePageOptions(options: { pageSize?: number; cursor?: string } | undefined, operation: string): void {
  if (options === undefined) return;
  optionalNumber("pageSize", options.pageSize, operation, { integer: true, min: 1 });
  if (options.cursor !== undefined && typeof options.cursor !== "string") {
    throw new VmshiftError("INVALID_ARGUMENT", "cursor must be a string", { operation });
  }
}
