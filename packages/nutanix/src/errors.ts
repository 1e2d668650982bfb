/**
 * The one table from Nutanix faults to vmshift error codes. A fault is an HTTP answer (v4 body
 * `data.error[]` of AppMessage, or a v3 body with `message_list[].reason`), a failed task
 * (`errorMessages[]`, `legacyErrorMessage`) or a transport failure. Rows are tried in order;
 * the first match wins. Tested row by row in `errors.test.ts`.
 */
import { type ErrorCode, VmshiftError } from "@vmshift/core";
import type { V4AppMessage, V4ErrorResponse } from "./resources/v4-types.ts";

/** A Nutanix fault reduced to what the table matches on. */
export interface NutanixFault {
  /** `http` for an HTTP answer, `task` for a failed task, `network` when no answer arrived. */
  readonly kind: "http" | "task" | "network";
  /** HTTP status (kind `http`). */
  readonly status?: number;
  /** v4 AppMessage code (`VMM-20005`, `PLAT-10005`) or v3 `message_list[].reason`. */
  readonly nativeCode?: string;
  /** The platform's message(s), joined. */
  readonly message: string;
  /** Network error code (`ECONNRESET`, `ETIMEDOUT`, …) for kind `network`. */
  readonly errno?: string;
}

/** One row of {@link ERROR_TABLE}. */
export interface ErrorRow {
  /** Stable id, used by tests and in `details.nativeRule`. */
  readonly id: string;
  readonly kind: NutanixFault["kind"];
  readonly status?: number;
  /** Matches `nativeCode` exactly. */
  readonly nativeCode?: string;
  /** Matches the message. */
  readonly message?: RegExp;
  readonly code: ErrorCode;
  /** Overrides the code's default retryability. */
  readonly retryable?: boolean;
  /** Appended to the message: what the user can do. */
  readonly hint?: string;
}

/** Native fault → vmshift code. Order matters: specific rows first. */
export const ERROR_TABLE: readonly ErrorRow[] = [
  // v4 AppMessage codes seen on real Prism Centrals.
  { id: "v4.VMM-20005", kind: "http", nativeCode: "VMM-20005", code: "NOT_FOUND" },
  { id: "v4.PLAT-10005", kind: "http", nativeCode: "PLAT-10005", code: "CONFLICT", retryable: true, hint: "the ETag was rejected; re-read the VM and retry" },
  // v3 `message_list[].reason` values.
  { id: "v3.ENTITY_NOT_FOUND", kind: "http", nativeCode: "ENTITY_NOT_FOUND", code: "NOT_FOUND" },
  { id: "v3.INVALID_REQUEST", kind: "http", nativeCode: "INVALID_REQUEST", code: "INVALID_ARGUMENT" },
  { id: "v3.INVALID_ARGUMENT", kind: "http", nativeCode: "INVALID_ARGUMENT", code: "INVALID_ARGUMENT" },
  { id: "v3.AUTHENTICATION_REQUIRED", kind: "http", nativeCode: "AUTHENTICATION_REQUIRED", code: "UNAUTHENTICATED" },
  { id: "v3.ACCESS_DENIED", kind: "http", nativeCode: "ACCESS_DENIED", code: "PERMISSION_DENIED" },
  { id: "v3.ENTITY_READ_ERROR", kind: "http", nativeCode: "ENTITY_READ_ERROR", code: "CAPABILITY_UNAVAILABLE", hint: "the v3 API answers on Prism Central only; check the URL points at Prism Central" },
  { id: "v3.CONCURRENT_REQUESTS_NOT_ALLOWED", kind: "http", nativeCode: "CONCURRENT_REQUESTS_NOT_ALLOWED", code: "CONFLICT" },
  // HTTP statuses, when no code above matched.
  { id: "http.400", kind: "http", status: 400, code: "INVALID_ARGUMENT" },
  { id: "http.401", kind: "http", status: 401, code: "UNAUTHENTICATED", hint: "check the user name and password or the API key" },
  { id: "http.403", kind: "http", status: 403, code: "PERMISSION_DENIED", hint: "the account needs a role that allows this (see docs/platforms/nutanix.md)" },
  { id: "http.404", kind: "http", status: 404, code: "NOT_FOUND" },
  { id: "http.408", kind: "http", status: 408, code: "TRANSPORT", retryable: true },
  { id: "http.409", kind: "http", status: 409, code: "CONFLICT" },
  { id: "http.412", kind: "http", status: 412, code: "CONFLICT", retryable: true, hint: "the VM changed since it was read (stale ETag)" },
  { id: "http.422", kind: "http", status: 422, code: "INVALID_ARGUMENT" },
  { id: "http.428", kind: "http", status: 428, code: "INTERNAL", retryable: false, hint: "vmshift sent a mutating request without If-Match: this is a bug in vmshift" },
  { id: "http.429", kind: "http", status: 429, code: "RATE_LIMITED" },
  { id: "http.5xx", kind: "http", message: /.*/, code: "TRANSPORT", retryable: true },
  // Failed tasks: their messages say why.
  { id: "task.memory", kind: "task", message: /memory|insufficient|not enough|capacity/i, code: "INSUFFICIENT_RESOURCES" },
  { id: "task.maintenance", kind: "task", message: /maintenance|not schedulable|ACROPOLIS_NORMAL/i, code: "INVALID_STATE" },
  { id: "task.incompatible", kind: "task", message: /incompatible|not live migratable|cpu feature|passthrough|gpu/i, code: "INCOMPATIBLE" },
  { id: "task.other", kind: "task", message: /.*/, code: "MIGRATION_FAILED" },
  // No answer at all.
  { id: "network.tls", kind: "network", message: /certificate|self[- ]signed|CERT_|UNABLE_TO_VERIFY/i, code: "TRANSPORT", retryable: false, hint: "TLS verification failed: pass ca (PEM of the Prism Central CA), or insecureSkipTlsVerify for a lab" },
  { id: "network.timeout", kind: "network", message: /timeout|timed out/i, code: "TRANSPORT", retryable: true },
  { id: "network.any", kind: "network", message: /.*/, code: "TRANSPORT", retryable: true },
];

