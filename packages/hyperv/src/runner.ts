/**
 * The PowerShell runner: renders a script template with its parameters, executes it through a
 * {@link PowerShellTransport}, and returns the script's JSON `data` or throws a typed
 * `VmshiftError` mapped through the error table.
 */
import { VmshiftError } from "@vmshift/core";
import { toVmshiftError } from "./errors.ts";
import { parseEnvelope } from "./psjson.ts";
import { type ScriptParams, type ScriptTemplate, renderScript } from "./script.ts";
import type { PowerShellTransport, RemoteDescription } from "./transport.ts";

/** Options of one run. */
export interface RunOptions {
  /** Dotted operation name for errors, e.g. `migration.start`. */
  readonly operation: string;
  /** VM, host or migration id for errors. */
  readonly subject?: string;
  readonly signal?: AbortSignal;
  /** Per-script limit, ms; default: the transport's. */
  readonly timeoutMs?: number;
}

/** Runs vmshift's scripts. Implementations other than {@link createRunner} can be injected into the adapter. */
export interface PowerShellRunner {
  /** Resolves with the script's `data` (already normalised from 5.1 forms); rejects with `VmshiftError`. */
  run(template: ScriptTemplate, params: ScriptParams, options: RunOptions): Promise<unknown>;
  /** Where scripts run (undefined: on this machine). */
  readonly remote: RemoteDescription | undefined;
  close(): Promise<void>;
}

/** Options of {@link createRunner}. */
export interface RunnerOptions {
  /** Exact values to mask in error messages (credentials). */
  readonly secrets?: readonly string[];
}

/** A runner over a transport. */
export function createRunner(transport: PowerShellTransport, options: RunnerOptions = {}): PowerShellRunner {
  return {
    remote: transport.remote,
    async run(template, params, run) {
      let script: string;
      try {
        script = renderScript(template, params);
      } catch (error) {
        if (error instanceof VmshiftError) throw error.withContext({ adapter: "hyperv", operation: run.operation, ...(run.subject === undefined ? {} : { subject: run.subject }) });
        throw error;
      }
      let stdout: string;
      try {
        stdout = await transport.execute(script, { ...(run.signal ? { signal: run.signal } : {}), ...(run.timeoutMs === undefined ? {} : { timeoutMs: run.timeoutMs }) });
      } catch (error) {
        if (error instanceof VmshiftError) throw error.withContext({ adapter: "hyperv", operation: run.operation, ...(run.subject === undefined ? {} : { subject: run.subject }) });
        throw toVmshiftError({ origin: "stderr", message: error instanceof Error ? error.message : String(error) }, { ...run, ...(options.secrets ? { secrets: options.secrets } : {}) });
      }
      const envelope = parseEnvelope(stdout, run.operation);
      if (envelope.ok) return envelope.data;
      const e = envelope.error;
      return Promise.reject(
        toVmshiftError(
          {
            origin: "script",
            ...(typeof e["fullyQualifiedErrorId"] === "string" ? { fullyQualifiedErrorId: e["fullyQualifiedErrorId"] } : {}),
            ...(typeof e["category"] === "string" ? { category: e["category"] } : typeof e["category"] === "number" ? { category: ERROR_CATEGORY_NAMES[e["category"]] ?? String(e["category"]) } : {}),
            ...(typeof e["exceptionType"] === "string" ? { exceptionType: e["exceptionType"] } : {}),
            ...(typeof e["hresult"] === "number" ? { hresult: e["hresult"] | 0 } : {}),
            ...(typeof e["message"] === "string" ? { message: e["message"] } : {}),
          },
          { operation: run.operation, ...(run.subject === undefined ? {} : { subject: run.subject }), ...(options.secrets ? { secrets: options.secrets } : {}) },
        ),
      );
    },
    close: () => transport.close(),
  };
}

/** System.Management.Automation.ErrorCategory by number (5.1 may print enums as numbers). */
const ERROR_CATEGORY_NAMES: Readonly<Record<number, string>> = {
  0: "NotSpecified", 1: "OpenError", 2: "CloseError", 3: "DeviceError", 4: "DeadlockDetected", 5: "InvalidArgument", 6: "InvalidData", 7: "InvalidOperation",
  8: "InvalidResult", 9: "InvalidType", 10: "MetadataError", 11: "NotImplemented", 12: "NotInstalled", 13: "ObjectNotFound", 14: "OperationStopped",
  15: "OperationTimeout", 16: "SyntaxError", 17: "ParserError", 18: "PermissionDenied", 19: "ResourceBusy", 20: "ResourceExists", 21: "ResourceUnavailable",
  22: "ReadError", 23: "WriteError", 24: "FromStdErr", 25: "SecurityError", 26: "ProtocolError", 27: "ConnectionError", 28: "AuthenticationError",
  29: "LimitsExceeded", 30: "QuotaExceeded", 31: "NotEnabled",
};
