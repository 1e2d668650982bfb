/** The simulator target: a fresh world per scenario on a virtual clock, every control available. */
import { VmshiftClient } from "@vmshift/core";
import { SimulatorWorld, createSimulatorAdapter } from "@vmshift/simulator";
import type { ConformanceTarget } from "../target.ts";

export const simulatorTarget: ConformanceTarget = {
  name: "simulator",
  adapter: "simulator",
  description: "@vmshift/simulator, in memory, virtual clock",
  async open() {
    const world = new SimulatorWorld({ seed: 7 });
    const connect = () => new VmshiftClient(createSimulatorAdapter(world), { clock: world.clock });
    return {
      client: connect(),
      subjects: {
        liveVm: "web-01",
        targetHost: "host-2",
        fullHost: "host-3",
        incompatibleHost: "host-4",
        coldVm: "app-01",
        coldTargetHost: "host-2",
        minVmCount: 12,
        pageSize: 5,
        missingVmId: "no-such-vm",
      },
      controls: {
        async failDuringTransfer(vmId) {
          world.faults.failAtPhase(vmId, "transferring");
        },
        async failColdStartOnTarget(vmId) {
          world.faults.failColdStart(vmId);
        },
        async slowDown(vmId) {
          world.faults.slowDown(vmId, 0.02);
        },
        async restart() {
          return connect();
        },
        requestCount: () => world.requestCount,
        async failTransiently(where, times) {
          if (where === "start") world.faults.failOperation("startMigration", times, "TRANSPORT");
          else if (where === "cancel") world.faults.failOperation("cancelMigration", times, "TRANSPORT");
          else {
            world.faults.failOperation("watchMigration", times, "TRANSPORT");
            world.faults.failOperation("getMigration", times, "TRANSPORT");
          }
        },
        async loseNextStartResponse() {
          world.faults.loseResponse("startMigration", 1);
        },
        async dropProgressStreams() {
          world.dropWatches();
        },
        async migrationCount(vmId) {
          return world.migrationCountOf(vmId);
        },
        // No platformCompletedAt: this world runs on a virtual clock (bench/simulator-handles.ts measures latency in real time).
        requestLog: () => world.requestLog,
      },
      async close() {},
    };
  },
};
