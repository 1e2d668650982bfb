/**
 * The only I/O of the package's own providers: running a program with an argv array (never a
 * shell). Injectable so tests can record or refuse calls.
 */
import { spawn } from "node:child_process";

/** How one run ended. */
export interface ExecResult {
  /** Exit code; `null` when killed by a signal or when the program could not be spawned. */
  readonly code: number | null;
  /** Everything written to stdout. */
  readonly stdout: string;
  /** Everything written to stderr. */
  readonly stderr: string;
}

/** Options of one run. */
export interface ExecOptions {
  /** Written to stdin. */
  readonly input?: string;
  /** Aborting kills the program. */
  readonly signal?: AbortSignal;
  /** Kill after this long, ms. Default: no limit. */
  readonly timeoutMs?: number;
  /** Called with each stdout chunk as it arrives (progress parsing). */
  readonly onStdout?: (chunk: string) => void;
  /** Variables added to the environment (e.g. `LIBGUESTFS_BACKEND` for virt-v2v). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs programs. */
export interface CommandRunner {
  /** Runs `file` with `argv` (no shell) and resolves when it ends, whatever its exit code. */
  run(file: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

/** The real runner: `spawn(file, argv, { shell: false })` with `LC_ALL=C`. */
export function spawnRunner(): CommandRunner {
  return {
    run(file, argv, options = {}) {
      return new Promise((resolve) => {
        const child = spawn(file, [...argv], { shell: false, env: { ...process.env, ...options.env, LC_ALL: "C" }, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          stdout += d;
          options.onStdout?.(d);
        });
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.stdin.on("error", () => {});
        child.stdin.end(options.input ?? "");
        const kill = () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        };
        const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
          stderr += `\n${file} killed after ${options.timeoutMs} ms`;
          kill();
        }, options.timeoutMs);
        options.signal?.addEventListener("abort", kill, { once: true });
        child.on("error", (e) => {
          if (timer) clearTimeout(timer);
          resolve({ code: null, stdout, stderr: `${stderr}\nfailed to run ${file}: ${e.message}` });
        });
        child.on("close", (code) => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener("abort", kill);
          resolve({ code, stdout, stderr });
        });
      });
    },
  };
}
