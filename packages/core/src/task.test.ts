import { describe, expect, it } from "vitest";
import { fakeAdapter, snapshot } from "../test/fake-adapter.ts";
import { VmshiftClient } from "./client.ts";
import { VirtualClock } from "./clock.ts";
import { VmshiftError } from "./errors.ts";
import type { MigrationSnapshot } from "./model.ts";

describe("MigrationTask", () => {
  it("a wait that times out throws TIMEOUT and does not cancel", async () => {
    const { adapter, calls } = fakeAdapter({}, ["transferring"]);
    const task = await new VmshiftClient(adapter, { clock: new VirtualClock() }).startMigration({ vmId: "vm-1" });
    await expect(task.wait({ maxWaitMs: 5000 })).rejects.toMatchObject({ code: "TIMEOUT", retryable: true });
    expect(calls).not.toContain("cancelMigration");
    expect(task.snapshot().phase).toBe("transferring");
  });

  it("cancelOnTimeout cancels, then reports TIMEOUT with the result", async () => {
    let cancelled = false;
    const { adapter } = fakeAdapter({
      async getMigration() {
        return cancelled ? snapshot("cancelled") : snapshot("transferring");
      },
      async cancelMigration() {
        cancelled = true;
      },
    });
    const task = await new VmshiftClient(adapter, { clock: new VirtualClock() }).startMigration({ vmId: "vm-1" });
    const error = (await task.wait({ maxWaitMs: 1000, cancelOnTimeout: true }).catch((e: unknown) => e)) as VmshiftError;
    expect(error.code).toBe("TIMEOUT");
    expect(error.details?.["result"]).toMatchObject({ outcome: "cancelled" });
  });

  it("an aborted wait throws ABORTED and the migration goes on", async () => {
    const { adapter, calls } = fakeAdapter({}, ["transferring"]);
    const task = await new VmshiftClient(adapter, { clock: new VirtualClock() }).startMigration({ vmId: "vm-1" });
    const controller = new AbortController();
    const waiting = task.wait({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: "ABORTED" });
    expect(calls).not.toContain("cancelMigration");
  });

  it("cancel on a finished migration returns its result without asking the platform", async () => {
    const { adapter, calls } = fakeAdapter({
      async startMigration() {
        return snapshot("completed");
      },
    });
    const task = await new VmshiftClient(adapter, { clock: new VirtualClock() }).startMigration({ vmId: "vm-1" });
    expect((await task.cancel()).outcome).toBe("completed");
    expect(calls).not.toContain("cancelMigration");
  });

  it("a cancel that loses the race to completion reports completed", async () => {
    const { adapter } = fakeAdapter({
      async getMigration() {
        return snapshot("completed");
      },
      async cancelMigration() {
        throw new VmshiftError("INVALID_STATE", "migration already finished");
      },
    });
    const task = await new VmshiftClient(adapter, { clock: new VirtualClock() }).startMigration({ vmId: "vm-1" });
    const result = await task.cancel();
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation.side).toBe("target");
  });

  it("several consumers see the same events, and nothing after a terminal phase", async () => {
    const pushes: MigrationSnapshot[] = [snapshot("transferring"), snapshot("finalizing"), snapshot("completed"), snapshot("failed")];
    const { adapter } = fakeAdapter({
      watchMigration() {
        return (async function* () {
          for (const s of pushes) yield s;
        })();
      },
    });
    const task = await new VmshiftClient(adapter, { clock: new VirtualClock() }).startMigration({ vmId: "vm-1" });
    const read = async () => {
      const phases: string[] = [];
      for await (const s of task.events()) phases.push(s.phase);
      return phases;
    };
    const [a, b] = await Promise.all([read(), read()]);
    expect(a).toEqual(["preparing", "transferring", "finalizing", "completed"]);
    expect(b).toEqual(a);
    expect((await task.wait()).outcome).toBe("completed");
  });

  it("retries transient follow errors and surfaces permanent ones to waiters", async () => {
    let n = 0;
    const { adapter } = fakeAdapter({
      async getMigration() {
        n++;
        if (n === 1) throw new VmshiftError("TRANSPORT", "503");
        throw new VmshiftError("PERMISSION_DENIED", "token revoked");
      },
    });
    const task = await new VmshiftClient(adapter, { clock: new VirtualClock() }).startMigration({ vmId: "vm-1" });
    await expect(task.wait()).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    expect(n).toBe(2);
  });
});
