/** Cold migration scenarios. */
import { checkSequence, collect, expect, locate, type Scenario } from "../scenario.ts";

export const coldScenarios: readonly Scenario[] = [
  {
    id: "cold.migrate",
    title: "cold migration stops, relocates and starts the VM on the target",
    requires: ["migration.cold", "migration.explicitTarget"],
    async run({ client, subjects }) {
      const vmId = subjects.coldVm ?? subjects.liveVm;
      const target = subjects.coldTargetHost ?? subjects.targetHost;
      const before = await locate(client, vmId);
      const { snapshots, result } = await collect(await client.startMigration({ vmId, targetHostId: target, mode: "cold" }));
      checkSequence(client, snapshots, "cold");
      expect(result.outcome === "completed", `ended ${result.outcome}: ${result.error?.message ?? ""}`);
      const after = await locate(client, vmId);
      expect(after.hostId === target, `the VM is on ${after.hostId}, expected ${target}`);
      expect(after.powerState === before.powerState, `the VM was ${before.powerState} and is now ${after.powerState}`);
      expect(result.vmLocation.side === "target", `result puts the VM on its ${result.vmLocation.side}`);
    },
  },
  {
    id: "cold.target-start-fails",
    title: "when the VM cannot start on the target, it runs again on its source (or the result says MIGRATION_PARTIAL)",
    requires: ["migration.cold", "migration.explicitTarget"],
    controls: ["failColdStartOnTarget"],
    async run({ client, subjects, controls }) {
      const vmId = subjects.coldVm ?? subjects.liveVm;
      const target = subjects.coldTargetHost ?? subjects.targetHost;
      const before = await locate(client, vmId);
      expect(before.powerState === "running", `the cold VM must be running for this scenario, it is ${before.powerState}`);
      await controls.failColdStartOnTarget!(vmId);
      const { snapshots, result } = await collect(await client.startMigration({ vmId, targetHostId: target, mode: "cold" }));
      checkSequence(client, snapshots, "cold");
      expect(result.outcome === "failed", `ended ${result.outcome}, expected failed`);
      const after = await locate(client, vmId);
      if (result.error?.code === "MIGRATION_PARTIAL") {
        expect(result.vmLocation.powerState !== "running" || after.powerState === "running", "MIGRATION_PARTIAL with a location that does not match the platform");
        return;
      }
      expect(after.hostId === before.hostId && after.powerState === "running", `the VM is ${after.powerState} on ${after.hostId}, expected running on ${before.hostId}`);
      expect(result.vmLocation.side === "source" && result.vmLocation.powerState === "running", `result says ${result.vmLocation.powerState} on ${result.vmLocation.side}`);
    },
  },
];
