/**
 * Cross-cluster live migration: a start with `targetClusterId` ends with the VM running on the
 * receiving cluster and halted on its source, each read back from that cluster's platform.
 */
import { checkSequence, collect, expect, expectVmAt, locate, type Scenario } from "../scenario.ts";

export const crossClusterScenarios: readonly Scenario[] = [
  {
    id: "cross-cluster.live",
    title: "live migration to another cluster (targetClusterId): the VM runs on the receiving cluster, its source is halted",
    requires: ["migration.live", "migration.crossCluster"],
    subjects: ["targetCluster"],
    controls: ["locateVmInCluster"],
    budgetMs: 90_000,
    async run(context) {
      const { client, subjects, controls, meter } = context;
      const cluster = subjects.targetCluster!;
      const before = await locate(client, subjects.liveVm);
      const away = await controls.locateVmInCluster!(cluster, subjects.liveVm);
      expect(away === undefined || away.powerState !== "running", `${subjects.liveVm} already runs on cluster ${cluster} before the migration`);
      const { snapshots, result } = await meter.measure("cross-cluster live migration", (r) => ({ crossCluster: 1, updates: r?.snapshots.length ?? 0 }), async () =>
        collect(await client.startMigration({ vmId: subjects.liveVm, targetClusterId: cluster })),
      );
      checkSequence(client, snapshots, "live");
      expect(result.outcome === "completed", `ended ${result.outcome}: ${result.error?.message ?? ""}`);
      const there = await controls.locateVmInCluster!(cluster, subjects.liveVm);
      const seen = there === undefined ? "nowhere" : `${there.powerState} on ${there.hostId ?? "no host"}`;
      expect(there?.powerState === "running" && there.hostId !== undefined, `where the VM ended (read back from cluster ${cluster}): ${subjects.liveVm} is ${seen}, expected running there`);
      expect(result.vmLocation.side === "target" && result.vmLocation.hostId === there.hostId, `the result puts the VM on ${result.vmLocation.hostId} (${result.vmLocation.side}); cluster ${cluster} runs it on ${there.hostId}`);
      // The source cluster keeps the VM's definition, halted: it no longer runs there.
      await expectVmAt(context, subjects.liveVm, { powerState: "stopped" }, `on its source cluster after a completed migration to cluster ${cluster} (it ran on ${before.hostId ?? "no host"})`);
    },
  },
];
