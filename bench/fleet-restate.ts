/**
 * A 5,000-VM wave on Restate against the in-process executor, on the same plan and the same fast
 * platform (the simulator in its own process, real time). Restate: one real restate-server node
 * (from npm), two `vmshift plan worker` processes behind a round-robin TCP balancer (what a
 * Kubernetes Service does for worker pods). Figures: makespan of each against the in-process one
 * (goal ≤ 1.05×), the engine's overhead per migration (time a step holds its slots beyond the
 * platform's own migration time; journal entries, from Restate's SQL introspection), peak RSS of
 * each worker, and the same wave with one worker SIGKILLed halfway and restarted.
 *
 * `node bench/fleet-restate.ts` (about 10 minutes here); `VMS=1000 node bench/fleet-restate.ts` for a quick one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type FleetPlan, type FleetReport, executePlan } from "@vmshift/core";
import { WaveClient } from "@vmshift/restate";
import { startBalancer } from "../test-support/restate/balancer.ts";
import { type Platform, startPlatform } from "../test-support/restate/platform.ts";
import { freePort, startRestate, untilInvocable } from "../test-support/restate/restate-server.ts";
import { FAST_TIMING, type FleetSpec, evacuationInventory, evacuationPlan, platformClient, platformProblems, reportProblems } from "../test-support/restate/scenario.ts";
import { type WorkerProcess, startWorker } from "../test-support/restate/worker.ts";
import { format, machine, report } from "./lib.ts";

const VMS = Number(process.env["VMS"] ?? 5000);
const SOURCES = 25;
const FLEET: FleetSpec = { sources: SOURCES, targets: 25, vmsPerSource: Math.ceil(VMS / SOURCES), sizesGiB: [10, 12, 14], hostLimit: 16 };
const LIMITS = { perSourceHost: 2, perTargetHost: 2, maxInFlight: 50 };
/** A fast platform: 4 GB/s links; a VM of 10–14 GiB moves in about 3–4 s. */
const TIMING = { ...FAST_TIMING, progressIntervalMs: 250 };

const dir = mkdtempSync(join(tmpdir(), "vmshift-bench-restate-"));
const log = (what: string) => console.error(`[fleet-restate ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0]!.toFixed(1)}] ${what}`);
const s = (ms: number) => `${format(ms / 1000)} s`;

/** Peak RSS (VmHWM) of a process, bytes. */
function peakRss(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN; // gone
  }
}

async function platform(name: string): Promise<Platform> {
  return startPlatform({ inventory: evacuationInventory(FLEET), timing: TIMING }, dir, name);
}

/** The in-process executor on its own platform. */
async function inProcess(plan: FleetPlan): Promise<{ report: FleetReport; wallMs: number }> {
  const p = await platform("in-process");
  const client = platformClient(p);
  const t = performance.now();
  const result = await executePlan(client, plan).report();
  const wallMs = performance.now() - t;
  const problems = [...platformProblems(await p.stats(), plan), ...reportProblems(result, plan)];
  if (problems.length > 0) throw new Error(`in-process run: ${problems.slice(0, 5).join("; ")}`);
  await client.close();
  await p.close();
  return { report: result, wallMs };
}

interface WaveRunResult {
  readonly report: FleetReport;
  readonly wallMs: number;
  readonly engine: { steps: number; beforeStartMs: number; afterPlatformMs: number; polls: number };
  readonly journal: { entries: number; invocations: number };
  readonly rss: readonly number[];
  readonly handed: readonly number[];
}

/** One wave on a fresh Restate node and two fresh workers; with `killHalfway`, worker 1 is SIGKILLed at 50% and restarted 3 s later. */
async function onRestate(plan: FleetPlan, name: string, killHalfway: boolean): Promise<WaveRunResult> {
  const p = await platform(name);
  const restate = await startRestate({ dir: join(dir, `restate-${name}`), partitions: 24 });
  const config = join(dir, `workers-${name}.yaml`);
  writeFileSync(config, readFileSync(p.configFile, "utf8"), { mode: 0o600 });
  const ports = [await freePort(), await freePort()];
  const workers: WorkerProcess[] = [];
  for (const port of ports) workers.push(await startWorker({ configFile: config, port }));
  const balancer = await startBalancer(ports);
  try {
    const r = await fetch(`${restate.nodes[0]!.adminUrl}/deployments`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ uri: balancer.url }) });
    if (!r.ok) throw new Error(`registering the balancer: ${r.status} ${await r.text()}`);
    await untilInvocable(restate.nodes[0]!.ingressUrl);
    const waves = new WaveClient({ url: restate.nodes[0]!.ingressUrl });
    const t = performance.now();
    await waves.submit(name, { plan, profile: name });
    let killed = !killHalfway;
    let restarted: Promise<void> = Promise.resolve();
    for (;;) {
      const st = await waves.status(name).catch(() => undefined);
      if (st?.summary?.state === "finished") break;
      if (!killed && (st?.summary?.settled ?? 0) >= plan.migrations.length / 2) {
        killed = true;
        log(`${name}: SIGKILL worker 1 at ${st!.summary!.settled} settled`);
        await workers[0]!.kill();
        restarted = new Promise<void>((resolve) => setTimeout(resolve, 3000)).then(() => workers[0]!.start()).then(() => log(`${name}: worker 1 back`));
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    const result = await waves.result(name, 1_800_000);
    await restarted;
    const wallMs = performance.now() - t;
    const status = await waves.status(name, result.outcomes.length);
    const problems = [...platformProblems(await p.stats(), plan), ...reportProblems(result, plan)];
    if (problems.length > 0) throw new Error(`${name}: ${problems.slice(0, 5).join("; ")}`);
    const query = async (sql: string) => {
      const q = await fetch(`${restate.nodes[0]!.adminUrl}/query`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ query: sql }) });
      return ((await q.json()) as { rows: Record<string, number>[] }).rows;
    };
    // The wave's own work: queries (status, held, plan — the bench's polling, the warm-up) are left out.
    const ownWork = "i.target_handler_name NOT IN ('status', 'held', 'plan')";
    const entries = Number((await query(`SELECT count(*) AS n FROM sys_journal j JOIN sys_invocation i ON j.id = i.id WHERE ${ownWork}`))[0]!["n"]);
    const invocations = Number((await query(`SELECT count(*) AS n FROM sys_invocation i WHERE ${ownWork}`))[0]!["n"]);
    return { report: result, wallMs, engine: status.summary!.engine, journal: { entries, invocations }, rss: workers.map((w) => peakRss(w.pid)), handed: [...balancer.handed] };
  } finally {
    await balancer.close();
    await Promise.all(workers.map((w) => w.kill()));
    await restate.kill();
    await p.close();
  }
}

