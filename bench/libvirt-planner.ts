/**
 * The planner against reality: real live migrations in the libvirt lab (two libvirtd on this
 * machine, QEMU 10.0.2, TCG, loopback) at several guest sizes, working sets, dirty rates,
 * bandwidth caps and downtime limits, each compared with `modelPrecopy`'s prediction of total
 * time, downtime and convergence, and with QEMU's own trace of its switch-over decision.
 *
 * Every case runs `VMSHIFT_BENCH_REPEATS` times (default 3; the guest migrates back and forth,
 * with a short settle between runs) and the medians are compared, because downtime under TCG on
 * two shared cores jitters by several ms; the spread (min–max) is printed next to each median.
 * A case that does not converge is not repeated (each attempt costs the full deadline).
 *
 * Four cases calibrate the environment (`libvirt-planner-calibration.ts`): idle guests of two
 * sizes, and two dirtying guests whose pauses copy small and large re-sent remainders.
 * The others are predicted with those figures and count in the tally. Measured figures are
 * libvirt's job statistics on the destination (`time_elapsed`, `downtime`); QEMU's switch-over
 * (its syncs and the bytes pending when it paused) comes from trace events the guest runs with.
 * Every case has a bandwidth cap: uncapped, the model would need the rate QEMU reaches as an input.
 * `node --expose-gc bench/libvirt-planner.ts` (needs the lab: `.ci/setup.d/40-libvirt.sh`) writes
 * the raw runs to `bench/results/libvirt-planner-runs.json`; `--from <that file>` recomputes the
 * calibration and the table from them without the lab.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type VmshiftClient, createClient } from "@vmshift/core";
import { createLibvirtAdapter } from "@vmshift/libvirt";
import { type LabHost, type Workload, acquireLab, bootGuest, labAvailability, removeDomain, startDaemons, virsh } from "../adapters-conformance/libvirt-lab/lab.ts";
import { SWITCHOVER_TRACE_EVENTS, type SwitchoverTrace, qemuLogOffset, readSwitchover } from "../adapters-conformance/libvirt-lab/qemu-trace.ts";
import { labHosts } from "../adapters-conformance/targets/libvirt-local.ts";
import { type BenchRow, machine, report } from "./lib.ts";
import { type CaseShape, type Observed, type PerRam, atRam, calibrate, predict } from "./libvirt-planner-calibration.ts";

const MIB = 1024 ** 2;
const NAME = "vmshift-lab-bench";

type Role = "idle-capped" | "idle-larger" | "resend-small" | "resend-large";
interface Scenario {
  readonly capMiBps: number;
  /** QEMU's downtime limit, ms (default 300, QEMU's and libvirt's default). */
  readonly limitMs?: number;
  /** Set on the cases calibration reads; they do not count in the tally. */
  readonly role?: Role;
}
interface Guest {
  readonly label: string;
  readonly memoryMiB: number;
  readonly workload: Workload;
  readonly scenarios: readonly Scenario[];
}

const GUESTS: readonly Guest[] = [
  { label: "idle", memoryMiB: 128, workload: { fillMiB: 32, dirtyMiB: 32, rateMiBps: -1 }, scenarios: [{ capMiBps: 32, role: "idle-capped" }, { capMiBps: 64 }] },
  { label: "dirty 10 MiB/s", memoryMiB: 128, workload: { fillMiB: 32, dirtyMiB: 32, rateMiBps: 10 }, scenarios: [{ capMiBps: 32, role: "resend-small" }, { capMiBps: 64 }] },
  { label: "dirty 30 MiB/s", memoryMiB: 128, workload: { fillMiB: 32, dirtyMiB: 32, rateMiBps: 30 }, scenarios: [{ capMiBps: 64 }, { capMiBps: 16 }] },
  { label: "dirty 10 MiB/s, 128 MiB filled", memoryMiB: 256, workload: { fillMiB: 128, dirtyMiB: 32, rateMiBps: 10 }, scenarios: [{ capMiBps: 64 }] },
  { label: "idle, 96 MiB populated", memoryMiB: 256, workload: { fillMiB: 0, dirtyMiB: 96, rateMiBps: -1 }, scenarios: [{ capMiBps: 32, role: "idle-larger" }] },
  { label: "dirty 10 MiB/s over 96 MiB", memoryMiB: 256, workload: { fillMiB: 0, dirtyMiB: 96, rateMiBps: 10 }, scenarios: [{ capMiBps: 32, limitMs: 1000, role: "resend-large" }, { capMiBps: 32 }] },
  { label: "dirty 20 MiB/s over 96 MiB", memoryMiB: 256, workload: { fillMiB: 0, dirtyMiB: 96, rateMiBps: 20 }, scenarios: [{ capMiBps: 32, limitMs: 1000 }] },
];
/** A migration still running after this long counts as not converging (then cancelled). */
const DEADLINE_MS = 25_000;
/** Pause between runs, so the previous QEMU's teardown does not share the cores with the next pause. */
const SETTLE_MS = 1500;
const REPEATS = Math.max(1, Number(process.env.VMSHIFT_BENCH_REPEATS ?? 3) || 3);

