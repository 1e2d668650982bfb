/**
 * Fault scenarios: what must hold when the network, the platform's streams or the session fail
 * at the worst moment. Each states its invariant (no duplicate migration, the VM running somewhere
 * known, the error code) and fails when it does not hold.
 */
import { isTerminalPhase } from "@vmshift/core";
import { collect, expect, expectVmAt, locate, platformLocation, type Scenario, untilPhase } from "../scenario.ts";

export const faultScenarios: readonly Scenario[] = [
  {
    id: "faults.transient-on-start",
    title: "a start that fails transiently before the platform acts is retried: one migration, completed",
    requires: ["migration.live"],
    controls: ["failTransiently", "migrationCount"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      const source = await platformLocation(context, subjects.liveVm);
      const before = await controls.migrationCount!(subjects.liveVm);
      await controls.failTransiently!("start", 1);
      const { result } = await meter.measure("live migration, its start retried once", (r) => ({ live: 1, retry: 1, updates: r?.snapshots.length ?? 0 }), async () =>
        collect(await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost })),
      );
      expect(result.outcome === "completed", `ended ${result.outcome}: ${result.error?.message ?? ""}`);
      const made = (await controls.migrationCount!(subjects.liveVm)) - before;
      expect(made === 1, `${made} migrations were created for one start`);
      await expectVmAt(context, subjects.liveVm, { hostId: subjects.targetHost, side: "target", powerState: "running", reported: result.vmLocation, sourceHostId: source?.hostId, targetHostId: subjects.targetHost }, "after a retried start completed");
    },
  },
  {
    id: "faults.lost-start-response",
    title: "a start whose answer is lost after the platform acted is retried and finds the first migration: never a second",
    requires: ["migration.live"],
    controls: ["loseNextStartResponse", "migrationCount"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      const source = await platformLocation(context, subjects.liveVm);
      const before = await controls.migrationCount!(subjects.liveVm);
      await controls.loseNextStartResponse!();
      const { result } = await meter.measure("live migration, its start's answer lost and the start retried", (r) => ({ live: 1, retry: 1, updates: r?.snapshots.length ?? 0 }), async () =>
        collect(await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost })),
      );
      expect(result.outcome === "completed", `ended ${result.outcome}: ${result.error?.message ?? ""}`);
      const made = (await controls.migrationCount!(subjects.liveVm)) - before;
      expect(made === 1, `${made} migrations were created for one start whose answer was lost`);
      const vm = await locate(client, subjects.liveVm);
      expect(vm.hostId === subjects.targetHost, `the adapter's getVm puts the VM on ${vm.hostId}`);
      await expectVmAt(context, subjects.liveVm, { hostId: subjects.targetHost, side: "target", powerState: "running", reported: result.vmLocation, sourceHostId: source?.hostId, targetHostId: subjects.targetHost }, "after the retried start completed");
    },
  },
  {
    id: "faults.transient-during-progress",
    title: "transient failures while following progress are ridden out: the migration is seen to completion",
    requires: ["migration.live"],
    controls: ["failTransiently"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      const source = await platformLocation(context, subjects.liveVm);
      const { result } = await meter.measure("live migration, two progress reads failing", (r) => ({ live: 1, retry: 2, updates: r?.snapshots.length ?? 0 }), async () => {
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        await controls.failTransiently!("progress", 2);
        return collect(task);
      });
      expect(result.outcome === "completed", `ended ${result.outcome}`);
      expect((await locate(client, subjects.liveVm)).hostId === subjects.targetHost, "the adapter's getVm does not put the VM on the target");
      await expectVmAt(context, subjects.liveVm, { hostId: subjects.targetHost, side: "target", powerState: "running", reported: result.vmLocation, sourceHostId: source?.hostId, targetHostId: subjects.targetHost }, "after the migration rode out the failed reads");
    },
  },
  {
    id: "faults.transient-on-cancel",
    title: "a cancel that fails transiently is retried: the migration ends cancelled, the VM on its source",
    requires: ["migration.live", "migration.cancel"],
    controls: ["failTransiently", "slowDown"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      await controls.slowDown!(subjects.liveVm);
      const before = await locate(client, subjects.liveVm);
      const result = await meter.measure("live migration, cancelled, the cancel retried once", { live: 1, cancel: 1, retry: 1 }, async () => {
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        await untilPhase(task, ["transferring"]);
        await controls.failTransiently!("cancel", 1);
        return task.cancel();
      });
      expect(result.outcome === "cancelled", `ended ${result.outcome}`);
      const after = await locate(client, subjects.liveVm);
      expect(after.hostId === before.hostId && after.powerState === "running", `the adapter's getVm says ${after.powerState} on ${after.hostId}`);
      await expectVmAt(
        context,
        subjects.liveVm,
        { ...(before.hostId === undefined ? {} : { hostId: before.hostId }), side: "source", powerState: "running", reported: result.vmLocation, sourceHostId: before.hostId, targetHostId: subjects.targetHost },
        "after the retried cancel",
      );
    },
  },
  {
    id: "faults.progress-stream-drops",
    title: "progress streams that drop mid-transfer are reconnected: the migration is seen to completion",
    requires: ["migration.live", "migration.watch"],
    controls: ["dropProgressStreams", "slowDown"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      await controls.slowDown!(subjects.liveVm);
      const source = await platformLocation(context, subjects.liveVm);
      const { result } = await meter.measure("live migration, progress streams dropped once", (r) => ({ live: 1, retry: 1, resume: 1, updates: r?.snapshots.length ?? 0 }), async () => {
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        await untilPhase(task, ["transferring"]);
        await controls.dropProgressStreams!();
        return collect(task);
      });
      expect(result.outcome === "completed", `ended ${result.outcome}`);
      await expectVmAt(context, subjects.liveVm, { hostId: subjects.targetHost, side: "target", powerState: "running", reported: result.vmLocation, sourceHostId: source?.hostId, targetHostId: subjects.targetHost }, "after the streams were reconnected and the migration completed");
    },
  },
  {
    id: "faults.session-expiry",
    title: "a session that expires in the middle of a wait is renewed: the migration is seen to completion",
    requires: ["migration.live"],
    controls: ["expireSession", "slowDown"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      await controls.slowDown!(subjects.liveVm);
      const source = await platformLocation(context, subjects.liveVm);
      const { result } = await meter.measure("live migration, the session expired once", (r) => ({ live: 1, retry: 1, updates: r?.snapshots.length ?? 0 }), async () => {
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        await untilPhase(task, ["transferring"]);
        await controls.expireSession!();
        return collect(task);
      });
      expect(result.outcome === "completed", `ended ${result.outcome}`);
      await expectVmAt(context, subjects.liveVm, { hostId: subjects.targetHost, side: "target", powerState: "running", reported: result.vmLocation, sourceHostId: source?.hostId, targetHostId: subjects.targetHost }, "after the session was renewed and the migration completed");
    },
  },
  {
    id: "faults.cancel-races-completion",
    title: "a cancel racing completion yields exactly one terminal state, and the VM is where the result says",
    requires: ["migration.live", "migration.cancel"],
    async run(context) {
      const { client, subjects, meter } = context;
      const source = await platformLocation(context, subjects.liveVm);
      const { task, result } = await meter.measure("live migration, cancelled while finalizing", { live: 1, cancel: 1 }, async () => {
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        const seen = await untilPhase(task, ["finalizing"]);
        return { task, result: isTerminalPhase(seen.phase) ? await task.wait() : await task.cancel() };
      });
      expect(result.outcome === "completed" || result.outcome === "cancelled", `ended ${result.outcome}`);
      const again = await task.wait();
      expect(again.outcome === result.outcome, `a second wait said ${again.outcome}, the first ${result.outcome}`);
      const vm = await locate(client, subjects.liveVm);
      const expected = result.outcome === "completed" ? subjects.targetHost : undefined;
      if (expected) expect(vm.hostId === expected, `completed, but the VM is on ${vm.hostId}`);
      else expect(vm.hostId !== subjects.targetHost && vm.powerState === "running", `cancelled, but the VM is ${vm.powerState} on ${vm.hostId}`);
      expect(result.vmLocation.hostId === undefined || result.vmLocation.hostId === vm.hostId, `result says ${result.vmLocation.hostId}, the adapter's getVm ${vm.hostId}`);
      const completed = result.outcome === "completed";
      const expectedHost = completed ? subjects.targetHost : source?.hostId;
      await expectVmAt(
        context,
        subjects.liveVm,
        { ...(expectedHost === undefined ? {} : { hostId: expectedHost }), side: completed ? "target" : "source", powerState: "running", reported: result.vmLocation, sourceHostId: source?.hostId, targetHostId: subjects.targetHost },
        `after the race ended ${result.outcome}`,
      );
    },
  },
];
