import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "../../../test-support/run-cli.ts";

describe("vmshift demo", () => {
  it("--json prints NDJSON events in real time, the last one completed", { timeout: 30_000 }, async () => {
    const { code, stdout } = await runCli(["demo", "--json"]);
    expect(code).toBe(EXIT.ok);
    const events = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.length).toBeGreaterThan(5);
    expect(events.at(-1)).toMatchObject({ event: "result", phase: "completed", vmLocation: { hostId: "host-2", side: "target" } });
    const phases = events.filter((e) => e["event"] === "progress").map((e) => e["phase"]);
    expect(phases).toContain("transferring");
    expect(phases).toContain("finalizing");
    expect(events.some((e) => typeof e["remainingBytes"] === "number" && typeof e["dirtyRateBytesPerSecond"] === "number")).toBe(true);
  });

  it("prints a human progress display and where the VM ended up", { timeout: 30_000 }, async () => {
    const { code, stdout } = await runCli(["demo"]);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/transferring\s+█*░*\s+\d+\.\d%\s+round 1/);
    expect(stdout).toMatch(/ETA /);
    expect(stdout).toMatch(/✔ completed in [\d.]+ s: web-01 is running on host-2 \(target\); downtime \d+ ms/);
  });
});

describe("vmshift commands on the simulator profile", () => {
  it("vms prints a table; --json prints one VM per line", async () => {
    const table = await runCli(["vms"]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^VM\s+STATE\s+HOST/);
    expect(table.stdout).toMatch(/web-01\s+running\s+host-1/);
    const json = await runCli(["vms", "--json", "--host", "host-2"]);
    const vms = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as { hostId: string });
    expect(vms.length).toBeGreaterThan(2);
    expect(vms.every((v) => v.hostId === "host-2")).toBe(true);
  });

  it("hosts shows maintenance", async () => {
    const { stdout } = await runCli(["hosts"]);
    expect(stdout).toMatch(/host-4\s+cluster-a\s+connected\s+yes\s+no/);
  });

  it("plan reports preflight errors with exit 3, and advice from the model", async () => {
    const bad = await runCli(["plan", "web-01", "--to", "host-4"]);
    expect(bad.code).toBe(EXIT.migrationFailed);
    expect(bad.stdout).toMatch(/maintenance/);
    const good = await runCli(["plan", "web-01", "--to", "host-2", "--dirty-rate", "2000000000", "--bandwidth", "1000000000"]);
    expect(good.code).toBe(EXIT.ok);
    expect(good.stdout).toMatch(/advice: live-post-copy/);
  });

  it("migrate --cold exits 0 and reports the target", { timeout: 30_000 }, async () => {
    const { code, stdout } = await runCli(["migrate", "batch-01", "--to", "host-1", "--cold", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toMatchObject({ phase: "completed", mode: "cold", vmLocation: { hostId: "host-1" } });
  });

  it("a migration that fails exits 3 and says where the VM is", { timeout: 60_000 }, async () => {
    const { code, stdout } = await runCli(["migrate", "cache-01", "--to", "host-1", "--max-downtime", "1", "--profile", "simulator-fast"]);
    expect(code).toBe(EXIT.migrationFailed);
    expect(stdout).toMatch(/✘ failed .*cache-01 is running on host-2 \(source\)/);
  });

  it("--timeout without --cancel-on-timeout exits 6 and leaves it running", { timeout: 30_000 }, async () => {
    const { code, stdout } = await runCli(["migrate", "db-01", "--to", "host-2", "--timeout", "300", "--json"]);
    expect(code).toBe(EXIT.timeout);
    expect(stdout).toMatch(/"code":"TIMEOUT"/);
  });

  it("Ctrl-C then 'c' cancels the migration: exit 4, VM on its source", { timeout: 30_000 }, async () => {
    const { code, stdout } = await runCli(["migrate", "db-01", "--to", "host-2"], { answer: "c", interruptAfterMs: 700 });
    expect(code).toBe(EXIT.cancelled);
    expect(stdout).toMatch(/✘ cancelled .*db-01 is running on host-1 \(source\)/);
  });

  it("Ctrl-C then 'w' stops watching: exit 8; on the simulator it says the migration ends with the process (no attach hint)", { timeout: 30_000 }, async () => {
    const { code, stderr } = await runCli(["migrate", "db-01", "--to", "host-2"], { answer: "w", interruptAfterMs: 500 });
    expect(code).toBe(EXIT.detached);
    expect(stderr).toMatch(/stopped watching; the simulator's migrations live in this process, so mig-\S+ ends with it/);
    expect(stderr).not.toMatch(/vmshift attach/);
  });

  it("usage errors exit 2 with a clear message", async () => {
    expect((await runCli(["migrate"])).code).toBe(EXIT.usage);
    expect((await runCli(["migrate", "web-01", "--nope"])).stderr).toMatch(/Unknown option '--nope'/);
    expect((await runCli(["frobnicate"])).code).toBe(EXIT.usage);
    expect((await runCli(["migrate", "web-01", "--to", "host-2", "--max-downtime", "soon"])).stderr).toMatch(/--max-downtime must be a non-negative number/);
  });

  it("NOT_FOUND exits 1 with the one-line error", async () => {
    const { code, stderr } = await runCli(["status", "mig-nope"]);
    expect(code).toBe(EXIT.error);
    expect(stderr).toMatch(/\[simulator\] migration.get mig-nope: NOT_FOUND/);
  });

  it("conformance --target simulator --format json reports 0 failed", { timeout: 60_000 }, async () => {
    const { code, stdout } = await runCli(["conformance", "--target", "simulator", "--format", "json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { summary: { failed: number; passed: number } };
    expect(report.summary.failed).toBe(0);
    expect(report.summary.passed).toBeGreaterThanOrEqual(18);
  });

  it("completion prints a bash script naming the commands", async () => {
    const { stdout } = await runCli(["completion", "bash"]);
    expect(stdout).toMatch(/complete -F _vmshift vmshift/);
    expect(stdout).toMatch(/demo vms hosts plan migrate/);
  });
});

describe("profiles", () => {
  const dir = mkdtempSync(join(tmpdir(), "vmshift-cli-"));
  it("refuses inline secrets and never prints them", async () => {
    const path = join(dir, "inline.yaml");
    writeFileSync(path, "profiles:\n  vc:\n    platform: vsphere\n    password: Hunter2-inline\n");
    const { code, stderr, stdout } = await runCli(["vms", "--profile", "vc"], { env: { VMSHIFT_CONFIG: path } });
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/password is written inline/);
    expect(stderr + stdout).not.toContain("Hunter2-inline");
  });
  it("reads credentials from environment variables; unknown platforms are a configuration error (exit 2) that does not leak them", async () => {
    const path = join(dir, "env.yaml");
    writeFileSync(path, "defaultProfile: lab\nprofiles:\n  lab:\n    platform: warpdrive\n    token: { env: LAB_TOKEN }\n");
    const { code, stderr } = await runCli(["vms"], { env: { VMSHIFT_CONFIG: path, LAB_TOKEN: "tok-SECRET-123" } });
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/unknown platform warpdrive/);
    expect(stderr).not.toContain("tok-SECRET-123");
  });
  it("names the missing environment variable", async () => {
    const path = join(dir, "missing.yaml");
    writeFileSync(path, "profiles:\n  lab:\n    platform: simulator\n    token: { env: NOT_SET_ANYWHERE }\n");
    const { stderr } = await runCli(["vms", "--profile", "lab"], { env: { VMSHIFT_CONFIG: path } });
    expect(stderr).toMatch(/environment variable NOT_SET_ANYWHERE, which is not set/);
  });
});
