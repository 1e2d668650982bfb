/** The measurement controls of the hyperv-transcripts target (bench/adapters.ts) return sensible values. */
import { expect, test } from "vitest";
import { hypervTranscriptsTarget } from "./hyperv-transcripts.ts";

test("a completed live migration has the job's completion time and a script log matching the count", async () => {
  const session = await hypervTranscriptsTarget.open();
  try {
    const { client, subjects, controls } = session;
    const startedAt = Date.now();
    const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    const result = await task.wait();
    expect(result.outcome).toBe("completed");
    const doneAt = await controls.platformCompletedAt!(task.id);
    expect(doneAt).toBeGreaterThanOrEqual(startedAt);
    expect(doneAt).toBeLessThanOrEqual(Date.now());
    const log = controls.requestLog!();
    expect(log.length).toBe(controls.requestCount!());
    expect(log).toContain("startLive");
  } finally {
    await session.close();
  }
}, 60_000);
