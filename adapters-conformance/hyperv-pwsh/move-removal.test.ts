/**
 * The Hyper-V move source's removal against the stand-in pwsh through node-powershell: a cold move
 * with `removeSource` removes the VM with Remove-VM once the target runs it — the model no longer
 * has it (Get-VM finds nothing), its VHDX file is kept (Remove-VM keeps virtual hard disks) and the
 * result names it; a VM that is not Off is refused by the script (INVALID_STATE) and stays; a
 * removal that fails leaves the move completed with a warning naming what was kept; for a VM
 * running on checkpoints the result names the root VHDX that remains, not the AVHDX files Remove-VM
 * merged away.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createNodePowerShellRunner } from "@vmshift/hyperv";
import { type MoveTarget, type ReservedVolume, createMover, hypervMoveSource } from "@vmshift/move";
import { afterEach, describe, expect, it } from "vitest";
import { qemuImgMissing } from "../../test-support/disk-hash.ts";
import { STAND_IN_PWSH, StandInWorld } from "./src/world.ts";

const MiB = 1024 * 1024;
const PATH = "D:\\VMs\\web-01\\web-01.vhdx";
const missing = qemuImgMissing();
if (missing && process.env["CI"] === "true") throw new Error(missing);
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function setup() {
  const world = new StandInWorld();
  const runner = createNodePowerShellRunner({ executable: STAND_IN_PWSH, env: world.env(), timeoutMs: 30_000 });
  const dir = mkdtempSync(join(tmpdir(), "vmshift-hv-remove-"));
  cleanup.push(async () => {
    await runner.close();
    world.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const vmId = world.vmId("web-01");
  const vhdx = world.addVirtualDisk("web-01", { controllerType: "SCSI", controllerNumber: 0, controllerLocation: 0, path: PATH, sizeBytes: 4 * MiB, content: Buffer.from("vmshift-hyperv-remove-marker") });
  world.setDevices("web-01", { nics: [{ name: "Network Adapter", switchName: "LAN", macAddress: "00155D0A0B0C", dynamicMacAddressEnabled: false, isLegacy: false }] });
  const source = hypervMoveSource({ runner, hosts: ["HV-A"], shares: { "\\\\": world.shareRoot } });
  const state = { running: false };
  const target: MoveTarget = {
    platform: "files",
    check: async () => [],
    async reserve(definition) {
      const volumes: ReservedVolume[] = definition.disks.map((d) => {
        const location = join(dir, `${d.key}.qcow2`);
        execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", location, String(d.sizeBytes)]);
        return { diskKey: d.key, storage: d.targetStorage, location, format: "qcow2", sizeBytes: d.sizeBytes };
      });
      return { vmId: definition.targetName, volumes };
    },
    start: async () => void (state.running = true),
    remove: async (r) => r.volumes.forEach((v) => rmSync(v.location, { force: true })),
    powerState: async () => (state.running ? "running" : "stopped"),
  };
  return { world, vmId, vhdx, source, target };
}

/** The stand-in's VHDX holds a marker, not a guest OS: no guest conversion at cutover (a spread, so a mover without the option ignores it). */
const NO_GUEST_CONVERSION: object = { convert: { mode: "never" } };
const request = { networkMap: { LAN: "default" }, storageMap: { "D:": "pool" }, shutdownTimeoutMs: 1_000, ...NO_GUEST_CONVERSION } as const;

describe.skipIf(missing !== undefined)("Hyper-V source removal: Remove-VM (stand-in pwsh)", { timeout: 60_000 }, () => {
  it("a cold move with removeSource removes web-01 after the target runs it; its VHDX is kept and named", async () => {
    const { world, vmId, vhdx, source, target } = setup();
    const result = await createMover().moveVm({ from: source, to: target, vmId, removeSource: true, ...request }).wait({ maxWaitMs: 50_000 });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe("completed");
    expect(result.sourceRemoved).toBe(true);
    expect(result.sourceRemovedWhat).toContain(`virtual hard disks kept: ${PATH}`);
    expect(world.update((s) => s.vms[vmId])).toBeUndefined();
    expect(await source.powerState(vmId, { signal: AbortSignal.timeout(10_000) }).catch((e: { code?: string }) => e.code)).toBe("NOT_FOUND");
    expect(existsSync(vhdx)).toBe(true);
    expect(world.requestLog().filter((n) => n === "moveSourceRemove")).toHaveLength(1);
  });

  it("refuses a running VM (INVALID_STATE) and leaves it; a move whose removal fails is completed with a warning", async () => {
    const { world, vmId, source, target } = setup();
    await expect(source.removal!.removeVm(vmId, { signal: AbortSignal.timeout(10_000) })).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(world.update((s) => s.vms[vmId]?.state)).toBe("Running");
    // The VM turns clustered after the copy: Remove-VM is refused, the move stays completed.
    const clustering = { ...source, removal: { removeVm: async (id: string, ctx: { signal: AbortSignal }) => (world.update((s) => void (s.vms[id]!.clustered = true)), source.removal!.removeVm(id, ctx)) } };
    const result = await createMover().moveVm({ from: clustering, to: target, vmId, removeSource: true, ...request }).wait({ maxWaitMs: 50_000 });
    expect(result.outcome).toBe("completed");
    expect(result.sourceRemoved).toBe(false);
    expect(result.warnings?.join("\n")).toMatch(/removing the source failed \(it is kept, powered off\).*clustered role/);
    expect(world.update((s) => s.vms[vmId]?.state)).toBe("Off");
  });

  it("a VM running on two checkpoints: the result names the root VHDX that remains, not the AVHDX files Remove-VM merges away", async () => {
    const { world, vmId, vhdx, source } = setup();
    // web-01 runs on the newer checkpoint's AVHDX, whose parent is the older checkpoint's, whose parent is web-01.vhdx.
    const newer = "D:\\VMs\\web-01\\web-01_8F2A6C1E.avhdx";
    const older = "D:\\VMs\\web-01\\web-01_1C3B9D04.avhdx";
    world.update((s) => {
      const vm = s.vms[vmId]!;
      vm.state = "Off";
      vm.devices!.disks = [{ controllerType: "SCSI", controllerNumber: 0, controllerLocation: 0, path: newer, vhdType: "Differencing", parentPath: older }];
      vm.devices!.checkpoints = 2;
      vm.devices!.vhdParents = { [older]: PATH };
    });
    const file = (p: string): string => join(world.shareRoot, "HV-A", "D$", ...p.slice(3).split("\\"));
    for (const p of [newer, older]) {
      mkdirSync(dirname(file(p)), { recursive: true });
      writeFileSync(file(p), "avhdx stand-in");
    }
    const what = await source.removal!.removeVm(vmId, { signal: AbortSignal.timeout(20_000) });
    const kept = /virtual hard disks kept: ([^;]*)/.exec(what)?.[1]?.split(", ");
    expect(kept).toEqual([PATH]);
    // Every file named as kept is there; the checkpoints' files named as merged are gone.
    expect(kept?.map((p) => existsSync(file(p)))).toEqual([true]);
    expect(file(PATH)).toBe(vhdx);
    expect(what).toContain(`merged into them and deleted: ${newer}, ${older}`);
    expect([existsSync(file(newer)), existsSync(file(older))]).toEqual([false, false]);
    expect(world.update((s) => s.vms[vmId])).toBeUndefined();
  });
});
