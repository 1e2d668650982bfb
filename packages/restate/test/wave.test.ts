/**
 * Waves on a real single-node Restate (restate-server from npm) over a simulated platform in its
 * own process: the same outcomes as the in-process executor on the same plan and platform, limits
 * shared by two waves at once, and pause, resume and cancel.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FleetPlan, executePlan } from "@vmshift/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../test-support/run-cli.ts";
import { type ServedWorker, WaveClient, registerDeployment, serveWorker } from "../src/index.ts";
import { type Platform, type PlatformSpec, startPlatform } from "../../../test-support/restate/platform.ts";
import { type RestateCluster, freePort, startRestate } from "../../../test-support/restate/restate-server.ts";
import { FAST_TIMING, type FleetSpec, comparable, evacuationInventory, evacuationPlan, limitProblems, platformClient, platformProblems, reportProblems } from "../../../test-support/restate/scenario.ts";

const dir = mkdtempSync(join(tmpdir(), "vmshift-restate-wave-"));
let restate: RestateCluster;
let waves: WaveClient;
const platforms: Platform[] = [];
/** The platforms the worker reaches, by profile name. */
const byProfile: Record<string, Platform> = {};
let worker: ServedWorker | undefined;

/** A platform process, reachable by the worker as profile `name`. */
async function platform(spec: Omit<PlatformSpec, "token">, name: string): Promise<Platform> {
  const p = await startPlatform(spec, dir, name);
  platforms.push(p);
  byProfile[name] = p;
  return p;
}

