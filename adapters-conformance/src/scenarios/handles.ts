/** Task-handle semantics: waiting is not cancelling, and attach works after a restart. */
import { collect, expect, expectError, type Scenario, untilPhase } from "../scenario.ts";
import { isTerminalPhase } from "@vmshift/core";

export const handleScenarios: readonly Scenario[] = [
  {
    id: "wait.timeout-does-not-cancel",
    title: "a wait that times out throws TIMEOUT and leaves the migration running to completion",
    requires: ["migration.live"],
    controls: ["slowDown"],
    async run({ client, subjects, controls, timeScale }) {
      await controls.slowDown!(subjects.liveVm);
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
      const result = await task.wait();
      expect(result.outcome === "completed", `the migration ended ${result.outcome} after the waits gave up`);
    },
  },
  {
    id: "attach.after-restart",
    title: "a new process attaches to an in-flight migration by id and sees it through",
    requires: ["migration.live", "migration.attach"],
    controls: ["restart"],
    async run({ client, subjects, controls }) {
      const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
      await untilPhase(task, ["transferring", "requested"]);
      const fresh = await controls.restart!();
      const attached = await fresh.attachMigration(task.id);
      expect(attached.id === task.id, `attach returned ${attached.id}, expected ${task.id}`);
      const { result } = await collect(attached);
      expect(result.outcome === "completed", `the attached migration ended ${result.outcome}`);
      const vm = await fresh.getVm(subjects.liveVm);
      expect(vm.hostId === subjects.targetHost, `the VM is on ${vm.hostId}`);
      const missing = await expectError(() => fresh.attachMigration(`${task.id}-missing`), "attach to a missing migration");
      expect(missing.code === "NOT_FOUND" || missing.code === "INVALID_ARGUMENT", `attach to a missing id gave ${missing.code}`);
      await fresh.close();
    },
  },
];
