/** Quick start: preflight, live-migrate with progress, read the result. */
import type { MigrationResult } from "@vmshift/core";

export async function main(): Promise<MigrationResult> {
  // #region docs
  const { createSimulator } = await import("@vmshift/simulator");
  const { client } = createSimulator(); // any adapter: the same client and calls

  const report = await client.preflight({ vmId: "web-01", targetHostId: "host-2" });
  if (!report.ok) throw new Error(report.checks.map((c) => c.message).join("; "));

  const task = await client.startMigration({ vmId: "web-01", targetHostId: "host-2" });
  for await (const { phase, progress } of task.events()) {
    console.log(`${phase} ${progress.percent ?? "?"}% round ${progress.iteration ?? "-"}`);
  }
  const result = await task.wait(); // resolves for every terminal outcome
  console.log(`${result.outcome}: ${result.vmId} on ${result.vmLocation.hostId}, paused ${result.downtimeMs} ms`);
  // #endregion docs
  return result;
}
