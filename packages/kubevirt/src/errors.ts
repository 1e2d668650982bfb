/**
 * One table: a Kubernetes/KubeVirt fault → a vmshift error code. The first matching row wins, so
 * KubeVirt's admission messages (reference §9) come before the generic `Status` reasons and the
 * HTTP codes. Each row is tested on its own in errors.test.ts.
 */
import { type ErrorCode, VmshiftError, redact } from "@vmshift/core";
import type { KubeStatus } from "./types.ts";

/** What the transport saw go wrong, before mapping. */
export type KubeFault =
  | { readonly kind: "status"; readonly httpStatus: number; readonly status?: KubeStatus; readonly method: string; readonly path: string }
  | { readonly kind: "network"; readonly code?: string; readonly message: string; readonly method: string; readonly path: string };

/** One row of the table. */
export interface ErrorRow {
  /** Stable row id, e.g. `admission.inFlight`. */
  readonly id: string;
  /** What the row matches, in words (docs). */
  readonly native: string;
  readonly code: ErrorCode;
  /** Overrides the code's default retryability. */
  readonly retryable?: boolean;
  /** The watch/list version has expired (410): relist. */
  readonly expired?: boolean;
  readonly matches: (fault: KubeFault) => boolean;
}

const message = (f: KubeFault): string => (f.kind === "status" ? (f.status?.message ?? "") : f.message);
const reason = (f: KubeFault): string => (f.kind === "status" ? (f.status?.reason ?? "") : "");
const http = (f: KubeFault): number => (f.kind === "status" ? f.httpStatus : 0);
const has = (pattern: RegExp) => (f: KubeFault): boolean => f.kind === "status" && pattern.test(message(f));
const netCode = (...codes: string[]) => (f: KubeFault): boolean => f.kind === "network" && codes.includes(f.code ?? "");

