/**
 * The errors of kubeconfig loading and credential plugins. Messages name files, entries and
 * fields, never their values: a kubeconfig holds tokens, passwords and keys.
 */
import { VmshiftError, redact } from "@vmshift/core";

/** `INVALID_ARGUMENT` about the kubeconfig (`source`: a file, `$KUBECONFIG`, `kubeconfig text`, `in-cluster`). */
export function configError(reason: string, source?: string): VmshiftError {
  return new VmshiftError("INVALID_ARGUMENT", `kubeconfig${source ? ` ${source}` : ""}: ${reason}`, { adapter: "kubevirt", operation: "connect", retryable: false });
}

/** `UNAUTHENTICATED`: credentials could not be obtained (exec plugin failed, token file unreadable). `secrets` are masked wherever they appear. */
export function credentialError(reason: string, secrets: readonly string[] = [], retryable = false): VmshiftError {
  return new VmshiftError("UNAUTHENTICATED", redact(`could not get credentials: ${reason}`, secrets), { adapter: "kubevirt", operation: "connect", retryable });
}

/** An error's own words (its message, or the value), for wrapping an I/O failure. */
export function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  return error instanceof Error ? error.message : String(error);
}