interface Measured {
  readonly completed: boolean;
  readonly totalMs?: number;
  readonly downtimeMs?: number;
  readonly normalBytes?: number;
  readonly iterations?: number;
  readonly trace?: SwitchoverTrace;
}

async function migrate(client: VmshiftClient, vmId: string, from: LabHost, to: LabHost, s: Scenario): Promise<Measured> {
  const offset = qemuLogOffset(from, NAME);
  const task = await client.startMigration({ vmId, targetHostId: to, bandwidthBytesPerSecond: s.capMiBps * MIB, ...(s.limitMs === undefined ? {} : { maxDowntimeMs: s.limitMs }) });
  const result = await task.wait({ maxWaitMs: DEADLINE_MS, cancelOnTimeout: true }).catch(() => undefined);
  if (!result || result.outcome !== "completed") {
    const last = task.snapshot().progress;
    return { completed: false, ...(last.iteration === undefined ? {} : { iterations: last.iteration }) };
  }
  const stats = await virsh(to, ["domjobinfo", "--domain", NAME, "--completed", "--keep-completed", "--rawstats"]);
  const num = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, "m").exec(stats.stdout)?.[1] ?? Number.NaN);
  const trace = readSwitchover(from, NAME, offset);
  return { completed: true, totalMs: num("time_elapsed"), downtimeMs: num("downtime"), normalBytes: num("memory_normal_bytes"), iterations: num("memory_iteration"), ...(trace ? { trace } : {}) };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Run {
  readonly guest: Guest;
  readonly scenario: Scenario;
  readonly shape: CaseShape;
  readonly runs: readonly Measured[];
}
const nameOf = (r: Run) => `${r.guest.label}, ${r.guest.memoryMiB} MiB guest, cap ${r.scenario.capMiBps} MiB/s${r.scenario.limitMs ? `, limit ${r.scenario.limitMs} ms` : ""}${r.scenario.role ? " (calibration)" : ""}`;

/** Runs every case in the lab. */
async function measureAll(): Promise<{ runs: Run[]; wallS: number }> {
  const availability = await labAvailability();
  if (!availability.ok) {
    console.error(`libvirt-planner: skipped: ${availability.reason}`);
    process.exit(0);
  }
  const release = await acquireLab("bench/libvirt-planner.ts");
  await startDaemons();
  const client = createClient(createLibvirtAdapter({ hosts: labHosts() }));
  const runs: Run[] = [];
  const started = Date.now();
  for (const guest of GUESTS) {
    const vmId = await bootGuest(NAME, "a", guest.memoryMiB, guest.workload, { traceEvents: SWITCHOVER_TRACE_EVENTS });
    let here: LabHost = "a";
    for (const scenario of guest.scenarios) {
      const measured: Measured[] = [];
      for (let i = 0; i < REPEATS; i++) {
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const to: LabHost = here === "a" ? "b" : "a";
        const m = await migrate(client, vmId, here, to, scenario);
        measured.push(m);
        if (!m.completed) break;
        here = to;
      }
      const shape: CaseShape = {
        ramBytes: guest.memoryMiB * MIB,
        populatedBytes: (guest.workload.fillMiB + guest.workload.dirtyMiB) * MIB,
        workingSetBytes: guest.workload.dirtyMiB * MIB,
        dirtyRateBytesPerSecond: Math.max(0, guest.workload.rateMiBps) * MIB,
        capBytesPerSecond: scenario.capMiBps * MIB,
        maxDowntimeMs: scenario.limitMs ?? 300,
      };
      const run: Run = { guest, scenario, shape, runs: measured };
      runs.push(run);
      const ok = measured.filter((m) => m.completed);
      console.error(`libvirt-planner: ${nameOf(run)}: ${ok.length}/${measured.length} completed; totals ${ok.map((m) => m.totalMs).join("/")} ms, downtimes ${ok.map((m) => m.downtimeMs).join("/")} ms`);
    }
    await removeDomain(NAME);
  }
  await client.close();
  release();
  return { runs, wallS: Math.round((Date.now() - started) / 1000) };
}

