/**
 * vim25 faults → vmshift error codes, in one table. The typed fault (`xsi:type` of the SOAP fault
 * detail, or `TaskInfo.error.fault`) decides the code, never the text; the fault itself stays in
 * `cause`.
 */
import { type ErrorCode, VmshiftError, redact } from "@vmshift/core";

/** A vim25 fault as the transport decoded it. */
export interface VimFault {
  /** The fault's vim type, e.g. `InvalidState`, `ManagedObjectNotFound`. */
  readonly type: string;
  /** `faultstring` of a SOAP fault, or `localizedMessage` of a task error; may be empty. */
  readonly message: string;
  /** The fault's fields as decoded (e.g. `{ obj: …, invalidProperty: "host" }`). */
  readonly detail?: unknown;
}

/** Native fault type → code. Subtypes not listed fall back to their family (see {@link FAULT_FAMILIES}). */
export const FAULT_CODES: Readonly<Record<string, ErrorCode>> = {
  NotAuthenticated: "UNAUTHENTICATED",
  InvalidLogin: "UNAUTHENTICATED",
  NoPermission: "PERMISSION_DENIED",
  ManagedObjectNotFound: "NOT_FOUND",
  InvalidArgument: "INVALID_ARGUMENT",
  InvalidPowerState: "INVALID_STATE",
  InvalidState: "INVALID_STATE",
  InvalidHostState: "INVALID_STATE",
  HostNotConnected: "INVALID_STATE",
  HostNotReachable: "INVALID_STATE",
  MethodDisabled: "INVALID_STATE",
  GenericVmConfigFault: "INVALID_STATE",
  TaskInProgress: "CONFLICT",
  ConcurrentAccess: "CONFLICT",
  InsufficientResourcesFault: "INSUFFICIENT_RESOURCES",
  InsufficientMemoryResourcesFault: "INSUFFICIENT_RESOURCES",
  InsufficientCpuResourcesFault: "INSUFFICIENT_RESOURCES",
  InsufficientHostCapacityFault: "INSUFFICIENT_RESOURCES",
  InsufficientHostMemoryCapacityFault: "INSUFFICIENT_RESOURCES",
  InsufficientHostCpuCapacityFault: "INSUFFICIENT_RESOURCES",
  MigrationFault: "MIGRATION_FAILED",
  CpuIncompatible: "INCOMPATIBLE",
  FeatureRequirementsNotMet: "INCOMPATIBLE",
  DisallowedMigrationDeviceAttached: "INCOMPATIBLE",
  MigrationDisabled: "INCOMPATIBLE",
  MigrationFeatureNotSupported: "INCOMPATIBLE",
  FullStorageVMotionNotSupported: "INCOMPATIBLE",
  IncompatibleDefaultDevice: "INCOMPATIBLE",
  DatacenterMismatch: "INCOMPATIBLE",
  VMotionInterfaceIssue: "INCOMPATIBLE",
  VMotionNotSupported: "INCOMPATIBLE",
  VMotionNotLicensed: "INCOMPATIBLE",
  MigrationNotReady: "INVALID_STATE",
  RequestCanceled: "ABORTED",
  NotSupported: "CAPABILITY_UNAVAILABLE",
  MethodNotFound: "CAPABILITY_UNAVAILABLE",
  Timedout: "TIMEOUT",
  SystemError: "TRANSPORT",
  HostCommunication: "TRANSPORT",
  InvalidRequest: "INTERNAL",
};

/** Families: a fault type whose name ends with one of these suffixes maps like the family root. */
export const FAULT_FAMILIES: readonly (readonly [suffix: string, code: ErrorCode])[] = [
  ["ResourcesFault", "INSUFFICIENT_RESOURCES"],
  ["CapacityFault", "INSUFFICIENT_RESOURCES"],
  ["NotSupported", "INCOMPATIBLE"],
  ["Incompatible", "INCOMPATIBLE"],
];

/** The code for a vim fault type; `fallback` when neither the table nor a family knows it. */
export function codeForFault(type: string, fallback: ErrorCode = "INTERNAL"): ErrorCode {
  const direct = FAULT_CODES[type];
  if (direct) return direct;
  const family = FAULT_FAMILIES.find(([suffix]) => type.endsWith(suffix));
  return family ? family[1] : fallback;
}

/** Options of {@link faultToError}. */
export interface FaultContext {
  readonly operation?: string;
  readonly subject?: string;
  /** Code for fault types the table does not know. Default `INTERNAL`. */
  readonly fallback?: ErrorCode;
  /** Exact secrets (passwords) to mask in the message. */
  readonly secrets?: readonly string[];
}

/**
 * A VmshiftError for a vim fault; the fault is kept in `cause` (with every string redacted: a
 * server may echo the Login password in a fault), its type in `details.fault`.
 */
export function faultToError(fault: VimFault, context: FaultContext = {}): VmshiftError {
  const code = codeForFault(fault.type, context.fallback);
  const text = fault.message.trim() || defaultText(fault.type);
  return new VmshiftError(code, `${fault.type}: ${scrub(text, context.secrets)}`, {
    adapter: "vsphere",
    cause: redactDeep(fault, context.secrets ?? []) as VimFault,
    details: { fault: fault.type },
    ...(context.operation === undefined ? {} : { operation: context.operation }),
    ...(context.subject === undefined ? {} : { subject: context.subject }),
  });
}

/** A copy of `value` with {@link redact} applied to every string in it. */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)]));
  return value;
}

function scrub(text: string, secrets: readonly string[] | undefined): string {
  let out = text;
  for (const s of secrets ?? []) if (s.length > 0) out = out.split(s).join("***");
  return out;
}

function defaultText(type: string): string {
  switch (type) {
    case "NotAuthenticated":
      return "the session is not authenticated (expired or logged out)";
    case "RequestCanceled":
      return "the task was cancelled";
    default:
      return "the server reported this fault without a message";
  }
}
