/**
 * `NTNX-Request-Id` values. Prism uses the header as an idempotency token: the same id returns
 * the task of the first request instead of acting again. vmshift derives one id per logical step
 * from the caller's `requestId`, so a retried start (after a lost answer, or from a restarted
 * process) re-sends the same id and can never start a second migration.
 */
import { createHash } from "node:crypto";

/** A UUID (RFC 9562 layout, version 8: name-based, SHA-256) for `step` of the request `requestId`. */
export function stepRequestId(requestId: string, step: string): string {
  const hex = createHash("sha256").update(`vmshift/nutanix\u0000${requestId}\u0000${step}`).digest("hex");
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
