/**
 * The in-memory world with a journal on its target, for the attach and lease tests: records kept
 * while the target VM is defined, a compare-and-swap `replace`, and a first process that can be
 * "killed" (its journal calls never return). Test code only.
 */
import { expect } from "vitest";
import type { VmDefinition } from "../src/definition.ts";
import { type MoveJournal, type MoveRecord, sameWrite } from "../src/journal.ts";
import type { MoveTarget } from "../src/spi.ts";
import { isLeaseLive } from "../src/lease.ts";
import { memoryWorld } from "./memory-platform.ts";

/** The VM the worlds hold: one running VM with one 4 KiB disk. */
export const VM: VmDefinition = {
  id: "vm-1", name: "vm-1", cpus: 1, memoryBytes: 1024 ** 3, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [{ key: "vda", sizeBytes: 4096, format: "raw", bus: "virtio", storage: "fast", device: "disk" }],
  nics: [{ key: "net0", network: "prod", mac: "52:54:00:00:00:01" }],
};

/**
 * The memory world with a journal on its target (records kept while the target VM is defined; a
 * compare-and-swap `replace`). `firstTarget` is the first process's view of it: after `kill()` its
 * journal calls never return, as from a process that is gone.
 */
export function journaled(definition: VmDefinition = VM) {
  const m = memoryWorld(definition);
  const records = new Map<string, MoveRecord>();
  let dead = false;
  const hang = () => new Promise<never>(() => {});
  const journal: MoveJournal = {
    async write(r) {
      if (!m.world.targetDefined) throw new Error("no VM to record on");
      records.set(r.moveId, r);
    },
    async find(id) {
      return m.world.targetDefined ? records.get(id) : undefined;
    },
    async replace(expected, next) {
      const current = m.world.targetDefined ? records.get(next.moveId) : undefined;
      if (!current || !sameWrite(current, expected)) return { written: false, current };
      records.set(next.moveId, next);
      return { written: true };
    },
  };
  const dying: MoveJournal = {
    write: (r, c) => (dead ? hang() : journal.write(r, c)),
    find: (id, c) => (dead ? hang() : journal.find(id, c)),
    replace: (e, n, c, o) => (dead ? hang() : journal.replace!(e, n, c, o)),
  };
  const target = { ...m.target, journal } as MoveTarget;
  const firstTarget = { ...m.target, journal: dying } as MoveTarget;
  return { ...m, target, firstTarget, records, kill: () => void (dead = true) };
}

/** A lease short enough to wait out in a test. */
export const SHORT_LEASE = { heartbeatMs: 20, leaseMs: 120, claimSettleMs: 0 };

/** Kills the first process (its journal calls hang) and waits until its lease has run out. */
export async function killAndWaitOut(kill: () => void, records: Map<string, MoveRecord>, moveId: string): Promise<void> {
  kill();
  await until(() => !isLeaseLive(records.get(moveId)!));
}

/** Polls `cond` every 5 ms for up to 1 s, then asserts it. */
export async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}
