/** The measurement controls of the kubevirt-env target (bench/adapters.ts) return sensible values. */
import { expect, test } from "vitest";
import { requestKind } from "../../kubevirt-env/index.ts";
import { kubevirtEnvTarget } from "./kubevirt-env.ts";

test("requestKind generalises namespaces and names, keeps watches", () => {
  expect(requestKind("GET /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations/vm-1-abc")).toBe("GET /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstancemigrations/{name}");
  expect(requestKind("GET /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations?watch=true&resourceVersion=5")).toBe("GET /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstancemigrations?watch");
  expect(requestKind("PUT /apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/web/stop")).toBe("PUT /apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachines/{name}/stop");
  expect(requestKind("GET /api/v1/nodes/node-2")).toBe("GET /api/v1/nodes/{name}");
});

test("a completed live migration has a platform completion time and a request log matching the count", async () => {
  const session = await kubevirtEnvTarget.open();
  try {
    const { client, subjects, controls } = session;
    const startedAt = Date.now();
    const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    const result = await task.wait();
    expect(result.outcome).toBe("completed");
    const doneAt = await controls.platformCompletedAt!(task.id);
    expect(doneAt).toBeGreaterThanOrEqual(startedAt);
    expect(doneAt).toBeLessThanOrEqual(Date.now());
    expect(await controls.platformCompletedAt!("default/no-such-migration")).toBeUndefined();
    const log = controls.requestLog!();
    expect(log.length).toBe(controls.requestCount!());
    expect(log.some((k) => k.startsWith("POST /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstancemigrations"))).toBe(true);
    expect(log.every((k) => !k.includes("default/"))).toBe(true);
  } finally {
    await session.close();
  }
});
