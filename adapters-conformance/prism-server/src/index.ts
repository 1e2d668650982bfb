/** The Prism-like test server (test infrastructure for @vmshift/nutanix; not shipped). */
export { type Exchange, type PrismServer, type PrismServerOptions, startPrismServer } from "./server.ts";
export { ApiError, type Faults, PrismSim, type Timings } from "./sim.ts";
export { type Inventory, type SeedOptions, type SimHost, type SimVm, seedInventory, simId } from "./state.ts";
export { DiskStore, type SeedDisk, type SeedVmWithDisks, type SimDisk, type SimHardware, type SimImage, type SimNic, probeImage } from "./disks.ts";
export { IMAGE_REL, type ImageFaults, SimImages } from "./images.ts";
export { DEFAULT_CONTAINER } from "./seed-disks.ts";
