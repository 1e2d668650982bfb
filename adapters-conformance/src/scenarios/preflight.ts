/** Pre-migration checks: pass for a good target, report errors for bad ones, touch nothing. */
import { type Scenario, expect, expectVmAt, locate, platformLocation } from "../scenario.ts";

export const preflightScenarios: readonly Scenario[] = [
  {
    id: "preflight.good-target",
    title: "preflight passes for a good target, and changes nothing",
    requires: ["preflight", "migration.live"],
    async run(context) {
      const { client, subjects, meter } = context;
      const before = await platformLocation(context, subjects.liveVm);
      const report = await meter.measure("preflight", { preflight: 1 }, () => client.preflight({ vmId: subjects.liveVm, targetHostId: subjects.targetHost }));
      const errors = report.checks.filter((c) => c.severity === "error");
      expect(report.ok && errors.length === 0, `unexpected errors: ${errors.map((c) => `${c.id}: ${c.message}`).join("; ")}`);
      await expectVmAt(context, subjects.liveVm, { ...(before?.hostId === undefined ? {} : { hostId: before.hostId, side: "source" as const }), powerState: "running" }, "after preflight");
    },
  },
  {
    id: "preflight.full-target",
    title: "preflight reports a capacity error for a host without room, and changes nothing",
    requires: ["preflight", "migration.live"],
    subjects: ["fullHost"],
    async run(context) {
      const { client, subjects, meter } = context;
      const before = await locate(client, subjects.liveVm);
      const report = await meter.measure("preflight", { preflight: 1 }, () => client.preflight({ vmId: subjects.liveVm, targetHostId: subjects.fullHost! }));
      expect(!report.ok, "preflight passed for a host without room");
      expect(report.checks.some((c) => c.severity === "error" && c.category === "capacity"), `no capacity error among: ${report.checks.map((c) => `${c.category}/${c.id}`).join(", ")}`);
      const after = await locate(client, subjects.liveVm);
      expect(after.hostId === before.hostId && after.powerState === before.powerState, "preflight moved or changed the VM");
      await expectVmAt(context, subjects.liveVm, { ...(before.hostId === undefined ? {} : { hostId: before.hostId, side: "source" as const }), powerState: "running" }, "after preflight");
    },
  },
  {
    id: "preflight.incompatible-target",
    title: "preflight reports an error for a host the VM cannot move to (compatibility, state or policy)",
    requires: ["preflight", "migration.live"],
    subjects: ["incompatibleHost"],
    async run(context) {
      const { client, subjects, meter } = context;
      const before = await platformLocation(context, subjects.liveVm);
      const report = await meter.measure("preflight", { preflight: 1 }, () => client.preflight({ vmId: subjects.liveVm, targetHostId: subjects.incompatibleHost! }));
      expect(!report.ok, "preflight passed for an incompatible host");
      const blocking = report.checks.filter((c) => c.severity === "error");
      expect(blocking.every((c) => ["compatibility", "state", "policy", "device", "network", "storage", "capacity"].includes(c.category)), "a check has an unknown category");
      expect(blocking.every((c) => c.message.length > 0 && c.id.length > 0), "a check has no id or message");
      await expectVmAt(context, subjects.liveVm, { ...(before?.hostId === undefined ? {} : { hostId: before.hostId, side: "source" as const }), powerState: "running" }, "after preflight");
    },
  },
];
