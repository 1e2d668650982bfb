/**
 * `vmshift demo --real`: the same demo on local QEMU/libvirt — two libvirt daemons on this machine
 * as two hosts, a tiny guest that dirties memory — when the lab is installed
 * (`bash .ci/setup.d/40-libvirt.sh` as root). The embedded default stays the simulator.
 */
import { VmshiftError } from "@vmshift/core";
import { follow } from "../follow.ts";
import type { CliIo, ExitCode } from "../io.ts";

/** Runs the demo against the local libvirt lab. */
export async function runRealDemo(io: CliIo, json: boolean): Promise<ExitCode> {
  const { openLibvirtLab } = await import("@vmshift/conformance");
  let lab: Awaited<ReturnType<typeof openLibvirtLab>>;
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