beforeAll(async () => {
  restate = await startRestate({ dir: join(dir, "restate") });
  waves = new WaveClient({ url: restate.nodes[0]!.ingressUrl });
  // One worker in this process (the fault tests run workers as processes): profiles name platform processes.
  worker = await serveWorker({ port: await freePort(), logLevel: "error", client: async (profile) => platformClient(byProfile[profile]!) });
  await registerDeployment(restate.nodes[0]!.adminUrl, worker.url);
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await Promise.all(platforms.map((p) => p.close()));
  await restate?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe("a wave on Restate", () => {
  it("200 VMs: the same outcomes as the in-process executor on the same plan and platform; each VM migrated once, limits kept", async () => {
    const fleet: FleetSpec = { sources: 4, targets: 6, vmsPerSource: 50 };
    const inventory = evacuationInventory(fleet);
    // Not every move succeeds: a transfer that fails halfway, one that never converges, a stopped VM and one that can only move cold.
    const vms = inventory.vms.map((v) => {
      if (v.id === "vm-00011") return { ...v, powerState: "stopped" as const };
      if (v.id === "vm-00012") return { ...v, liveMigratable: false };
      if (v.id === "vm-00013") return { ...v, workingSetBytes: v.memoryBytes }; // its whole memory is dirtied faster than the link moves it
      return v;
    });
    const spec: Omit<PlatformSpec, "token"> = {
      inventory: { ...inventory, vms },
      timing: FAST_TIMING,
      faults: [
        { kind: "failAtPhase", vmId: "vm-00007", phase: "transferring" },
        { kind: "neverConverge", vmId: "vm-00013" },
      ],
    };
    const [inProcessPlatform, wavePlatform] = await Promise.all([platform(spec, "a"), platform(spec, "b")]);
    const plan: FleetPlan = await evacuationPlan(inProcessPlatform, fleet, { perSourceHost: 4, perTargetHost: 4, maxInFlight: 16 });
    expect(plan.migrations).toHaveLength(200);

    const client = platformClient(inProcessPlatform);
    const [inProcess, durable] = await Promise.all([
      executePlan(client, plan).report(),
      (async () => {
        await waves.submit("compare-200", { plan, profile: "b" });
        return waves.result("compare-200", 120_000);
      })(),
    ]);
    await client.close();

    expect(comparable(durable)).toEqual(comparable(inProcess));
    expect(durable.counts).toEqual({ completed: 198, failed: 2, cancelled: 0, skipped: 0 });
    expect(durable.outcomes.find((o) => o.vmId === "vm-00011")).toMatchObject({ status: "completed", mode: "cold", vmLocation: { side: "target", powerState: "stopped" } });
    expect(durable.outcomes.find((o) => o.vmId === "vm-00012")).toMatchObject({ status: "completed", mode: "cold", vmLocation: { side: "target", powerState: "running" } });
    for (const vmId of ["vm-00007", "vm-00013"]) expect(durable.outcomes.find((o) => o.vmId === vmId), vmId).toMatchObject({ status: "failed", vmLocation: { side: "source", powerState: "running" }, error: { code: "MIGRATION_FAILED" } });
    const stats = await wavePlatform.stats();
    expect(platformProblems(stats, plan, { expectCompleted: false })).toEqual([]);
    for (const o of durable.outcomes) expect(stats.vms[o.vmId]?.hostId, o.vmId).toBe(o.vmLocation.hostId);
    expect(reportProblems(durable, plan, { expectCompleted: false })).toEqual([]);
  }, 150_000);

  it("two waves at once share each host's limits through its slot object", async () => {
    // host-1 and host-2 are emptied by two plans at once onto the same two targets: each plan alone allows 2 into a target.
    const fleet: FleetSpec = { sources: 2, targets: 2, vmsPerSource: 12, hostLimit: 16 };
    const p = await platform({ inventory: evacuationInventory(fleet), timing: FAST_TIMING }, "shared");
    const limits = { perSourceHost: 4, perTargetHost: 2, maxInFlight: 8 };
    const client = platformClient(p);
    const { planEvacuation } = await import("@vmshift/core");
    const [one, two] = await Promise.all([planEvacuation(client, "host-1", { limits }), planEvacuation(client, "host-2", { limits })]);
    await client.close();
    await Promise.all([waves.submit("share-1", { plan: one, profile: "shared" }), waves.submit("share-2", { plan: two, profile: "shared" })]);
    const [r1, r2] = await Promise.all([waves.result("share-1", 90_000), waves.result("share-2", 90_000)]);
    expect([r1.counts.completed, r2.counts.completed]).toEqual([12, 12]);
    const stats = await p.stats();
    expect(limitProblems(stats, one.limits)).toEqual([]);
    // The limit was reached, not just respected: both waves drove a target to 2 at once.
    expect(Math.max(stats.peaks["host-3"]!.in, stats.peaks["host-4"]!.in)).toBe(2);
  }, 120_000);

  it("pause holds new starts, resume goes on; a queued VM cancelled never starts; cancel ends the rest, in-flight ones cancelled on the platform", async () => {
    const fleet: FleetSpec = { sources: 1, targets: 3, vmsPerSource: 24, sizesGiB: [8] };
    const p = await platform({ inventory: evacuationInventory(fleet), timing: { ...FAST_TIMING, bandwidthBytesPerSecond: 8e9 } }, "control");
    const plan = await evacuationPlan(p, fleet, { perSourceHost: 2, perTargetHost: 2, maxInFlight: 2 });
    const last = plan.migrations.at(-1)!.vmId;
    await waves.submit("control-1", { plan, profile: "control" });
    await waves.cancelVm("control-1", last, "not this one");
    await until(async () => (await waves.status("control-1")).summary?.settled ?? 0, (n) => n >= 3);
    await waves.pause("control-1");
    await until(async () => (await waves.status("control-1")).summary, (s) => s?.state === "paused" && s.inFlight.length === 0);
    const startedWhilePaused = Object.keys((await p.stats()).migrations).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(Object.keys((await p.stats()).migrations).length).toBe(startedWhilePaused);
    await waves.resume("control-1");
    await until(async () => Object.keys((await p.stats()).migrations).length, (n) => n >= startedWhilePaused + 2);
    await waves.cancel("control-1", "enough");
    const report = await waves.result("control-1", 60_000);
    const stats = await p.stats();
    expect(report.cancelled).toBe(true);
    expect(report.outcomes.find((o) => o.vmId === last)).toMatchObject({ status: "cancelled", reason: "not this one before it started" });
    expect(stats.migrations[last]).toBeUndefined();
    const started = new Set(Object.keys(stats.migrations));
    for (const o of report.outcomes) {
      if (!started.has(o.vmId)) expect(o, o.vmId).toMatchObject({ status: "cancelled", vmLocation: { hostId: "host-1", side: "source" } });
      else expect(["completed", "cancelled"], o.vmId).toContain(o.status);
      expect(stats.vms[o.vmId]!.hostId, o.vmId).toBe(o.vmLocation.hostId);
    }
    expect(report.counts.completed).toBeGreaterThanOrEqual(4);
    expect(started.size).toBeGreaterThanOrEqual(6);
    expect(report.counts.cancelled).toBeGreaterThanOrEqual(10);
    expect(limitProblems(stats, plan.limits)).toEqual([]);
    expect(stats.active).toBe(0);
  }, 120_000);
});

describe("the CLI on a wave", () => {
  it("plan run --engine restate streams the in-process run's events; running the file again attaches; plan status reports it", async () => {
    const fleet: FleetSpec = { sources: 2, targets: 2, vmsPerSource: 6 };
    const p = await platform({ inventory: evacuationInventory(fleet), timing: FAST_TIMING }, "cli");
    const plan = await evacuationPlan(p, fleet, { perSourceHost: 2, perTargetHost: 2 });
    const file = join(dir, "cli-plan.json");
    writeFileSync(file, `${JSON.stringify({ event: "plan", dryRun: true, plan })}\n`);
    const url = restate.nodes[0]!.ingressUrl;
    const run = await runCli(["plan", "run", file, "--engine", "restate", "--restate", url, "--config", p.configFile, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const events = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });
    expect(events[0]).toMatchObject({ event: "submitted", profile: "cli", attached: false });
    expect(events[1]).toMatchObject({ event: "started", kind: "evacuate", migrations: 12 });
    const vms = plan.migrations.map((m) => m.vmId).sort();
    expect(events.filter((e) => e.event === "migration-started").map((e) => e["vmId"]).sort()).toEqual(vms);
    expect(events.filter((e) => e.event === "migration-finished").map((e) => e["vmId"]).sort()).toEqual(vms);
    expect(events.at(-1)).toMatchObject({ event: "result", report: { counts: { completed: 12, failed: 0 }, freedHostIds: ["host-1", "host-2"] } });

    const again = await runCli(["plan", "run", file, "--engine", "restate", "--restate", url, "--config", p.configFile, "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.split("\n")[0]!)).toMatchObject({ event: "submitted", attached: true });
    expect(Object.values((await p.stats()).migrations)).toEqual(Array(12).fill(1)); // attached: nothing started twice

    const status = await runCli(["plan", "status", String(events[0]!["planId"]), "--restate", url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/: finished — evacuate on simulator, profile cli/);
    expect(status.stdout).toMatch(/12\/12 settled: 12 completed, 0 failed, 0 cancelled/);
  }, 90_000);
});

describe("a wave that cannot run", () => {
  it("a plan the worker refuses fails the wave at once, and a follower says why", async () => {
    const p = await platform({ inventory: evacuationInventory({ sources: 1, targets: 1, vmsPerSource: 2 }), timing: FAST_TIMING }, "refused");
    const plan = await evacuationPlan(p, { sources: 1, targets: 1, vmsPerSource: 2 }, {});
    const broken = { ...plan, limits: { ...plan.limits, maxInFlight: 0 } };
    await waves.submit("refused-1", { plan: broken, profile: "refused" });
    await expect(waves.follow("refused-1", broken).report()).rejects.toThrow(/maxInFlight must be an integer ≥ 1/);
    await expect(waves.result("refused-1", 10_000)).rejects.toThrow(/INVALID_ARGUMENT/);
    expect((await p.stats()).migrations).toEqual({});
  }, 60_000);
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
