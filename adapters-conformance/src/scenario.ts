/** What a scenario is, and the small assertion and observation helpers scenarios share. */
import {
  COLD_PHASES,
  type Capability,
  LIVE_PHASES,
  type MigrationPhase,
  type MigrationResult,
  type MigrationSnapshot,
  type MigrationTask,
  type PowerState,
  PROGRESS_FIELD_CAPABILITY,
  type VmLocation,
  type ProgressField,
  type VmshiftClient,
  isTerminalPhase,
  isVmshiftError,
} from "@vmshift/core";
import type { RequestMeter } from "./budget.ts";
import type { ConformanceControls, ConformanceSession, ConformanceSubjects, ConformanceTarget, PlatformLocation } from "./target.ts";

/** What a scenario runs with: the session, plus the target, its request meter and a place for notes. */
export interface ScenarioContext extends ConformanceSession {
  readonly target: ConformanceTarget;
  /** Wrap what the scenario does in `meter.measure(…)` to hold it to the target's request budget. */
  readonly meter: RequestMeter;
  /** Adds a line to the scenario's result (e.g. what could not be observed on this target). */
  note(text: string): void;
  /** How many times the scenario read where a VM is from the platform (the runner requires at least one). */
  readonly located: { count: number };
}

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
  /** Runs the scenario; it must end by checking where its VM is ({@link expectVmAt}). */
  run(context: ScenarioContext): Promise<void>;
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

/** Where a VM is now, per the adapter's `getVm` (compare {@link platformLocation}, which does not ask the adapter). */
export async function locate(client: VmshiftClient, vmId: string): Promise<{ hostId: string | undefined; powerState: string }> {
  const vm = await client.getVm(vmId);
  return { hostId: vm.hostId, powerState: vm.powerState };
}

/**
 * Where a VM is, read back from the platform: the target's `locateVm` control (the platform's own
 * state, not the adapter under test), else a fresh `getVm` through the session's client. `undefined`
 * when the target cannot observe it (a replay); the scenario then notes that.
 */
export async function platformLocation(context: ScenarioContext, vmId: string): Promise<PlatformLocation | undefined> {
  context.located.count++;
  if (context.controls.locateVm) return context.controls.locateVm(vmId);
  const vm = await context.client.getVm(vmId);
  return { ...(vm.hostId === undefined ? {} : { hostId: vm.hostId }), powerState: vm.powerState };
}

/** Where a scenario expects its VM at the end. */
export interface ExpectedLocation {
  /** On this host… */
  readonly hostId?: string;
  /** …which is the migration's `source` or `target` (for messages and for checking the result's `side`). */
  readonly side?: "source" | "target";
  /** Anywhere but this host (the scheduler chose). */
  readonly notHostId?: string;
  /** In this power state (default: not checked). */
  readonly powerState?: PowerState;
  /** What the adapter reported (a result's `vmLocation`): its host, side and power state must agree with the platform. */
  readonly reported?: VmLocation;
  /** The migration's source and target hosts, to derive the platform's side for `reported`. */
  readonly sourceHostId?: string | undefined;
  readonly targetHostId?: string | undefined;
}

/**
 * Checks where a VM ended, read back from the platform ({@link platformLocation}), and that what the
 * adapter reported agrees. `when` says at which point (e.g. `after a cancelled live migration`).
 */
export async function expectVmAt(context: ScenarioContext, vmId: string, expected: ExpectedLocation, when: string): Promise<PlatformLocation | undefined> {
  const where = await platformLocation(context, vmId);
  const via = context.controls.locateVm ? "read back from the platform" : "read back with a fresh getVm";
  if (where === undefined) {
    context.note(`${when}: where ${vmId} ended is not observable on this target`);
    return undefined;
  }
  const here = `${where.powerState} on ${where.hostId ?? "no host"}`;
  const wanted = [expected.powerState ?? "", expected.hostId ? `on ${expected.hostId}${expected.side ? ` (the ${expected.side})` : ""}` : "", expected.notHostId ? `off ${expected.notHostId}` : ""].filter(Boolean).join(" ");
  const fail = (what: string) => new ConformanceFailure(`where the VM ended (${via}) ${when}: ${vmId} is ${here}, ${what}`);
  if (expected.hostId !== undefined && where.hostId !== expected.hostId) throw fail(`expected ${wanted}`);
  if (expected.notHostId !== undefined && (where.hostId === undefined || where.hostId === expected.notHostId)) throw fail(`expected ${wanted}`);
  if (expected.powerState !== undefined && where.powerState !== expected.powerState) throw fail(`expected ${wanted}`);
  const r = expected.reported;
  if (r) {
    const side = where.hostId === undefined ? "unknown" : where.hostId === expected.targetHostId ? "target" : where.hostId === expected.sourceHostId ? "source" : "unknown";
    if (r.side !== "unknown" && side !== "unknown" && r.side !== side) throw fail(`but the adapter's result says it is on its ${r.side}`);
    if (r.hostId !== undefined && r.hostId !== where.hostId) throw fail(`but the adapter's result says ${r.hostId}`);
    if (r.powerState !== "unknown" && where.powerState !== "unknown" && r.powerState !== where.powerState) throw fail(`but the adapter's result says ${r.powerState}`);
  }
  return where;
}
