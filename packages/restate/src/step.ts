/**
 * `VmshiftStep`: one migration of a wave, as a workflow keyed `<planId>:<order>` (it runs once per
 * key). It takes its slots on the hosts' and clusters' objects (in key order), starts the
 * migration with the request id derived from plan and step (a retried or replayed start finds the
 * first migration: adapters are idempotent on it), follows it to a terminal phase on durable
 * timers (each look a journaled platform call; a restarted worker attaches, it never starts
 * again), records the outcome in the shared outcome model and gives its slots back.
 * `cancel` cancels it (queued: it ends untouched; in flight: the platform is asked to cancel);
 * `status` is its progress query.
 */
import * as restate from "@restatedev/restate-sdk";
import { type MigrationResult, type MigrationSnapshot, type PlannedMigration, type Vm, type VmOutcome, type VmshiftClient, isTerminalPhase, isVmshiftError, locatedOutcome, needsLocation, outcomeFromResult, untouchedOutcome } from "@vmshift/core";
import type { SlotsApi } from "./api.ts";
import { FOLLOW_DEFAULTS, nextPollMs } from "./follow.ts";
import { SERVICE_NAMES, stepRequestId } from "./ids.ts";
import type { SlotClaim, StepInput, StepResult, StepStatus } from "./types.ts";

/** How a worker reaches the platforms its profiles name. */
export interface PlatformClients {
  /** A client for the profile named `profile` (the worker's own configuration resolves the name); cached by the caller. */
  client(profile: string): Promise<VmshiftClient>;
}

type Failure = { readonly code: string; readonly message: string };
type Looked = ({ readonly ok: true; readonly snapshot: MigrationSnapshot } | { readonly ok: false; readonly error: Failure }) & { readonly atMs: number; readonly sentAtMs?: number };
type Located = Pick<Vm, "hostId" | "powerState"> | null;

const slots = { name: SERVICE_NAMES.slots };

function failure(error: unknown): Failure {
  if (isVmshiftError(error)) return { code: error.code, message: error.message };
  return { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
}

/** Runs `fn`; a retryable vmshift error is thrown (Restate retries the journaled action), any other is returned. */
async function attempt<T>(fn: () => Promise<T>): Promise<{ readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Failure }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (isVmshiftError(error) && error.retryable) throw error;
    return { ok: false, error: failure(error) };
  }
}

async function locate(ctx: restate.WorkflowContext, clients: PlatformClients, profile: string, vmId: string): Promise<Located> {
  return ctx.run(
    "locate",
    async (): Promise<Located> => {
      try {
        const vm = await (await clients.client(profile)).getVm(vmId);
        return { ...(vm.hostId === undefined ? {} : { hostId: vm.hostId }), powerState: vm.powerState };
      } catch {
        return null; // the plan's view stands
      }
    },
    { maxRetryAttempts: 3 },
  );
}

