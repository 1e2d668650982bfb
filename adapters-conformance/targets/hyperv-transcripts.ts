/**
 * The Hyper-V adapter through the real node-powershell package, talking to the stand-in `pwsh`
 * (adapters-conformance/hyperv-pwsh): node-powershell spawns it, frames each script with its
 * delimiters, and the stand-in answers from its Hyper-V model as a management server with WinRM
 * remoting (credentials travel through the environment, never the script text).
 */
import { VmshiftClient } from "@vmshift/core";
import { createHypervAdapter, createNodePowerShellRunner, decodeMigrationId } from "@vmshift/hyperv";
import { tick } from "../hyperv-pwsh/src/model.ts";
import { STAND_IN_PWSH, StandInWorld } from "../hyperv-pwsh/src/world.ts";
import { hypervBudget } from "../src/budgets.ts";
import { HYPERV_PLATFORM } from "../src/platforms.ts";
import type { ConformanceTarget, PlatformLocation } from "../src/target.ts";

const POWER: Readonly<Record<string, PlatformLocation["powerState"]>> = { Running: "running", Off: "stopped", Saved: "suspended", Paused: "paused" };

const HOSTS = ["HV-A", "HV-B", "HV-C", "HV-D"];
const PASSWORD = "stand-in-Secret-7";

export const hypervTranscriptsTarget: ConformanceTarget = {
  name: "hyperv-transcripts",
  adapter: "hyperv",
  description: "@vmshift/hyperv → node-powershell → stand-in pwsh (Hyper-V model, WinRM session with credentials)",
  platform: { ...HYPERV_PLATFORM, name: "the stand-in pwsh's Hyper-V model (Move-VM, Msvm_MigrationJob, WinRM remoting; adapters-conformance/hyperv-pwsh)" },
  // The target's client polls from 100 ms (doubling to 400 ms, jitter 0.2): polls at least 80 ms apart.
  budget: hypervBudget(80),
  async open() {
    const world = new StandInWorld();
    const clients: VmshiftClient[] = [];
    const connect = () => {
      const runner = createNodePowerShellRunner({
        executable: STAND_IN_PWSH,
        env: world.env({ VMSHIFT_PWSH_EXPECT_PASSWORD: PASSWORD }),
        remote: { computerName: "MGMT-01", userName: "LAB\\vmshift", password: PASSWORD, authentication: "Kerberos" },
        timeoutMs: 30_000,
      });
      const client = new VmshiftClient(createHypervAdapter({ runner, hosts: HOSTS }), { follow: { poll: { initialDelayMs: 100, maxDelayMs: 400 } } });
      clients.push(client);
      return client;
    };
    return {
      client: connect(),
      subjects: {
        liveVm: world.vmId("web-01"),
        targetHost: "HV-B",
        fullHost: "HV-C",
        incompatibleHost: "HV-D",
        coldVm: world.vmId("app-01"),
        coldTargetHost: "HV-B",
        minVmCount: 12,
        pageSize: 5,
        missingVmId: "00000000-0000-4000-8000-00000000dead",
      },
      controls: {
        async failDuringTransfer(vmId) {
          world.failDuringTransfer(vmId);
        },
        async failColdStartOnTarget(vmId) {
          world.failColdStartOnTarget(vmId);
        },
        async slowDown(vmId) {
          world.slowDown(vmId);
        },
        async restart() {
          return connect();
        },
        requestCount: () => world.requestCount,
        // The model's own state, advanced to now as the next script would see it.
        async locateVm(vmId) {
          return world.update((s) => {
            tick(s, Date.now());
            const vm = s.vms[vmId.toLowerCase()];
            return vm ? { hostId: vm.host, powerState: POWER[vm.state] ?? "unknown" } : { powerState: "unknown" as const };
          });
        },
        async failTransiently(where, times) {
          world.failTransiently(where, times);
        },
        async loseNextStartResponse() {
          world.loseNextStartResponse();
        },
        async expireSession() {
          world.expireSession();
        },
        async migrationCount(vmId) {
          return world.migrationCount(vmId);
        },
        requestLog: () => world.requestLog(),
        async platformCompletedAt(migrationId) {
          const jobId = decodeMigrationId(migrationId, "conformance").jobId;
          return jobId === undefined ? undefined : world.completedAt(jobId);
        },
      },
      async close() {
        await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
        world.dispose();
      },
    };
  },
};
