/**
 * An example third-party adapter, run by vmshift's conformance suite:
 *
 *   vmshift conformance --adapter ./acme-adapter.mjs
 *
 * "Acme" is an imaginary platform whose API is the simulator's: `simulatorTargetFor` hands the
 * adapter that API (`api`, where every call is one request to the platform) and runs the whole
 * suite against it, with the simulator's faults, request counting and request budget. A real
 * adapter talks HTTP (or SOAP, or a CLI) instead; the shape is the same.
 *
 * The module needs no dependencies: its default export is called with the suite's kit
 * (`simulatorTargetFor`, and `core`, the @vmshift/core the suite runs with). An adapter in a
 * package of its own would `import { VmshiftError, supported, unsupported } from "@vmshift/core"`.
 */

// #region adapter
/** The Acme adapter over the platform's API. `core` is @vmshift/core. */
export function createAcmeAdapter(api, core) {
  const { supported, unsupported } = core;
  /** Every capability decided, with a note for what is not offered. */
  const capabilities = {
    "vm.list": supported(),
    "vm.get": supported(),
    "host.list": supported(),
    preflight: supported(),
    "migration.live": supported(),
    "migration.cold": supported(),
    "migration.schedulerChoosesTarget": supported(),
    "migration.explicitTarget": supported(),
    "migration.crossCluster": unsupported("Acme has one cluster per API endpoint"),
    "migration.storage": unsupported("not wired into this adapter yet"),
    "migration.cancel": supported(),
    "migration.attach": supported(),
    "migration.watch": supported("progress is pushed by Acme's event stream"),
    "migration.maxDowntime": supported(),
    "migration.bandwidthLimit": supported(),
    "migration.autoConverge": supported(),
    "migration.postCopy": supported(),
    "progress.percent": supported(),
    "progress.bytes": supported(),
    "progress.dirtyRate": supported(),
    "progress.bandwidth": supported(),
    "progress.iteration": supported(),
    "progress.expectedDowntime": supported(),
  };
  // One request per operation: read once, and let the platform push progress.
  return {
    name: "acme",
    capabilities,
    listVms: (options, ctx) => api.listVms(options, ctx),
    getVm: (vmId, ctx) => api.getVm(vmId, ctx),
    listHosts: (options, ctx) => api.listHosts(options, ctx),
    preflight: (request, ctx) => api.preflight(request, ctx),
    // The platform keeps the request id: a retried start finds the first migration.
    startMigration: (request, ctx) => api.startMigration(request, ctx),
    getMigration: (id, ctx) => api.getMigration(id, ctx),
    watchMigration: (id, ctx) => api.watchMigration(id, ctx),
    cancelMigration: (id, ctx) => api.cancelMigration(id, ctx),
    attachMigration: (id, ctx) => api.attachMigration(id, ctx),
  };
}
// #endregion adapter

// #region target
/** What `vmshift conformance --adapter` runs: the simulator's world, with the Acme adapter in front. */
export default function acmeTarget({ simulatorTargetFor, core }) {
  return simulatorTargetFor(({ api }) => createAcmeAdapter(api, core), { name: "acme-on-simulator" });
}
// #endregion target
