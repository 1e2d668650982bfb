/**
 * @vmshift/simulator: the in-memory reference adapter. It implements the whole contract with the
 * pre-copy model, per-host concurrency limits, a scheduler, seeded ids, a virtual clock for fast
 * tests (real time for demos) and fault injection.
 * @packageDocumentation
 */
import { type ClientOptions, VmshiftClient } from "@vmshift/core";
import { createSimulatorAdapter } from "./adapter.ts";
import { SimulatorWorld, type SimulatorWorldOptions } from "./world.ts";

export { createSimulatorAdapter } from "./adapter.ts";
export { simulatorCapabilities } from "./capabilities.ts";
export { FaultPlan } from "./faults.ts";
export { type SimHostSpec, type SimInventory, type SimVmSpec, defaultInventory, generatedInventory } from "./inventory.ts";
export { SimulatorWorld, type SimTiming, type SimulatorWorldOptions } from "./world.ts";

/** A world and a client over it, in one call. The client uses the world's clock. */
export function createSimulator(options: SimulatorWorldOptions & { readonly client?: Omit<ClientOptions, "clock"> } = {}): { world: SimulatorWorld; client: VmshiftClient } {
  const world = new SimulatorWorld(options);
  const client = new VmshiftClient(createSimulatorAdapter(world), { ...options.client, clock: world.clock });
  return { world, client };
}
export { type RemoteSimulatorOptions, createRemoteSimulatorAdapter, remoteSimulatorCapabilities } from "./remote/adapter.ts";
export { type ServeSimulatorOptions, type ServedSimulator, serveSimulator } from "./remote/server.ts";
