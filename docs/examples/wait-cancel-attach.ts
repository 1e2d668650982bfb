/** Waiting is not cancelling; attach after a restart; cancel keeps the VM on its source. */
import { type MigrationResult, isVmshiftError } from "@vmshift/core";

export async function main(): Promise<{ timedOut: boolean; attached: MigrationResult; cancelled: MigrationResult }> {
  const { SimulatorWorld, createSimulatorAdapter } = await import("@vmshift/simulator");
  const { VmshiftClient } = await import("@vmshift/core");
  const world = new SimulatorWorld();
  const client = new VmshiftClient(createSimulatorAdapter(world), { clock: world.clock });
  // #region docs
  const task = await client.startMigration({ vmId: "db-01", targetHostId: "host-2" });
  let timedOut = false;
  try {
    await task.wait({ maxWaitMs: 1_000 }); // gives up waiting…
  } catch (error) {
    timedOut = isVmshiftError(error, "TIMEOUT"); // …but the migration keeps running
  }

  // A new process (same platform) picks it up by id:
  const restarted = new VmshiftClient(createSimulatorAdapter(world), { clock: world.clock });
  const attached = await (await restarted.attachMigration(task.id)).wait();

  // Cancel before the switch-over: the VM stays, running, on its source.
  const second = await client.startMigration({ vmId: "web-02", targetHostId: "host-2" });
  for await (const s of second.events()) if (s.phase === "transferring") break;
  const cancelled = await second.cancel(); // { outcome: "cancelled", vmLocation: { side: "source" } }
  // #endregion docs
  return { timedOut, attached, cancelled };
}
