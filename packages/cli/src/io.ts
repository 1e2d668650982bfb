/** The CLI's view of the outside world, injectable so commands run in-process in tests. */

/** Where a command reads and writes. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  /** Environment variables (profiles read credentials from here). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asks the user a question on a terminal; undefined when there is no terminal. */
  readonly prompt?: (question: string) => Promise<string>;
  /** Subscribes to Ctrl-C; returns an unsubscribe function. */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** Working directory for relative paths. */
  readonly cwd: string;
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
