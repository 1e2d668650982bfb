/**
 * What one live migration costs on vmshift-vcsim, connected: one RetrievePropertiesEx (the VM
 * with its pool's owner, and the target host with its cluster's root pool), RelocateVM_Task, one
 * CreateFilter and one DestroyPropertyFilter on the session's own PropertyCollector, and one
 * WaitForUpdatesEx per update (the first gives the task's state). Two migrations on one session
 * share the update loop. Needs .cache/vcsim/vmshift-vcsim (.ci/setup.d/30-vsphere.sh).
 */
import { VmshiftClient } from "@vmshift/core";
import { createVsphereAdapter } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverSubjects } from "../targets/vsphere-vcsim.ts";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const missing = vcsimMissing();
if (missing && process.env["CI"] === "true") throw new Error(missing);

describe.skipIf(missing !== undefined)("requests per live migration (vmshift-vcsim)", () => {
  let sim: Vcsim;
  const methods: string[] = [];
  const connect = () =>
    new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "u", password: "vcsim-pw", thumbprint: sim.thumbprint, waitMaxSeconds: 2, onRequest: (m) => methods.push(m) }));

  beforeAll(async () => {
    sim = await startVcsim(["-vm", "4", "-migrate-duration", "1s", "-migrate-steps", "4"]);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("sends 4 requests plus one WaitForUpdatesEx per update, and no PropertyCollector of its own", async () => {
    const client = connect();
    const subjects = await discoverSubjects(client);
    methods.length = 0;
    const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    const updates = [];
    for await (const s of task.events()) updates.push(s);
    const result = await task.wait();
    expect(result.outcome).toBe("completed");
    await new Promise((r) => setTimeout(r, 100)); // DestroyPropertyFilter is sent as the follow ends
    const fixed = methods.filter((m) => m !== "WaitForUpdatesEx");
    expect(fixed).toEqual(["RetrievePropertiesEx", "RelocateVM_Task", "CreateFilter", "DestroyPropertyFilter"]);
    const waits = methods.length - fixed.length;
    expect(waits).toBeGreaterThan(0);
    expect(waits).toBeLessThanOrEqual(updates.length + 1);
    await client.close();
  });

  it("follows two migrations of one session through one update loop", async () => {
    const client = connect();
    const hosts = await client.listHosts().all();
    const usable = hosts.filter((h) => h.clusterId !== undefined && h.schedulable && h.memoryBytes !== 16 * 1024 * 1024);
    const vms = (await client.listVms().all()).filter((v) => v.powerState === "running" && usable.some((h) => h.id === v.hostId));
    const moves = vms
      .map((vm) => ({ vm: vm.id, host: usable.find((h) => h.id !== vm.hostId && h.clusterId === usable.find((x) => x.id === vm.hostId)?.clusterId)?.id }))
      .filter((m) => m.host !== undefined)
      .slice(0, 2);
    expect(moves, JSON.stringify({ hosts, vms })).toHaveLength(2);
    methods.length = 0;
    const tasks = await Promise.all(moves.map((m) => client.startMigration({ vmId: m.vm, targetHostId: m.host! })));
    const results = await Promise.all(tasks.map((t) => t.wait({ maxWaitMs: 20_000 })));
    expect(results.map((r) => r.outcome)).toEqual(["completed", "completed"]);
    for (const m of moves) expect((await client.getVm(m.vm)).hostId).toBe(m.host);
    expect(methods).not.toContain("CreatePropertyCollector");
    expect(methods.filter((m) => m === "CreateFilter").length).toBe(2);
    await client.close();
  });
});

describe.skipIf(missing !== undefined)("where a completed live migration leaves the VM (vmshift-vcsim)", () => {
  let sim: Vcsim;
  beforeAll(async () => {
    sim = await startVcsim(["-vm", "4", "-migrate-duration", "400ms", "-migrate-steps", "2"]);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("reads the VM's host and power state instead of assuming the id's target and running", async () => {
    const connect = () => new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "u", password: "vcsim-pw", thumbprint: sim.thumbprint, waitMaxSeconds: 2 }));
    const client = connect();
    const subjects = await discoverSubjects(client);
    const source = (await client.getVm(subjects.liveVm)).hostId!;
    const first = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    const followed = await first.wait({ maxWaitMs: 20_000 });
    expect(followed.outcome).toBe("completed");
    expect(followed.vmLocation).toEqual({ hostId: subjects.targetHost, side: "target", powerState: "running" });
    // The VM moves on (back to its first host); the first migration, looked up later, says where it is now.
    const back = await client.startMigration({ vmId: subjects.liveVm, targetHostId: source });
    expect((await back.wait({ maxWaitMs: 20_000 })).outcome).toBe("completed");
    const later = connect();
    const polled = await later.getMigration(first.id);
    expect(polled.phase).toBe("completed");
    expect(polled.result?.vmLocation).toEqual({ hostId: source, side: "source", powerState: "running" });
    const attached = await later.attachMigration(first.id);
    expect((await attached.wait()).vmLocation.hostId).toBe(source);
    await Promise.all([client.close(), later.close()]);
  });
});
