/**
 * `VmshiftWave`: a fleet plan as a workflow keyed by plan id. Its run starts the plan's
 * migrations in plan order as the plan's limits admit them (the same limiter as the in-process
 * executor: a blocked migration does not hold back those behind it whose hosts are free), each
 * as a `VmshiftStep` workflow that also takes its slots on the hosts' objects (so limits hold
 * across waves), and records every outcome as it settles. It survives its worker, a Restate node
 * and a restart of everything: the journal replays the decisions, steps already started are
 * attached to, never started again. Shared handlers: `status` (progress query), `plan`, `pause`,
 * `resume`, `stop`, `cancel` and `cancelVm`.
 */
import * as restate from "@restatedev/restate-sdk";
import { type FleetPlan, type FleetReport, MigrationLimiter, type PlannedMigration, type VmOutcome, type VmOutcomeStatus, fleetReport, isVmshiftError, slotClaimOf, untouchedOutcome, validatePlan } from "@vmshift/core";
import type { ControlApi, StepApi } from "./api.ts";
import { claimsFor } from "./claims.ts";
import { INITIAL_CONTROL } from "./control.ts";
import { SERVICE_NAMES, isPlanId, stepKey } from "./ids.ts";
import type { ControlState, EngineFigures, StepInput, StepResult, WaveInput, WaveMeta, WaveStatus, WaveSummary } from "./types.ts";

const control = { name: SERVICE_NAMES.control };
const step = { name: SERVICE_NAMES.step };

/** Most outcomes one `status` call returns. */
export const STATUS_PAGE = 200;

type Next = { readonly kind: "control"; readonly state: ControlState } | { readonly kind: "step"; readonly order: number; readonly result?: StepResult; readonly failure?: string };

interface Item {
  readonly m: PlannedMigration;
  state: "pending" | "running" | "done";
}

function checkInput(ctx: restate.WorkflowContext, input: WaveInput): void {
  if (!isPlanId(ctx.key)) throw new restate.TerminalError(`wave id ${JSON.stringify(ctx.key)}: use 1-100 of A-Z a-z 0-9 . _ - (starting with a letter or digit)`, { errorCode: 400 });
  if (typeof input !== "object" || input === null || typeof input.profile !== "string" || input.profile.length === 0) throw new restate.TerminalError("a wave needs { plan, profile }", { errorCode: 400 });
  try {
    validatePlan(input.plan);
  } catch (error) {
    throw new restate.TerminalError(isVmshiftError(error) ? error.message : String(error), { errorCode: 400 });
  }
}

