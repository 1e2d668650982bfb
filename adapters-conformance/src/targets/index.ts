/**
 * The targets that ship with the suite: the simulator (runs anywhere) and the live endpoints a
 * platform team points at its own environment (`VMSHIFT_KUBECONFIG`, `VMSHIFT_VSPHERE_URL`,
 * `VMSHIFT_NUTANIX_URL`, `VMSHIFT_HYPERV_HOST`). The repository's local test environments are a
 * target module of their own (`adapters-conformance/targets/index.ts`), loaded like any third-party
 * one through {@link loadTargetModules}.
 */
import type { ConformanceTarget } from "../target.ts";
import { hypervLiveTarget } from "./hyperv-live.ts";
import { kubevirtLiveTarget } from "./kubevirt-live.ts";
import { nutanixLiveTarget } from "./nutanix-live.ts";
import { simulatorTarget } from "./simulator.ts";
import { vsphereLiveTarget } from "./vsphere-live.ts";

/** The targets built into the published suite. */
export const TARGETS: readonly ConformanceTarget[] = [simulatorTarget, kubevirtLiveTarget, nutanixLiveTarget, hypervLiveTarget, vsphereLiveTarget];

/** Looks a target up by name among {@link TARGETS} and `extra` (e.g. targets from {@link loadTargetModules}); `extra` wins on a clash. */
export function findTarget(name: string, extra: readonly ConformanceTarget[] = []): ConformanceTarget | undefined {
  return extra.find((t) => t.name === name) ?? TARGETS.find((t) => t.name === name);
}
