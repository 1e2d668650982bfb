/**
 * The simulator target: a fresh world per scenario on a virtual clock, every control available.
 * {@link simulatorTargetFor} builds the same target around another adapter, so a third-party
 * adapter can be run against the simulator's world before it meets its own platform.
 */
import { type HypervisorAdapter, VmshiftClient } from "@vmshift/core";
import { SimulatorWorld, createSimulatorAdapter } from "@vmshift/simulator";
import type { RequestBudget } from "../budget.ts";
import { SIMULATOR_PLATFORM } from "../platforms.ts";
import type { ConformanceTarget } from "../target.ts";

/**
 * The simulated platform a third-party adapter talks to. `api` is the platform's API: the reference
 * adapter over this world, where every call is one request to the platform (counted, logged, and
 * subject to the fault controls). `world` is the platform's state, for reading only.
 */
export interface SimulatedPlatform {
  /** The platform's API: each call is one request (its operation name is what `requestLog` shows). */
  readonly api: HypervisorAdapter;
  /** The platform's state (hosts, VMs, migrations); read it, do not change it. */
  readonly world: SimulatorWorld;
}

/** Makes the adapter under test for one session, over the simulated platform. */
export type SimulatedAdapterFactory = (platform: SimulatedPlatform) => HypervisorAdapter;

/** Options of {@link simulatorTargetFor}. */
export interface SimulatorTargetOptions {
  /** Target name. Default `simulator/<adapter name>`. */
  readonly name?: string;
  /** Default: what the target is, with the adapter's name. */
  readonly description?: string;
  /** Changes to {@link SIMULATOR_BUDGET} (e.g. a different poll interval for an adapter that polls with its own schedule). */
  readonly budget?: Partial<RequestBudget>;
}

/**
 * The request budget on the simulated platform. Its API answers every operation in one request, and
 * it pushes progress (`watchMigration`): one request per `getVm`, page or preflight; a live or cold
 * migration costs its start and one watch. An adapter that polls `getMigration` instead may poll
 * as core's follower does by default (200 ms doubling, jitter 0.2: at most one poll per 160 ms of
 * the world's clock).
 */
export const SIMULATOR_BUDGET: RequestBudget = {
  liveMigration: { requests: 2, polls: { kinds: /^getMigration$/, everyMs: 160 } },
  coldMigration: { requests: 2, polls: { kinds: /^getMigration$/, everyMs: 160 } },
  getVm: 1,
  listPage: 1,
  preflight: 1,
  cancel: 3,
  resume: 2,
  attach: 1,
  schedule: 0,
  retry: 2,
  source:
    "the simulated platform's API answers each operation in one request and pushes progress: getVm, a page and a preflight 1 each; a migration its start + one watch (2), or polls of getMigration at core's default schedule (≥ 160 ms apart); a cancel adds the cancel, a fresh look and a new watch (3); resuming a watch 2; a retried fault 2",
};

/**
 * A target that runs `factory`'s adapter against a fresh simulator world per session, with every
 * control the simulator offers (faults, restart, request counting, the platform's own view of
 * where a VM is) and the simulator's platform declaration and request budget.
 *
 * ```js
 * export default ({ simulatorTargetFor }) => simulatorTargetFor(({ api }) => myAdapterOver(api));
 * ```
 */
export function simulatorTargetFor(factory: SimulatedAdapterFactory, options: SimulatorTargetOptions = {}): ConformanceTarget {
  const probe = new SimulatorWorld({ seed: 7 });
  const adapterName = factory({ api: createSimulatorAdapter(probe), world: probe }).name;
  return {
    name: options.name ?? `simulator/${adapterName}`,
    adapter: adapterName,
    description: options.description ?? `${adapterName} against @vmshift/simulator's world (in memory, virtual clock)`,
    platform: SIMULATOR_PLATFORM,
    budget: { ...SIMULATOR_BUDGET, ...options.budget },
    async open() {
      const world = new SimulatorWorld({ seed: 7 });
      const connect = () => new VmshiftClient(factory({ api: createSimulatorAdapter(world), world }), { clock: world.clock });
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
          async locateVm(vmId) {
            const vm = world.vms.get(vmId);
            return vm ? { hostId: vm.hostId, powerState: vm.powerState } : { powerState: "unknown" };
          },
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
          // The request the world's pre-copy engine runs the migration with (bandwidth cap, convergence, post-copy, downtime limit).
          async migrationTuning(migrationId) {
            const m = world.migrations.get(migrationId);
            if (!m) return undefined;
            const r = m.request;
            return {
              ...(r.bandwidthBytesPerSecond === undefined ? {} : { bandwidthBytesPerSecond: r.bandwidthBytesPerSecond }),
              ...(r.allowAutoConverge === undefined ? {} : { allowAutoConverge: r.allowAutoConverge }),
              ...(r.allowPostCopy === undefined ? {} : { allowPostCopy: r.allowPostCopy }),
              ...(r.maxDowntimeMs === undefined ? {} : { maxDowntimeMs: r.maxDowntimeMs }),
              source: `the simulator's record of migration ${migrationId} (what its pre-copy engine runs)`,
            };
          },
          // No platformCompletedAt: this world runs on a virtual clock (bench/simulator-handles.ts measures latency in real time).
          requestLog: () => world.requestLog,
        },
        absent: {
          storageVm: "the simulator models no disks (a storage id is recorded with the migration, nothing moves)",
          targetCluster: "the simulator's world is one cluster (a cluster id is recorded with the migration, nothing moves)",
        },
        async close() {},
      };
    },
  };
}

/** The simulator target: @vmshift/simulator's own adapter over its world. */
export const simulatorTarget: ConformanceTarget = simulatorTargetFor((platform) => platform.api, {
  name: "simulator",
  description: "@vmshift/simulator, in memory, virtual clock",
});