const m = machine();
log(`planning ${VMS} VMs`);
const plannerPlatform = await platform("planner");
const plan = await evacuationPlan(plannerPlatform, FLEET, LIMITS);
await plannerPlatform.close();
log(`in-process run (${plan.migrations.length} migrations, ${LIMITS.maxInFlight} in flight)`);
const base = await inProcess(plan);
log(`in-process: ${s(base.report.makespanMs)}`);
const wave = await onRestate(plan, "wave", false);
log(`restate: ${s(wave.report.makespanMs)}`);
const killed = await onRestate(plan, "killed", true);
log(`restate with a worker killed: ${s(killed.report.makespanMs)}`);
rmSync(dir, { recursive: true, force: true });

const n = plan.migrations.length;
const ratio = wave.report.makespanMs / base.report.makespanMs;
const killedRatio = killed.report.makespanMs / base.report.makespanMs;
const perStepMs = (wave.engine.beforeStartMs + wave.engine.afterPlatformMs) / wave.engine.steps;
const impliedMs = ((wave.report.makespanMs - base.report.makespanMs) * LIMITS.maxInFlight) / n;
const mib = (b: number) => `${format(b / 1024 ** 2)} MiB`;

console.log(`# A ${n}-VM wave on Restate against the in-process executor

Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node} (${m.platform}); load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} at the end (the machine is shared).

Platform: the simulator served in its own process, real time, ${FLEET.sources + FLEET.targets} hosts; ${FLEET.sources} hosts of ${FLEET.vmsPerSource} VMs (10–14 GiB, some dirtying memory) are evacuated onto ${FLEET.targets} others at 4 GB/s (a migration takes about 3–4 s). Limits: ${LIMITS.perSourceHost} per source, ${LIMITS.perTargetHost} per target, ${LIMITS.maxInFlight} in flight. Restate: restate-server 1.7 (npm), one node, 24 partitions; two \`vmshift plan worker\` processes behind a round-robin TCP balancer (connections handed: ${wave.handed.join(" / ")}).

| run | makespan | vs in-process |
| --- | ---: | ---: |
| in-process executor | ${s(base.report.makespanMs)} | 1.000 |
| Restate, two workers | ${s(wave.report.makespanMs)} | ${ratio.toFixed(3)} ${ratio <= 1.05 ? "(goal ≤ 1.05 met)" : "(goal ≤ 1.05 NOT met)"} |
| Restate, worker 1 SIGKILLed at 50% and restarted 3 s later | ${s(killed.report.makespanMs)} | ${killedRatio.toFixed(3)} |

| engine figure | value |
| --- | ---: |
| time a step holds its slots beyond the platform's migration time (slots, start, detecting the end, release), mean | ${format(perStepMs)} ms |
| … of it before the start request | ${format(wave.engine.beforeStartMs / wave.engine.steps)} ms |
| … of it after the platform's end | ${format(wave.engine.afterPlatformMs / wave.engine.steps)} ms |
| extra slot time per migration implied by the makespans ((Δ makespan × in flight) / migrations) | ${format(impliedMs)} ms |
| looks at the platform per migration | ${format(wave.engine.polls / wave.engine.steps)} |
| journal entries per migration (wave, steps, slots, control; commands and notifications; queries left out) | ${format(wave.journal.entries / n)} |
| invocations per migration | ${format(wave.journal.invocations / n)} |
| peak RSS per worker | ${wave.rss.map(mib).join(" / ")} |
| peak RSS per worker, run with a kill (worker 1 after its restart) | ${killed.rss.map(mib).join(" / ")} |

Every run: each VM migrated exactly once and no host over the limits (counted by the platform), one completed outcome per VM.
`);

report("fleet-restate", [
  { metric: `${n}-VM wave makespan on Restate (2 workers)`, value: wave.report.makespanMs / 1000, unit: "s", peer: { name: "in-process executor", value: base.report.makespanMs / 1000 }, note: ratio <= 1.05 ? "within the goal ≤ 1.05×" : "over the goal ≤ 1.05×" },
  { metric: `${n}-VM wave makespan, a worker SIGKILLed halfway`, value: killed.report.makespanMs / 1000, unit: "s", peer: { name: "in-process executor", value: base.report.makespanMs / 1000 } },
  { metric: "engine time per migration (slots held beyond the platform's time)", value: perStepMs, unit: "ms" },
  { metric: "journal entries per migration", value: wave.journal.entries / n, unit: "entries" },
  { metric: "peak RSS per worker (max of 2)", value: Math.max(...wave.rss) / 1024 ** 2, unit: "MiB" },
]);
