/** Cold migration scenarios. */
import type { PowerState } from "@vmshift/core";
import { checkSequence, collect, expect, expectVmAt, locate, type Scenario } from "../scenario.ts";

export const coldScenarios: readonly Scenario[] = [
  {
    id: "cold.migrate",
    title: "cold migration stops, relocates and starts the VM on the target",
    requires: ["migration.cold", "migration.explicitTarget"],
    async run(context) {
      const { client, subjects, meter } = context;
      const vmId = subjects.coldVm ?? subjects.liveVm;
      const target = subjects.coldTargetHost ?? subjects.targetHost;
      const before = await locate(client, vmId);
      const { snapshots, result } = await meter.measure("cold migration", (r) => ({ cold: 1, updates: r?.snapshots.length ?? 0 }), async () =>
        collect(await client.startMigration({ vmId, targetHostId: target, mode: "cold" })),
      );
      checkSequence(client, snapshots, "cold");
      expect(result.outcome === "completed", `ended ${result.outcome}: ${result.error?.message ?? ""}`);
      await expectVmAt(
        context,
        vmId,
        { hostId: target, side: "target", powerState: before.powerState as PowerState, reported: result.vmLocation, sourceHostId: before.hostId, targetHostId: target },
        "after a completed cold migration",
      );
      const after = await locate(client, vmId);
      expect(after.hostId === target, `the adapter's getVm puts the VM on ${after.hostId}, expected ${target}`);
      expect(after.powerState === before.powerState, `the VM was ${before.powerState} and the adapter's getVm says ${after.powerState}`);
      expect(result.vmLocation.side === "target", `result puts the VM on its ${result.vmLocation.side}`);
    },
  },
  {
    id: "cold.target-start-fails",
    title: "when the VM cannot start on the target, it runs again on its source (or the result says MIGRATION_PARTIAL)",
    requires: ["migration.cold", "migration.explicitTarget"],
    controls: ["failColdStartOnTarget"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      const vmId = subjects.coldVm ?? subjects.liveVm;
      const target = subjects.coldTargetHost ?? subjects.targetHost;
      const before = await locate(client, vmId);
      expect(before.powerState === "running", `the cold VM must be running for this scenario, it is ${before.powerState}`);
      await controls.failColdStartOnTarget!(vmId);
      const { snapshots, result } = await meter.measure("cold migration whose start on the target fails", (r) => ({ cold: 1, updates: r?.snapshots.length ?? 0 }), async () =>
        collect(await client.startMigration({ vmId, targetHostId: target, mode: "cold" })),
      );
      checkSequence(client, snapshots, "cold");
      expect(result.outcome === "failed", `ended ${result.outcome}, expected failed`);
      if (result.error?.code === "MIGRATION_PARTIAL") {
        // The result must say where the VM is; the platform must agree.
        await expectVmAt(context, vmId, { reported: result.vmLocation, sourceHostId: before.hostId, targetHostId: target }, "after a MIGRATION_PARTIAL cold migration");
        return;
      }
      await expectVmAt(
        context,
        vmId,
        { ...(before.hostId === undefined ? {} : { hostId: before.hostId }), side: "source", powerState: "running", reported: result.vmLocation, sourceHostId: before.hostId, targetHostId: target },
        "after a cold migration whose start on the target failed",
      );
      const after = await locate(client, vmId);
      expect(after.hostId === before.hostId && after.powerState === "running", `the adapter's getVm says ${after.powerState} on ${after.hostId}, expected running on ${before.hostId}`);
      expect(result.vmLocation.side === "source" && result.vmLocation.powerState === "running", `result says ${result.vmLocation.powerState} on ${result.vmLocation.side}`);
    },
  },
];
