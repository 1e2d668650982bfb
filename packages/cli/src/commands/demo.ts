/** `vmshift demo`: a real-time live migration on the built-in simulator, with a progress display. */
import { VmshiftClient, systemClock } from "@vmshift/core";
import { type Command, type DescribedOptionTable, UsageError, flagString } from "../command.ts";
import { bytes, rate } from "../format.ts";
import { follow } from "../follow.ts";

/** The demo's simulator world lives in this process. */
const SIMULATOR_IN_PROCESS = "the demo's simulator lives in this process";

export const demoCommand: Command = {
  name: "demo",
  summary: "live-migrate a VM on the built-in simulator in real time (no hypervisor needed)",
  usage: "demo [options]",
  options: {
    vm: { type: "string", value: "vm", description: "the VM to move (default web-01)" },
    to: { type: "string", value: "host", description: "the host to move it to (default host-2)" },
    real: { type: "boolean", description: "run on the local QEMU/libvirt lab instead (installed by sudo bash .ci/setup.d/40-libvirt.sh)" },
  } satisfies DescribedOptionTable,
  async run({ io, flags, json }) {
    if (flags["real"]) {
      const { runRealDemo } = await import("./demo-real.ts");
      return runRealDemo(io, json);
    }
    const vmId = flagString(flags, "vm") ?? "web-01";
    const targetHostId = flagString(flags, "to") ?? "host-2";
    const { SimulatorWorld, createSimulatorAdapter } = await import("@vmshift/simulator"); // loaded by the command that runs it
    const world = new SimulatorWorld({ clock: systemClock });
    const client = new VmshiftClient(createSimulatorAdapter(world), { clock: systemClock });
    if (!world.vms.has(vmId)) throw new UsageError(`no VM ${vmId} in the demo inventory (try: ${[...world.vms.keys()].join(", ")})`);
    const vm = await client.getVm(vmId);
    if (!json) {
      const spec = world.vm(vmId).spec;
      io.stdout.write(`vmshift demo — live migration on the built-in simulator (no hypervisor needed)\n`);
      io.stdout.write(`VM ${vm.id}: ${bytes(vm.memoryBytes ?? 0)} RAM, dirtying ${rate(spec.dirtyRateBytesPerSecond ?? 0)}; ${vm.hostId} → ${targetHostId} over a ${rate(world.timing.bandwidthBytesPerSecond)} link\n`);
      const report = await client.preflight({ vmId, targetHostId });
      for (const check of report.checks) io.stdout.write(`  ${check.severity === "error" ? "✘" : check.severity === "warning" ? "!" : "·"} ${check.message}\n`);
      if (!report.ok) return 1;
      io.stdout.write("\n");
    }
    const task = await client.startMigration({ vmId, targetHostId });
    return follow(task, io, { json, plainIntervalMs: 500, inProcess: SIMULATOR_IN_PROCESS });
  },
};
