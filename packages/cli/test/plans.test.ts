/**
 * `vmshift plan run|status|pause|resume|stop|cancel|worker` beside `vmshift plan <vm>`: which is
 * which, what each refuses before anything runs, and a plan file run in this process. The Restate
 * engine end to end (workers, waves, faults) is tested in packages/restate/test.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readPlan } from "../src/commands/plans.ts";
import { runCli } from "../../../test-support/run-cli.ts";

const scratch = mkdtempSync(join(tmpdir(), "vmshift-plans-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function dryRunPlan(): Promise<{ line: string; file: string }> {
  const dry = await runCli(["evacuate", "host-1", "--dry-run", "--json", "--profile", "simulator-fast"]);
  const line = dry.stdout.split("\n").find((l) => l.startsWith('{"event":"plan"'))!;
  const file = join(scratch, "plan.json");
  writeFileSync(file, `${line}\n`);
  return { line, file };
}

describe("vmshift plan: one VM's preflight and the fleet-plan subcommands", () => {
  it("runs a plan file written by a dry run in this process (the default engine) and reports like evacuate", async () => {
    const { file } = await dryRunPlan();
    const r = await runCli(["plan", "run", file, "--profile", "simulator-fast"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/evacuate host-1: \d+ VM\(s\) to move/);
    expect(r.stdout).toMatch(/✔ \d+ completed, 0 failed, 0 cancelled/);
    expect(r.code).toBe(0);
  });

  it("a subcommand word with --to or --any-host is a VM's name (the preflight of a VM called run)", async () => {
    const r = await runCli(["plan", "run", "--to", "host-2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NOT_FOUND.*run|run.*NOT_FOUND/);
  });

  it("refuses what does not belong, before running anything (exit 2)", async () => {
    const { file } = await dryRunPlan();
    const cases: [string[], RegExp][] = [
      [["plan", "run"], /usage: vmshift plan run/],
      [["plan", "run", file, "--engine", "cloud"], /--engine is in-process or restate/],
      [["plan", "run", file, "--detach"], /--detach needs --engine restate/],
      [["plan", "run", file, "--engine", "restate"], /where is Restate\? --restate/],
      [["plan", "status", "w1"], /where is Restate/],
      [["plan", "status"], /usage: vmshift plan status <plan-id>/],
      [["plan", "pause", "w1", "--vm", "x", "--restate", "http://127.0.0.1:9"], /plan pause does not take --vm/],
      [["plan", "web-01", "--to", "host-2", "--engine", "restate"], /--engine belongs to the plan subcommands/],
      [["plan", "cancel", "w1", "--cold", "--restate", "http://127.0.0.1:9"], /--cold belongs to plan <vm>/],
      [["plan", "worker", "extra"], /usage: vmshift plan worker/],
      [["plan", "run", join(scratch, "missing.json")], /cannot read .*missing\.json: ENOENT/],
    ];
    for (const [argv, message] of cases) {
      const r = await runCli(argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.stderr, argv.join(" ")).toMatch(message);
    }
  });

  it("submitting to Restate names the profile without reading its secrets (the workers hold them)", async () => {
    const { file } = await dryRunPlan();
    const config = join(scratch, "lab.yaml");
    writeFileSync(config, "defaultProfile: lab\nprofiles:\n  lab:\n    platform: vsphere\n    url: https://vc.example/sdk\n    username: u\n    password: { env: VMSHIFT_TEST_UNSET_PASSWORD }\n");
    const r = await runCli(["plan", "run", file, "--engine", "restate", "--restate", "http://127.0.0.1:9", "--config", config]);
    expect(r.stderr).not.toMatch(/VMSHIFT_TEST_UNSET_PASSWORD/);
    expect(r.stderr).toMatch(/TRANSPORT: Restate at http:\/\/127\.0\.0\.1:9 did not answer/);
    expect(r.code).toBe(1);
  });

  it("a wave subcommand reports an unreachable Restate as an error of the platform kind (exit 1)", async () => {
    const r = await runCli(["plan", "pause", "w1", "--restate", "http://127.0.0.1:9"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TRANSPORT: Restate at http:\/\/127\.0\.0\.1:9 did not answer/);
  });
});

describe("readPlan", () => {
  it("takes a plan, the dry run's plan line, or the first plan line of NDJSON", async () => {
    const { line } = await dryRunPlan();
    const plan = (JSON.parse(line) as { plan: { kind: string; migrations: unknown[] } }).plan;
    expect(readPlan(line, "f").migrations).toEqual(plan.migrations);
    expect(readPlan(JSON.stringify(plan, null, 2), "f").kind).toBe("evacuate");
    expect(readPlan(`{"event":"started"}\n${line}\n{"event":"result"}\n`, "f").migrations).toHaveLength(plan.migrations.length);
  });

  it("refuses anything else, and a malformed plan, naming the file", () => {
    expect(() => readPlan("{}", "a.json")).toThrow(/a\.json: not a fleet plan/);
    expect(() => readPlan("not json", "a.json")).toThrow(/not a fleet plan/);
    expect(() => readPlan(JSON.stringify({ migrations: [], skipped: [], limits: { perHost: {}, maxInFlight: 0 } }), "b.json")).toThrow(/b\.json: .*plan limits\.maxInFlight must be an integer ≥ 1/);
  });
});