async function runWave(ctx: restate.WorkflowContext, input: WaveInput): Promise<FleetReport> {
  checkInput(ctx, input);
  const planId = ctx.key;
  const plan: FleetPlan = input.plan;
  const scope = input.scope ?? input.profile;
  const stopOnFailure = input.stopOnFailure ?? plan.stopOnFailure;
  const startedAtMs = await ctx.date.now();
  const meta: WaveMeta = { planId, profile: input.profile, scope, kind: plan.kind, adapter: plan.adapter, migrations: plan.migrations.length, skipped: plan.skipped.length, limits: plan.limits };
  ctx.set("meta", meta);
  ctx.set("plan", plan);

  const items: Item[] = [...plan.migrations].sort((a, b) => a.order - b.order).map((m) => ({ m, state: "pending" }));
  const byOrder = new Map(items.map((i) => [i.m.order, i]));
  const byVm = new Map(items.map((i) => [i.m.vmId, i]));
  const limiter = new MigrationLimiter(plan.limits);
  const outcomes = new Map<number, VmOutcome>();
  const counts: Record<VmOutcomeStatus, number> = { completed: 0, failed: 0, cancelled: 0, skipped: 0 };
  const inFlight = new Map<number, restate.RestatePromise<Next>>();
  const cancelSent = new Set<number>();
  const handledVmCancels = new Set<string>();
  const engine = { steps: 0, beforeStartMs: 0, afterPlatformMs: 0, polls: 0 } satisfies EngineFigures;
  let stopping: WaveSummary["stopping"];
  let settled = 0;
  let current: ControlState = INITIAL_CONTROL;

  const watch = (seen: number): restate.RestatePromise<Next> => {
    const woken = ctx.awakeable<ControlState>();
    ctx.objectSendClient<ControlApi>(control, planId).watch({ awakeableId: woken.id, seen });
    return woken.promise.map((state) => ({ kind: "control", state: state! }));
  };
  let controlChange = watch(0);

  const summary = (state: WaveSummary["state"]): void => {
    ctx.set("summary", {
      state,
      total: items.length,
      settled,
      counts: { ...counts, skipped: plan.skipped.length },
      inFlight: [...inFlight.keys()],
      startedAt: new Date(startedAtMs).toISOString(),
      ...(stopping ? { stopping } : {}),
      engine: { ...engine },
    } satisfies WaveSummary);
  };

  const settle = (item: Item, outcome: VmOutcome): void => {
    if (item.state === "done") return;
    if (item.state === "running") limiter.release(slotClaimOf(item.m));
    item.state = "done";
    outcomes.set(item.m.order, outcome);
    counts[outcome.status]++;
    ctx.set(`o:${settled}`, outcome);
    settled++;
    if (outcome.status === "failed" && stopOnFailure && !stopping) stop(`stopped after ${item.m.vmId} failed (stopOnFailure)`, false);
  };

  const cancelStep = (item: Item, reason: string): void => {
    if (cancelSent.has(item.m.order)) return;
    cancelSent.add(item.m.order);
    ctx.workflowSendClient<StepApi>(step, stepKey(planId, item.m.order)).cancel(reason);
  };

  function stop(reason: string, cancelInFlight: boolean): void {
    if (stopping && (stopping.cancelInFlight || !cancelInFlight)) return;
    stopping = { reason, cancelInFlight };
    for (const item of items) {
      if (item.state === "pending") settle(item, untouchedOutcome(item.m, "cancelled", `not started: ${reason}`));
      else if (cancelInFlight && item.state === "running") cancelStep(item, reason);
    }
  }

  const apply = (state: ControlState): void => {
    current = state;
    if (state.cancel !== undefined) stop(state.cancel, true);
    else if (state.stop !== undefined) stop(state.stop, false);
    for (const [vmId, reason] of Object.entries(state.cancelVms)) {
      if (handledVmCancels.has(vmId)) continue;
      handledVmCancels.add(vmId);
      const item = byVm.get(vmId);
      if (!item) continue;
      if (item.state === "pending") settle(item, untouchedOutcome(item.m, "cancelled", `${reason} before it started`));
      else if (item.state === "running") cancelStep(item, reason);
    }
  };

  const launch = (item: Item): void => {
    item.state = "running";
    const order = item.m.order;
    const stepInput: StepInput = { planId, profile: input.profile, migration: item.m, claims: claimsFor(item.m, plan.limits, scope), ...(input.follow ? { follow: input.follow } : {}) };
    const call = ctx.workflowClient<StepApi>(step, stepKey(planId, order)).run(stepInput);
    inFlight.set(
      order,
      call.map((result, failure) => (failure ? { kind: "step", order, failure: failure.message } : { kind: "step", order, result: result! })),
    );
  };

  const schedule = (): void => {
    if (stopping || current.paused) return;
    for (const item of items) {
      if (item.state !== "pending") continue;
      if (!limiter.tryAcquire(slotClaimOf(item.m))) {
        if (plan.limits.maxInFlight !== undefined && limiter.inFlight >= plan.limits.maxInFlight) break;
        continue;
      }
      launch(item);
    }
  };

  for (;;) {
    schedule();
    const pending = items.some((i) => i.state === "pending");
    if (inFlight.size === 0 && !pending) break;
    summary(current.paused && !stopping ? "paused" : stopping ? "stopping" : "running");
    const next = await restate.RestatePromise.race([controlChange, ...inFlight.values()]);
    if (next.kind === "control") {
      apply(next.state);
      controlChange = watch(next.state.seq);
      continue;
    }
    inFlight.delete(next.order);
    const item = byOrder.get(next.order)!;
    if (next.result) {
      const r = next.result;
      if (r.timing.startAtMs !== undefined) {
        engine.steps++;
        engine.beforeStartMs += r.timing.startAtMs - r.timing.beganAtMs;
        engine.afterPlatformMs += Math.max(0, r.timing.endedAtMs - r.timing.startAtMs - (r.outcome.durationMs ?? 0));
        engine.polls += r.polls;
      }
      settle(item, r.outcome);
    } else {
      const outcome: VmOutcome = {
        ...untouchedOutcome(item.m, "failed", `the step ended without an outcome: ${next.failure ?? "unknown"}`),
        vmLocation: { side: "unknown", powerState: "unknown" },
        error: { code: "INTERNAL", message: next.failure ?? "the step ended without an outcome" },
      };
      settle(item, outcome);
    }
  }

  const report = fleetReport(
    plan,
    items.map((i) => outcomes.get(i.m.order)!),
    { startedAtMs, endedAtMs: await ctx.date.now(), cancelled: stopping?.cancelInFlight === true },
  );
  ctx.set("report", report);
  summary("finished");
  ctx.objectSendClient<ControlApi>(control, planId).clear();
  return report;
}

