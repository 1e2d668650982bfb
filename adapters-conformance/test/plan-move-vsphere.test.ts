/**
 * `vmshift plan move` from vSphere, whose VMs the mover reads by managed object id: the project's
 * vcsim launcher (reached through a `vsphere` profile, as a user's vCenter would be) with its
 * default inventory; a name pattern selects VMs through the adapter's listing, and the plan's steps
 * must carry each VM's moref (what `ExportVm` is called on) with its name, read back from vCenter's
 * own properties. Planning only: the moves from vcsim run in the move suite
 * (move-suite-into-*.test.ts). Skipped without vcsim; with CI=true that is a failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FleetPlan } from "@vmshift/core";
import { createVsphereMoveApi } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.ts";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const missing = vcsimMissing();
if (missing && process.env.CI === "true") throw new Error(missing);
const PASSWORD = `pw-${crypto.randomUUID()}`;

describe.skipIf(missing !== undefined)("vmshift plan move --from <vsphere> --to <libvirt>", () => {
  const dir = mkdtempSync(join(tmpdir(), "vmshift-plan-move-vc-"));
  let sim: Vcsim;
  beforeAll(async () => {
    sim = await startVcsim(["-vm", "3", "-cluster", "1", "-host", "1", "-standalone-host", "0", "-maintenance-host", "0", "-full-host", "0"]);
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("selects by name through the vSphere listing and records each VM's moref with its name and the maps given", async () => {
    writeFileSync(join(dir, "ca.pem"), sim.caPem);
    const config = join(dir, "config.yaml");
    writeFileSync(config, JSON.stringify({ profiles: {
      vc: { platform: "vsphere", url: sim.url, username: "u", password: { env: "VC_PASSWORD" }, ca: { file: join(dir, "ca.pem") } },
      lab: { platform: "libvirt", hosts: [{ id: "b", uri: "qemu+unix:///system?socket=/nonexistent/b" }] },
    } }), { mode: 0o600 });
    const r = await runCli(["plan", "move", "*_VM2,*_VM1", "--from", "vc", "--to", "lab", "--mode", "cold", "--network-map", "DC0_DVPG0=default", "--json", "--config", config], { env: { VC_PASSWORD: PASSWORD } });
    expect(r.code, r.stderr).toBe(0);
    const plan = (JSON.parse(r.stdout.trim()) as { plan: FleetPlan }).plan;
    // -vm 3 in one cluster: DC0_C0_RP0_VM0…2; the selector leaves VM0 out; steps in name order.
    expect(plan.migrations.map((m) => m.vmName)).toEqual(["DC0_C0_RP0_VM1", "DC0_C0_RP0_VM2"]);
    expect(new Set(plan.migrations.map((m) => m.vmId)).size).toBe(2);
    // What vCenter says each step's id is called, read through its own properties (not the planner).
    const api = createVsphereMoveApi({ url: sim.url, username: "u", password: PASSWORD, ca: sim.caPem });
    try {
      for (const m of plan.migrations) {
        expect(m.vmId).toMatch(/^vm-\d+$/);
        expect(m.request.vmId).toBe(m.vmId);
        const props = await api.properties({ type: "VirtualMachine", value: m.vmId }, ["name"]);
        const name = props["name"] as string | { $value?: string };
        expect(typeof name === "string" ? name : name.$value, m.vmId).toBe(m.vmName);
        expect(m).toMatchObject({ sourceHostId: "vc", targetHostId: "b", move: { from: "vc", to: "lab", mode: "cold", options: { toHost: "b", networkMap: { DC0_DVPG0: "default" } } } });
      }
    } finally {
      await api.close();
    }
  }, 60_000);
});
