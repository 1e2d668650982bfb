/** Where a VM goes is always said: `--to <host>` or `--any-host` (the platform's scheduler chooses); an empty value is never "any". */
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "../../../test-support/run-cli.ts";

const FAST = ["--profile", "simulator-fast"];

describe("--to and --any-host", () => {
  it("--to '' is a usage error pointing at --any-host, and starts nothing", async () => {
    for (const command of ["migrate", "plan"]) {
      const { code, stdout, stderr } = await runCli([command, "web-01", "--to", "", ...FAST]);
      expect(code, command).toBe(EXIT.usage);
      expect(stderr).toMatch(/--to needs a value \(it was empty\); to let the platform choose the host, use --any-host/);
      expect(stderr + stdout).not.toMatch(/started|preflight/);
    }
  });

  it("neither --to nor --any-host is a usage error naming both", async () => {
    for (const command of ["migrate", "plan"]) {
      const { code, stderr } = await runCli([command, "web-01", ...FAST]);
      expect(code, command).toBe(EXIT.usage);
      expect(stderr).toMatch(/say where web-01 goes: --to <host>, or --any-host to let the platform choose/);
    }
  });

  it("--to with --any-host is a usage error", async () => {
    const { code, stderr } = await runCli(["migrate", "web-01", "--to", "host-2", "--any-host", ...FAST]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/--to and --any-host exclude each other/);
  });

  it("--any-host lets the platform's scheduler choose", async () => {
    const plan = await runCli(["plan", "web-01", "--any-host", ...FAST]);
    expect(plan.code, plan.stderr).toBe(EXIT.ok);
    expect(plan.stdout).toMatch(/scheduler picks the target/);
    const { code, stdout, stderr } = await runCli(["migrate", "web-01", "--any-host", "--json", ...FAST]);
    expect(code, stderr).toBe(EXIT.ok);
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { phase: string; vmLocation: { hostId: string; side: string } };
    expect(result).toMatchObject({ phase: "completed", vmLocation: { side: "target" } });
    expect(result.vmLocation.hostId).not.toBe("host-1");
  });

  it("an empty value is a usage error for every string flag (vms --host '' does not list every VM)", async () => {
    const { code, stdout, stderr } = await runCli(["vms", "--host", ""]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/--host needs a value \(it was empty\)/);
    expect(stdout).toBe("");
  });
});
