/**
 * The vSphere move source's removal against the project's vcsim launcher: a powered-off VM is
 * removed with Destroy_Task through the real client (`createVsphereMoveApi`), and reading it back
 * from vCenter answers NOT_FOUND; a powered-on VM is refused and stays.
 *
 * Needs .cache/vcsim/vmshift-vcsim (.ci/setup.d/30-vsphere.sh); under CI=true missing is a failure.
 */
import { VmshiftClient } from "@vmshift/core";
import { vsphereMoveSource } from "@vmshift/move";
import { type VsphereMoveApi, createVsphereAdapter, createVsphereMoveApi } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const missing = vcsimMissing();
if (missing && process.env["CI"] === "true") throw new Error(missing);
const ctx = () => ({ signal: AbortSignal.timeout(30_000) });

describe.skipIf(missing !== undefined)("vSphere (vcsim) source removal: Destroy_Task", { timeout: 60_000 }, () => {
  let sim: Vcsim;
  let api: VsphereMoveApi;
  const vms: string[] = [];

  beforeAll(async () => {
    sim = await startVcsim(["-vm", "1", "-cluster", "1", "-host", "1", "-standalone-host", "1", "-maintenance-host", "0", "-full-host", "0"]);
    api = createVsphereMoveApi({ url: sim.url, username: "u", password: "vcsim-pw", thumbprint: sim.thumbprint, pollMs: 50 });
    const client = new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "u", password: "vcsim-pw", thumbprint: sim.thumbprint }));
    for (const vm of await client.listVms().all()) vms.push(vm.id);
    await client.close?.();
  });
  afterAll(async () => {
    await api?.close();
    await sim?.stop();
  });

  it("destroys a powered-off VM (reading it back answers NOT_FOUND) and refuses a running one", async () => {
    expect(vms.length).toBeGreaterThanOrEqual(2);
    const [gone, kept] = vms as [string, string];
    const source = vsphereMoveSource({ api, pollMs: 50 });
    await source.stop(gone, { shutdownTimeoutMs: 0 }, ctx());
    const what = await source.removal!.removeVm(gone, ctx());
    expect(what).toMatch(/destroyed.*disks deleted: \[/);
    await expect(api.properties({ type: "VirtualMachine", value: gone }, ["name"])).rejects.toMatchObject({ code: "NOT_FOUND" });

    expect(await source.powerState(kept, ctx())).toBe("running");
    await expect(source.removal!.removeVm(kept, ctx())).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(await source.powerState(kept, ctx())).toBe("running");
  });
});
