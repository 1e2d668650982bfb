import { describe, expect, it } from "vitest";
import { EventChannel } from "./events.ts";
import type { FleetEvent, FleetReport } from "./types.ts";

const at = "2026-01-01T00:00:00.000Z";
const progress = (vmId: string, percent: number): FleetEvent => ({ type: "migration-progress", at, vmId, migrationId: `m-${vmId}`, progress: { phase: "transferring", percent, observedAt: at } });
const started = (vmId: string): FleetEvent => ({ type: "migration-started", at, vmId, order: 0, migrationId: `m-${vmId}`, mode: "live" });
const finished: FleetEvent = { type: "plan-finished", at, report: {} as FleetReport };

async function drain(events: AsyncIterable<FleetEvent>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of events) out.push(e.type === "migration-progress" ? `${e.vmId}:${e.progress.percent}` : e.type === "migration-started" ? `start:${e.vmId}` : e.type);
  return out;
}

describe("EventChannel", () => {
  it("keeps only the newest undelivered progress per VM for a reader that falls behind, never a lifecycle event", async () => {
    const channel = new EventChannel();
    const reader = channel.subscribe()[Symbol.asyncIterator]();
    const first = reader.next(); // subscribes
    channel.emit(started("a"));
    await first;
    for (let p = 1; p <= 5; p++) channel.emit(progress("a", p * 10));
    channel.emit(progress("b", 7));
    channel.emit(started("c"));
    channel.emit(progress("a", 60));
    channel.emit(finished);
    const rest: string[] = [];
    for (let r = await reader.next(); !r.done; r = await reader.next()) rest.push(r.value.type === "migration-progress" ? `${r.value.vmId}:${r.value.progress.percent}` : r.value.type);
    expect(rest).toEqual(["b:7", "migration-started", "a:60", "plan-finished"]);
  });

  it("replays lifecycle history (not progress) to a late reader and ends after plan-finished", async () => {
    const channel = new EventChannel();
    channel.emit(started("a"));
    channel.emit(progress("a", 50));
    channel.emit(finished);
    channel.emit(started("late")); // ignored after the end
    expect(await drain(channel.subscribe())).toEqual(["start:a", "plan-finished"]);
  });

  it("ends a reader whose signal fires", async () => {
    const channel = new EventChannel();
    const controller = new AbortController();
    const done = drain(channel.subscribe(controller.signal));
    channel.emit(started("a"));
    await new Promise((r) => setImmediate(r));
    controller.abort();
    expect(await done).toEqual(["start:a"]);
  });
});
