/**
 * The only file that does I/O: spawning `virsh`. Everything else talks to a {@link VirshRunner},
 * so tests inject a fake one that replays recorded outputs.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INPUT_FILE } from "./argv.ts";

/** What one virsh invocation printed and how it ended. */
export interface VirshResult {
  /** Exit code; `null` when killed by a signal. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one invocation. */
export interface RunOptions {
  /** Content for the argv's {@link INPUT_FILE} placeholder (written to a private 0600 temp file, removed after). */
  readonly input?: string;
  /** Kill virsh after this long, ms. Default 60 000. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A long-running virsh (e.g. `migrate`): started now, observed later. */
export interface VirshProcess {
  /** OS process id, when known. */
  readonly pid: number | undefined;
  /** Settles when the process exits (never rejects: spawn errors become code `null` with stderr). */
  readonly done: Promise<VirshResult>;
}

/** Runs virsh with an argument vector (never a shell). */
export interface VirshRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<VirshResult>;
  start(argv: readonly string[]): VirshProcess;
}

/** Options of {@link spawnVirshRunner}. */
export interface SpawnRunnerOptions {
  /** The virsh binary. Default `virsh` (from PATH). */
  readonly binary?: string;
  /** Extra environment; `LC_ALL=C` is always set so messages are in English. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The real runner: `child_process.spawn(binary, argv, { shell: false })`. */
export function spawnVirshRunner(options: SpawnRunnerOptions = {}): VirshRunner {
  const binary = options.binary ?? "virsh";
  const env = { ...process.env, ...options.env, LC_ALL: "C" };
  const launch = (argv: readonly string[], input: string | undefined, timeoutMs: number | undefined, signal: AbortSignal | undefined, detached = false): VirshProcess => {
    const child = spawn(binary, [...argv], { shell: false, env, stdio: ["pipe", "pipe", "pipe"], detached });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    };
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      stderr += `\nvirsh killed after ${timeoutMs} ms`;
      kill();
    }, timeoutMs);
    signal?.addEventListener("abort", kill, { once: true });
    const done = new Promise<VirshResult>((resolve) => {
      child.on("error", (e) => {
        if (timer) clearTimeout(timer);
        resolve({ code: null, stdout, stderr: `${stderr}\nfailed to run ${binary}: ${e.message}` });
      });
      child.on("close", (code) => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", kill);
        resolve({ code, stdout, stderr });
      });
    });
    return { pid: child.pid, done };
  };
  return {
    async run(argv, o = {}) {
      if (!argv.includes(INPUT_FILE)) return launch(argv, undefined, o.timeoutMs ?? 60_000, o.signal).done;
      const dir = mkdtempSync(join(tmpdir(), "vmshift-virsh-"));
      try {
        const file = join(dir, "input.xml");
        writeFileSync(file, o.input ?? "", { mode: 0o600 });
        return await launch(argv.map((a) => (a === INPUT_FILE ? file : a)), undefined, o.timeoutMs ?? 60_000, o.signal).done;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    // Its own process group: a Ctrl-C meant for the application must not reach `virsh migrate`;
    // stopping to wait is not cancelling (cancel goes through domjobabort).
    start: (argv) => launch(argv, undefined, undefined, undefined, true),
  };
}

/** Wraps a runner and counts invocations (for "no request sent" checks). */
export function countingRunner(inner: VirshRunner): VirshRunner & { readonly count: () => number } {
  let n = 0;
  return {
    run: (argv, o) => (n++, inner.run(argv, o)),
    start: (argv) => (n++, inner.start(argv)),
    count: () => n,
  };
}
