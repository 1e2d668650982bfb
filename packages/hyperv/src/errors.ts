/**
 * One table from PowerShell/Hyper-V faults to vmshift error codes, checked top to bottom; the
 * first matching row wins. A fault is what a script's catch block reports (the ErrorRecord's
 * FullyQualifiedErrorId, category, exception type, HResult and message), a transport failure
 * (stderr text, process exit), or a failed WMI migration job (JobState 10 with its ErrorCode).
 */
import { type ErrorCode, VmshiftError, redact } from "@vmshift/core";

/** A PowerShell error as a script reports it. */
export interface PowerShellFault {
  readonly fullyQualifiedErrorId?: string;
  /** `ErrorCategory` name, e.g. `ObjectNotFound`. */
  readonly category?: string;
  readonly exceptionType?: string;
  /** The exception's HResult (signed 32-bit). */
  readonly hresult?: number;
  readonly message?: string;
  /** Msvm_MigrationJob.ErrorCode, for failed jobs. */
  readonly jobErrorCode?: number;
  /** Where it came from: a script's catch block, the shell's stderr, or a WMI job. */
  readonly origin?: "script" | "stderr" | "job";
}

/** One row of the table. Every field given must match. */
export interface ErrorRow {
  /** Stable row id, used in tests and in `details.rule`. */
  readonly id: string;
  readonly fqid?: RegExp;
  readonly category?: string;
  readonly hresult?: number;
  readonly message?: RegExp;
  readonly exceptionType?: RegExp;
  readonly jobErrorCode?: number;
  readonly origin?: "script" | "stderr" | "job";
  readonly code: ErrorCode;
  /** Added to the message: what to do about it. */
  readonly hint?: string;
}

const DOUBLE_HOP_HINT =
  "the move runs on the source host and must authenticate to the target with your identity (the double hop): configure Kerberos constrained delegation for 'Microsoft Virtual System Migration Service' and 'cifs' on the source host's computer account, or connect with CredSSP (see docs/platforms/hyperv.md)";

/** The table. Order matters: specific rows first, categories last. */
export const ERROR_TABLE: readonly ErrorRow[] = [
  { id: "vmshift.vmNotFound", fqid: /^VmshiftVmNotFound\b/, code: "NOT_FOUND" },
  { id: "vmshift.clusterGroupNotFound", fqid: /^VmshiftClusterGroupNotFound\b/, code: "NOT_FOUND" },
  { id: "vmshift.jobNotFound", fqid: /^VmshiftMigrationJobNotFound\b/, code: "TIMEOUT" },
  { id: "hyperv.vmNameNotFound", fqid: /^InvalidParameter,Microsoft\.HyperV\.PowerShell\.Commands\./, message: /unable to find a virtual machine/i, code: "NOT_FOUND" },
  { id: "hyperv.hostNotFound", message: /(could not be resolved|cannot find the computer|The RPC server is unavailable|WinRM cannot complete the operation)/i, code: "TRANSPORT", hint: "check the host name, DNS, the firewall (WinRM 5985/5986, WMI/RPC) and that PowerShell remoting is enabled" },
  { id: "hyperv.noCredentialsInPackage", hresult: 0x8009030e | 0, code: "PERMISSION_DENIED", hint: DOUBLE_HOP_HINT },
  { id: "hyperv.noCredentialsInPackageText", message: /0x8009030E|No credentials are available in the security package/i, code: "PERMISSION_DENIED", hint: DOUBLE_HOP_HINT },
  { id: "hyperv.migrationDisabled", message: /(not configured to (allow|accept) (live )?migrations?|migration.*(is|are) not enabled|VirtualMachineMigrationEnabled)/i, code: "INVALID_STATE", hint: "run Enable-VMMigration on both hosts" },
  { id: "hyperv.incompatible", message: /(incompatib|not compatible|processor.*(feature|compatib))/i, code: "INCOMPATIBLE" },
  { id: "hyperv.outOfMemory", message: /(not enough memory|insufficient (system )?memory|0x8007000E)/i, code: "INSUFFICIENT_RESOURCES" },
  { id: "hyperv.insufficientResources", message: /(Insufficient system resources|0x800705AA)/i, code: "INSUFFICIENT_RESOURCES" },
  { id: "hyperv.diskFull", message: /(not enough space on the disk|0x80070070)/i, code: "INSUFFICIENT_RESOURCES" },
  { id: "hyperv.migrationInProgress", message: /(already (being )?migrat|migration (operation )?(is )?already in progress|0x80070020)/i, code: "CONFLICT" },
  { id: "hyperv.invalidStateText", message: /(cannot be performed while the object is in its current state|invalid state|0x800710D2|0x8007139F)/i, code: "INVALID_STATE" },
  { id: "hyperv.cancelled", message: /(operation (was|has been) cancel+ed|0x800704C7)/i, code: "ABORTED" },
  { id: "hyperv.accessDenied", hresult: 0x80070005 | 0, code: "PERMISSION_DENIED" },
  { id: "hyperv.accessDeniedText", message: /(access is denied|0x80070005|You do not have the required permission)/i, code: "PERMISSION_DENIED", hint: "the account must be in 'Hyper-V Administrators' (or Administrators) on both hosts" },
  { id: "ps.logonFailure", message: /(logon failure|user name or password is incorrect|0x8007052E)/i, code: "UNAUTHENTICATED" },
  { id: "ps.commandNotFound", fqid: /^CommandNotFoundException\b/, code: "CAPABILITY_UNAVAILABLE", hint: "install the Hyper-V PowerShell module (and FailoverClusters on clusters) on the endpoint" },
  { id: "ps.parameterBinding", fqid: /^(ParameterArgumentValidationError|ParameterArgumentTransformationError|NamedParameterNotFound|CannotConvertArgument)/, code: "INVALID_ARGUMENT" },
  { id: "wmi.job.accessDenied", jobErrorCode: 32769, code: "PERMISSION_DENIED", hint: DOUBLE_HOP_HINT },
  { id: "wmi.job.notSupported", jobErrorCode: 32770, code: "INCOMPATIBLE" },
  { id: "wmi.job.timeout", jobErrorCode: 32772, code: "TIMEOUT" },
  { id: "wmi.job.invalidParameter", jobErrorCode: 32773, code: "INVALID_ARGUMENT" },
  { id: "wmi.job.inUse", jobErrorCode: 32774, code: "CONFLICT" },
  { id: "wmi.job.invalidState", jobErrorCode: 32775, code: "INVALID_STATE" },
  { id: "wmi.job.notAvailable", jobErrorCode: 32777, code: "TRANSPORT" },
  { id: "wmi.job.outOfMemory", jobErrorCode: 32778, code: "INSUFFICIENT_RESOURCES" },
  { id: "wmi.job.failed", jobErrorCode: 32768, code: "MIGRATION_FAILED" },
  { id: "category.ObjectNotFound", category: "ObjectNotFound", code: "NOT_FOUND" },
  { id: "category.PermissionDenied", category: "PermissionDenied", code: "PERMISSION_DENIED" },
  { id: "category.SecurityError", category: "SecurityError", code: "PERMISSION_DENIED" },
  { id: "category.AuthenticationError", category: "AuthenticationError", code: "UNAUTHENTICATED" },
  { id: "category.InvalidArgument", category: "InvalidArgument", code: "INVALID_ARGUMENT" },
  { id: "category.InvalidData", category: "InvalidData", code: "INVALID_ARGUMENT" },
  { id: "category.ResourceBusy", category: "ResourceBusy", code: "CONFLICT" },
  { id: "category.ResourceExists", category: "ResourceExists", code: "CONFLICT" },
  { id: "category.ResourceUnavailable", category: "ResourceUnavailable", code: "TRANSPORT" },
  { id: "category.ConnectionError", category: "ConnectionError", code: "TRANSPORT" },
  { id: "category.OpenError", category: "OpenError", code: "TRANSPORT" },
  { id: "category.OperationTimeout", category: "OperationTimeout", code: "TIMEOUT" },
  { id: "category.OperationStopped", category: "OperationStopped", code: "ABORTED" },
  { id: "category.InvalidOperation", category: "InvalidOperation", code: "INVALID_STATE" },
  { id: "category.NotImplemented", category: "NotImplemented", code: "NOT_SUPPORTED" },
  { id: "category.NotInstalled", category: "NotInstalled", code: "CAPABILITY_UNAVAILABLE" },
  { id: "origin.job", origin: "job", code: "MIGRATION_FAILED" },
  { id: "origin.stderr", origin: "stderr", code: "TRANSPORT" },
];

