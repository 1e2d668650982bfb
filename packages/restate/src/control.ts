/**
 * `VmshiftWaveControl`: the control state of one wave (keyed by plan id): paused or not, stopped,
 * cancelled, VMs cancelled one by one. Its exclusive handlers change it one call at a time and
 * wake the wave's run, which watches it through an awakeable (a workflow's run takes no messages
 * of its own; its shared handlers forward here).
 */
import * as restate from "@restatedev/restate-sdk";
import { SERVICE_NAMES } from "./ids.ts";
import type { ControlState } from "./types.ts";

const STATE = "control";
const WATCHER = "watcher";

/** The state of a wave nobody has controlled yet. */
export const INITIAL_CONTROL: ControlState = { seq: 0, paused: false, cancelVms: {} };

async function change(ctx: restate.ObjectContext, update: (s: ControlState) => ControlState | undefined): Promise<ControlState> {
  const current = (await ctx.get<ControlState>(STATE)) ?? INITIAL_CONTROL;
  const next = update(current);
  if (next === undefined) return current;
  const changed: ControlState = { ...next, seq: current.seq + 1 };
  ctx.set(STATE, changed);
  const watcher = await ctx.get<string>(WATCHER);
  if (watcher !== null) {
    ctx.resolveAwakeable(watcher, changed);
    ctx.clear(WATCHER);
  }
  return changed;
}

/** The control object's definition. */
export function controlObject(options: restate.ObjectOptions = {}) {
  return restate.object({
    name: SERVICE_NAMES.control,
    description: "vmshift: pause, resume, stop and cancel of one wave",
    handlers: {
      pause: (ctx: restate.ObjectContext) => change(ctx, (s) => (s.paused ? undefined : { ...s, paused: true })),
      resume: (ctx: restate.ObjectContext) => change(ctx, (s) => (s.paused ? { ...s, paused: false } : undefined)),
      stop: (ctx: restate.ObjectContext, reason?: string) => change(ctx, (s) => (s.stop !== undefined || s.cancel !== undefined ? undefined : { ...s, stop: reason ?? "stopped by caller" })),
      cancel: (ctx: restate.ObjectContext, reason?: string) => change(ctx, (s) => (s.cancel !== undefined ? undefined : { ...s, cancel: reason ?? "cancelled by caller" })),
      cancelVm: (ctx: restate.ObjectContext, req: { readonly vmId: string; readonly reason?: string }) =>
        change(ctx, (s) => (s.cancelVms[req.vmId] !== undefined ? undefined : { ...s, cancelVms: { ...s.cancelVms, [req.vmId]: req.reason ?? "cancelled by caller" } })),
      /** Resolves `awakeableId` with the state once its `seq` is past `seen` (at once when it already is). */
      async watch(ctx: restate.ObjectContext, req: { readonly awakeableId: string; readonly seen: number }): Promise<void> {
        const current = (await ctx.get<ControlState>(STATE)) ?? INITIAL_CONTROL;
        if (current.seq > req.seen) ctx.resolveAwakeable(req.awakeableId, current);
        else ctx.set(WATCHER, req.awakeableId);
      },
      get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<ControlState> => (await ctx.get<ControlState>(STATE)) ?? INITIAL_CONTROL),
      /** Forgets the state (the wave's run calls it when it ends). */
      async clear(ctx: restate.ObjectContext): Promise<void> {
        ctx.clearAll();
      },
    },
    options,
  });
}