// 1. Measure everything (or read an earlier run's measurements).
const fromIndex = process.argv.indexOf("--from");
const rawFile = join(dirname(fileURLToPath(import.meta.url)), "results", "libvirt-planner-runs.json");
let runs: Run[];
let wallS: number;
if (fromIndex > 0) {
  const saved = JSON.parse(readFileSync(process.argv[fromIndex + 1] ?? rawFile, "utf8")) as { runs: Run[]; wallS: number };
  ({ runs, wallS } = saved);
} else {
  ({ runs, wallS } = await measureAll());
  mkdirSync(dirname(rawFile), { recursive: true });
  writeFileSync(rawFile, `${JSON.stringify({ measuredAt: new Date().toISOString(), machine: machine(), runs, wallS }, null, 1)}\n`);
}

// 2. Calibrate from the four calibration cases.
const done = (r: Run) => r.runs.filter((m) => m.completed);
const observed = (r: Run): Observed => ({ totalMs: median(done(r).map((m) => m.totalMs!)), downtimeMs: median(done(r).map((m) => m.downtimeMs!)), normalBytes: median(done(r).map((m) => m.normalBytes!)) });
const byRole = (role: Role) => {
  const r = runs.find((x) => x.scenario.role === role);
  if (!r || done(r).length !== r.runs.length) throw new Error(`libvirt-planner: the calibration case "${role}" did not complete every run`);
  return { shape: r.shape, observed: observed(r) };
};
const cal = calibrate({ idleCapped: byRole("idle-capped"), idleLarger: byRole("idle-larger"), resend: [byRole("resend-small"), byRole("resend-large")] });

