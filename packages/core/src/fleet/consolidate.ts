/**
 * `consolidate`, one cluster. First choose which hosts to keep: the fewest hosts whose memory can
 * hold every VM of the cluster, moving as little as possible (an exhaustive search over subsets
 * for clusters of up to {@link SEARCH_LIMIT} occupied hosts, plus prefixes of a few rankings for any
 * size), within the migration cap. Then empty the other hosts, fewest VMs first: a host is freed
 * only if every one of its VMs fits on the kept hosts (largest VM first, best fit: the fullest
 * kept host it fits on); otherwise its tentative moves are rolled back and it is kept. Only kept
 * hosts receive VMs, so no VM lands on a host that is emptied later. Every choice of kept hosts is
 * tried on the ledger and rolled back; the one that frees most hosts (then moves least memory) is
 * planned.
 */
import type { Host } from "../model.ts";
import { movable } from "./balance.ts";
import { memoryDemand } from "./inventory.ts";
import type { PlanBuilder } from "./plan-builder.ts";

/** Occupied hosts per cluster up to which every subset is considered as the kept set. */
export const SEARCH_LIMIT = 14;
/** How many of the best kept sets of the search are tried on the ledger. */
const TRIED = 12;

interface Facts {
  readonly host: Host;
  readonly used: number;
  readonly count: number;
  readonly pinned: boolean;
}

/** Plans the consolidation of one cluster into `b`; returns the hosts it frees. */
export function consolidateCluster(b: PlanBuilder, cluster: string, hosts: readonly Host[], minHosts: number, max: number, notes: string[]): string[] {
  const allowCold = b.options.allowCold ?? false;
  const facts: Facts[] = hosts
    .filter((h) => b.inventory.vms.some((v) => v.hostId === h.id))
    .map((h) => {
      const vms = movable(b, h.id, allowCold);
      return { host: h, used: b.ledger.usedNow(h.id) ?? 0, count: vms.length, pinned: vms.some((x) => !x.decision.ok) };
    });
  const budget = max - b.moveCount;
  const attempts = keptSets(facts, minHosts, budget);
  let best: { kept: Set<string>; freed: number; moved: number } | undefined;
  for (const kept of attempts) {
    const checkpoint = b.checkpoint();
    const trial = empty(b, hosts, facts, kept, max, []);
    const moved = b.plannedBytesSince(checkpoint);
    b.rollback(checkpoint);
    if (!best || trial.length > best.freed || (trial.length === best.freed && moved < best.moved)) best = { kept, freed: trial.length, moved };
  }
  if (!best || best.freed === 0) {
    for (const f of facts.filter((x) => x.pinned)) {
      const blocked = movable(b, f.host.id, allowCold).find((x) => !x.decision.ok)!;
      notes.push(`${f.host.id} stays: ${blocked.vm.id} cannot move (${blocked.decision.ok ? "" : blocked.decision.reason})`);
    }
    notes.push(`${cluster || "(no cluster)"}: no host can be freed`);
    return [];
  }
  return empty(b, hosts, facts, best.kept, max, notes);
}

/** Candidate kept sets, best first: subsets by (size, VMs to move, memory to move), then ranking prefixes. */
function keptSets(facts: readonly Facts[], minHosts: number, budget: number): Set<string>[] {
  const total = facts.reduce((s, f) => s + f.used, 0);
  const out: Set<string>[] = [];
  if (facts.length <= SEARCH_LIMIT) {
    const options: { mask: number; size: number; moves: number; bytes: number }[] = [];
    for (let mask = 1; mask < 1 << facts.length; mask++) {
      let size = 0;
      let room = 0;
      let moves = 0;
      let bytes = 0;
      let ok = true;
      for (let i = 0; i < facts.length; i++) {
        const f = facts[i]!;
        if (mask & (1 << i)) {
          size++;
          room += f.host.memoryBytes ?? 0;
        } else {
          if (f.pinned) ok = false;
          moves += f.count;
          bytes += f.used;
        }
      }
      if (!ok || size < Math.min(minHosts, facts.length) || room < total || moves > budget) continue;
      options.push({ mask, size, moves, bytes });
    }
    options.sort((a, b) => a.size - b.size || a.moves - b.moves || a.bytes - b.bytes || a.mask - b.mask);
    for (const o of options.slice(0, TRIED)) out.push(new Set(facts.filter((_, i) => o.mask & (1 << i)).map((f) => f.host.id)));
  }
  const rankings: ((x: Facts, y: Facts) => number)[] = [
    (x, y) => y.used - x.used, // keep the most used: move least memory
    (x, y) => (y.host.memoryBytes ?? 0) - (x.host.memoryBytes ?? 0), // keep the largest: keep fewest
    (x, y) => y.count - x.count, // keep the most crowded: fewest migrations
  ];
  for (const rank of rankings) {
    const kept = new Set<string>();
    let room = 0;
    for (const f of [...facts].sort((x, y) => Number(y.pinned) - Number(x.pinned) || rank(x, y) || x.host.id.localeCompare(y.host.id))) {
      if (kept.size >= minHosts && room >= total && !f.pinned) break;
      kept.add(f.host.id);
      room += f.host.memoryBytes ?? 0;
    }
    out.push(kept);
  }
  return out;
}

/** Empties the non-kept occupied hosts onto the kept ones, fewest VMs first; returns those freed. */
function empty(b: PlanBuilder, hosts: readonly Host[], facts: readonly Facts[], keptSet: ReadonlySet<string>, max: number, notes: string[]): string[] {
  const allowCold = b.options.allowCold ?? false;
  const kept = new Set(keptSet);
  const freed: string[] = [];
  const candidates = facts.filter((f) => !kept.has(f.host.id)).sort((x, y) => x.count - y.count || x.used - y.used || x.host.id.localeCompare(y.host.id));
  for (const { host: candidate } of candidates) {
    const vms = movable(b, candidate.id, allowCold).sort((x, y) => memoryDemand(y.vm) - memoryDemand(x.vm) || x.vm.id.localeCompare(y.vm.id));
    const blocked = vms.find((x) => !x.decision.ok);
    if (blocked && !blocked.decision.ok) {
      notes.push(`${candidate.id} stays: ${blocked.vm.id} cannot move (${blocked.decision.reason})`);
      kept.add(candidate.id);
      continue;
    }
    if (b.moveCount + vms.length > max) {
      notes.push(`${candidate.id} stays: freeing it would exceed the ${max}-migration limit`);
      kept.add(candidate.id);
      continue;
    }
    const exclude = new Set(hosts.filter((h) => !kept.has(h.id)).map((h) => h.id));
    const checkpoint = b.checkpoint();
    let failed: string | undefined;
    for (const { vm, decision } of vms) {
      const target = decision.ok ? b.pickTarget(vm, "pack", exclude) : undefined;
      if (!target || !decision.ok) {
        failed = vm.id;
        break;
      }
      b.addMove(vm, target, decision, `off ${candidate.id} (to free it) onto ${target.id}: the fullest kept host it fits on`);
    }
    if (failed !== undefined) {
      b.rollback(checkpoint);
      notes.push(`${candidate.id} stays: no kept host has room for ${failed}`);
      kept.add(candidate.id);
      continue;
    }
    freed.push(candidate.id);
  }
  return freed;
}
