/**
 * Runs the CLI for tests — the CLI's own, the conformance suite's, the labs' — in-process with
 * captured output ({@link runCli}), or as the real executable ({@link runCliProcess}). It reaches
 * the CLI by its package name (the workspace maps `@vmshift/cli` to its sources).
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { type CliIo, type PromptOptions, main } from "@vmshift/cli";
import { CLI_BIN } from "./cli-bin.ts";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  readonly env?: Record<string, string>;
  /** Whether stdout claims to be a terminal. Default false. */
  readonly tty?: boolean;
  /** Answers every question with this (a terminal is there to ask on). */
  readonly answer?: string;
  /** A terminal's prompt; `output` is what was written so far. Wins over `answer`. */
  readonly prompt?: (question: string, options: PromptOptions, output: () => Omit<CliRun, "code">) => Promise<string>;
  /** Sends Ctrl-C after this long, ms. */
  readonly interruptAfterMs?: number;
}

/** No config file: the default path under a directory that does not exist (the built-in profiles). */
const NO_CONFIG = { XDG_CONFIG_HOME: "/nonexistent/vmshift-test-xdg" };

export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  let interrupt: (() => void) | undefined;
  const output = () => ({ stdout, stderr });
  const prompt = options.prompt ?? (options.answer === undefined ? undefined : async () => options.answer!);
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.tty ?? false },
    stderr: { write: (t: string) => (stderr += t) },
    env: { ...NO_CONFIG, ...pick(process.env, "VMSHIFT_CONFORMANCE_TARGETS"), ...options.env },
    cwd: process.cwd(),
    ...(prompt === undefined ? {} : { prompt: (question: string, o: PromptOptions) => prompt(question, o, output) }),
    onInterrupt(handler) {
      interrupt = handler;
      return () => (interrupt = undefined);
    },
  };
  if (options.interruptAfterMs !== undefined) setTimeout(() => interrupt?.(), options.interruptAfterMs);
  const code = await main(argv, io);
  return { code, stdout, stderr };
}


/**
 * Runs the `vmshift` executable (`src/bin.ts`) as a child process with stdin not a terminal;
 * `sigintWhen` sends it SIGINT once its output (stdout and stderr) matches. Resolves when the process has exited, with
 * how long it lived after the SIGINT (else after it started); killed by a signal, the code is 128 + its number.
 */
export function runCliProcess(argv: string[], options: { env?: Record<string, string>; sigintWhen?: RegExp } = {}): Promise<CliRun & { readonly elapsedMs: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI_BIN, ...argv], { env: { PATH: process.env["PATH"] ?? "", ...pick(process.env, "NODE_OPTIONS"), ...NO_CONFIG, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  let sigintAt: number | undefined;
  let stdout = "";
  let stderr = "";
  const watch = () => {
    if (options.sigintWhen && sigintAt === undefined && options.sigintWhen.test(stdout + stderr)) {
      sigintAt = Date.now();
      child.kill("SIGINT");
    }
  };
  child.stdout.on("data", (d: Buffer) => ((stdout += d.toString()), watch()));
  child.stderr.on("data", (d: Buffer) => ((stderr += d.toString()), watch()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr, elapsedMs: Date.now() - (sigintAt ?? started) }));
  });
}

/** `{ [name]: env[name] }` when set. */
function pick(env: NodeJS.ProcessEnv, name: string): Record<string, string> {
  const value = env[name];
  return value === undefined ? {} : { [name]: value };
}
