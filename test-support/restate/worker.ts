/**
 * A vmshift worker in its own process, started the way a container starts it: `vmshift plan worker`
 * with a config file naming the platform's profile. SIGKILL and restart on the same port (Restate
 * keeps the registration and retries what the killed one was doing).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { CLI_BIN, workspaceNodeArgs } from "./node.ts";

/** A worker process. */
export interface WorkerProcess {
  readonly url: string;
  readonly port: number;
  readonly alive: boolean;
  /** The process id (for its peak RSS in /proc/<pid>/status). */
  readonly pid: number | undefined;
  /** SIGKILL: no shutdown, open invocations cut mid-flight. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** SIGTERM and wait (a graceful stop). */
  stop(): Promise<void>;
  /** The last lines it wrote on stderr. */
  logs(): string;
}

/** Starts `vmshift plan worker --config <file> --port <port>` (registering with `register` when given) and waits for its `ready` line. */
export async function startWorker(options: { readonly configFile: string; readonly port: number; readonly register?: string }): Promise<WorkerProcess> {
  let proc: ChildProcess | undefined;
  const tail: string[] = [];
  const args = [...workspaceNodeArgs(), CLI_BIN, "plan", "worker", "--config", options.configFile, "--port", String(options.port), ...(options.register ? ["--register", options.register] : [])];
  const alive = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  const w: WorkerProcess = {
    url: `http://127.0.0.1:${options.port}`,
    port: options.port,
    get alive() {
      return alive();
    },
    get pid() {
      return proc?.pid;
    },
    async start() {
      if (alive()) return;
      const p = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      proc = p;
      p.stderr!.on("data", (chunk: Buffer) => {
        tail.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        if (tail.length > 40) tail.splice(0, tail.length - 40);
      });
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: p.stdout! }).once("line", (line) => (line.startsWith("ready") ? resolve() : reject(new Error(`worker said: ${line}`))));
        p.once("exit", (code) => reject(new Error(`the worker exited (${code}) before it was ready:\n${tail.join("\n")}`)));
      });
    },
    async kill() {
      const p = proc;
      if (!p || !alive()) return;
      const gone = new Promise<void>((resolve) => p.once("exit", () => resolve()));
      p.kill("SIGKILL");
      await gone;
    },
    async stop() {
      const p = proc;
      if (!p || !alive()) return;
      const gone = new Promise<void>((resolve) => p.once("exit", () => resolve()));
      p.kill("SIGTERM");
      await gone;
    },
    logs: () => tail.join("\n"),
  };
  await w.start();
  return w;
}
