import { describe, expect, it } from "vitest";
import type { MigrationRef } from "../ids.ts";
import { liveSnapshot, locationOf, phaseOfTask, relocateParams } from "./live.ts";
import type { TaskState } from "./tasks.ts";

const task = { type: "Task", value: "task-9" };
const ref: MigrationRef = { mode: "live", vmId: "vm-1", sourceHostId: "host-1", targetHostId: "host-2", key: "task-9" };
const at = "2026-01-01T00:00:00.000Z";

describe("TaskInfo → phase", () => {
  it.each<[Partial<TaskState>, string]>([
    [{ state: "queued" }, "requested"],
    [{ state: "running", cancelable: true, progress: 40 }, "transferring"],
    [{ state: "running" }, "transferring"],
    [{ state: "running", cancelable: false, progress: 95 }, "finalizing"],
    [{ state: "success" }, "completed"],
    [{ state: "error", cancelled: true }, "cancelled"],
    [{ state: "error", error: { type: "RequestCanceled", message: "" } }, "cancelled"],
    [{ state: "error", error: { type: "MigrationFault", message: "lost" } }, "failed"],
  ])("%j → %s", (t, phase) => {
    expect(phaseOfTask({ task, state: "queued", ...t } as TaskState)).toBe(phase);
  });
});

describe("live snapshots", () => {
  it("report percent (clamped) and the task's message, with no result before the end", () => {
    const s = liveSnapshot(ref, { task, state: "running", progress: 140, message: "Migrating the active state" }, at);
    expect(s).toMatchObject({ id: "live/vm-1/host-1/host-2/task-9", phase: "transferring", progress: { phase: "transferring", percent: 100, message: "Migrating the active state", observedAt: at } });
    expect(s.result).toBeUndefined();
    expect(Object.keys(s.progress)).not.toContain("transferredBytes");
  });

  it("report a completed VM where it is read to be, with the duration", () => {
    const s = liveSnapshot(ref, { task, state: "success", startTime: "2026-01-01T00:00:00Z", completeTime: "2026-01-01T00:00:02.5Z" }, at, locationOf(ref, { hostId: "host-2", power: "poweredOn" }));
    expect(s.result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "host-2", side: "target", powerState: "running" }, durationMs: 2500 });
    expect(s.result?.error).toBeUndefined();
  });

  it("never assume a completed VM runs on the id's target host", () => {
    const moved = liveSnapshot(ref, { task, state: "success" }, at, locationOf(ref, { hostId: "host-7", power: "poweredOff" }));
    expect(moved.result?.vmLocation).toEqual({ hostId: "host-7", side: "unknown", powerState: "stopped" });
    expect(liveSnapshot(ref, { task, state: "success" }, at).result?.vmLocation).toEqual({ side: "unknown", powerState: "unknown" });
  });

  it("carry the mapped error and the location they are given when the task failed", () => {
    const s = liveSnapshot(ref, { task, state: "error", error: { type: "InsufficientMemoryResourcesFault", message: "no memory" } }, at, { hostId: "host-1", side: "source", powerState: "running" });
    expect(s.result).toMatchObject({ outcome: "failed", vmLocation: { side: "source" }, error: { code: "INSUFFICIENT_RESOURCES" } });
    expect(s.result?.error?.message).toContain("no memory");
  });

  it("map an unknown task fault to MIGRATION_FAILED", () => {
    const s = liveSnapshot(ref, { task, state: "error", error: { type: "SomeNewFault", message: "x" } }, at, { side: "source", powerState: "running" });
    expect(s.result?.error?.code).toBe("MIGRATION_FAILED");
  });
});

describe("RelocateVM_Task parameters", () => {
  it("carry host, pool and datastore only when given, escaped", () => {
    expect(relocateParams({ type: "HostSystem", value: "host-2" }, undefined, undefined).xml).toBe('<spec><host type="HostSystem">host-2</host></spec><priority>defaultPriority</priority>');
    expect(relocateParams({ type: "HostSystem", value: "h<2>" }, { type: "ResourcePool", value: "resgroup-8" }, "datastore-1").xml).toBe(
      '<spec><datastore type="Datastore">datastore-1</datastore><pool type="ResourcePool">resgroup-8</pool><host type="HostSystem">h&lt;2&gt;</host></spec><priority>defaultPriority</priority>',
    );
  });
});
