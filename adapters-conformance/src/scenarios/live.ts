/** Live migration scenarios: success, scheduler choice, cancel, failure, refusal, conflict. */
import { checkSequence, collect, expect, expectError, expectVmAt, locate, platformLocation, type Scenario, untilPhase } from "../scenario.ts";

export const liveScenarios: readonly Scenario[] = [
  {
    id: "live.explicit-target",
    title: "live migration to a named host: phases in order, declared progress fields only, VM ends on the target",
    requires: ["migration.live", "migration.explicitTarget"],
    async run(context) {
      const { client, subjects, meter } = context;
      const before = await locate(client, subjects.liveVm);
      const { snapshots, result } = await meter.measure("live migration", (r) => ({ live: 1, updates: r?.snapshots.length ?? 0 }), async () =>
        collect(await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost })),
      );
      checkSequence(client, snapshots, "live");
      expect(result.outcome === "completed", `ended ${result.outcome}: ${result.error?.message ?? ""}`);
      expect(snapshots.some((s) => s.phase === "transferring" || s.phase === "finalizing"), "no transfer phase was observed");
      await expectVmAt(
        context,
        subjects.liveVm,
        { hostId: subjects.targetHost, side: "target", powerState: "running", reported: result.vmLocation, sourceHostId: before.hostId, targetHostId: subjects.targetHost },
        "after a completed live migration",
      );
      expect(result.vmLocation.side === "target" && result.vmLocation.hostId === subjects.targetHost, `result says the VM is on ${result.vmLocation.hostId} (${result.vmLocation.side})`);
      const after = await locate(client, subjects.liveVm);
      expect(after.hostId === subjects.targetHost, `the adapter's getVm puts the VM on ${after.hostId}, expected ${subjects.targetHost}`);
      expect(after.powerState === "running", `the adapter's getVm says the VM is ${after.powerState} after a live migration`);
      expect(result.sourceHostId === undefined || result.sourceHostId === before.hostId, `result.sourceHostId ${result.sourceHostId} ≠ ${before.hostId}`);
    },
  },
  {
    id: "live.scheduler-target",
    title: "live migration with no target: the platform picks a host and the VM ends there",
    requires: ["migration.live", "migration.schedulerChoosesTarget"],
    async run(context) {
      const { client, subjects, meter } = context;
      const before = await locate(client, subjects.liveVm);
      const { snapshots, result } = await meter.measure("live migration, target chosen for the caller", (r) => ({ live: 1, schedule: 1, updates: r?.snapshots.length ?? 0 }), async () =>
        collect(await client.startMigration({ vmId: subjects.liveVm })),
      );
      checkSequence(client, snapshots, "live");
      expect(result.outcome === "completed", `ended ${result.outcome}: ${result.error?.message ?? ""}`);
      const where = await expectVmAt(
        context,
        subjects.liveVm,
        { ...(before.hostId === undefined ? {} : { notHostId: before.hostId }), powerState: "running", reported: result.vmLocation, sourceHostId: before.hostId, targetHostId: result.targetHostId ?? result.vmLocation.hostId },
        "after a completed live migration to a host of the platform's choice",
      );
      const after = await locate(client, subjects.liveVm);
      expect(after.hostId !== undefined && after.hostId !== before.hostId, `the VM stayed on ${before.hostId}`);
      expect(where === undefined || where.hostId === after.hostId, `the adapter's getVm says ${after.hostId}, the platform ${where?.hostId}`);
      expect(result.vmLocation.hostId === undefined || result.vmLocation.hostId === after.hostId, `result says ${result.vmLocation.hostId}, the platform says ${after.hostId}`);
    },
  },
  {
    id: "live.cancel-during-transfer",
    title: "cancel during transferring ends cancelled with the VM running on its source",
    requires: ["migration.live", "migration.cancel"],
    controls: ["slowDown"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      await controls.slowDown!(subjects.liveVm);
      const before = await locate(client, subjects.liveVm);
      const { task, result } = await meter.measure("live migration, cancelled while transferring", { live: 1, cancel: 1 }, async () => {
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        const seen = await untilPhase(task, ["transferring"]);
        expect(seen.phase === "transferring", `the migration reached ${seen.phase} before transferring was seen`);
        return { task, result: await task.cancel() };
      });
      expect(result.outcome === "cancelled", `ended ${result.outcome} after cancel`);
      await expectVmAt(
        context,
        subjects.liveVm,
        { ...(before.hostId === undefined ? {} : { hostId: before.hostId }), side: "source", powerState: "running", reported: result.vmLocation, sourceHostId: before.hostId, targetHostId: subjects.targetHost },
        "after a cancelled live migration",
      );
      expect(result.vmLocation.side === "source", `result puts the VM on its ${result.vmLocation.side}`);
      const after = await locate(client, subjects.liveVm);
      expect(after.hostId === before.hostId && after.powerState === "running", `the adapter's getVm says ${after.powerState} on ${after.hostId}, expected running on ${before.hostId}`);
      const again = await task.wait();
      expect(again.outcome === "cancelled", "a second wait gave another outcome");
    },
  },
  {
    id: "live.failure-during-transfer",
    title: "a failure during transfer ends failed with the VM running on its source",
    requires: ["migration.live"],
    controls: ["failDuringTransfer"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      const before = await locate(client, subjects.liveVm);
      await controls.failDuringTransfer!(subjects.liveVm);
      const { snapshots, result } = await meter.measure("live migration that fails", (r) => ({ live: 1, updates: r?.snapshots.length ?? 0 }), async () =>
        collect(await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost })),
      );
      checkSequence(client, snapshots, "live");
      expect(result.outcome === "failed", `ended ${result.outcome}, expected failed`);
      expect(result.error && result.error.message.length > 0, "a failed result carries no error");
      await expectVmAt(
        context,
        subjects.liveVm,
        { ...(before.hostId === undefined ? {} : { hostId: before.hostId }), side: "source", powerState: "running", reported: result.vmLocation, sourceHostId: before.hostId, targetHostId: subjects.targetHost },
        "after a failed live migration",
      );
      expect(result.vmLocation.side === "source", `result puts the VM on its ${result.vmLocation.side}`);
      const after = await locate(client, subjects.liveVm);
      expect(after.hostId === before.hostId && after.powerState === "running", `the adapter's getVm says ${after.powerState} on ${after.hostId}`);
    },
  },
  {
    id: "live.target-without-resources",
    title: "a target without room refuses, and the VM stays untouched on its source",
    requires: ["migration.live", "migration.explicitTarget"],
    subjects: ["fullHost"],
    async run(context) {
      const { client, subjects, meter } = context;
      const before = await locate(client, subjects.liveVm);
      let reported;
      await meter.measure("live migration to a host without room", { live: 1 }, async () => {
        try {
          const result = await (await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.fullHost! })).wait();
          expect(result.outcome === "failed", `a migration to a full host ended ${result.outcome}`);
          expect(result.vmLocation.side === "source", `result puts the VM on its ${result.vmLocation.side}`);
          reported = result.vmLocation;
        } catch (error) {
          if (error instanceof Error && error.name === "ConformanceFailure") throw error;
          const code = (error as { code?: string }).code;
          expect(code === "INSUFFICIENT_RESOURCES", `the start failed with ${code ?? String(error)}, expected INSUFFICIENT_RESOURCES`);
        }
      });
      await expectVmAt(
        context,
        subjects.liveVm,
        { ...(before.hostId === undefined ? {} : { hostId: before.hostId }), side: "source", powerState: "running", ...(reported ? { reported } : {}), sourceHostId: before.hostId, targetHostId: subjects.fullHost },
        "after a refused live migration",
      );
      const after = await locate(client, subjects.liveVm);
      expect(after.hostId === before.hostId && after.powerState === before.powerState, `the adapter's getVm says the VM moved to ${after.hostId} or changed to ${after.powerState}`);
    },
  },
  {
    id: "live.conflict",
    title: "a second migration of a VM already migrating is refused with CONFLICT",
    requires: ["migration.live", "migration.cancel"],
    controls: ["slowDown"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      await controls.slowDown!(subjects.liveVm);
      const before = await platformLocation(context, subjects.liveVm);
      const result = await meter.measure("live migration, a second start refused, then cancelled", { live: 2, cancel: 1 }, async () => {
        const first = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        await untilPhase(first, ["transferring"]);
        const error = await expectError(() => client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost }), "a second start");
        expect(error.code === "CONFLICT", `expected CONFLICT, got ${error.code}: ${error.message}`);
        return first.cancel();
      });
      expect(result.outcome === "cancelled" || result.outcome === "completed", `the first migration ended ${result.outcome}`);
      const side = result.outcome === "completed" ? "target" : "source";
      const hostId = result.outcome === "completed" ? subjects.targetHost : before?.hostId;
      await expectVmAt(
        context,
        subjects.liveVm,
        { ...(hostId === undefined ? {} : { hostId }), side, powerState: "running", reported: result.vmLocation, sourceHostId: before?.hostId, targetHostId: subjects.targetHost },
        `after the first migration ended ${result.outcome}`,
      );
    },
  },
];
