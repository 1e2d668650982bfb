/** The measurement controls of the nutanix-server target (bench/adapters.ts) return sensible values. */
import { expect, test } from "vitest";
import { nutanixServerTarget, prismRequestKind } from "./nutanix-server.ts";

test("prismRequestKind generalises ext ids and task ids and drops the query", () => {
  expect(prismRequestKind("GET", "/api/prism/v4.0/config/tasks/ZXJnb24%3D%3A7a5c0000-0000-4000-8000-000000000001")).toBe("GET /api/prism/v4.0/config/tasks/{id}");
  expect(prismRequestKind("POST", "/api/vmm/v4.0/ahv/config/vms/0e000000-0000-4000-8000-000000000001/$actions/migrate-to-host")).toBe("POST /api/vmm/v4.0/ahv/config/vms/{id}/$actions/migrate-to-host");
  expect(prismRequestKind("GET", "/api/vmm/v4.0/ahv/config/vms?$page=1&$limit=5")).toBe("GET /api/vmm/v4.0/ahv/config/vms");
});

test("a completed live migration has the task's completion time and a request log matching the count", async () => {
  const session = await nutanixServerTarget.open();
  try {
    const { client, subjects, controls } = session;
    const startedAt = Date.now();
    const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    const result = await task.wait();
    expect(result.outcome).toBe("completed");
    const doneAt = await controls.platformCompletedAt!(task.id);
    expect(doneAt).toBeGreaterThanOrEqual(startedAt);
    expect(doneAt).toBeLessThanOrEqual(Date.now());
    expect(await controls.platformCompletedAt!("not-an-id")).toBeUndefined();
    const log = controls.requestLog!();
    expect(log.length).toBe(controls.requestCount!());
    expect(log).toContain("GET /api/prism/v4.0/config/tasks/{id}");
  } finally {
    await session.close();
  }
});
