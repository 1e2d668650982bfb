/**
 * Ctrl-C while following a migration (in-process, on the real-time simulator): the question stays
 * visible, progress pauses while it is open, a migration that ends first withdraws it, and leaving a
 * migration says truthfully whether it goes on (`attach`) or ends with this process (the simulator).
 */
import { VmshiftClient, systemClock } from "@vmshift/core";
import { SimulatorWorld, createSimulatorAdapter } from "@vmshift/simulator";
import { describe, expect, it } from "vitest";
import { follow } from "../src/follow.ts";
import { EXIT, type CliIo } from "../src/io.ts";
import { inProcessReason, loadProfile } from "../src/profiles.ts";
import { runCli } from "../../../test-support/run-cli.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The simulator's in-process note, as `migrate` prints it. */
const ENDS_HERE = /the simulator's migrations live in this process, so mig-\S+ ends with it/;

describe("Ctrl-C on a terminal", () => {
  it("pauses the progress redraws while the question is open and resumes them after the answer (Enter keeps watching)", { timeout: 30_000 }, async () => {
    let atAsk = -1;
    let atAnswer = -1;
    let question = "";
    const run = await runCli(["migrate", "web-01", "--to", "host-2"], {
      tty: true,
      interruptAfterMs: 800,
      prompt: async (q, _options, output) => {
        question = q;
        atAsk = output().stdout.length;
        await sleep(1000);
        atAnswer = output().stdout.length;
        return "";
      },
    });
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(question).toMatch(/Cancel migration mig-\S+ \(c\), stop watching .*\(w.*\), or keep watching \(Enter\)\? \[c\/w\] $/);
    expect(atAsk).toBeGreaterThan(0);
    expect(atAnswer, "nothing is drawn over the question").toBe(atAsk);
    expect(run.stdout.slice(atAnswer)).toMatch(/\r\x1b\[K(transferring|finalizing)\s/);
    expect(run.stdout).toMatch(/✔ completed .*web-01 is running on host-2/);
  });

  it("a migration that ends while the question is open withdraws it (the prompt's signal aborts) and the command returns", { timeout: 30_000 }, async () => {
    let asked = false;
    let withdrawn = false;
    const run = await runCli(["migrate", "web-01", "--to", "host-2"], {
      tty: true,
      interruptAfterMs: 500,
      prompt: (_q, options) =>
        new Promise<string>((_resolve, reject) => {
          asked = true;
          options?.signal?.addEventListener("abort", () => {
            withdrawn = true;
            reject(new DOMException("withdrawn", "AbortError"));
          });
        }),
    });
    expect(asked).toBe(true);
    expect(withdrawn).toBe(true);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/✔ completed .*web-01 is running on host-2/);
  });

  it("a second Ctrl-C (or end of input) while the question is open stops watching", { timeout: 30_000 }, async () => {
    const started = Date.now();
    const run = await runCli(["migrate", "db-01", "--to", "host-2"], { tty: true, interruptAfterMs: 300, prompt: () => Promise.reject(new Error("readline was closed")) });
    expect(run.code).toBe(EXIT.detached);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("leaving a migration: attach, or it ends with this process", () => {
  it("--timeout on the simulator says the migration ends with the process instead of an attach hint, and returns at once", { timeout: 30_000 }, async () => {
    const started = Date.now();
    const run = await runCli(["migrate", "db-01", "--to", "host-2", "--timeout", "300"]);
    expect(run.code).toBe(EXIT.timeout);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(run.stderr).toMatch(ENDS_HERE);
    expect(run.stderr).not.toMatch(/vmshift attach/);
  });

  it("Ctrl-C without a terminal stops watching at once; on the simulator it says the migration ends with the process", { timeout: 30_000 }, async () => {
    const started = Date.now();
    const run = await runCli(["migrate", "db-01", "--to", "host-2"], { interruptAfterMs: 300 });
    expect(run.code).toBe(EXIT.detached);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(run.stderr).toMatch(/started \(the simulator's migrations live in this process, so it ends with this command\)/);
    expect(run.stderr).toMatch(new RegExp(`stopped watching; ${ENDS_HERE.source}`));
    expect(run.stderr).not.toMatch(/vmshift attach/);
  });

  it("a migration that outlives the process gets the attach hint when the wait times out", { timeout: 30_000 }, async () => {
    const client = new VmshiftClient(createSimulatorAdapter(new SimulatorWorld({ clock: systemClock })));
    const task = await client.startMigration({ vmId: "db-01", targetHostId: "host-2" });
    let stderr = "";
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: {}, cwd: process.cwd() };
    expect(await follow(task, io, { json: false, maxWaitMs: 200 })).toBe(EXIT.timeout);
    expect(stderr).toContain(`${task.id} keeps running; follow it again with: vmshift attach ${task.id}`);
    await task.cancel();
  });

  it("knows which platforms run migrations in this process: the simulator and conformance targets, not the real platforms", () => {
    const env = { XDG_CONFIG_HOME: "/nonexistent/vmshift-test-xdg" };
    expect(inProcessReason(loadProfile("simulator", env, "/"))).toBe("the simulator's migrations live in this process");
    expect(inProcessReason(loadProfile("target:kubevirt-env", env, "/"))).toMatch(/kubevirt-env runs in this process/);
    for (const platform of ["kubevirt", "vsphere", "nutanix", "hyperv", "libvirt"]) {
      expect(inProcessReason({ name: "p", platform, settings: {}, secrets: [] }), platform).toBeUndefined();
    }
  });
});
