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

/**
 * What each exit code means: the one table `vmshift --help` prints and docs/cli.md shows (a test
 * keeps them equal). The line between 1 and 2: 2 is the CLI refusing what it was given (command
 * line, config file, profile) before asking a platform anything; 1 is the SDK or the platform
 * saying no, whatever the error code, or this machine lacking what the command needs.
 */
export const EXIT_MEANINGS: { readonly [K in keyof typeof EXIT]: string } = {
  ok: "the command did what it was asked: the migration completed, the plan met its goal, the preflight passed",
  error:
    "the SDK or the platform reported an error (a VmshiftError of any code — NOT_FOUND, INVALID_STATE, CONFLICT, INVALID_ARGUMENT such as a VM already on that host, TRANSPORT, …: the code is in the message and in --json output), this machine cannot run the command (CAPABILITY_UNAVAILABLE), or an unexpected error",
  usage:
    "the command line or the configuration is wrong, found before a platform was asked anything: unknown command or flag, wrong number of arguments, an empty or malformed value, neither or both of --to and --any-host, a config file named by --config or $VMSHIFT_CONFIG that does not exist, invalid YAML, an unknown profile, platform or target, a secret written inline, an unset variable",
  migrationFailed: "the migration failed (the result says where the VM is), the preflight found blocking problems, or a fleet plan left its goal unmet",
  cancelled: "the migration was cancelled (Ctrl-C then c, vmshift cancel), or a fleet plan cancelled or did not start some of its migrations",
  partial: "MIGRATION_PARTIAL: a cold migration left the VM stopped or in an unknown place; manual action is needed",
  timeout: "--timeout expired; the migration goes on unless --cancel-on-timeout cancelled it",
  conformanceFailed: "the conformance suite reported failures",
  detached: "you stopped watching (Ctrl-C then w, or Ctrl-C without a terminal): a migration on a platform goes on (vmshift attach <id>); one in this process (the simulator) ends with it",
};

/** The exit code table, one `  <code>  <name>  <meaning>` line per code, in code order. */
export function exitCodeLines(): string[] {
  const names = Object.keys(EXIT) as (keyof typeof EXIT)[];
  const width = Math.max(...names.map((n) => n.length));
  return names.map((name) => `  ${EXIT[name]}  ${name.padEnd(width)}  ${EXIT_MEANINGS[name]}`);
}

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

/**
 * Resolves on Ctrl-C (the CLI's interrupt) and on SIGTERM (a container's stop): for commands that
 * serve until told to stop. It keeps the process alive meanwhile: signal listeners do not, and a
 * served target need not hold a socket (the stand-in pwsh's world is a file).
 */
export function untilStopped(io: Pick<CliIo, "onInterrupt">): Promise<void> {
  return new Promise((resolve) => {
    const alive = setInterval(() => undefined, 1 << 30);
    const stop = () => {
      clearInterval(alive);
      unsubscribe?.();
      process.off("SIGTERM", stop);
      resolve();
    };
    const unsubscribe = io.onInterrupt?.(stop);
    process.once("SIGTERM", stop);
  });
}