const DEFAULT_ROW: ErrorRow = { id: "default", code: "INTERNAL" };

/** The first row that matches `fault` (`default` → INTERNAL when none does). */
export function matchErrorRow(fault: PowerShellFault): ErrorRow {
  for (const row of ERROR_TABLE) {
    if (row.fqid && !row.fqid.test(fault.fullyQualifiedErrorId ?? "")) continue;
    if (row.category !== undefined && row.category !== fault.category) continue;
    if (row.hresult !== undefined && row.hresult !== fault.hresult) continue;
    if (row.message && !row.message.test(fault.message ?? "")) continue;
    if (row.exceptionType && !row.exceptionType.test(fault.exceptionType ?? "")) continue;
    if (row.jobErrorCode !== undefined && row.jobErrorCode !== fault.jobErrorCode) continue;
    if (row.origin !== undefined && row.origin !== fault.origin) continue;
    return row;
  }
  return DEFAULT_ROW;
}

/** Context for {@link toVmshiftError}. */
export interface ErrorContext {
  readonly operation: string;
  readonly subject?: string;
  /** Exact secrets to mask in the message (e.g. the remoting password). */
  readonly secrets?: readonly string[];
}

/** Turns a fault into a {@link VmshiftError} through {@link ERROR_TABLE}; messages are redacted. */
export function toVmshiftError(fault: PowerShellFault, context: ErrorContext): VmshiftError {
  const row = matchErrorRow(fault);
  const text = redact(fault.message?.trim() || fault.fullyQualifiedErrorId || "PowerShell reported an error without a message", context.secrets ?? []);
  const reason = row.hint ? `${text} (${row.hint})` : text;
  return new VmshiftError(row.code, reason, {
    adapter: "hyperv",
    operation: context.operation,
    ...(context.subject === undefined ? {} : { subject: context.subject }),
    cause: { ...fault, ...(fault.message === undefined ? {} : { message: text }) },
    details: {
      rule: row.id,
      ...(fault.fullyQualifiedErrorId ? { fullyQualifiedErrorId: fault.fullyQualifiedErrorId } : {}),
      ...(fault.category ? { category: fault.category } : {}),
      ...(fault.hresult !== undefined ? { hresult: `0x${(fault.hresult >>> 0).toString(16).toUpperCase().padStart(8, "0")}` } : {}),
      ...(fault.jobErrorCode !== undefined ? { jobErrorCode: fault.jobErrorCode } : {}),
    },
  });
}
