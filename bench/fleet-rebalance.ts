/**
 * Balance and consolidation plans against simple greedy baselines, on the same seeded inventories,
 * executed on the simulator (virtual clock) under the same limits; results are read back from the
 * simulated platform, not from the plans. Run with `node bench/fleet-rebalance.ts`.
 *
 * Baselines (what a script would do without vmshift):
 * - balance: move the largest VM that fits from the most used host to the least used one, while
 *   that narrows the gap between them;
 * - consolidate: empty hosts from the highest id down, placing each VM first-fit on hosts in id
 *   order (all of a host's VMs or none); a VM that would move twice goes straight to its last host.
 */
import { type MigrationRequest, executePlan, migrateMany, planRebalance } from "@vmshift/core";
import { type SimInventory, type SimVmSpec, type SimulatorWorld, createSimulator } from "@vmshift/simulator";
import { format, machine, report } from "./lib.ts";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const TOLERANCE = 0.05;

/** Deterministic PRNG (LCG), so every run sees the same inventories. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** 8 hosts of mixed sizes and `count` VMs of 2–32 GiB; `skew` piles them onto the first hosts. */
function scenario(seed: number, count: number, skew: boolean): SimInventory {
  const r = rng(seed);
  const memory = [128, 256, 256, 256, 256, 512, 512, 384];
  const hosts = memory.map((g, i) => ({ id: `host-${i + 1}`, clusterId: "bench", cpuCores: 64, memoryBytes: g * GiB, maxConcurrentMigrations: 2 }));
  const used = new Map(hosts.map((h) => [h.id, 0]));
  const sizes = [2, 4, 4, 8, 8, 16, 32];
  const vms: SimVmSpec[] = [];
  for (let i = 0; i < count; i++) {
    const size = sizes[Math.floor(r() * sizes.length)]! * GiB;
    let hostId: string;
    do {
      const x = r();
      hostId = hosts[Math.floor((skew ? x * x * x : x) * hosts.length)]!.id;
    } while (used.get(hostId)! + size > hosts.find((h) => h.id === hostId)!.memoryBytes * 0.9);
    used.set(hostId, used.get(hostId)! + size);
    vms.push({ id: `vm-${String(i + 1).padStart(3, "0")}`, hostId, memoryBytes: size, cpus: 2, dirtyRateBytesPerSecond: Math.floor(r() * 150) * MiB });
  }
  return { hosts, vms };
}

type Placement = Map<string, { host: string; size: number }>;

function placementOf(inv: SimInventory): Placement {
  return new Map(inv.vms.map((v) => [v.id, { host: v.hostId, size: v.memoryBytes }]));
}

function usedOn(p: Placement, host: string): number {
  let n = 0;
  for (const v of p.values()) if (v.host === host) n += v.size;
  return n;
}

function greedyBalance(inv: SimInventory): MigrationRequest[] {
  const p = placementOf(inv);
  const cap = new Map(inv.hosts.map((h) => [h.id, h.memoryBytes]));
  const util = (h: string) => usedOn(p, h) / cap.get(h)!;
  const moved = new Set<string>();
  const out: MigrationRequest[] = [];
  while (out.length < 50) {
    const sorted = inv.hosts.map((h) => h.id).sort((a, b) => util(b) - util(a));
    const hi = sorted[0]!;
    const lo = sorted.at(-1)!;
    const gap = util(hi) - util(lo);
    if (gap <= TOLERANCE) break;
    const free = cap.get(lo)! - usedOn(p, lo);
    const candidates = [...p.entries()].filter(([id, v]) => v.host === hi && !moved.has(id) && v.size <= free).sort((a, b) => b[1].size - a[1].size);
    const pick = candidates[0];
    if (!pick) break;
    const newGap = Math.abs((usedOn(p, hi) - pick[1].size) / cap.get(hi)! - (usedOn(p, lo) + pick[1].size) / cap.get(lo)!);
    if (newGap >= gap) break;
    p.set(pick[0], { host: lo, size: pick[1].size });
    moved.add(pick[0]);
    out.push({ vmId: pick[0], targetHostId: lo });
  }
  return out;
}

function greedyConsolidate(inv: SimInventory): MigrationRequest[] {
  const p = placementOf(inv);
  const cap = new Map(inv.hosts.map((h) => [h.id, h.memoryBytes]));
  const ids = inv.hosts.map((h) => h.id);
  const freed = new Set<string>();
  const out: MigrationRequest[] = [];
  for (const h of [...ids].reverse()) {
    if (ids.length - freed.size <= 1) break;
    const mine = [...p.entries()].filter(([, v]) => v.host === h).sort(([a], [b]) => a.localeCompare(b));
    const trial = new Map(p);
    const moves: MigrationRequest[] = [];
    let ok = true;
    for (const [id, v] of mine) {
      const target = ids.find((t) => t !== h && !freed.has(t) && usedOn(trial, t) + v.size <= cap.get(t)!);
      if (!target) {
        ok = false;
        break;
      }
      trial.set(id, { host: target, size: v.size });
      moves.push({ vmId: id, targetHostId: target });
    }
    if (!ok) continue;
    for (const [k, v] of trial) p.set(k, v);
    freed.add(h);
    out.push(...moves);
  }
  // A VM moved onto a host that was emptied later goes straight to where it finally lands.
  const final = new Map<string, string>();
  for (const r of out) final.set(r.vmId, r.targetHostId!);
  const origin = new Map(inv.vms.map((v) => [v.id, v.hostId]));
  return [...final].filter(([vmId, t]) => origin.get(vmId) !== t).map(([vmId, targetHostId]) => ({ vmId, targetHostId }));
}