async function status(ctx: restate.WorkflowSharedContext, req?: { readonly since?: number; readonly limit?: number }): Promise<WaveStatus> {
  const since = Math.max(0, Math.floor(req?.since ?? 0));
  const limit = Math.min(STATUS_PAGE, Math.max(1, Math.floor(req?.limit ?? STATUS_PAGE)));
  const meta = await ctx.get<WaveMeta>("meta");
  if (meta === null) return { outcomes: [], since };
  const summary = await ctx.get<WaveSummary>("summary");
  const outcomes: VmOutcome[] = [];
  const settled = summary?.settled ?? 0;
  for (let i = since; i < Math.min(settled, since + limit); i++) {
    const o = await ctx.get<VmOutcome>(`o:${i}`);
    if (o !== null) outcomes.push(o);
  }
  const caughtUp = since + outcomes.length >= settled;
  const report = summary?.state === "finished" && caughtUp ? await ctx.get<FleetReport>("report") : null;
  return { meta, ...(summary ? { summary } : {}), outcomes, since, ...(report ? { report } : {}) };
}

/** The wave workflow. */
export function waveWorkflow(options: restate.WorkflowOptions = {}) {
  const forward = (ctx: restate.WorkflowSharedContext) => ctx.objectClient<ControlApi>(control, ctx.key);
  return restate.workflow({
    name: SERVICE_NAMES.wave,
    description: "vmshift: a fleet plan (evacuate, rebalance, consolidate) as a durable wave of migrations",
    handlers: {
      run: runWave,
      /** Progress query: the summary and the outcomes settled from `since` on; the report once finished. */
      status,
      /** The plan the wave runs (null before it started). */
      plan: async (ctx: restate.WorkflowSharedContext): Promise<FleetPlan | null> => ctx.get<FleetPlan>("plan"),
      /** No new migration starts until `resume`; in-flight ones go on. */
      pause: (ctx: restate.WorkflowSharedContext) => forward(ctx).pause(),
      resume: (ctx: restate.WorkflowSharedContext) => forward(ctx).resume(),
      /** Gentle stop: queued migrations end cancelled (untouched), in-flight ones finish. */
      stop: (ctx: restate.WorkflowSharedContext, reason?: string) => forward(ctx).stop(reason),
      /** Cancel: queued migrations end cancelled, in-flight ones are asked to cancel on the platform. */
      cancel: (ctx: restate.WorkflowSharedContext, reason?: string) => forward(ctx).cancel(reason),
      /** Cancels one VM's step (queued: it never starts; in flight: the platform is asked to cancel). */
      cancelVm: (ctx: restate.WorkflowSharedContext, req: { readonly vmId: string; readonly reason?: string }) => forward(ctx).cancelVm(req),
    },
    options,
  });
}
