/**
 * The limits of a plan as slot claims, and the bookkeeping of one slot object (a host or a
 * cluster): who holds a slot, who waits, and who may have one now. Pure functions: the virtual
 * object in slots.ts keeps this state durably and calls them inside its exclusive handlers.
 */
import type { FleetLimits, PlannedMigration } from "@vmshift/core";
import { clusterSlotKey, hostSlotKey } from "./ids.ts";
import type { SlotClaim } from "./types.ts";

/**
 * The slots a migration holds while in flight: one on its source host (`out`, capped by
 * `perSourceHost` and the host's `perHost`), one on its target (`in`, by `perTargetHost` and
 * `perHost`) and one per cluster it touches (by `perCluster`). Claims without any cap are left
 * out (nothing to count). Sorted by key: every step takes its slots in the same global order, so
 * two steps never wait on each other (no deadlock), whatever waves they belong to.
 */
export function claimsFor(m: PlannedMigration, limits: FleetLimits, scope: string): SlotClaim[] {
  const claims: SlotClaim[] = [];
  const add = (key: string, role: SlotClaim["role"], caps: { readonly out?: number | undefined; readonly in?: number | undefined; readonly total?: number | undefined }) => {
    const defined = Object.fromEntries(Object.entries(caps).filter(([, v]) => v !== undefined)) as SlotClaim["caps"];
    if (Object.keys(defined).length > 0) claims.push({ key, role, caps: defined });
  };
  if (m.sourceHostId !== undefined) add(hostSlotKey(scope, m.sourceHostId), "out", { out: limits.perSourceHost, total: limits.perHost[m.sourceHostId] });
  if (m.targetHostId !== undefined && m.targetHostId !== m.sourceHostId) add(hostSlotKey(scope, m.targetHostId), "in", { in: limits.perTargetHost, total: limits.perHost[m.targetHostId] });
  if (limits.perCluster !== undefined) {
    for (const c of new Set([m.clusterId, m.targetClusterId].filter((x): x is string => x !== undefined))) add(clusterSlotKey(scope, c), "any", { total: limits.perCluster });
  }
  return claims.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One waiting claim. */
export interface Waiter {
  readonly holder: string;
  readonly role: SlotClaim["role"];
  readonly caps: SlotClaim["caps"];
  /** Set once the waiter asked to be woken (an awakeable of its step). */
  awakeableId?: string;
}

/** The durable state of one slot object. */
export interface SlotState {
  /** Holder (a step key) → its role. */
  readonly holders: Record<string, SlotClaim["role"]>;
  /** In arrival order. */
  readonly queue: Waiter[];
}

/** An empty slot object. */
export function emptySlots(): SlotState {
  return { holders: {}, queue: [] };
}

/** Slots held now: leaving, arriving and in all. */
export function counts(state: SlotState): { out: number; in: number; total: number } {
  let out = 0;
  let inbound = 0;
  let total = 0;
  for (const role of Object.values(state.holders)) {
    total++;
    if (role === "out") out++;
    else if (role === "in") inbound++;
  }
  return { out, in: inbound, total };
}

/** Whether a claim fits now, against the caps it carries. */
export function admits(state: SlotState, role: SlotClaim["role"], caps: SlotClaim["caps"]): boolean {
  const n = counts(state);
  if (caps.total !== undefined && n.total >= caps.total) return false;
  if (role === "out" && caps.out !== undefined && n.out >= caps.out) return false;
  if (role === "in" && caps.in !== undefined && n.in >= caps.in) return false;
  return true;
}

/** Asks for a slot: `granted` (held now, also when it already was) or `queued` (it waits until a release lets it in). */
export function acquire(state: SlotState, holder: string, role: SlotClaim["role"], caps: SlotClaim["caps"]): "granted" | "queued" {
  if (state.holders[holder] !== undefined) return "granted";
  if (state.queue.some((w) => w.holder === holder)) return "queued";
  if (admits(state, role, caps)) {
    state.holders[holder] = role;
    return "granted";
  }
  state.queue.push({ holder, role, caps });
  return "queued";
}

/**
 * Gives a slot back (or withdraws from the queue), then lets in every waiter that fits now, in
 * arrival order: a waiter that does not fit does not hold back one behind it that does. Returns
 * the waiters let in; those with an awakeable are to be woken.
 */
export function release(state: SlotState, holder: string): Waiter[] {
  delete state.holders[holder];
  const i = state.queue.findIndex((w) => w.holder === holder);
  if (i >= 0) state.queue.splice(i, 1);
  const granted: Waiter[] = [];
  for (let j = 0; j < state.queue.length; ) {
    const w = state.queue[j]!;
    if (admits(state, w.role, w.caps)) {
      state.holders[w.holder] = w.role;
      state.queue.splice(j, 1);
      granted.push(w);
    } else j++;
  }
  return granted;
}

/**
 * Registers the awakeable a queued waiter is woken with. Returns `granted` when the waiter was let
 * in meanwhile (nothing to wait for), `waiting` when it still waits, `unknown` when it neither holds
 * nor waits (it withdrew).
 */
export function wake(state: SlotState, holder: string, awakeableId: string): "granted" | "waiting" | "unknown" {
  if (state.holders[holder] !== undefined) return "granted";
  const w = state.queue.find((x) => x.holder === holder);
  if (!w) return "unknown";
  w.awakeableId = awakeableId;
  return "waiting";
}
