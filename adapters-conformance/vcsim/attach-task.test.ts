/**
 * Attaching by a bare vCenter task id (`task-96`, what govc and the vSphere Client show), not only
 * by vmshift's composite id: the VM comes from the task's info.entity, the source host from the
 * VM while the task runs; vSphere does not expose the task's RelocateSpec, so the target is
 * `unknown` and the result says where the VM is. Needs .cache/vcsim/vmshift-vcsim.
 */
import { VmshiftClient, isVmshiftError } from "@vmshift/core";
import { createVsphereAdapter, decodeMigrationId } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverSubjects } from "../targets/vsphere-vcsim.ts";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const missing = vcsimMissing();
if (missing && process.env["CI"] === "true") throw new Error(missing);

describe.skipIf(missing !== undefined)("attachMigration by a bare task id (vmshift-vcsim)", () => {
  let sim: Vcsim;
  const connect = () => new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "u", password: "vcsim-pw", thumbprint: sim.thumbprint, waitMaxSeconds: 2 }));
  beforeAll(async () => {
    sim = await startVcsim(["-vm", "4", "-migrate-duration", "1s", "-migrate-steps", "4"]);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("resolves the VM and its source host from the task and follows it to the end", async () => {
    const client = connect();
    const subjects = await discoverSubjects(client);
    const source = (await client.getVm(subjects.liveVm)).hostId!;
    const started = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    const taskId = decodeMigrationId(started.id).key;
    expect(taskId).toMatch(/^task-\d+$/);
    const other = connect();
    const attached = await other.attachMigration(taskId);
    expect(attached.snapshot()).toMatchObject({ vmId: subjects.liveVm, mode: "live", sourceHostId: source, targetHostId: "unknown" });
    const result = await attached.wait({ maxWaitMs: 20_000 });
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation).toMatchObject({ hostId: subjects.targetHost, powerState: "running" });
    // A finished task attaches too, and says where the VM is.
    const late = connect();
    const done = await late.attachMigration(taskId);
    expect(done.snapshot().phase).toBe("completed");
    expect((await done.wait()).vmLocation.hostId).toBe(subjects.targetHost);
    // The process that started it knows its own id.
    expect((await client.attachMigration(taskId)).id).toBe(started.id);
    await Promise.all([client.close(), other.close(), late.close()]);
  });

  it("refuses what is not a migration task", async () => {
    const client = connect();
    const gone = await client.attachMigration("task-999999").catch((e: unknown) => e);
    expect(isVmshiftError(gone, "NOT_FOUND")).toBe(true);
    const bad = await client.attachMigration("not-a-task").catch((e: unknown) => e);
    expect(isVmshiftError(bad, "INVALID_ARGUMENT")).toBe(true);
    await client.close();
  });
});