/** The table, most specific first. */
export const ERROR_TABLE: readonly ErrorRow[] = [
  // KubeVirt admission webhooks and subresources (reference §9).
  { id: "admission.vmiMissing", native: 'webhook: the VMI "<ns>/<name>" does not exist', code: "INVALID_STATE", retryable: false, matches: has(/the VMI "[^"]*" does not exist/) },
  { id: "admission.finalized", native: "webhook: Cannot migrate VMI in finalized state.", code: "INVALID_STATE", retryable: false, matches: has(/Cannot migrate VMI in finalized state/) },
  { id: "admission.notMigratable", native: "webhook: Cannot migrate VMI, Reason: <reason>, Message: <message>", code: "INCOMPATIBLE", retryable: false, matches: has(/Cannot migrate VMI, Reason:/) },
  { id: "admission.inFlight", native: "webhook: in-flight migration detected. Active migration job (<uid>) is currently already in progress for VMI <name>.", code: "CONFLICT", retryable: false, matches: has(/in-flight migration detected/) },
  { id: "admission.priority", native: "webhook: Migration priority queue, only virt-controller is allowed to set priority field", code: "PERMISSION_DENIED", matches: has(/only virt-controller is allowed to set priority/) },
  { id: "admission.decentralizedGate", native: "webhook: DecentralizedLiveMigration feature gate is not enabled in kubevirt resource", code: "CAPABILITY_UNAVAILABLE", matches: has(/DecentralizedLiveMigration feature gate is not enabled/) },
  { id: "admission.affinityDuringMigration", native: "Node affinity should not be changed during VMI migration", code: "CONFLICT", retryable: true, matches: has(/Node affinity should not be changed during VMI migration/) },
  { id: "admission.specImmutable", native: "update webhook: migration spec is immutable / vmi-name label change", code: "INVALID_ARGUMENT", matches: has(/(spec|label).*(immutable|is restricted|cannot be changed|can.t be (changed|modified))/i) },
  { id: "subresource.notRunning", native: "409 VM is not running", code: "INVALID_STATE", retryable: false, matches: has(/VM is not running/) },
  { id: "subresource.alreadyRunning", native: "409 VM is already running", code: "INVALID_STATE", retryable: false, matches: has(/VM is already running/) },
  { id: "subresource.manualStart", native: "409 Always does not support manual start requests", code: "INVALID_STATE", retryable: false, matches: has(/does not support manual (start|stop) requests/) },
  { id: "eviction.evacuation", native: "429 Eviction triggered evacuation of VMI", code: "RATE_LIMITED", matches: has(/Eviction triggered evacuation/) },
  // Kubernetes Status reasons.
  { id: "status.expired", native: "410 Gone / reason Expired (resourceVersion or continue token too old)", code: "TRANSPORT", retryable: true, expired: true, matches: (f) => http(f) === 410 || reason(f) === "Expired" || reason(f) === "Gone" },
  { id: "status.alreadyExists", native: "409 AlreadyExists", code: "CONFLICT", retryable: false, matches: (f) => reason(f) === "AlreadyExists" },
  { id: "status.conflict", native: "409 Conflict (stale resourceVersion)", code: "CONFLICT", retryable: true, matches: (f) => reason(f) === "Conflict" || http(f) === 409 },
  { id: "status.notFound", native: "404 NotFound", code: "NOT_FOUND", matches: (f) => reason(f) === "NotFound" || http(f) === 404 },
  { id: "status.invalid", native: "422 Invalid (field causes)", code: "INVALID_ARGUMENT", matches: (f) => reason(f) === "Invalid" || http(f) === 422 },
  { id: "status.badRequest", native: "400 BadRequest", code: "INVALID_ARGUMENT", matches: (f) => reason(f) === "BadRequest" || http(f) === 400 },
  { id: "status.unauthorized", native: "401 Unauthorized", code: "UNAUTHENTICATED", matches: (f) => http(f) === 401 || reason(f) === "Unauthorized" },
  { id: "status.forbidden", native: "403 Forbidden", code: "PERMISSION_DENIED", matches: (f) => http(f) === 403 || reason(f) === "Forbidden" },
  { id: "status.methodNotAllowed", native: "405 MethodNotAllowed", code: "NOT_SUPPORTED", matches: (f) => http(f) === 405 },
  { id: "status.tooManyRequests", native: "429 TooManyRequests", code: "RATE_LIMITED", matches: (f) => http(f) === 429 || reason(f) === "TooManyRequests" },
  { id: "status.timeout", native: "504 / reason Timeout", code: "TIMEOUT", matches: (f) => http(f) === 504 || reason(f) === "Timeout" },
  { id: "status.serverError", native: "5xx InternalError / ServiceUnavailable", code: "TRANSPORT", retryable: true, matches: (f) => http(f) >= 500 },
  // The request never got an answer.
  { id: "network.timeout", native: "client timeout (ETIMEDOUT, ECONNABORTED)", code: "TIMEOUT", matches: netCode("ETIMEDOUT", "ECONNABORTED") },
  { id: "network.tls", native: "TLS verification failure (certificate errors)", code: "TRANSPORT", retryable: false, matches: (f) => f.kind === "network" && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(f.code ?? "") },
  { id: "network.refused", native: "connection refused/reset, DNS failure, stream cut", code: "TRANSPORT", retryable: true, matches: (f) => f.kind === "network" },
  { id: "fallback", native: "any other answer", code: "INTERNAL", matches: () => true },
];

/** The row a fault maps to. */
export function errorRowFor(fault: KubeFault): ErrorRow {
  return ERROR_TABLE.find((row) => row.matches(fault))!;
}

/** The fault with every text redacted: credential patterns, and the exact `secrets` (tokens the client sent, which a server may echo). */
export function redactFault(fault: KubeFault, secrets: readonly string[] = []): KubeFault {
  if (fault.kind === "network") return { ...fault, message: redact(fault.message, secrets) };
  if (!fault.status) return fault;
  const status = fault.status;
  const causes = status.details?.causes?.map((c) => ({ ...c, ...(c.message === undefined ? {} : { message: redact(c.message, secrets) }) }));
  return {
    ...fault,
    status: {
      ...status,
      ...(status.message === undefined ? {} : { message: redact(status.message, secrets) }),
      ...(status.details ? { details: { ...status.details, ...(causes ? { causes } : {}) } } : {}),
    },
  };
}

/**
 * Maps a fault to a VmshiftError; the Status (or network error) stays in `cause` and `details`,
 * redacted: `secrets` are exact values (the bearer token sent) masked wherever the server echoed them.
 */
export function mapKubeFault(raw: KubeFault, operation?: string, secrets: readonly string[] = []): VmshiftError {
  const fault = redactFault(raw, secrets);
  const row = errorRowFor(fault);
  const text =
    fault.kind === "status"
      ? `${fault.method} ${fault.path}: ${fault.httpStatus}${fault.status?.reason ? ` ${fault.status.reason}` : ""}${message(fault) ? `: ${message(fault)}` : ""}`
      : `${fault.method} ${fault.path}: ${fault.code ?? "network error"}: ${fault.message}`;
  const causes = fault.kind === "status" ? fault.status?.details?.causes : undefined;
  return new VmshiftError(row.code, redact(text, secrets), {
    adapter: "kubevirt",
    ...(operation === undefined ? {} : { operation }),
    ...(row.retryable === undefined ? {} : { retryable: row.retryable }),
    cause: fault,
    details: {
      row: row.id,
      ...(fault.kind === "status" ? { httpStatus: fault.httpStatus, reason: fault.status?.reason } : { networkCode: fault.code }),
      ...(causes === undefined ? {} : { causes }),
      ...(row.expired ? { expired: true } : {}),
    },
  });
}
