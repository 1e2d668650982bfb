/**
 * The wire of the served simulator: one JSON request per adapter operation, `POST /v1/<operation>`
 * with `{ "args": [...] }` (the operation's arguments without the context; an options object loses
 * its `signal`), answered `200 { "result": … }` or, for a failure, a status from the error code and
 * `{ "error": { code, reason, retryable, operation?, subject? } }`. A bearer token guards it when the
 * server has one. Watches are not served: a remote client follows migrations by polling.
 */
import { ERROR_CODES, type ErrorCode, VmshiftError } from "@vmshift/core";

/** The operations the server answers, in the adapter's own names. */
export const REMOTE_OPERATIONS = ["probe", "listVms", "getVm", "listHosts", "preflight", "startMigration", "getMigration", "cancelMigration", "attachMigration"] as const;

/** One served operation. */
export type RemoteOperation = (typeof REMOTE_OPERATIONS)[number];

/** The error body. */
export interface WireError {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly retryable: boolean;
  readonly operation?: string;
  readonly subject?: string;
}

/** HTTP status for an error code (informative: clients read the body's code). */
export function statusFor(code: ErrorCode): number {
  switch (code) {
    case "INVALID_ARGUMENT":
      return 400;
    case "UNAUTHENTICATED":
      return 401;
    case "PERMISSION_DENIED":
      return 403;
    case "NOT_FOUND":
      return 404;
    case "CONFLICT":
    case "INVALID_STATE":
      return 409;
    case "RATE_LIMITED":
      return 429;
    case "NOT_SUPPORTED":
    case "CAPABILITY_UNAVAILABLE":
      return 501;
    default:
      return 500;
  }
}

/** A VmshiftError as sent. */
export function toWire(error: VmshiftError): WireError {
  return {
    code: error.code,
    reason: error.reason,
    retryable: error.retryable,
    ...(error.operation === undefined ? {} : { operation: error.operation }),
    ...(error.subject === undefined ? {} : { subject: error.subject }),
  };
}

/** A VmshiftError as received (an unknown code becomes `INTERNAL`). */
export function fromWire(wire: Partial<WireError>, adapter: string): VmshiftError {
  const code = (ERROR_CODES as readonly string[]).includes(String(wire.code)) ? (wire.code as ErrorCode) : "INTERNAL";
  return new VmshiftError(code, typeof wire.reason === "string" ? wire.reason : "the served simulator answered with an error", {
    adapter,
    retryable: wire.retryable === true,
    ...(typeof wire.operation === "string" ? { operation: wire.operation } : {}),
    ...(typeof wire.subject === "string" ? { subject: wire.subject } : {}),
  });
}

/** Drops what cannot cross the wire (an AbortSignal) from an options object. */
export function wireArgument(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key, v]) => key !== "signal" && v !== undefined));
}