/** The row that applies to a fault (the last row of its kind always matches). */
export function matchRow(fault: NutanixFault): ErrorRow {
  for (const row of ERROR_TABLE) {
    if (row.kind !== fault.kind) continue;
    if (row.nativeCode !== undefined && row.nativeCode !== fault.nativeCode) continue;
    if (row.status !== undefined && row.status !== fault.status) continue;
    if (row.message !== undefined && !row.message.test(fault.message)) continue;
    if (row.id === "http.5xx" && (fault.status ?? 0) < 500) continue;
    return row;
  }
  return { id: "fallback", kind: fault.kind, code: "INTERNAL", retryable: false, hint: "an answer vmshift does not recognise" };
}

/** Context for the error message. */
export interface ErrorContext {
  readonly operation?: string;
  readonly subject?: string;
  readonly cause?: unknown;
}

/** A VmshiftError for a fault, following {@link ERROR_TABLE}. */
export function toVmshiftError(fault: NutanixFault, context: ErrorContext = {}): VmshiftError {
  const row = matchRow(fault);
  const what = [fault.status === undefined ? undefined : `HTTP ${fault.status}`, fault.nativeCode, fault.errno].filter(Boolean).join(" ");
  const reason = [what ? `${what}: ${fault.message || "(no message)"}` : fault.message, row.hint].filter(Boolean).join("; ");
  return new VmshiftError(row.code, reason, {
    adapter: "nutanix",
    ...(context.operation === undefined ? {} : { operation: context.operation }),
    ...(context.subject === undefined ? {} : { subject: context.subject }),
    ...(row.retryable === undefined ? {} : { retryable: row.retryable }),
    ...(context.cause === undefined ? {} : { cause: context.cause }),
    details: { nativeRule: row.id, ...(fault.status === undefined ? {} : { status: fault.status }), ...(fault.nativeCode === undefined ? {} : { nativeCode: fault.nativeCode }) },
  });
}

/** Reads a v4 (`data.error[]`) or v3 (`message_list[]`) error body into a fault. */
export function faultFromBody(status: number, body: unknown): NutanixFault {
  const messages: { code?: string; message?: string }[] = [];
  if (isObject(body)) {
    const data = body["data"];
    const v4 = isObject(data) ? (data as V4ErrorResponse).error : undefined;
    if (Array.isArray(v4)) {
      for (const m of v4 as V4AppMessage[]) messages.push({ ...(m.code === undefined ? {} : { code: m.code }), ...(m.message === undefined ? {} : { message: m.message }) });
    } else if (isObject(v4) && typeof v4["message"] === "string") {
      messages.push({ message: v4["message"] });
    }
    const v3 = body["message_list"];
    if (Array.isArray(v3)) {
      for (const m of v3) if (isObject(m)) messages.push({ ...(typeof m["reason"] === "string" ? { code: m["reason"] } : {}), ...(typeof m["message"] === "string" ? { message: m["message"] } : {}) });
    }
    if (messages.length === 0 && typeof body["message"] === "string") messages.push({ message: body["message"] });
  } else if (typeof body === "string" && body.length > 0 && body.length < 500) {
    messages.push({ message: body });
  }
  const nativeCode = messages.find((m) => m.code !== undefined)?.code;
  return { kind: "http", status, ...(nativeCode === undefined ? {} : { nativeCode }), message: messages.map((m) => m.message).filter(Boolean).join("; ") };
}

/** Reads a failed task's `errorMessages[]` (or `legacyErrorMessage`) into a fault. */
export function faultFromTask(task: { readonly errorMessages?: readonly V4AppMessage[]; readonly legacyErrorMessage?: string }): NutanixFault {
  const messages = (task.errorMessages ?? []).map((m) => m.message).filter((m): m is string => typeof m === "string");
  const nativeCode = task.errorMessages?.find((m) => m.code !== undefined)?.code;
  const message = messages.length > 0 ? messages.join("; ") : (task.legacyErrorMessage ?? "the task failed without a message");
  return { kind: "task", ...(nativeCode === undefined ? {} : { nativeCode }), message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
