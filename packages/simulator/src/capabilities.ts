/** The simulator implements the whole contract. */
import { type CapabilityTable, supported } from "@vmshift/core";

/** Every capability supported: the simulator is the reference adapter. */
export const simulatorCapabilities = {
  "vm.list": supported(),
  "vm.get": supported(),
  "host.list": supported(),
  "preflight": supported(),
  "migration.live": supported(),
  "migration.cold": supported(),
  "migration.schedulerChoosesTarget": supported("most free memory in the source's cluster"),
  "migration.explicitTarget": supported(),
  "migration.crossCluster": supported(),
  "migration.storage": supported("storage ids are accepted and recorded; disks are not modelled"),
  "migration.cancel": supported("until finalizing; later cancels lose the race and the migration completes"),
  "migration.attach": supported(),
  "migration.watch": supported(),
  "migration.maxDowntime": supported(),
  "migration.bandwidthLimit": supported(),
  "migration.autoConverge": supported("throttle 20% from round 2, +10% per round"),
  "migration.postCopy": supported("switches after the round limit"),
  "progress.percent": supported(),
  "progress.bytes": supported(),
  "progress.dirtyRate": supported(),
  "progress.bandwidth": supported(),
  "progress.iteration": supported(),
  "progress.expectedDowntime": supported(),
} as const satisfies CapabilityTable;
