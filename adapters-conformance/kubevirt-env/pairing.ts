/**
 * Pairs KubeVirt API environments for decentralized (cross-cluster) live migration: each gets a
 * sync address in its KubeVirt CR's `status.synchronizationAddresses` (and, unless `gate: false`,
 * the `DecentralizedLiveMigration` feature gate), and one sync controller moves migrations between
 * them (decentralized.ts).
 *
 * ```ts
 * const [a, b] = [await KubevirtEnv.start(), await KubevirtEnv.start()];
 * const sync = pairEnvs({ a, b });
 * // source VMIM on a: spec.sendTo.connectURL = sync.address("b")
 * sync.stop();
 * ```
 */
import { DEFAULT_TIMING, type EnvTiming } from "./controller.ts";
import { SyncNetwork, setDecentralizedGate, syncAddress } from "./decentralized.ts";
import type { KubevirtEnv } from "./env.ts";

/** Options of {@link pairEnvs}. */
export interface PairOptions {
  /** Enable the feature gate in every member's KubeVirt CR. Default true. */
  readonly gate?: boolean;
  /** Timing of the sync controller (steps, transfer). Default: the environments' defaults. */
  readonly timing?: Partial<EnvTiming>;
}

/** A running pairing. */
export interface EnvPairing {
  /** The sync address (a source VMIM's `connectURL`) of a member, by the name it was paired under. */
  address(name: string): string;
  readonly network: SyncNetwork;
  /** Stops the sync controller (the environments keep running). */
  stop(): void;
}

/** Joins the environments, by name, into one synchronization network and starts its controller. */
export function pairEnvs(envs: Readonly<Record<string, KubevirtEnv>>, options: PairOptions = {}): EnvPairing {
  const network = new SyncNetwork();
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  for (const [name, env] of Object.entries(envs)) {
    if (options.gate ?? true) setDecentralizedGate(env.store, true);
    network.join({ store: env.store, controllers: env.controllers, timing, address: syncAddress(name) });
  }
  network.start();
  return { address: syncAddress, network, stop: () => network.stop() };
}
