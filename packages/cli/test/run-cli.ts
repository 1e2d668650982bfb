/** Runs the CLI in-process with captured output, for tests. */
import { main } from "../src/main.ts";
import type { CliIo } from "../src/io.ts";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: string[], options: { env?: Record<string, string>; tty?: boolean; answer?: string; interruptAfterMs?: number } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  let interrupt: (() => void) | undefined;
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.tty ?? false },
    stderr: { write: (t: string) => (stderr += t) },
    // No config file: the default path under a directory that does not exist (the built-in profiles).
    env: { XDG_CONFIG_HOME: "/nonexistent/vmshift-test-xdg", ...pick(process.env, "VMSHIFT_CONFORMANCE_TARGETS"), ...options.env },
    cwd: process.cwd(),
    ...(options.answer === undefined ? {} : { prompt: async () => options.answer! }),
    onInterrupt(handler) {
      interrupt = handler;
      return () => (interrupt = undefined);
    },
  };
  if (options.interruptAfterMs !== undefined) setTimeout(() => interrupt?.(), options.interruptAfterMs);
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** `{ [name]: env[name] }` when set. */
function pick(env: NodeJS.ProcessEnv, name: string): Record<string, string> {
  const value = env[name];
  return value === undefined ? {} : { [name]: value };
}
