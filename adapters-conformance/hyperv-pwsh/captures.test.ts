/**
 * The real adapter through node-powershell and the stand-in `pwsh` replaying transcripts whose
 * objects were transcribed from public captures of Get-VM, Get-ClusterGroup, Compare-VM and
 * Msvm_MigrationJob output (packages/hyperv/test/captures/, each with a SOURCE.md), once in the
 * shape Windows PowerShell 5.1 prints and once in PowerShell 7's.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { VmshiftClient } from "@vmshift/core";
import { NodePowerShellTransport, createHypervAdapter, createRunner, decodeMigrationId } from "@vmshift/hyperv";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURES_DIR } from "./src/transcripts.ts";
import { STAND_IN_PWSH } from "./src/world.ts";

const CAPTURES_DIR = join(FIXTURES_DIR, "..", "captures");
const EDITIONS = [["Windows PowerShell 5.1", "ps51"], ["PowerShell 7", "pwsh7"]] as const;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function open(scenario: string, edition: "ps51" | "pwsh7") {
  const path = join(CAPTURES_DIR, scenario, `transcript.${edition}.json`);
  const transcript = JSON.parse(readFileSync(path, "utf8")) as { hosts: string[] };
  const transport = new NodePowerShellTransport({ executable: STAND_IN_PWSH, env: { VMSHIFT_PWSH_TRANSCRIPT: path, VMSHIFT_PWSH_NODE: process.execPath }, timeoutMs: 30_000 });
  const client = new VmshiftClient(createHypervAdapter({ runner: createRunner(transport), hosts: transcript.hosts }), { follow: { poll: { initialDelayMs: 50, maxDelayMs: 100 } } });
  cleanup = () => client.close();
  return client;
}

describe("captured-object transcripts", () => {
  it("every capture directory has a SOURCE.md naming its captures and both editions' transcripts", () => {
    const dirs = readdirSync(CAPTURES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(dirs).toEqual(["cancel-clustered", "inventory", "live-clustered", "preflight", "probe"]);
    for (const dir of dirs) {
      expect(readFileSync(join(CAPTURES_DIR, dir, "SOURCE.md"), "utf8")).toMatch(/https:\/\/\S+/);
      for (const [, edition] of EDITIONS) expect(existsSync(join(CAPTURES_DIR, dir, `transcript.${edition}.json`)), `${dir} ${edition}`).toBe(true);
    }
  });

  it("the 5.1 transcripts carry 5.1's shapes: {value, Count} array wrappers and \\u0027-escaped quotes", () => {
    const ps51 = readFileSync(join(CAPTURES_DIR, "inventory", "transcript.ps51.json"), "utf8") + readFileSync(join(CAPTURES_DIR, "preflight", "transcript.ps51.json"), "utf8");
    expect(ps51).toContain('\\"value\\":[');
    expect(ps51).toContain('\\"Count\\":');
    expect(ps51).toContain("\\\\u0027");
  });

  it.each([
    ["ps51", "PowerShell Desktop 5.1.18362.752", "Microsoft Windows NT 10.0.18362.0"],
    ["pwsh7", "PowerShell Core 7.0.0-rc.2", "Microsoft Windows NT 10.0.20348.0"],
  ] as const)("probe reports the captured edition, version and OS (%s)", async (edition, powershell, os) => {
    const client = open("probe", edition);
    const probe = await client.probe();
    expect(probe.server).toBe(`Hyper-V on ${os} (Hyper-V module 2.0.0.0)`);
    expect(probe.notes).toEqual(expect.arrayContaining([powershell, "computer HYPER-V-1"]));
    expect(probe.table["migration.live"].status).toBe("supported");
  });

  describe.each(EDITIONS)("%s", (_label, edition) => {
    it("lists every VM: a numeric state outside the table is unknown and the listing goes on; a clustered VM sits on its role's owner node", async () => {
      const client = open("inventory", edition);
      const vms = await client.listVms().all();
      expect(vms.map((v) => [v.name, v.powerState, v.hostId])).toEqual([
        ["VM1", "stopped", "HYPER-V-1"],
        ["Win10Ent", "running", "HYPER-V-1"],
        ["APP01", "running", "node2"],
        ["Büro-Ωmega-虚拟", "running", "HYPER-V-1"],
        ["O'Brien-Lab", "unknown", "HYPER-V-1"],
      ]);
      const odd = vms.find((v) => v.name === "O'Brien-Lab")!;
      expect(odd.labels?.["hyperv.state"]).toBe("32790");
      expect(odd.liveMigratable).toBe(false);
      expect(vms.find((v) => v.name === "VM1")).toMatchObject({ id: "53eae599-4d3b-4923-b173-6aea29cb7f42", memoryBytes: 1073741824, cpus: 1, labels: { "hyperv.version": "5.0", "hyperv.generation": "1" } });
      const app = await client.getVm("a5c1e2d0-0000-4000-8000-0000000a0001");
      expect(app).toMatchObject({ id: "a5c1e2d0-0000-4000-8000-0000000a0001", name: "APP01", hostId: "node2", powerState: "running", labels: { "hyperv.clustered": "true" } });
    });

    it("turns the captured Compare-VM incompatibility into a preflight check with its message", async () => {
      const client = open("preflight", edition);
      const report = await client.preflight({ vmId: "53eae599-4d3b-4923-b173-6aea29cb7f42", targetHostId: "HYPER-V-2" });
      expect(report.ok).toBe(false);
      const check = report.checks.find((c) => c.id === "hyperv.compare.33012");
      expect(check).toMatchObject({ category: "network", severity: "error", message: "Could not find Ethernet switch 'Production'." });
    });

    it("moves the clustered VM through its role and maps Msvm_MigrationJob progress to phases", async () => {
      const client = open("live-clustered", edition);
      const task = await client.startMigration({ vmId: "a5c1e2d0-0000-4000-8000-0000000a0001", targetHostId: "node1" });
      expect(task.snapshot().phase).toBe("requested"); // JobState 3 (Starting)
      const ref = decodeMigrationId(task.id, "test");
      expect(ref).toMatchObject({ clusterRole: "SCVMM APP01 Resources", sourceHost: "node2", targetHost: "node1", jobId: "7F3C5B2E-4A1D-4C7B-9E2F-1D0A5B6C7E8F", startedAt: "2026-12-07T10:15:02.4471234Z" });
      const first = await client.getMigration(task.id);
      expect([first.phase, first.progress?.percent]).toEqual(["transferring", 37]);
      const second = await client.getMigration(task.id);
      expect([second.phase, second.progress?.percent]).toEqual(["transferring", 82]);
      const done = await client.getMigration(task.id);
      expect(done.phase).toBe("completed");
      expect(done.result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "node1", side: "target", powerState: "running" }, sourceHostId: "node2", targetHostId: "node1" });
    });

    it("cancels the clustered VM's move through its role (the transcript answers only a cancel naming 'SCVMM APP01 Resources')", async () => {
      const client = open("cancel-clustered", edition);
      const task = await client.startMigration({ vmId: "a5c1e2d0-0000-4000-8000-0000000a0001", targetHostId: "node1" });
      const result = await client.cancelMigration(task.id, { maxWaitMs: 5_000 });
      expect(result).toMatchObject({ outcome: "cancelled", vmLocation: { hostId: "node2", side: "source", powerState: "running" } });
    });
  });
});
