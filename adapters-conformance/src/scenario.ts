/** What a scenario is, and the small assertion and observation helpers scenarios share. */
import {
  COLD_PHASES,
  type Capability,
  LIVE_PHASES,
  type MigrationPhase,
  type MigrationResult,
  type MigrationSnapshot,
  type MigrationTask,
  PROGRESS_FIELD_CAPABILITY,
  type ProgressField,
  type VmshiftClient,
  isTerminalPhase,
  isVmshiftError,
} from "@vmshift/core";
import type { ConformanceControls, ConformanceSession, ConformanceSubjects } from "./target.ts";

/** One conformance scenario, written against the core interface only. */
export interface Scenario {
  /** Stable id, e.g. `live.cancel-during-transfer`. */
  readonly id: string;
  readonly title: string;
  /** Capabilities the adapter must not mark unsupported. */
  readonly requires?: readonly Capability[];
  /** Subjects the target must offer. */
  readonly subjects?: readonly (keyof ConformanceSubjects)[];
  /** Controls the target must offer. */
  readonly controls?: readonly (keyof ConformanceControls)[];
  /** Time budget in ms before `timeScale`. Default 60 000. */
  readonly budgetMs?: number;
  run(session: ConformanceSession): Promise<void>;
}

/** A failed expectation inside a scenario. */
export class ConformanceFailure extends Error {
  override name = "ConformanceFailure";
}

/** Fails the scenario with `message` unless `condition` holds. */
export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

/** Runs `fn` and returns the VmshiftError it throws; fails if it does not throw one. */
export async function expectError(fn: () => Promise<unknown>, what: string): Promise<import("@vmshift/core").VmshiftError> {
  try {
    await fn();
  } catch (error) {
    if (isVmshiftError(error)) return error;
    throw new ConformanceFailure(`${what}: expected a VmshiftError, got ${String(error)}`);
  }
  throw new ConformanceFailure(`${what}: expected an error, but the call succeeded`);
}

/** Collects every snapshot of a task until it ends. */
export async function collect(task: MigrationTask): Promise<{ snapshots: MigrationSnapshot[]; result: MigrationResult }> {
  const snapshots: MigrationSnapshot[] = [];
  for await (const s of task.events()) snapshots.push(s);
  const result = await task.wait();
  return { snapshots, result };
}

/** Follows events until the migration reaches one of `phases` (or ends); returns that snapshot. */
export async function untilPhase(task: MigrationTask, phases: readonly MigrationPhase[]): Promise<MigrationSnapshot> {
  for await (const s of task.events()) if (phases.includes(s.phase) || isTerminalPhase(s.phase)) return s;
  return task.snapshot();
}

/** Checks the contract's rules on a sequence of snapshots: order, nothing after terminal, declared fields only. */
export function checkSequence(client: VmshiftClient, snapshots: readonly MigrationSnapshot[], mode: "live" | "cold"): void {
  const order: readonly string[] = mode === "live" ? LIVE_PHASES : COLD_PHASES;
  const table = client.capabilities();
  let last = -1;
  snapshots.forEach((s, i) => {
    if (isTerminalPhase(s.phase)) {
      expect(i === snapshots.length - 1, `phase ${s.phase} was followed by ${snapshots[i + 1]?.phase}`);
      return;
    }
    const index = order.indexOf(s.phase);
    expect(index >= 0, `phase ${s.phase} is not a ${mode} migration phase`);
    expect(index >= last, `phase ${s.phase} came after ${order[last]}`);
    last = index;
    expect(s.progress.phase === s.phase, `progress.phase ${s.progress.phase} differs from snapshot phase ${s.phase}`);
    expect(!Number.isNaN(Date.parse(s.progress.observedAt)), `observedAt ${s.progress.observedAt} is not a date`);
    for (const [field, capability] of Object.entries(PROGRESS_FIELD_CAPABILITY) as [ProgressField, Capability][]) {
      const value = s.progress[field];
      if (value === undefined) continue;
      expect(table[capability].status !== "unsupported", `progress.${field} is reported but ${capability} is declared unsupported`);
      expect(typeof value === "number" && Number.isFinite(value) && value >= 0, `progress.${field} = ${String(value)} is not a non-negative number`);
    }
    if (s.progress.percent !== undefined) expect(s.progress.percent <= 100, `percent ${s.progress.percent} > 100`);
  });
  const final = snapshots.at(-1);
  expect(final && isTerminalPhase(final.phase), "the events ended without a terminal phase");
}

/** Where a VM is now, per the platform. */
export async function locate(client: VmshiftClient, vmId: string): Promise<{ hostId: string | undefined; powerState: string }> {
  const vm = await client.getVm(vmId);
  return { hostId: vm.hostId, powerState: vm.powerState };
}