interface Outcome {
  readonly migrations: number;
  readonly movedGiB: number;
  readonly spreadPp: number;
  readonly emptyHosts: number;
  readonly makespanS: number;
  readonly failed: number;
}

function measure(world: SimulatorWorld, inv: SimInventory, migrations: number, makespanMs: number, failed: number): Outcome {
  const u = inv.hosts.map((h) => world.usedMemory(h.id) / h.memoryBytes);
  const moved = inv.vms.filter((v) => world.vm(v.id).hostId !== v.hostId).reduce((s, v) => s + v.memoryBytes, 0);
  const empty = inv.hosts.filter((h) => ![...world.vms.values()].some((v) => v.hostId === h.id)).length;
  return { migrations, movedGiB: moved / GiB, spreadPp: (Math.max(...u) - Math.min(...u)) * 100, emptyHosts: empty, makespanS: makespanMs / 1000, failed };
}

async function ours(inv: SimInventory, goal: "balance" | "consolidate"): Promise<Outcome> {
  const { world, client } = createSimulator({ inventory: inv });
  const plan = await planRebalance(client, { goal }, { clock: world.clock, tolerance: TOLERANCE });
  const r = await executePlan(client, plan, { clock: world.clock }).report();
  return measure(world, inv, plan.migrations.length, r.makespanMs, r.counts.failed);
}

async function baseline(inv: SimInventory, requests: MigrationRequest[]): Promise<Outcome> {
  const { world, client } = createSimulator({ inventory: inv });
  const r = await migrateMany(client, requests, { clock: world.clock });
  return measure(world, inv, requests.length, r.makespanMs, r.counts.failed + r.counts.skipped);
}

const scenarios = [
  { name: "A: 90 VMs piled on few hosts", inv: scenario(7, 90, true) },
  { name: "B: 120 VMs piled on few hosts", inv: scenario(11, 120, true) },
  { name: "C: 60 VMs spread thin", inv: scenario(23, 60, false) },
];

const rows: string[] = [];
const totals = { balance: { ours: 0, base: 0, oursGiB: 0, baseGiB: 0 }, consolidate: { ours: 0, base: 0, oursGiB: 0, baseGiB: 0 } };
for (const s of scenarios) {
  const initial = measure(createSimulator({ inventory: s.inv }).world, s.inv, 0, 0, 0);
  const bo = await ours(s.inv, "balance");
  const bb = await baseline(s.inv, greedyBalance(s.inv));
  const co = await ours(s.inv, "consolidate");
  const cb = await baseline(s.inv, greedyConsolidate(s.inv));
  rows.push(`| ${s.name} | balance | vmshift | ${format(initial.spreadPp)} → ${format(bo.spreadPp)} pp | ${bo.migrations} | ${format(bo.movedGiB)} | ${bo.emptyHosts} | ${format(bo.makespanS)} s | ${bo.failed} |`);
  rows.push(`| | balance | greedy largest-VM | ${format(initial.spreadPp)} → ${format(bb.spreadPp)} pp | ${bb.migrations} | ${format(bb.movedGiB)} | ${bb.emptyHosts} | ${format(bb.makespanS)} s | ${bb.failed} |`);
  rows.push(`| | consolidate | vmshift | ${format(co.spreadPp)} pp | ${co.migrations} | ${format(co.movedGiB)} | ${initial.emptyHosts} → ${co.emptyHosts} | ${format(co.makespanS)} s | ${co.failed} |`);
  rows.push(`| | consolidate | greedy first-fit | ${format(cb.spreadPp)} pp | ${cb.migrations} | ${format(cb.movedGiB)} | ${initial.emptyHosts} → ${cb.emptyHosts} | ${format(cb.makespanS)} s | ${cb.failed} |`);
  totals.balance.ours += bo.spreadPp;
  totals.balance.base += bb.spreadPp;
  totals.balance.oursGiB += bo.movedGiB;
  totals.balance.baseGiB += bb.movedGiB;
  totals.consolidate.ours += co.emptyHosts;
  totals.consolidate.base += cb.emptyHosts;
  totals.consolidate.oursGiB += co.movedGiB;
  totals.consolidate.baseGiB += cb.movedGiB;
}

const m = machine();
console.log(`# Rebalance plans vs greedy baselines (simulator, virtual clock)

Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node} (${m.platform}). Same inventories (seeded), same limits (simulator defaults: 2 per source, 2 per target, 2 in+out per host), results read from the simulated platform after execution. Balance tolerance ${TOLERANCE * 100} pp.

| inventory | goal | planner | memory spread (max − min use) | migrations | GiB moved | empty hosts | makespan | failed/skipped |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}
`);

const n = scenarios.length;
report("fleet-rebalance", [
  { metric: "balance: spread after, mean of 3 inventories", value: totals.balance.ours / n, unit: "pp", peer: { name: "greedy largest-VM", value: totals.balance.base / n }, note: "lower is better" },
  { metric: "balance: memory moved, total", value: totals.balance.oursGiB, unit: "GiB", peer: { name: "greedy largest-VM", value: totals.balance.baseGiB } },
  { metric: "consolidate: hosts empty after, total of 3", value: totals.consolidate.ours, unit: "hosts", peer: { name: "greedy first-fit", value: totals.consolidate.base }, note: "higher is better" },
  { metric: "consolidate: memory moved, total", value: totals.consolidate.oursGiB, unit: "GiB", peer: { name: "greedy first-fit", value: totals.consolidate.baseGiB } },
]);
