/**
 * The planner against reality: real live migrations in the libvirt lab (two libvirtd on this
 * machine, QEMU 10.0.2, TCG, loopback) at several guest sizes, dirty rates and bandwidth caps,
 * each compared with `modelPrecopy`'s prediction of total time, downtime and convergence.
 *
 * Two predictions per case: "raw" feeds the planner the guest's RAM size; "calibrated" feeds it
 * the memory the guest actually populated (fill + working set + a base measured once on an idle
 * guest, since QEMU sends zero pages almost for free) and a fixed setup/switch-over overhead
 * measured on that same idle run. Measured figures are libvirt's own job statistics on the
 * destination (`time_elapsed`, `downtime`). `node bench/libvirt-planner.ts` (needs the lab:
 * `.ci/setup.d/40-libvirt.sh`).
 */
import { createClient, modelPrecopy } from "@vmshift/core";
import { createLibvirtAdapter } from "@vmshift/libvirt";
import { type LabHost, type Workload, acquireLab, bootGuest, labAvailability, removeDomain, startDaemons, virsh } from "../adapters-conformance/libvirt-lab/lab.ts";
import { labHosts } from "../adapters-conformance/src/targets/libvirt-local.ts";
import { type BenchRow, report } from "./lib.ts";

const MIB = 1024 ** 2;
const NAME = "vmshift-lab-bench";

interface Case {
  readonly label: string;
  readonly memoryMiB: number;
  readonly workload: Workload;
  readonly capsMiBps: readonly number[];
}

const CASES: readonly Case[] = [
  { label: "idle", memoryMiB: 128, workload: { fillMiB: 32, dirtyMiB: 32, rateMiBps: -1 }, capsMiBps: [32, 64] },
  { label: "dirty 10 MiB/s", memoryMiB: 128, workload: { fillMiB: 32, dirtyMiB: 32, rateMiBps: 10 }, capsMiBps: [32, 64] },
  { label: "dirty 30 MiB/s", memoryMiB: 128, workload: { fillMiB: 32, dirtyMiB: 32, rateMiBps: 30 }, capsMiBps: [64, 16] },
  { label: "256 MiB, dirty 10 MiB/s", memoryMiB: 256, workload: { fillMiB: 128, dirtyMiB: 32, rateMiBps: 10 }, capsMiBps: [64] },
];
/** A migration still running after this long counts as not converging (then cancelled). */
const DEADLINE_MS = 25_000;

const availability = await labAvailability();
if (!availability.ok) {
  console.error(`libvirt-planner: skipped: ${availability.reason}`);
  process.exit(0);
}
const release = await acquireLab("bench/libvirt-planner.ts");
await startDaemons();
const client = createClient(createLibvirtAdapter({ hosts: labHosts() }));

interface Measured {
  readonly completed: boolean;
  readonly totalMs?: number;
  readonly downtimeMs?: number;
  readonly normalBytes?: number;
  readonly iterations?: number;
}

async function migrate(vmId: string, from: LabHost, to: LabHost, capMiBps: number): Promise<Measured> {
  const task = await client.startMigration({ vmId, targetHostId: to, bandwidthBytesPerSecond: capMiBps * MIB });
  const result = await task.wait({ maxWaitMs: DEADLINE_MS, cancelOnTimeout: true }).catch(() => undefined);
  if (!result || result.outcome !== "completed") {
    const last = task.snapshot().progress;
    return { completed: false, ...(last.iteration === undefined ? {} : { iterations: last.iteration }) };
  }
  const stats = await virsh(to, ["domjobinfo", "--domain", NAME, "--completed", "--keep-completed", "--rawstats"]);
  const num = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, "m").exec(stats.stdout)?.[1] ?? Number.NaN);
  void from;
  return { completed: true, totalMs: num("time_elapsed"), downtimeMs: num("downtime"), normalBytes: num("memory_normal_bytes"), iterations: num("memory_iteration") };
}

const rows: BenchRow[] = [];
const table: string[] = [];
let baseBytes: number | undefined;
let overheadMs = 0;
let here: LabHost = "a";
for (const c of CASES) {
  const vmId = await bootGuest(NAME, "a", c.memoryMiB, c.workload);
  here = "a";
  for (const cap of c.capsMiBps) {
    const to: LabHost = here === "a" ? "b" : "a";
    const m = await migrate(vmId, here, to, cap);
    if (m.completed) here = to;
    const populated = (c.workload.fillMiB + c.workload.dirtyMiB) * MIB;
    if (baseBytes === undefined && m.completed && c.workload.rateMiBps < 0) {
      // Calibrate once, on the first idle run: what QEMU sends beyond fill + working set, and the fixed cost.
      baseBytes = Math.max(0, (m.normalBytes ?? populated) - populated);
      overheadMs = Math.max(0, ((m.totalMs ?? 0) - ((m.normalBytes ?? populated) / (cap * MIB)) * 1000) / 2);
    }
    const dirtyRate = Math.max(0, c.workload.rateMiBps) * MIB;
    const common = { dirtyRateBytesPerSecond: dirtyRate, bandwidthBytesPerSecond: cap * MIB, maxDowntimeMs: 300, workingSetBytes: c.workload.dirtyMiB * MIB };
    const raw = modelPrecopy({ ...common, memoryBytes: c.memoryMiB * MIB });
    const cal = modelPrecopy({ ...common, memoryBytes: populated + (baseBytes ?? 0), overheadMs });
    const name = `${c.label}, ${c.memoryMiB} MiB guest, cap ${cap} MiB/s`;
    const pct = (p: number, v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "–" : `${(((p - v) / v) * 100).toFixed(0)} %`);
    if (m.completed) {
      rows.push({ metric: `${name}: total time`, value: m.totalMs!, unit: "ms", peer: { name: "planner (calibrated)", value: cal.totalTimeMs }, note: `raw planner ${Math.round(raw.totalTimeMs)} ms; ${m.iterations} rounds (planner ${cal.rounds})` });
      rows.push({ metric: `${name}: downtime`, value: m.downtimeMs!, unit: "ms", peer: { name: "planner (calibrated)", value: cal.downtimeMs } });
    } else {
      rows.push({ metric: `${name}: converged`, value: 0, unit: "(0 = no)", peer: { name: "planner", value: cal.converges ? 1 : 0 }, note: `still running after ${DEADLINE_MS} ms (${m.iterations ?? "?"} rounds), cancelled` });
    }
    table.push(`| ${name} | ${m.completed ? `${m.totalMs} ms` : "did not converge"} | ${cal.converges ? `${Math.round(cal.totalTimeMs)} ms` : "does not converge"} | ${m.completed ? pct(cal.totalTimeMs, m.totalMs) : cal.converges ? "wrong" : "agrees"} | ${raw.converges ? `${Math.round(raw.totalTimeMs)} ms` : "does not converge"} | ${m.completed ? `${m.downtimeMs} ms` : "–"} | ${cal.converges ? `${Math.round(cal.downtimeMs)} ms` : "–"} | ${m.iterations ?? "?"} / ${cal.rounds} |`);
  }
}
await removeDomain(NAME);
await client.close();
release();
report("libvirt-planner", rows);
console.log(`\ncalibration: base ${Math.round((baseBytes ?? 0) / MIB)} MiB beyond fill + working set, overhead ${Math.round(overheadMs)} ms at each end\n`);
console.log("| case | measured total | planner (calibrated) | error | planner (raw RAM size) | measured downtime | planner downtime | rounds measured / planned |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
console.log(table.join("\n"));
