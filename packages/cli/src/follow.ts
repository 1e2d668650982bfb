/**
 * Shows a migration as it runs: an in-place progress line on a terminal, a line per change
 * otherwise, NDJSON with `--json`. Ctrl-C asks whether to cancel, stop watching or keep watching;
 * the progress display pauses while the question is open, and a migration that ends first
 * withdraws the question.
 */
import { type MigrationProgress, type MigrationResult, type MigrationTask, type VmshiftError, isVmshiftError } from "@vmshift/core";
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
  /**
   * Set when the migration runs inside this process and ends with it (the simulator): why, said
   * instead of an `attach` hint that could not work. Absent: it runs on the platform and goes on
   * after this process exits.
   */
  readonly inProcess?: string;
}

/** What happens to a migration this process stops following: the `attach` command, or that it ends here. */
export function afterLeaving(migrationId: string, inProcess: string | undefined): string {
  return inProcess ? `${inProcess}, so ${migrationId} ends with it` : `${migrationId} keeps running; follow it again with: vmshift attach ${migrationId}`;
}

/** The answer to the Ctrl-C question. */
type Choice = "cancel" | "stop" | "keep";

/** `c…` cancels, `w…` stops watching, anything else (Enter) keeps watching. */
function choice(answer: string): Choice {
  const a = answer.trim().toLowerCase();
  return a.startsWith("c") ? "cancel" : a.startsWith("w") ? "stop" : "keep";
}

/**
 * Follows `task` to its end, rendering progress; returns the exit code. Ctrl-C without a terminal
 * to ask on stops watching; on a terminal it asks (a second Ctrl-C or the end of input while the
 * question is open stops watching too).
 */
export async function follow(task: MigrationTask, io: CliIo, options: FollowOptions): Promise<ExitCode> {
  const tty = io.stdout.isTTY === true && !options.json;
  const stopWatching = new AbortController();
  /** Aborted when following ends: withdraws an open question and stops drawing. */
  const ended = new AbortController();
  let detached = false;
  let asking = false;
  let latest: MigrationProgress | undefined;
  /** A terminal progress line is drawn and not yet ended. */
  let lineOpen = false;
  let lastPhase = "";
  let lastPrint = 0;

  const show = (p: MigrationProgress) => {
    if (tty) {
      io.stdout.write(`\r\x1b[K${progressLine(p)}`);
      lineOpen = true;
    } else {
      const now = Date.now();
      if (p.phase !== lastPhase || now - lastPrint >= (options.plainIntervalMs ?? 1000)) {
        io.stdout.write(`${progressLine(p)}\n`);
        lastPrint = now;
      }
      lastPhase = p.phase;
    }
  };

  const endLine = () => {
    if (lineOpen) io.stdout.write("\n");
    lineOpen = false;
  };

  const ask = async () => {
    let answer: Choice = "stop"; // no terminal to ask on
    if (io.prompt) {
      asking = true;
      endLine(); // keeps the progress line: the prompt redraws the line it starts on
      const leave = options.inProcess ? `stop watching (w; ${afterLeaving(task.id, options.inProcess)})` : "stop watching and leave it running (w)";
      try {
        answer = choice(await io.prompt(`Cancel migration ${task.id} (c), ${leave}, or keep watching (Enter)? [c/w] `, { signal: ended.signal }));
      } catch {
        // Withdrawn (nothing left to do, below), or Ctrl-C again or end of input: stop watching.
      }
      asking = false;
    }
    if (ended.signal.aborted) return;
    if (answer === "cancel") {
      io.stderr.write(`cancelling ${task.id}…\n`);
      await task.cancel().catch((e: unknown) => io.stderr.write(`cancel failed: ${(e as Error).message}\n`));
    } else if (answer === "stop") {
      detached = true;
      stopWatching.abort();
    } else if (tty && latest) {
      show(latest);
    }
  };
  const unsubscribe = io.onInterrupt?.(() => {
    if (!asking && !ended.signal.aborted) void ask();
  });

  const render = (async () => {
    for await (const s of task.events({ signal: stopWatching.signal })) {
      if (options.json) io.stdout.write(`${JSON.stringify({ event: "progress", migrationId: s.id, vmId: s.vmId, ...s.progress })}\n`);
      else if (!ended.signal.aborted) {
        latest = s.progress;
        if (!asking) show(s.progress);
      }
    }
  })().catch(() => undefined);

  /** Stops drawing, withdraws an open question (which ends its own line) and ends the progress line. */
  const finish = async (waitForRender: boolean) => {
    ended.abort();
    if (waitForRender) await render;
    endLine();
  };

  try {
    const result = await task.wait({
      signal: stopWatching.signal,
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
      ...(options.cancelOnTimeout ? { cancelOnTimeout: true } : {}),
    });
    await finish(true);
    if (options.json) io.stdout.write(`${JSON.stringify({ event: "result", phase: result.outcome, ...result })}\n`);
    else io.stdout.write(`${describeResult(result)}\n`);
    return exitFor(result);
  } catch (error) {
    await finish(false);
    if (detached) {
      io.stderr.write(`stopped watching; ${afterLeaving(task.id, options.inProcess)}\n`);
      return EXIT.detached;
    }
    if (isVmshiftError(error) && error.code === "TIMEOUT") {
      reportError(io, options.json, error);
      if (!options.cancelOnTimeout) io.stderr.write(`${afterLeaving(task.id, options.inProcess)}\n`);
      return EXIT.timeout;
    }
    throw error;
  } finally {
    unsubscribe?.();
    ended.abort();
    stopWatching.abort();
  }
}

/** Prints an error (JSON line with `--json`). */
export function reportError(io: CliIo, json: boolean, error: VmshiftError): void {
  if (json) io.stdout.write(`${JSON.stringify({ event: "error", error: error.toJSON() })}\n`);
  else io.stderr.write(`${error.message}\n`);
}
