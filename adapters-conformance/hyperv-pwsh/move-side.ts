/**
 * `hyperv-transcripts` as a move source for the conformance move suite: the stand-in pwsh's
 * Hyper-V model through @vmshift/hyperv's node-powershell runner and @vmshift/move's Hyper-V
 * source. Each VM the suite asks for is a new generation-1 VM on HV-A, running, with one real VHDX
 * (the marker at offset 0) on SCSI 0:0 under the stand-in's share directory, which the source maps
 * as every host's admin share. Hashes and power state are read from the model and the VHDX file
 * itself, not through the mover. Warm moves run through the model's resilient change tracking:
 * writes "while running" are guest writes (held in the AVHDX while a pass's recovery checkpoint
 * exists, then merged into the VHDX with qemu-io).
 */
import { randomUUID } from "node:crypto";
import { createNodePowerShellRunner } from "@vmshift/hyperv";
import { hypervMoveSource } from "@vmshift/move";
import { guestContentHash, qemuImgMissing } from "../../test-support/disk-hash.ts";
import type { Availability, MoveSourceSide, SidePowerState, SourceSession, SourceVm } from "../src/move/side.ts";
import { STAND_IN_PWSH, StandInWorld } from "./src/world.ts";

const MARKER = "vmshift-hyperv-move-marker";
const SWITCH = "LAN Switch";
const STORAGE = "D:";
const POWER: Readonly<Record<string, SidePowerState>> = { Running: "running", Off: "stopped" };

async function available(): Promise<Availability> {
  const missing = qemuImgMissing();
  return missing ? { ok: false, reason: missing } : { ok: true };
}

/** sha256 of a VHDX's guest-visible bytes. */
const vhdxHash = (file: string): string => guestContentHash(file, "vhdx");

export const hypervTranscriptsMoveSource: MoveSourceSide = {
  name: "hyperv-transcripts",
  description: "@vmshift/move's Hyper-V source → @vmshift/hyperv's node-powershell runner → stand-in pwsh (Hyper-V model, real VHDX files under a share directory)",
  available,
  async open(): Promise<SourceSession> {
    const world = new StandInWorld();
    const runner = createNodePowerShellRunner({ executable: STAND_IN_PWSH, env: world.env(), timeoutMs: 30_000 });
    const files = new Map<string, { file: string; path: string; name: string }>();
    let n = 0;
    return {
      source: hypervMoveSource({ runner, hosts: ["HV-A", "HV-B"], shares: { "\\\\": world.shareRoot }, hostId: "HV-A" }),
      async createVm({ diskBytes }): Promise<SourceVm> {
        const vmId = randomUUID();
        const name = `vmshift-hv-move-${++n}`;
        world.update((s) => {
          s.vms[vmId] = { id: vmId, name, state: "Running", host: "HV-A", memoryStartupBytes: 128 * 1024 * 1024, processorCount: 1, generation: 1, version: "9.0" };
        });
        const size = Math.ceil(diskBytes / (1024 * 1024)) * 1024 * 1024;
        const path = `D:\\Hyper-V\\${name}\\${name}.vhdx`;
        const file = world.addVirtualDisk(name, { controllerType: "SCSI", controllerNumber: 0, controllerLocation: 0, path, sizeBytes: size, content: Buffer.from(MARKER, "utf8") });
        world.setDevices(name, { nics: [{ name: "Network Adapter", switchName: SWITCH, macAddress: "00155D0A0B0C", dynamicMacAddressEnabled: false, isLegacy: false }] });
        files.set(vmId, { file, path, name });
        return { vmId, name, storages: [STORAGE], networks: [SWITCH], marker: MARKER };
      },
      async diskHashes(vm) {
        return { sda: vhdxHash(files.get(vm.vmId)!.file) };
      },
      async writeWhileRunning(vm, offset, length, pattern) {
        const f = files.get(vm.vmId)!;
        world.guestWrite(f.name, f.path, offset, length, pattern);
      },
      async powerState(vm) {
        return world.update((s) => {
          const v = s.vms[vm.vmId];
          return v ? (POWER[v.state] ?? "other") : "missing";
        });
      },
      async close() {
        await runner.close().catch(() => undefined);
        world.dispose();
      },
    };
  },
};
