/** The Prism-like test server (test infrastructure for @vmshift/nutanix; not shipped). */
export { type Exchange, type PrismServer, type PrismServerOptions, startPrismServer } from "./server.ts";
export { ApiError, type Faults, PrismSim, type Timings } from "./sim.ts";
export { type Inventory, type SimHost, type SimVm, seedInventory, simId } from "./state.ts";
