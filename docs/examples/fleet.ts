/** Fleet operations: plan an evacuation, look at it, run it with events, cancel one VM, read the report. */
import type { FleetReport } from "@vmshift/core";

export async function main(): Promise<FleetReport> {
  // #region docs
  const { planEvacuation, executePlan } = await import("@vmshift/core");
  const { createSimulator } = await import("@vmshift/simulator");
  const { world, client } = createSimulator(); // virtual clock: minutes of migrations in milliseconds

  const plan = await planEvacuation(client, "host-1", { clock: world.clock, limits: { perSourceHost: 2 } });
  for (const m of plan.migrations) console.log(`${m.order + 1}. ${m.vmId} → ${m.targetHostId} (${m.strategy}): ${m.reason}`);
  for (const s of plan.skipped) console.log(`stays: ${s.vmId}: ${s.reason}`);

  const execution = executePlan(client, plan, { clock: world.clock });
  for await (const event of execution.events()) {
    if (event.type === "migration-started" && event.vmId === "web-02") execution.cancelVm("web-02");
    if (event.type === "migration-finished") console.log(`${event.outcome.vmId}: ${event.outcome.status} on ${event.outcome.vmLocation.hostId}`);
  }
  const report = await execution.report();
  console.log(`${report.counts.completed} completed, ${report.counts.cancelled} cancelled; freed: ${report.freedHostIds.join(", ") || "none"}`);
  // #endregion docs
  return report;
}
