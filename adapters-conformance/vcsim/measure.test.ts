/**
 * The launcher's measurement endpoints (measure.go): GET /vmshift/request-log lists the SOAP method
 * of every /sdk request, the same sequence the adapter reports sending; GET /vmshift/task gives a
 * finished task's completeTime.
 */
import { VmshiftClient } from "@vmshift/core";
import { createVsphereAdapter, decodeMigrationId } from "@vmshift/vsphere";
import { expect, test } from "vitest";
import { discoverSubjects } from "../targets/vsphere-vcsim.ts";
import { startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

test.skipIf(vcsimMissing() !== undefined)("request-log matches what the adapter sent; task completeTime lies within the migration", async () => {
  const sim = await startVcsim(["-migrate-duration", "500ms", "-migrate-steps", "2"]);
  const sent: string[] = [];
  const client = new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "u", password: "vcsim-pw", thumbprint: sim.thumbprint, waitMaxSeconds: 2, onRequest: (m) => void sent.push(m) }));
  try {
    const subjects = await discoverSubjects(client);
    const startedAt = Date.now();
    const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    const key = decodeMigrationId(task.id).key;
    expect(await sim.query("task", { task: key })).toEqual({});
    expect((await task.wait()).outcome).toBe("completed");
    const { completeTime } = (await sim.query("task", { task: key })) as { completeTime?: number };
    expect(completeTime).toBeGreaterThanOrEqual(startedAt);
    expect(completeTime).toBeLessThanOrEqual(Date.now());
    const served = (await sim.query("request-log")) as { sdk: number; log: string[]; methods: Record<string, number> };
    expect(served.log).toEqual(sent);
    expect(served.sdk).toBe(sent.length);
    expect(served.methods["RelocateVM_Task"]).toBe(1);
    expect(Object.values(served.methods).reduce((a, b) => a + b, 0)).toBe(served.log.length);
  } finally {
    await client.close();
    await sim.stop();
  }
}, 60_000);
