/**
 * Shows a migration as it runs: an in-place progress line on a terminal, a line per change
 * otherwise, NDJSON with `--json`. Ctrl-C asks whether to cancel or just stop watching.
 */
import { type MigrationResult, type MigrationTask, type VmshiftError, isVmshiftError } from "@vmshift/core";
import { EXIT, type CliIo, type ExitCode } from "./io.ts";
import { duration, progressLine } from "./format.ts";

/** Exit code for a migration result. */
export function exitFor(result: MigrationResult): ExitCode {
  if (result.outcome === "completed") return EXIT.ok;
  if (result.outcome === "cancelled") return EXIT.cancelled;
  return result.error?.code === "MIGRATION_PARTIAL" ? EXIT.partial : EXIT.migrationFailed;
}

/** A one-line human summary of a result. */
export function describeResult(result: MigrationResult): string {
  const where = `${result.vmId} is ${result.vmLocation.powerState} on ${result.vmLocation.hostId ?? "an unknown host"} (${result.vmLocation.side})`;
  const took = result.durationMs === undefined ? "" : ` in ${duration(result.durationMs)}`;
  const pause = result.downtimeMs === undefined ? "" : `; ${result.mode === "live" ? "downtime" : "stopped for"} ${duration(result.downtimeMs)}`;
  if (result.outcome === "completed") return `✔ completed${took}: ${where}${pause}`;
  return `✘ ${result.outcome}${took}: ${where}${result.error ? ` — ${result.error.code}: ${result.error.message}` : ""}`;
}

/** Options of {@link follow}. */
export interface FollowOptions {
  readonly json: boolean;
  readonly maxWaitMs?: number;
  readonly cancelOnTimeout?: boolean;
  /** Minimum time between plain (non-TTY) progress lines, ms. Default 1000. */
  readonly plainIntervalMs?: number;
}

/** Follows `task` to its end, rendering progress; returns the exit code. */
export async function follow(task: MigrationTask, io: CliIo, options: FollowOptions): Promise<ExitCode> {
  const tty = io.stdout.isTTY === true && !options.json;
  const stopWatching = new AbortController();
  let detached = false;
  const unsubscribe = io.onInterrupt?.(() => {
    void (async () => {
      const answer = io.prompt ? (await io.prompt(`\nCancel migration ${task.id} (c) or stop watching and leave it running (w)? [c/w] `)).trim().toLowerCase() : "w";
      if (answer.startsWith("c")) {
        io.stderr.write(`cancelling ${task.id}…\n`);
        await task.cancel().catch((e: unknown) => io.stderr.write(`cancel failed: ${(e as Error).message}\n`));
      } else {
        detached = true;
        stopWatching.abort();
      }
    })();
  });
  const render = (async () => {
    let lastPhase = "";
    let lastPrint = 0;
    for await (const s of task.events({ signal: stopWatching.signal })) {
      if (options.json) {
        io.stdout.write(`${JSON.stringify({ event: "progress", migrationId: s.id, vmId: s.vmId, ...s.progress })}\n`);
      } else if (tty) {
        io.stdout.write(`\r\x1b[K${progressLine(s.progress)}`);
      } else {
        const now = Date.now();
        if (s.phase !== lastPhase || now - lastPrint >= (options.plainIntervalMs ?? 1000)) {
          io.stdout.write(`${progressLine(s.progress)}\n`);
          lastPrint = now;
        }
      }
      lastPhase = s.phase;
    }
  })().catch(() => undefined);
  try {
    const result = await task.wait({
      signal: stopWatching.signal,
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
      ...(options.cancelOnTimeout ? { cancelOnTimeout: true } : {}),
    });
    await render;
    if (tty) io.stdout.write("\n");
    if (options.json) io.stdout.write(`${JSON.stringify({ event: "result", phase: result.outcome, ...result })}\n`);
    else io.stdout.write(`${describeResult(result)}\n`);
    return exitFor(result);
  } catch (error) {
    if (tty) io.stdout.write("\n");
    if (detached) {
      io.stderr.write(`stopped watching; ${task.id} keeps running. Follow it again with: vmshift attach ${task.id}\n`);
      return EXIT.detached;
    }
    if (isVmshiftError(error) && error.code === "TIMEOUT") {
      reportError(io, options.json, error);
      return EXIT.timeout;
    }
    throw error;
  } finally {
    unsubscribe?.();
    stopWatching.abort();
  }
}

/** Prints an error (JSON line with `--json`). */
export function reportError(io: CliIo, json: boolean, error: VmshiftError): void {
  if (json) io.stdout.write(`${JSON.stringify({ event: "error", error: error.toJSON() })}\n`);
  else io.stderr.write(`${error.message}\n`);
}
