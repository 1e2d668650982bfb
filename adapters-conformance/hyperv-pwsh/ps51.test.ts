/**
 * The adapter through node-powershell against the stand-in answering as Windows PowerShell 5.1
 * (numeric enums, "\/Date(ms)\/" dates), locally (no remoting).
 */
import { VmshiftClient } from "@vmshift/core";
import { createHypervAdapter, createNodePowerShellRunner } from "@vmshift/hyperv";
import { afterEach, describe, expect, it } from "vitest";
import { STAND_IN_PWSH, StandInWorld } from "./src/world.ts";

const HOSTS = ["HV-A", "HV-B", "HV-C", "HV-D"];
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function open(edition: "Desktop" | "Core") {
  const world = new StandInWorld();
  const runner = createNodePowerShellRunner({ executable: STAND_IN_PWSH, env: world.env({ VMSHIFT_PWSH_EDITION: edition }) });
  const client = new VmshiftClient(createHypervAdapter({ runner, hosts: HOSTS }), { follow: { poll: { initialDelayMs: 100, maxDelayMs: 300 } } });
  cleanup = async () => {
    await client.close();
    world.dispose();
  };
  return { world, client };
}

describe("Windows PowerShell 5.1 output through node-powershell", () => {
  it("lists, gets and migrates with numeric enums and \\/Date()\\/ dates", async () => {
    const { world, client } = open("Desktop");
    const vms = await client.listVms().all();
    expect(vms).toHaveLength(12);
    expect(vms.find((v) => v.name === "batch-01")!.powerState).toBe("stopped");
    const hosts = await client.listHosts().all();
    expect(hosts.find((h) => h.id === "HV-D")!.schedulable).toBe(false);
    expect(hosts.find((h) => h.id === "HV-B")!.labels?.["hyperv.migrationAuthentication"]).toBe("Kerberos");
    const vmId = world.vmId("web-01");
    const task = await client.startMigration({ vmId, targetHostId: "HV-B" });
    expect(task.snapshot().startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const result = await task.wait();
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "HV-B", side: "target", powerState: "running" } });
    expect((await client.getVm(vmId)).hostId).toBe("HV-B");
  });

  it("probe reports the endpoint", async () => {
    const { client } = open("Core");
    const probe = await client.probe();
    expect(probe.server).toMatch(/^Hyper-V on Microsoft Windows NT 10\.0\.20348\.0 \(Hyper-V module 2\.0\.0\.0\)$/);
    expect(probe.notes).toContain("computer MGMT-01");
    expect(probe.table["migration.live"].status).toBe("supported");
  });

  it("a bad id changes nothing and sends nothing", async () => {
    const { world, client } = open("Core");
    const before = world.requestCount;
    await expect(client.startMigration({ vmId: "bad\nid", targetHostId: "HV-B" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(world.requestCount).toBe(before);
    await expect(client.getVm("not-a-guid'; Remove-VM *")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(world.update((s) => Object.keys(s.vms).length)).toBe(12);
  });
});
