/**
 * The registry of move-capable conformance targets: one entry per platform, with its source side,
 * its target side, or both. `vmshift conformance --suite move --from <a> --to <b>` runs every
 * pair it names from here; the CI test runs every pair whose sides are available.
 *
 * Adding a platform is one entry: `name` is its conformance target's name, `source` / `target`
 * load its sides lazily (so a pair loads only what it uses).
 *
 * The sides need this checkout (the libvirt lab, kubevirt-env, launchers), so `src/move` is left out
 * of the published build (tsconfig.build.json); the CLI reaches it through the repository's target
 * module (`adapters-conformance/targets/index.ts` re-exports {@link MOVE_SIDES}' suite).
 */
import type { MoveSourceSide, MoveTargetSide } from "./side.ts";

/** One move-capable platform. */
export interface MoveSideEntry {
  readonly name: string;
  readonly source?: () => Promise<MoveSourceSide>;
  readonly target?: () => Promise<MoveTargetSide>;
}

/** Every move-capable platform, by conformance target name. */
export const MOVE_SIDES: readonly MoveSideEntry[] = [
  {
    name: "libvirt-local",
    source: async () => (await import("./libvirt-local.ts")).libvirtLocalSource,
    target: async () => (await import("./libvirt-local.ts")).libvirtLocalTarget,
  },
  {
    name: "kubevirt-env",
    target: async () => (await import("./kubevirt-env.ts")).kubevirtEnvTarget,
  },
  {
    name: "hyperv-transcripts",
    source: async () => (await import("../../hyperv-pwsh/move-side.ts")).hypervTranscriptsMoveSource,
  },
  {
    name: "nutanix-server",
    source: async () => (await import("../../prism-server/move-side.ts")).nutanixServerSource,
  },
  {
    name: "vsphere-vcsim",
    source: async () => (await import("../../vcsim/move-side.ts")).vsphereVcsimSource,
  },
];

/** The entry named `name`, or undefined. */
export function findMoveSide(name: string): MoveSideEntry | undefined {
  return MOVE_SIDES.find((e) => e.name === name);
}

/** Every (source, target) pair of names the registry can form. */
export function movePairs(): readonly { readonly from: string; readonly to: string }[] {
  return MOVE_SIDES.filter((s) => s.source).flatMap((s) => MOVE_SIDES.filter((t) => t.target).map((t) => ({ from: s.name, to: t.name })));
}
