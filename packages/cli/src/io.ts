/** The CLI's view of the outside world, injectable so commands run in-process in tests. */

/** Where a command reads and writes. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  /** Environment variables (profiles read credentials from here). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Asks the user a question on a terminal and resolves with the answer; undefined when there is no
   * terminal. When `options.signal` aborts (what was asked about ended first), it must stop reading
   * and reject, as `readline/promises`' `rl.question(question, options)` does. Answered or
   * withdrawn, it leaves the cursor at the start of a new line (readline does).
   */
  readonly prompt?: (question: string, options: PromptOptions) => Promise<string>;
  /** Subscribes to Ctrl-C; returns an unsubscribe function. */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** Working directory for relative paths. */
  readonly cwd: string;
}

/** Options of {@link CliIo.prompt}. */
export interface PromptOptions {
  /** Withdraws the question: the prompt stops reading and rejects. */
  readonly signal: AbortSignal;
}

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  migrationFailed: 3,
  cancelled: 4,
  partial: 5,
  timeout: 6,
  conformanceFailed: 7,
  /** The user stopped watching; the migration goes on (attach to it again). */
  detached: 8,
} as const;

/** One CLI exit code. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The parts of `process` that {@link exitWhenFlushed} uses. */
export interface ExitingProcess {
  readonly stdout: { write(text: string, callback: () => void): unknown };
  readonly stderr: { write(text: string, callback: () => void): unknown };
  exit(code: number): never;
}

/**
 * Ends the process with `code` once stdout and stderr have taken everything written to them (a
 * pipe may still be draining when the command returns). The executable's last step: the CLI must
 * not wait for what it leaves behind — timers of a migration running in this process (the
 * simulator's) that it stopped watching, sockets, a terminal still being read.
 */
export async function exitWhenFlushed(code: ExitCode, proc: ExitingProcess = process): Promise<never> {
  await Promise.all([proc.stdout, proc.stderr].map((stream) => new Promise<void>((resolve) => stream.write("", resolve))));
  return proc.exit(code);
}
