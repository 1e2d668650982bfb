/**
 * `VmshiftSlots`: one virtual object per host and per cluster (keyed `<scope>/host/<id>`,
 * `<scope>/cluster/<id>`) holding the in-flight migrations that touch it. Its handlers are
 * exclusive, so claims and releases on one host are applied one at a time, whichever worker runs
 * them and whichever wave they come from: the limits hold across every worker and every wave.
 * A claim that does not fit waits in the object's queue and is woken through its step's
 * awakeable when a release makes room.
 */
import * as restate from "@restatedev/restate-sdk";
import { type SlotState, acquire, counts, emptySlots, release, wake } from "./claims.ts";
import { SERVICE_NAMES } from "./ids.ts";
import type { SlotsView } from "./api.ts";
import type { SlotClaim } from "./types.ts";

const STATE = "slots";

async function load(ctx: restate.ObjectSharedContext): Promise<SlotState> {
  return (await ctx.get<SlotState>(STATE)) ?? emptySlots();
}

/** The slot objects' definition (no dependencies: any worker serves it). */
export function slotsObject(options: restate.ObjectOptions = {}) {
  return restate.object({
    name: SERVICE_NAMES.slots,
    description: "vmshift: in-flight migrations of one host or cluster, against the limits of the waves that touch it",
    handlers: {
      /** Takes a slot now (`granted`) or queues for one (`queued`; then call `wait`). */
      async acquire(ctx: restate.ObjectContext, req: { readonly holder: string; readonly role: SlotClaim["role"]; readonly caps: SlotClaim["caps"] }): Promise<"granted" | "queued"> {
        const state = await load(ctx);
        const before = JSON.stringify(state);
        const result = acquire(state, req.holder, req.role, req.caps);
        if (JSON.stringify(state) !== before) ctx.set(STATE, state);
        return result;
      },
      /** Registers the awakeable a queued holder is woken with; `granted` when it was let in meanwhile. */
      async wait(ctx: restate.ObjectContext, req: { readonly holder: string; readonly awakeableId: string }): Promise<"granted" | "waiting" | "unknown"> {
        const state = await load(ctx);
        const result = wake(state, req.holder, req.awakeableId);
        if (result === "waiting") ctx.set(STATE, state);
        return result;
      },
      /** Gives a slot back (or withdraws a queued claim) and wakes the waiters that fit now. */
      async release(ctx: restate.ObjectContext, req: { readonly holder: string }): Promise<void> {
        const state = await load(ctx);
        const granted = release(state, req.holder);
        if (Object.keys(state.holders).length === 0 && state.queue.length === 0) ctx.clear(STATE);
        else ctx.set(STATE, state);
        for (const w of granted) if (w.awakeableId !== undefined) ctx.resolveAwakeable(w.awakeableId, "granted");
      },
      /** Who holds and who waits (read-only). */
      held: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<SlotsView> => {
        const state = await load(ctx);
        return { holders: state.holders, waiting: state.queue.map((w) => w.holder), ...counts(state) };
      }),
    },
    options,
  });
}
