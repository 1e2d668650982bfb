/**
 * libvirt faults → vmshift error codes, in one table. virsh prints libvirt's error on stderr as
 * `error: <summary>` lines; the first row whose pattern matches decides the code. Rows are ordered
 * from specific to general. Tested row by row in errors.test.ts.
 */
import { type ErrorCode, VmshiftError, redact } from "@vmshift/core";
import type { VirshResult } from "./transport.ts";

/** One row: a pattern over virsh's stderr, the code it maps to, and whether a retry may help. */
export interface FaultRow {
  readonly id: string;
  readonly pattern: RegExp;
  readonly code: ErrorCode;
  readonly retryable?: boolean;
}

/** The table. `id` names the libvirt error (virErrorNumber or message) the row stands for. */
export const FAULT_TABLE: readonly FaultRow[] = [
  { id: "VIR_ERR_OPERATION_ABORTED", pattern: /operation aborted: .*cancel+ed by client/i, code: "ABORTED" },
  { id: "VIR_ERR_NO_DOMAIN", pattern: /Domain not found|no domain with matching|failed to get domain/i, code: "NOT_FOUND" },
  { id: "VIR_ERR_NO_NETWORK/STORAGE", pattern: /Storage (pool|volume) not found|Network not found/i, code: "NOT_FOUND" },
  { id: "VIR_ERR_AUTH_FAILED", pattern: /authentication (failed|unavailable)|auth(entication)? cancel+ed|Permission denied \(publickey/i, code: "UNAUTHENTICATED" },
  { id: "VIR_ERR_ACCESS_DENIED", pattern: /access denied|Permission denied|operation forbidden|read-only/i, code: "PERMISSION_DENIED" },
  { id: "VIR_ERR_OPERATION_TIMEOUT (state lock)", pattern: /cannot acquire state change lock|Timed out during operation/i, code: "CONFLICT", retryable: true },
  { id: "VIR_ERR_OPERATION_INVALID (no job)", pattern: /no job is active on the domain/i, code: "INVALID_STATE" },
  { id: "VIR_ERR_OPERATION_INVALID (job active)", pattern: /another migration job is already running|job .* is already active|domain has active job|Requested operation is not valid: .*(migration|job)/i, code: "CONFLICT" },
  { id: "VIR_ERR_OPERATION_FAILED (already exists)", pattern: /already exists|is already defined with uuid|domain .* already active/i, code: "CONFLICT" },
  { id: "VIR_ERR_OPERATION_INVALID (same host)", pattern: /Attempt to migrate guest to the same host/i, code: "INVALID_ARGUMENT" },
  { id: "VIR_ERR_OPERATION_INVALID (state)", pattern: /domain is not running|domain is already running|domain is not persistent|cannot .* transient domain|Requested operation is not valid/i, code: "INVALID_STATE" },
  { id: "VIR_ERR_CPU_INCOMPATIBLE", pattern: /CPU is incompatible|incompatible with (the )?(host )?CPU|guest CPU doesn't match|host CPU does not provide required features/i, code: "INCOMPATIBLE" },
  { id: "VIR_ERR_CONFIG_UNSUPPORTED", pattern: /unsupported configuration|cannot migrate domain:|migration of .* is not supported|Domain with assigned .* cannot be migrated/i, code: "INCOMPATIBLE" },
  { id: "ENOMEM / memory allocation", pattern: /Cannot allocate memory|cannot set up guest memory|Insufficient (free )?memory|not enough memory|out of memory/i, code: "INSUFFICIENT_RESOURCES" },
  { id: "VIR_ERR_NO_SUPPORT", pattern: /this function is not supported by the connection driver|Operation not supported|not supported by this QEMU/i, code: "CAPABILITY_UNAVAILABLE" },
  { id: "VIR_ERR_INVALID_ARG", pattern: /invalid argument|XML error|unknown option|expected syntax|command '.*' doesn't support option/i, code: "INVALID_ARGUMENT" },
  { id: "migration failed (QEMU/peer)", pattern: /migration (out )?job: unexpectedly failed|qemu unexpectedly closed the monitor|Unable to read from monitor|migration failed|job 'migration (out|in)' failed|guest unexpectedly quit|domain .* is not running on destination/i, code: "MIGRATION_FAILED" },
  { id: "VIR_ERR_NO_CONNECT / RPC", pattern: /failed to connect to the hypervisor|Failed to connect socket|End of file while reading data|Cannot recv data|Cannot write data|Connection reset by peer|no connection driver available|Broken pipe|virsh killed after/i, code: "TRANSPORT", retryable: true },
];

/** The code for a virsh failure (first matching row), or `undefined` when no row matches. */
export function classifyFault(stderr: string): FaultRow | undefined {
  return FAULT_TABLE.find((row) => row.pattern.test(stderr));
}

/** The message libvirt gave: the last `error:` line of stderr, without the prefix. */
export function faultMessage(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => l.startsWith("error:")).map((l) => l.slice(6).trim());
  return errors.length > 0 ? errors.join("; ") : (lines.at(-1) ?? "virsh failed without a message");
}

/**
 * Turns a failed virsh invocation into a VmshiftError. Unknown faults become `TRANSPORT`
 * (not retryable): the server answered with something this table does not know.
 */
export function virshError(result: VirshResult, context: { readonly operation: string; readonly subject?: string; readonly command: string }): VmshiftError {
  const row = classifyFault(result.stderr);
  const message = redact(faultMessage(result.stderr));
  return new VmshiftError(row?.code ?? "TRANSPORT", `virsh ${context.command}: ${message}`, {
    adapter: "libvirt",
    operation: context.operation,
    ...(context.subject === undefined ? {} : { subject: context.subject }),
    retryable: row?.retryable ?? false,
    details: { exitCode: result.code, libvirtError: row?.id ?? "unknown" },
  });
}