// 3. Predict and compare.
const rows: BenchRow[] = [];
const table: string[] = [];
const pct = (p: number, v: number) => (Number.isFinite(v) && v !== 0 ? `${p >= v ? "+" : "−"}${Math.abs(((p - v) / v) * 100).toFixed(0)} %` : "–");
const range = (xs: readonly number[]) => (xs.length > 1 ? ` (${Math.min(...xs)}–${Math.max(...xs)})` : "");
const within = (p: number, v: number) => Math.abs(p - v) <= 0.15 * v;
const tally = { total: [0, 0], downtime: [0, 0], inRange: [0, 0], convergence: [0, 0], remainder: [0, 0] };
for (const r of runs) {
  const ok = done(r);
  const plan = predict(r.shape, cal);
  const rounds = predict(r.shape, cal, false);
  const name = nameOf(r);
  const counted = r.scenario.role === undefined;
  const n = `${ok.length}/${r.runs.length}`;
  if (ok.length === r.runs.length) {
    const totals = ok.map((m) => m.totalMs!);
    const downs = ok.map((m) => m.downtimeMs!);
    const traced = ok.flatMap((m) => (m.trace ? [m.trace] : []));
    const mt = median(totals);
    const md = median(downs);
    const remainder = traced.length ? median(traced.map((t) => t.remainderBytes)) : Number.NaN;
    const syncs = traced.length ? median(traced.map((t) => t.syncs)) : Number.NaN;
    if (counted) {
      tally.convergence[1]!++;
      if (plan.converges) tally.convergence[0]!++;
      tally.total[1]!++;
      tally.downtime[1]!++;
      if (plan.converges && within(plan.totalTimeMs, mt)) tally.total[0]!++;
      if (plan.converges && within(plan.downtimeMs, md)) tally.downtime[0]!++;
      tally.inRange[1]!++;
      if (plan.downtimeRangeMs && md >= plan.downtimeRangeMs[0] * 0.85 && md <= plan.downtimeRangeMs[1] * 1.15) tally.inRange[0]!++;
      if (Number.isFinite(remainder)) {
        tally.remainder[1]!++;
        if (within(plan.finalBytes, remainder)) tally.remainder[0]!++;
      }
    }
    rows.push({ metric: `${name}: total time (median of ${ok.length})`, value: mt, unit: "ms", peer: { name: "planner", value: plan.totalTimeMs }, note: `runs ${totals.join("/")}; ${syncs} syncs (planner ${plan.rounds})` });
    rows.push({ metric: `${name}: downtime (median of ${ok.length})`, value: md, unit: "ms", peer: { name: "planner", value: plan.downtimeMs }, note: `runs ${downs.join("/")}; round model ${Math.round(rounds.downtimeMs)} ms` });
    if (Number.isFinite(remainder)) rows.push({ metric: `${name}: bytes pending at the switch-over (QEMU trace, median)`, value: remainder / MIB, unit: "MiB", peer: { name: "planner", value: plan.finalBytes / MIB } });
    const mib = (b: number) => (b / MIB).toFixed(1);
    const span = plan.downtimeRangeMs ? ` (${Math.round(plan.downtimeRangeMs[0])}–${Math.round(plan.downtimeRangeMs[1])})` : "";
    table.push(
      `| ${name} | ${n} | ${mt} ms${range(totals)} | ${plan.converges ? `${Math.round(plan.totalTimeMs)} ms` : "does not converge"} | ${plan.converges ? pct(plan.totalTimeMs, mt) : "wrong"} | ${md} ms${range(downs)} | ${plan.converges ? `${Math.round(plan.downtimeMs)} ms${span}` : "–"} | ${plan.converges ? pct(plan.downtimeMs, md) : "wrong"} | ${Number.isFinite(remainder) ? `${mib(remainder)} / ${mib(plan.finalBytes)}${plan.finalNewBytes > 0 ? ` (${mib(plan.finalNewBytes)} new)` : ""}` : "–"} | ${syncs} / ${plan.rounds} | ${rounds.converges ? `${Math.round(rounds.downtimeMs)} ms (${pct(rounds.downtimeMs, md)})` : "–"} |`,
    );
  } else if (ok.length === 0) {
    const it = r.runs.map((m) => m.iterations ?? "?").join("/");
    if (counted) {
      tally.convergence[1]!++;
      if (!plan.converges) tally.convergence[0]!++;
    }
    rows.push({ metric: `${name}: converged`, value: 0, unit: "(0 = no)", peer: { name: "planner", value: plan.converges ? 1 : 0 }, note: `still running after ${DEADLINE_MS} ms (${it} dirty syncs), cancelled` });
    table.push(`| ${name} | ${n} | did not converge (cancelled at ${DEADLINE_MS / 1000} s) | ${plan.converges ? `${Math.round(plan.totalTimeMs)} ms` : "does not converge"} | ${plan.converges ? "wrong" : "agrees"} | – | – | – | – | ${it} (libvirt) / ${plan.rounds} | – |`);
  } else {
    if (counted) tally.convergence[1]!++;
    rows.push({ metric: `${name}: converged`, value: ok.length / r.runs.length, unit: "(fraction)", peer: { name: "planner", value: plan.converges ? 1 : 0 }, note: "QEMU converged in some runs only" });
    table.push(`| ${name} | ${n} | converged in ${ok.length} of ${r.runs.length} runs | ${plan.converges ? `${Math.round(plan.totalTimeMs)} ms` : "does not converge"} | – | – | – | – | – | – | – |`);
  }
}
report("libvirt-planner", rows);
const m = machine();
const perRam = (line: PerRam, unit: number, name: string) => `${[128, 256].map((ram) => `${Math.round(atRam(line, ram * MIB) / unit)} ${name}`).join(" / ")} (128 / 256 MiB guests)`;
console.log(`\nmachine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; ${Math.max(...runs.map((r) => r.runs.length))} runs per case (medians compared), ${wallS} s of lab time`);
console.log(
  `calibration: base ${perRam(cal.baseBytes, MIB, "MiB")} beyond fill + working set; overhead ${perRam(cal.overheadMs, 1, "ms")} at each end; switch-over ${cal.switchoverMs.toFixed(1)} ms; final copy ${Math.round(cal.finalBandwidthBytesPerSecond / MIB)} MiB/s re-sent, ${Math.round(cal.newPageFinalBandwidthBytesPerSecond / MIB)} MiB/s new pages`,
);
console.log(
  `outside the calibration rows: total time within ±15 % in ${tally.total[0]} of ${tally.total[1]} converging cases; downtime within ±15 % in ${tally.downtime[0]} of ${tally.downtime[1]}, within ±15 % of the planner's range in ${tally.inRange[0]} of ${tally.inRange[1]}; convergence predicted right in ${tally.convergence[0]} of ${tally.convergence[1]} cases; pending bytes at the switch-over within ±15 % of QEMU's trace in ${tally.remainder[0]} of ${tally.remainder[1]}\n`,
);
console.log("| case | runs completed | measured total, median (min–max) | planner total | error | measured downtime, median (min–max) | planner downtime (range) | error | pending at switch-over, MiB: QEMU / planner | syncs: QEMU / planner | round model downtime (error) |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
console.log(table.join("\n"));
