/**
 * Non-ASCII names end to end: the adapter → node-powershell → the stand-in `pwsh`, which writes
 * through the console's default OEM code page (characters it cannot carry become `?`) unless the
 * shell was switched to UTF-8 output, as a real Windows console host does.
 */
import { VmshiftClient } from "@vmshift/core";
import { createHypervAdapter, createNodePowerShellRunner } from "@vmshift/hyperv";
import { afterEach, describe, expect, it } from "vitest";
import { STAND_IN_PWSH, StandInWorld } from "./src/world.ts";

const NAME = "Büro-Ωmega-虚拟";
const HOSTS = ["HV-A", "HV-B", "HV-C", "HV-D"];
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function open(edition: "Desktop" | "Core", remote: boolean) {
  const world = new StandInWorld();
  const vmId = world.vmId("web-01");
  world.update((s) => (s.vms[vmId]!.name = NAME));
  const password = "stand-in-Secret-7";
  const runner = createNodePowerShellRunner({
    executable: STAND_IN_PWSH,
    env: world.env({ VMSHIFT_PWSH_EDITION: edition, ...(remote ? { VMSHIFT_PWSH_EXPECT_PASSWORD: password } : {}) }),
    ...(remote ? { remote: { computerName: "MGMT-01", userName: "LAB\\vmshift", password, authentication: "Kerberos" as const } } : {}),
  });
  const client = new VmshiftClient(createHypervAdapter({ runner, hosts: HOSTS }), { follow: { poll: { initialDelayMs: 100, maxDelayMs: 300 } } });
  cleanup = async () => {
    await client.close();
    world.dispose();
  };
  return { vmId, client };
}

describe("UTF-8 output", () => {
  it.each([
    ["pwsh 7, local", "Core", false],
    ["Windows PowerShell 5.1, local", "Desktop", false],
    ["pwsh 7 over WinRM", "Core", true],
  ] as const)(`a VM named ${NAME} comes back unchanged (%s)`, async (_label, edition, remote) => {
    const { vmId, client } = open(edition, remote);
    expect((await client.getVm(vmId)).name).toBe(NAME);
    const listed = await client.listVms().all();
    expect(listed.find((v) => v.id === vmId)?.name).toBe(NAME);
  });
});
