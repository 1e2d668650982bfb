/** The measurement controls of the vsphere-vcsim target (bench/adapters.ts) return sensible values. */
import { expect, test } from "vitest";
import { vcsimMissing } from "./vsphere-launcher.ts";
import { vsphereVcsimTarget } from "./vsphere-vcsim.ts";

test.skipIf(vcsimMissing() !== undefined)("a completed live migration has the task's completeTime and a request log matching the count", async () => {
  const session = await vsphereVcsimTarget.open();
  try {
    const { client, subjects, controls } = session;
    const startedAt = Date.now();
    const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    const result = await task.wait();
    expect(result.outcome).toBe("completed");
    const doneAt = await controls.platformCompletedAt!(task.id);
    expect(doneAt).toBeGreaterThanOrEqual(startedAt);
    expect(doneAt).toBeLessThanOrEqual(Date.now());
    expect(await controls.platformCompletedAt!("live/vm-1/host-1/host-2/task-999999")).toBeUndefined();
    const log = controls.requestLog!();
    expect(log.length).toBe(controls.requestCount!());
    expect(log).toContain("RelocateVM_Task");
  } finally {
    await session.close();
  }
}, 60_000);
