/**
 * The registry of conformance targets, by CLI name. Adapters add one line each here.
 */
import type { ConformanceTarget } from "../target.ts";
import { simulatorTarget } from "./simulator.ts";
import { kubevirtEnvTarget } from "./kubevirt-env.ts";
import { kubevirtFixturesTarget } from "./kubevirt-fixtures.ts";
import { kubevirtLiveTarget } from "./kubevirt-live.ts";
import { nutanixServerTarget } from "./nutanix-server.ts";
import { nutanixFixturesTarget } from "./nutanix-fixtures.ts";
import { nutanixLiveTarget } from "./nutanix-live.ts";
import { hypervTranscriptsTarget } from "./hyperv-transcripts.ts";
import { hypervLiveTarget } from "./hyperv-live.ts";
import { vsphereVcsimTarget } from "./vsphere-vcsim.ts";
import { libvirtLocalTarget } from "./libvirt-local.ts";
import { vsphereFixturesTarget } from "./vsphere-fixtures.ts";
import { vsphereLiveTarget } from "./vsphere-live.ts";

/** Every known target. */
export const TARGETS: readonly ConformanceTarget[] = [
  simulatorTarget,
  kubevirtEnvTarget,
  kubevirtFixturesTarget,
  kubevirtLiveTarget,
  nutanixServerTarget,
  nutanixFixturesTarget,
  nutanixLiveTarget,
  hypervTranscriptsTarget,
  hypervLiveTarget,
  vsphereVcsimTarget,
  libvirtLocalTarget,
  vsphereFixturesTarget,
  vsphereLiveTarget,
];

/** Looks a target up by name. */
export function findTarget(name: string): ConformanceTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
