/**
 * The repository's local test environments as a conformance target module: API environments
 * (kubevirt-env, the Prism-like server), govmomi's vcsim with our launcher, the stand-in pwsh with
 * Hyper-V transcripts, fixture replays, and the QEMU/libvirt lab. They need this checkout (fixtures,
 * launchers, Debian packages), so they are not part of the published suite; the CLI loads this
 * module through `$VMSHIFT_CONFORMANCE_TARGETS`, which the workspace's `pnpm vmshift` sets.
 */
import type { ConformanceTarget } from "../src/target.ts";
import { TARGETS as PUBLISHED } from "../src/targets/index.ts";
import { hypervTranscriptsTarget } from "./hyperv-transcripts.ts";
import { kubevirtEnvTarget } from "./kubevirt-env.ts";
import { kubevirtFixturesTarget } from "./kubevirt-fixtures.ts";
import { libvirtLocalTarget } from "./libvirt-local.ts";
import { nutanixFixturesTarget } from "./nutanix-fixtures.ts";
import { nutanixServerTarget } from "./nutanix-server.ts";
import { vsphereFixturesTarget } from "./vsphere-fixtures.ts";
import { vsphereVcsimTarget } from "./vsphere-vcsim.ts";

export { type LibvirtLab, openLibvirtLab, stopLibvirtLab } from "./libvirt-local.ts";
export { servers } from "./serve.ts";
export { moveSuite } from "../src/move/index.ts";

/** The local targets of this repository. */
export const targets: readonly ConformanceTarget[] = [
  kubevirtEnvTarget,
  kubevirtFixturesTarget,
  nutanixServerTarget,
  nutanixFixturesTarget,
  hypervTranscriptsTarget,
  vsphereVcsimTarget,
  libvirtLocalTarget,
  vsphereFixturesTarget,
];

/** Every target the repository's tests run: the published ones and the local ones. */
export const ALL_TARGETS: readonly ConformanceTarget[] = [...PUBLISHED, ...targets];
