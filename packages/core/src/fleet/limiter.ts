/**
 * The resource-aware limiter: counts in-flight migrations per source host, per target host,
 * per host (in + out), per cluster and for the whole plan, and admits a migration only when
 * every count it would raise stays within its limit. Pure bookkeeping, no I/O, no timers.
 */
import type { FleetLimits } from "./types.ts";

/** What one migration holds while in flight. */
export interface SlotClaim {
  readonly sourceHostId?: string;
  readonly targetHostId?: string;
  /** Clusters it counts against (source's, and target's when different). */
  readonly clusterIds: readonly string[];
}

function bump(map: Map<string, number>, key: string | undefined, by: number): void {
  if (key === undefined) return;
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

/** Counts in-flight migrations against {@link FleetLimits}. */
export class MigrationLimiter {
  readonly limits: FleetLimits;
  #out = new Map<string, number>();
  #in = new Map<string, number>();
  #host = new Map<string, number>();
  #cluster = new Map<string, number>();
  #total = 0;

  constructor(limits: FleetLimits) {
    this.limits = limits;
  }

  /** Migrations in flight now. */
  get inFlight(): number {
    return this.#total;
  }

  /** Why `claim` cannot start now, or undefined when it can. */
  blockedBy(claim: SlotClaim): string | undefined {
    const l = this.limits;
    if (l.maxInFlight !== undefined && this.#total >= l.maxInFlight) return `plan limit ${l.maxInFlight}`;
    const { sourceHostId: s, targetHostId: t } = claim;
    if (s !== undefined && l.perSourceHost !== undefined && (this.#out.get(s) ?? 0) >= l.perSourceHost) return `source ${s} limit ${l.perSourceHost}`;
    if (t !== undefined && l.perTargetHost !== undefined && (this.#in.get(t) ?? 0) >= l.perTargetHost) return `target ${t} limit ${l.perTargetHost}`;
    for (const h of [s, t]) {
      if (h === undefined) continue;
      const cap = l.perHost[h];
      if (cap !== undefined && (this.#host.get(h) ?? 0) >= cap) return `host ${h} limit ${cap}`;
    }
    if (l.perCluster !== undefined) {
      for (const c of claim.clusterIds) if ((this.#cluster.get(c) ?? 0) >= l.perCluster) return `cluster ${c} limit ${l.perCluster}`;
    }
    return undefined;
  }

  /** Takes the slots of `claim` if every limit allows; returns whether it did. */
  tryAcquire(claim: SlotClaim): boolean {
    if (this.blockedBy(claim) !== undefined) return false;
    this.#apply(claim, 1);
    return true;
  }

  /** Gives the slots of an acquired claim back. */
  release(claim: SlotClaim): void {
    this.#apply(claim, -1);
  }

  #apply(claim: SlotClaim, by: number): void {
    this.#total += by;
    bump(this.#out, claim.sourceHostId, by);
    bump(this.#in, claim.targetHostId, by);
    bump(this.#host, claim.sourceHostId, by);
    if (claim.targetHostId !== claim.sourceHostId) bump(this.#host, claim.targetHostId, by);
    for (const c of new Set(claim.clusterIds)) bump(this.#cluster, c, by);
  }
}
