/**
 * Faults under a running wave, each its own test, each on a fresh three-node Restate cluster
 * (replicated log and metadata, replication 2) from npm, a worker process started as a container
 * would start it (`vmshift plan worker`), and a simulated platform in its own process that
 * outlives them all. Each asserts, on the platform's side, that every VM was migrated exactly once
 * and no host ever had more migrations at once than the plan's limits allow; and, on the wave's
 * side, that it completed with one outcome per step, every VM where the plan sent it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FleetPlan, FleetReport } from "@vmshift/core";
import { afterEach, describe, expect, it } from "vitest";
import { WaveClient } from "../src/index.ts";
import { type Platform, startPlatform } from "../../../test-support/restate/platform.ts";
import { type RestateCluster, freePort, startRestate, untilInvocable } from "../../../test-support/restate/restate-server.ts";
import { FAST_TIMING, type FleetSpec, evacuationInventory, evacuationPlan, platformProblems, reportProblems } from "../../../test-support/restate/scenario.ts";
import { type WorkerProcess, startWorker } from "../../../test-support/restate/worker.ts";

const FLEET: FleetSpec = { sources: 4, targets: 4, vmsPerSource: 15, sizesGiB: [2, 3, 4] };
const LIMITS = { perSourceHost: 3, perTargetHost: 3, maxInFlight: 12 };

interface System {
  readonly dir: string;
  readonly restate: RestateCluster;
  readonly platform: Platform;
  readonly worker: WorkerProcess;
  readonly waves: WaveClient;
  readonly plan: FleetPlan;
}

let system: System | undefined;
let t0 = Date.now();
/** Progress lines on stderr with seconds since the test began (how long each stage takes in CI). */
function mark(what: string): void {
  if (what.endsWith(": start")) t0 = Date.now();
  process.stderr.write(`[faults ${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}\n`);
}

/** A three-node cluster, a platform process, a worker process registered with node 1, and the plan. */
async function startSystem(name: string): Promise<System> {
  mark(`${name}: start`);
  const dir = mkdtempSync(join(tmpdir(), `vmshift-restate-${name}-`));
  const [restate, platform] = await Promise.all([startRestate({ dir: join(dir, "restate"), nodes: 3 }), startPlatform({ inventory: evacuationInventory(FLEET), timing: FAST_TIMING }, dir, "lab")]);
  const worker = await startWorker({ configFile: platform.configFile, port: await freePort(), register: restate.nodes[0]!.adminUrl });
  const plan = await evacuationPlan(platform, FLEET, LIMITS);
  mark(`worker invocable from every partition after ${await untilInvocable(restate.nodes[0]!.ingressUrl)} ms`);
  system = { dir, restate, platform, worker, waves: new WaveClient({ url: restate.nodes[0]!.ingressUrl }), plan };
  mark(`${name}: system up`);
  return system;
}

afterEach(async () => {
  const s = system;
  system = undefined;
  if (!s) return;
  await s.worker.kill();
  await s.platform.close();
  await s.restate.kill();
  rmSync(s.dir, { recursive: true, force: true });
});

/** Resolves once the wave has settled at least `n` steps (read through any live node). */
async function settled(s: System, planId: string, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await s.waves.status(planId).catch(() => undefined);
    if ((status?.summary?.settled ?? 0) >= n) return;
    if (Date.now() > deadline) throw new Error(`wave ${planId} did not settle ${n} steps in time:\n${s.restate.logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once the platform has a migration running (the wave is mid-flight, not between starts). */
async function migrationsInFlight(s: System): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await s.platform.stats()).active === 0) {
    if (Date.now() > deadline) throw new Error("the wave had no migration in flight for 30 s");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every check of a durable run, on both sides. */
async function expectCompleteAndExactlyOnce(s: System, report: FleetReport): Promise<void> {
  mark(`wave done in ${(report.makespanMs / 1000).toFixed(1)} s`);
  const stats = await s.platform.stats();
  expect(platformProblems(stats, s.plan)).toEqual([]);
  expect(reportProblems(report, s.plan)).toEqual([]);
  expect(report.counts).toEqual({ completed: s.plan.migrations.length, failed: 0, cancelled: 0, skipped: 0 });
}

describe("a wave survives", () => {
  it("its worker killed (SIGKILL) mid-wave and restarted", async () => {
    const s = await startSystem("worker-kill");
    expect(s.plan.migrations).toHaveLength(60);
    await s.waves.submit("worker-kill", { plan: s.plan, profile: "lab" });
    await settled(s, "worker-kill", 15);
    await migrationsInFlight(s); // a busy machine can catch the worker between two starts
    mark("15 settled, migrations in flight: fault");
    await s.worker.kill();
    const activeAtKill = (await s.platform.stats()).active;
    await new Promise((r) => setTimeout(r, 1500)); // in-flight migrations end on the platform meanwhile; nobody follows them
    expect(activeAtKill).toBeGreaterThan(0); // it was killed mid-wave: migrations were in flight
    await s.worker.start();
    const report = await s.waves.result("worker-kill", 120_000);
    await expectCompleteAndExactlyOnce(s, report);
  }, 180_000);

  it("one node of the three-node cluster killed mid-wave (the cluster goes on with two)", async () => {
    const s = await startSystem("node-kill");
    await s.waves.submit("node-kill", { plan: s.plan, profile: "lab" });
    await settled(s, "node-kill", 15);
    mark("15 settled: fault");
    await s.restate.nodes[2]!.kill();
    const report = await s.waves.result("node-kill", 150_000);
    expect(s.restate.nodes[2]!.alive).toBe(false); // it completed with a node down
    await expectCompleteAndExactlyOnce(s, report);
  }, 210_000);

  it("every process killed and the whole system restarted from disk", async () => {
    const s = await startSystem("restart-all");
    await s.waves.submit("restart-all", { plan: s.plan, profile: "lab" });
    await settled(s, "restart-all", 15);
    mark("15 settled: fault");
    await Promise.all([s.worker.kill(), s.restate.kill()]);
    expect(s.restate.nodes.every((n) => !n.alive)).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    await s.restate.start(); // same data directories, same ports
    await s.worker.start();
    const report = await s.waves.result("restart-all", 150_000);
    await expectCompleteAndExactlyOnce(s, report);
  }, 210_000);
});
