/**
 * `vmshift demo --real`: the same demo on local QEMU/libvirt — two libvirt daemons on this machine
 * as two hosts, a tiny guest that dirties memory — when the lab is installed
 * (`bash .ci/setup.d/40-libvirt.sh` as root). The embedded default stays the simulator.
 */
import { type VmshiftClient, VmshiftError } from "@vmshift/core";
import { loadConformance } from "../conformance-loader.ts";
import { follow } from "../follow.ts";
import type { CliIo, ExitCode } from "../io.ts";

/** What the repository's local target module (its `openLibvirtLab` export) hands out for the lab. */
interface LibvirtLab {
  readonly client: VmshiftClient;
  readonly vmId: string;
  readonly sourceHostId: string;
  readonly targetHostId: string;
  close(): Promise<void>;
}

/** The lab lives in the repository's target module, found through `$VMSHIFT_CONFORMANCE_TARGETS`. */
async function findLabOpener(io: CliIo): Promise<() => Promise<LibvirtLab>> {
  const suite = await loadConformance();
  for (const specifier of suite.targetModulesFromEnv(io.env)) {
    const mod = await suite.importTargetModule(specifier, io.cwd);
    if (typeof mod["openLibvirtLab"] === "function") return mod["openLibvirtLab"] as () => Promise<LibvirtLab>;
  }
  throw new VmshiftError("CAPABILITY_UNAVAILABLE", "demo --real runs on the QEMU/libvirt lab of a vmshift checkout: run `pnpm vmshift demo --real` there (install the lab with: sudo bash .ci/setup.d/40-libvirt.sh)", { operation: "cli.demo" });
}

/** Runs the demo against the local libvirt lab. */
export async function runRealDemo(io: CliIo, json: boolean): Promise<ExitCode> {
  const openLibvirtLab = await findLabOpener(io);
  let lab: LibvirtLab;
  try {
    lab = await openLibvirtLab();
  } catch (error) {
    throw new VmshiftError("CAPABILITY_UNAVAILABLE", `${(error as Error).message}; install it with: sudo bash .ci/setup.d/40-libvirt.sh`, { operation: "cli.demo", cause: error });
  }
  try {
    if (!json) {
      const vm = await lab.client.getVm(lab.vmId);
      io.stdout.write(`vmshift demo --real — live migration between two local libvirt hosts (QEMU under TCG)\n`);
      io.stdout.write(`VM ${vm.name} (${vm.id}) ${lab.sourceHostId} → ${lab.targetHostId}\n\n`);
    }
    const task = await lab.client.startMigration({ vmId: lab.vmId, targetHostId: lab.targetHostId });
    return await follow(task, io, { json, plainIntervalMs: 500 });
  } finally {
    await lab.close();
  }
}
