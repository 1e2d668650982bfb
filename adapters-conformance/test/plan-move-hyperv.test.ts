/**
 * `vmshift plan move` + `vmshift plan run` from Hyper-V, whose VMs the mover reads by their id
 * (GUID): the stand-in pwsh's model (reached through a `hyperv` profile, as a user's would be) with
 * three running VMs holding real VHDX files, two selected by a name pattern; the steps must carry
 * each VM's GUID with its name and the maps given; `plan run` moves them into kubevirt-env (CDI
 * upload, then a VirtualMachine). Each moved disk's bytes are compared with the source VHDX's guest
 * content; the VM left out stays running. Needs qemu-img (with CI=true, its absence is a failure).
 */
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FleetPlan, FleetReport } from "@vmshift/core";
import { afterAll, describe, expect, it } from "vitest";
import { guestContentHash, qemuImgMissing } from "../../test-support/disk-hash.ts";
import { runCli } from "../../test-support/run-cli.ts";
import { STAND_IN_PWSH, StandInWorld } from "../hyperv-pwsh/src/world.ts";
import { kubevirtEnvTarget } from "../src/move/kubevirt-env.ts";

// No space in the name: the CLI's map parser (parsePairs) refuses one today (reported; Hyper-V's own "Default Switch" has one).
const SWITCH = "LAN-Switch";
const STORAGE = "D:";
const NAMES = ["pm-hv-web-2", "pm-hv-db-1", "pm-hv-web-1"] as const;
const missing = qemuImgMissing();
if (missing && process.env.CI === "true") throw new Error(missing);

describe.skipIf(missing !== undefined)("vmshift plan move --from <hyperv> --to <kubevirt>, then plan run", () => {
  const dir = mkdtempSync(join(tmpdir(), "vmshift-plan-move-hv-"));
  const world = new StandInWorld();
  afterAll(() => {
    world.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("selects by name through the Hyper-V listing, records the VMs' GUIDs and the maps, moves the selected VMs byte for byte", async () => {
    const vms = new Map<string, { id: string; file: string }>();
    for (const name of NAMES) {
      const id = randomUUID();
      world.update((s) => {
        s.vms[id] = { id, name, state: "Running", host: "HV-A", memoryStartupBytes: 128 * 1024 * 1024, processorCount: 1, generation: 1, version: "9.0" };
      });
      const file = world.addVirtualDisk(name, { controllerType: "SCSI", controllerNumber: 0, controllerLocation: 0, path: `D:\\Hyper-V\\${name}\\${name}.vhdx`, sizeBytes: 4 * 1024 * 1024, content: Buffer.from(`vmshift-plan-move ${name}`, "utf8") });
      world.setDevices(name, { nics: [{ name: "Network Adapter", switchName: SWITCH, macAddress: `00155D0A0B${String(vms.size).padStart(2, "0")}`, dynamicMacAddressEnabled: false, isLegacy: false }] });
      vms.set(name, { id, file });
    }
    // The profile's executable is the stand-in, with its world in the environment (as a user's pwsh has its host).
    const pwsh = join(dir, "pwsh");
    writeFileSync(pwsh, `#!/bin/sh\n${Object.entries(world.env()).map(([k, v]) => `${k}='${v}'`).join(" ")} exec '${STAND_IN_PWSH}' "$@"\n`);
    chmodSync(pwsh, 0o755);
    const target = await kubevirtEnvTarget.open();
    try {
      const config = join(dir, "config.yaml");
      writeFileSync(config, JSON.stringify({ profiles: { hv: { platform: "hyperv", executable: pwsh, hosts: ["HV-A", "HV-B"], shares: { "\\\\": world.shareRoot } }, kv: target.cliProfile!() } }), { mode: 0o600 });
      const flags = ["--from", "hv", "--to", "kv", "--network-map", `${SWITCH}=pod`, "--storage-map", `${STORAGE}=local-path`, "--shutdown-timeout", "2000", "--config", config];
      const planned = await runCli(["plan", "move", "pm-hv-web-*", ...flags, "--downtime-budget", "60000", "--json"]);
      expect(planned.code, planned.stderr).toBe(0);
      const plan = (JSON.parse(planned.stdout.trim()) as { plan: FleetPlan }).plan;
      expect(plan.migrations.map((m) => [m.vmName, m.vmId, m.request.vmId])).toEqual(["pm-hv-web-1", "pm-hv-web-2"].map((n) => [n, vms.get(n)!.id, vms.get(n)!.id]));
      for (const m of plan.migrations) {
        expect(m).toMatchObject({ sourceHostId: "hv", targetHostId: "kv/default", move: { from: "hv", to: "kv", mode: "cold" } });
        expect(m.move!.options).toEqual({ networkMap: { [SWITCH]: "pod" }, storageMap: { [STORAGE]: { storage: "local-path" } }, shutdownTimeoutMs: 2000 });
      }
      const file = join(dir, "plan.json");
      writeFileSync(file, planned.stdout);
      const run = await runCli(["plan", "run", file, "--json", "--config", config]);
      expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
      const report = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { report?: FleetReport }).find((e) => e.report !== undefined)?.report;
      expect(report?.outcomes.map((o) => [o.vmId, o.status, o.vmLocation.side])).toEqual(plan.migrations.map((m) => [m.vmId, "completed", "target"]));
      const state = (name: string) => world.update((s) => s.vms[vms.get(name)!.id]!.state);
      for (const name of ["pm-hv-web-1", "pm-hv-web-2"]) {
        expect(await target.powerState(name), name).toBe("running");
        expect(await target.diskHashes(name, ["sda"]), name).toEqual({ sda: guestContentHash(vms.get(name)!.file, "vhdx") });
        expect(state(name), name).toBe("Off");
      }
      expect(state("pm-hv-db-1")).toBe("Running");
      expect(await target.leftovers("pm-hv-db-1")).toEqual([]);
    } finally {
      await target.close();
    }
  }, 60_000);
});
