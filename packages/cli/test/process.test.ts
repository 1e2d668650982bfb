/**
 * The real executable exits as soon as the command is done, even when a migration it stopped
 * following still runs in its process (the simulator's take 16–20 s): after `--timeout`, and after
 * SIGINT without a terminal. The executable ends through `exitWhenFlushed` (io.ts): its wiring
 * (src/process-main.ts) must end with `await exitWhenFlushed(code)`, not `process.exitCode = code`.
 */
import { describe, expect, it } from "vitest";
import { EXIT, type ExitingProcess, exitWhenFlushed } from "../src/io.ts";
import { runCliProcess } from "../../../test-support/run-cli.ts";

describe("the vmshift process", () => {
  it("exits promptly after --timeout (exit 6), though the simulator's migration would run on", { timeout: 60_000 }, async () => {
    const run = await runCliProcess(["migrate", "db-01", "--to", "host-2", "--timeout", "300"]);
    expect(run.code, run.stderr).toBe(EXIT.timeout);
    expect(run.stderr).toMatch(/TIMEOUT/);
    expect(run.elapsedMs).toBeLessThan(8000);
  });

  it("exits promptly after SIGINT without a terminal (exit 8), saying the migration ends with it", { timeout: 60_000 }, async () => {
    const run = await runCliProcess(["migrate", "db-01", "--to", "host-2"], { sigintWhen: /^(requested|transferring)\s/m });
    expect(run.code, run.stderr).toBe(EXIT.detached);
    expect(run.stderr).toMatch(/stopped watching; the simulator's migrations live in this process, so mig-\S+ ends with it/);
    expect(run.elapsedMs).toBeLessThan(3000);
  });
});

describe("exitWhenFlushed", () => {
  it("exits with the code only after stdout and stderr have taken what was written", async () => {
    const pending: (() => void)[] = [];
    const exited: number[] = [];
    const stream = { write: (_text: string, callback: () => void) => pending.push(callback) };
    const proc: ExitingProcess = { stdout: stream, stderr: stream, exit: ((code: number) => void exited.push(code)) as ExitingProcess["exit"] };
    const done = exitWhenFlushed(EXIT.detached, proc);
    await new Promise((resolve) => setImmediate(resolve));
    expect(exited).toEqual([]);
    for (const flush of pending.splice(0)) flush();
    await done;
    expect(exited).toEqual([EXIT.detached]);
  });
});