async function runStep(ctx: restate.WorkflowContext, input: StepInput, clients: PlatformClients): Promise<StepResult> {
  const m: PlannedMigration = input.migration;
  const follow = { ...FOLLOW_DEFAULTS, ...input.follow };
  const holder = ctx.key;
  const cancelled = ctx.promise<string>("cancel").get();
  const held: SlotClaim[] = [];
  let beganAtMs = 0;
  const finish = (outcome: VmOutcome, timing: Omit<StepResult["timing"], "beganAtMs">, polls: number): StepResult => {
    ctx.set("outcome", outcome);
    for (const c of held) ctx.objectSendClient<SlotsApi>(slots, c.key).release({ holder });
    return { outcome, timing: { beganAtMs, ...timing }, polls };
  };

  // 1. Slots. First all at once (one round trip: within one wave the wave's own limiter already
  //    made room, so this is the usual case); if any is taken by another wave, give them all back
  //    and take them one by one in key order, waiting where full (no step waits while it holds a
  //    slot out of order: no deadlock), cancellable while it waits.
  const began = ctx.run("began", () => Date.now());
  const tries = input.claims.map((c) => ctx.objectClient<SlotsApi>(slots, c.key).acquire({ holder, role: c.role, caps: c.caps }));
  const [beganAt, ...answers] = await restate.RestatePromise.all([began, ...tries]);
  beganAtMs = beganAt;
  if (answers.every((a) => a === "granted")) held.push(...input.claims);
  else {
    await restate.RestatePromise.all(input.claims.map((c) => ctx.objectClient<SlotsApi>(slots, c.key).release({ holder })));
    for (const claim of input.claims) {
      const object = ctx.objectClient<SlotsApi>(slots, claim.key);
      if ((await object.acquire({ holder, role: claim.role, caps: claim.caps })) !== "granted") {
        const woken = ctx.awakeable<string>();
        if ((await object.wait({ holder, awakeableId: woken.id })) !== "granted") {
          const first = await restate.RestatePromise.race([woken.promise.map(() => ({ cancel: undefined })), cancelled.map((reason) => ({ cancel: reason ?? "cancelled" }))]);
          if (first.cancel !== undefined) {
            ctx.objectSendClient<SlotsApi>(slots, claim.key).release({ holder }); // withdraw (or give back a slot granted meanwhile)
            return finish(untouchedOutcome(m, "cancelled", `${first.cancel} before it started`), { endedAtMs: await ctx.date.now() }, 0);
          }
        }
      }
      held.push(claim);
    }
  }
  // 3. Start, with the request id derived from plan and step.
  const requestId = stepRequestId(input.planId, m.order, m.vmId);
  let started: Looked;
  try {
    started = await ctx.run(
      "start",
      async (): Promise<Looked> => {
        const client = await clients.client(input.profile);
        const sentAtMs = Date.now();
        const r = await attempt(async () => (await client.startMigration({ ...m.request, requestId })).snapshot());
        return r.ok ? { ok: true, snapshot: r.value, atMs: Date.now(), sentAtMs } : { ok: false, error: r.error, atMs: Date.now(), sentAtMs };
      },
      { maxRetryDuration: follow.startRetryMs },
    );
  } catch (error) {
    if (!(error instanceof restate.TerminalError)) throw error;
    started = { ok: false, error: { code: "TRANSPORT", message: error.message }, atMs: await ctx.date.now() };
  }
  const slotsAtMs = started.sentAtMs ?? started.atMs;
  if (!started.ok) {
    const vm = await locate(ctx, clients, input.profile, m.vmId);
    const outcome: VmOutcome = { ...locatedOutcome(m, "failed", `could not start: ${started.error.message}`, vm ?? undefined, started.atMs - slotsAtMs), error: started.error };
    return finish(outcome, { slotsAtMs, endedAtMs: started.atMs }, 0);
  }
  const startAtMs = started.atMs;
  let snapshot = started.snapshot;
  const migrationId = snapshot.id;
  ctx.set("started", {
    migrationId,
    mode: snapshot.mode,
    ...(snapshot.sourceHostId ?? m.sourceHostId ? { sourceHostId: (snapshot.sourceHostId ?? m.sourceHostId)! } : {}),
    ...(snapshot.targetHostId ?? m.targetHostId ? { targetHostId: (snapshot.targetHostId ?? m.targetHostId)! } : {}),
    at: new Date(startAtMs).toISOString(),
  } satisfies StepStatus["started"]);

  // 4. Follow on durable timers until a terminal phase; a cancel asks the platform once.
  let polls = 0;
  let cancelRequested = false;
  let lastAtMs = startAtMs;
  let lost: Failure | undefined;
  while (!isTerminalPhase(snapshot.phase)) {
    const waitMs = nextPollMs(snapshot, lastAtMs - startAtMs, follow);
    const tick = ctx.sleep(waitMs).map(() => "tick" as const);
    const next = cancelRequested ? await tick : await restate.RestatePromise.race([tick, cancelled.map(() => "cancel" as const)]);
    if (next === "cancel") {
      cancelRequested = true;
      await ctx.run("cancel", async () => {
        const client = await clients.client(input.profile);
        await attempt(() => client.cancelMigration(migrationId, { maxWaitMs: 0 })).catch((error: unknown) => {
          if (isVmshiftError(error) && error.code === "TIMEOUT") return undefined; // asked; it settles on the platform
          throw error;
        });
      });
    }
    const looked = await ctx.run("poll", async (): Promise<Looked> => {
      const client = await clients.client(input.profile);
      const r = await attempt(() => client.getMigration(migrationId));
      return r.ok ? { ok: true, snapshot: r.value, atMs: Date.now() } : { ok: false, error: r.error, atMs: Date.now() };
    });
    polls++;
    lastAtMs = looked.atMs;
    if (!looked.ok) {
      lost = looked.error;
      break;
    }
    snapshot = looked.snapshot;
    if (!isTerminalPhase(snapshot.phase)) ctx.set("progress", snapshot.progress);
  }

  // 5. The outcome, in the shared model; the slots go back.
  const measuredDurationMs = lastAtMs - startAtMs;
  let outcome: VmOutcome;
  if (lost !== undefined || snapshot.result === undefined) {
    const error = lost ?? { code: "INTERNAL", message: `the platform reported ${snapshot.phase} without a result` };
    const vm = await locate(ctx, clients, input.profile, m.vmId);
    outcome = { ...locatedOutcome(m, "failed", `lost track of the migration: ${error.message}`, vm ?? undefined, measuredDurationMs), migrationId, error };
  } else {
    const result: MigrationResult = snapshot.result;
    const vm = needsLocation(result) ? await locate(ctx, clients, input.profile, m.vmId) : undefined;
    const location = vm === undefined ? undefined : locatedOutcome(m, result.outcome, "", vm ?? undefined, 0).vmLocation;
    outcome = outcomeFromResult(m, result, { cancelRequested, measuredDurationMs, ...(location ? { location } : {}) });
  }
  return finish(outcome, { slotsAtMs, startAtMs, endedAtMs: lastAtMs }, polls);
}

/** The step workflow, served with the platform clients of a worker. */
export function stepWorkflow(clients: PlatformClients, options: restate.WorkflowOptions = {}) {
  return restate.workflow({
    name: SERVICE_NAMES.step,
    description: "vmshift: one migration of a wave (slots, start, follow, outcome)",
    handlers: {
      run: (ctx: restate.WorkflowContext, input: StepInput): Promise<StepResult> => runStep(ctx, input, clients),
      /** Cancels the step: queued, it ends untouched; in flight, the platform is asked to cancel. */
      cancel: async (ctx: restate.WorkflowSharedContext, reason?: string): Promise<void> => {
        const promise = ctx.promise<string>("cancel");
        if ((await promise.peek()) !== undefined) return;
        await promise.resolve(reason ?? "cancelled by caller").catch(() => undefined); // already resolved: one cancel is enough
      },
      /** Progress query: the started migration, its last progress and the outcome once settled. */
      status: async (ctx: restate.WorkflowSharedContext): Promise<StepStatus> => {
        const started = await ctx.get<StepStatus["started"]>("started");
        const progress = await ctx.get<StepStatus["progress"]>("progress");
        const outcome = await ctx.get<VmOutcome>("outcome");
        return { ...(started ? { started } : {}), ...(progress ? { progress } : {}), ...(outcome ? { outcome } : {}) };
      },
    },
    options,
  });
}
