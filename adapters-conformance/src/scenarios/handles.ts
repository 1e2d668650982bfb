/** Task-handle semantics: waiting is not cancelling, and attach works after a restart. */
import { collect, expect, expectError, expectVmAt, platformLocation, type Scenario, untilPhase } from "../scenario.ts";
import { isTerminalPhase } from "@vmshift/core";

export const handleScenarios: readonly Scenario[] = [
  {
    id: "wait.timeout-does-not-cancel",
    title: "a wait that times out throws TIMEOUT and leaves the migration running to completion, the VM on the target",
    requires: ["migration.live"],
    controls: ["slowDown"],
    async run(context) {
      const { client, subjects, controls, timeScale, meter } = context;
      await controls.slowDown!(subjects.liveVm);
      const before = await platformLocation(context, subjects.liveVm);
      // The refresh and the three waits each start following again.
      const result = await meter.measure("live migration, waits that give up, a refresh", { live: 1, resume: 4 }, async () => {
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        await untilPhase(task, ["transferring"]);
        const error = await expectError(() => task.wait({ maxWaitMs: 500 * (timeScale ?? 1) }), "a short wait");
        expect(error.code === "TIMEOUT", `expected TIMEOUT, got ${error.code}`);
        const now = await task.refresh();
        expect(!isTerminalPhase(now.phase) || now.phase === "completed", `after the wait timed out the migration is ${now.phase}`);
        const aborted = new AbortController();
        const waiting = task.wait({ signal: aborted.signal });
        aborted.abort();
        const abortError = await expectError(() => waiting, "an aborted wait");
        expect(abortError.code === "ABORTED", `expected ABORTED, got ${abortError.code}`);
        return task.wait();
      });
      expect(result.outcome === "completed", `the migration ended ${result.outcome} after the waits gave up`);
      await expectVmAt(
        context,
        subjects.liveVm,
        { hostId: subjects.targetHost, side: "target", powerState: "running", reported: result.vmLocation, sourceHostId: before?.hostId, targetHostId: subjects.targetHost },
        "after the waits gave up and the migration completed",
      );
    },
  },
  {
    id: "attach.after-restart",
    title: "a new process attaches to an in-flight migration by id and sees it through",
    requires: ["migration.live", "migration.attach"],
    controls: ["restart"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      const before = await platformLocation(context, subjects.liveVm);
      const { fresh, result } = await meter.measure("live migration, attached from a new client", (r) => ({ live: 1, attach: 2, resume: 1, getVm: 1, updates: r?.updates ?? 0 }), async () => {
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        await untilPhase(task, ["transferring", "requested"]);
        const fresh = await controls.restart!();
        const attached = await fresh.attachMigration(task.id);
        expect(attached.id === task.id, `attach returned ${attached.id}, expected ${task.id}`);
        const { snapshots, result } = await collect(attached);
        expect(result.outcome === "completed", `the attached migration ended ${result.outcome}`);
        const vm = await fresh.getVm(subjects.liveVm);
        expect(vm.hostId === subjects.targetHost, `the new client's getVm puts the VM on ${vm.hostId}`);
        const missing = await expectError(() => fresh.attachMigration(`${task.id}-missing`), "attach to a missing migration");
        expect(missing.code === "NOT_FOUND" || missing.code === "INVALID_ARGUMENT", `attach to a missing id gave ${missing.code}`);
        return { fresh, result, updates: snapshots.length };
      });
      await expectVmAt(
        context,
        subjects.liveVm,
        { hostId: subjects.targetHost, side: "target", powerState: "running", reported: result.vmLocation, sourceHostId: before?.hostId, targetHostId: subjects.targetHost },
        "after the attached migration completed",
      );
      await fresh.close();
    },
  },
];
