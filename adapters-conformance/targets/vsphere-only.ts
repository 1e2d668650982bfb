/**
 * The vSphere targets alone as a conformance target module (`VMSHIFT_CONFORMANCE_TARGETS=…/vsphere-only.ts
 * pnpm vmshift conformance --target vsphere-vcsim`): runs them without loading the other local targets.
 */
import type { ConformanceTarget } from "../src/target.ts";
import { vsphereFixturesTarget } from "./vsphere-fixtures.ts";
import { vsphereVcsimTarget } from "./vsphere-vcsim.ts";

/** vsphere-vcsim and vsphere-fixtures. */
export const targets: readonly ConformanceTarget[] = [vsphereVcsimTarget, vsphereFixturesTarget];
