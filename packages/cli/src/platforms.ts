/**
 * Which adapter serves which profile platform. Each entry turns a resolved profile into a client;
 * adapters are imported lazily so a profile loads only the adapter it uses.
 */
import { type ClientOptions, VmshiftClient, VmshiftError } from "@vmshift/core";
import type { ResolvedProfile } from "./profiles.ts";

/** Builds a client for a profile. */
export type PlatformFactory = (profile: ResolvedProfile, options: ClientOptions) => Promise<VmshiftClient>;

/** Platform name → factory. */
export const PLATFORMS: Readonly<Record<string, PlatformFactory>> = {
  async simulator(profile, options) {
    const { SimulatorWorld, createSimulatorAdapter } = await import("@vmshift/simulator");
    const { VirtualClock, systemClock } = await import("@vmshift/core");
    const clock = profile.settings["clock"] === "virtual" ? new VirtualClock() : systemClock;
    const world = new SimulatorWorld({ clock });
    return new VmshiftClient(createSimulatorAdapter(world), { ...options, clock });
  },
};

/** A client for a profile; `NOT_SUPPORTED` for an unknown platform. */
export async function connect(profile: ResolvedProfile, options: ClientOptions = {}): Promise<VmshiftClient> {
  const factory = PLATFORMS[profile.platform];
  if (!factory) {
    throw new VmshiftError("NOT_SUPPORTED", `profile ${profile.name}: unknown platform ${profile.platform} (known: ${Object.keys(PLATFORMS).join(", ")})`, { operation: "cli.connect" });
  }
  return factory(profile, options);
}
