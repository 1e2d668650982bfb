/**
 * @vmshift/move's Hyper-V source through the real adapter runner: node-powershell spawns the
 * stand-in pwsh, which answers the source's scripts from its Hyper-V model with real VHDX/VHD
 * files under its share directory (every host's admin shares; the source maps `\\` to it). A
 * cold move copies them with the real qemu-img into a test-only file target (qcow2 files in a
 * temporary directory), byte for byte; a refused target start restarts the source.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodePowerShellRunner } from "@vmshift/hyperv";
import { type MoveTarget, type ReservedVolume, createMover, hypervMoveSource } from "@vmshift/move";
import { afterEach, describe, expect, it } from "vitest";
import { guestContentHash as contentHash } from "../../test-support/disk-hash.ts";
import { STAND_IN_PWSH, StandInWorld } from "./src/world.ts";

/** The stand-in's VHDX files hold test patterns, not a guest OS: no guest conversion at cutover (a spread: a mover without the option ignores it). */
const NO_GUEST_CONVERSION: object = { convert: { mode: "never" } };

const MiB = 1024 * 1024;
const MARKER = "vmshift-hyperv-move-marker";
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});


/** A pattern that differs every 4 KiB, with the marker at offset 0. */
function content(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let off = 0; off + 8 <= bytes; off += 4096) b.writeUInt32LE(((off + seed) * 2654435761) >>> 0, off + 4);
  b.write(MARKER, 0, "utf8");
  return b;
}

function open(edition: "Core" | "Desktop" = "Core") {
  const world = new StandInWorld();
  const runner = createNodePowerShellRunner({ executable: STAND_IN_PWSH, env: world.env(edition === "Desktop" ? { VMSHIFT_PWSH_EDITION: "Desktop" } : {}), timeoutMs: 30_000 });
  cleanup.push(async () => {
    await runner.close();
    world.dispose();
  });
  const source = hypervMoveSource({ runner, hosts: ["HV-A", "HV-B"], shares: { "\\\\": world.shareRoot } });
  return { world, runner, source };
}

/** web-01 (HV-A, running, generation 2): a 6 MiB VHDX on SCSI 0:0, a 3 MiB VHD on SCSI 0:1, an ISO, one NIC. */
function webVm(world: StandInWorld) {
  const vmId = world.vmId("web-01");
  const boot = world.addVirtualDisk("web-01", { controllerType: "SCSI", controllerNumber: 0, controllerLocation: 0, path: "C:\\ClusterStorage\\Volume1\\web-01\\web-01.vhdx", sizeBytes: 6 * MiB, content: content(6 * MiB, 1) });
  const data = world.addVirtualDisk("web-01", { controllerType: "SCSI", controllerNumber: 0, controllerLocation: 1, path: "D:\\VMs\\web-01 data\\data.vhd", sizeBytes: 3 * MiB, content: content(3 * MiB, 2), format: "vpc" });
  world.setDevices("web-01", {
    dvds: [{ controllerType: "SCSI", controllerNumber: 0, controllerLocation: 2, path: "D:\\ISO\\tools.iso" }],
    nics: [{ name: "Network Adapter", switchName: "LAN Switch", macAddress: "00155D0A0B0C", dynamicMacAddressEnabled: false, isLegacy: false }],
    secureBoot: "On",
    secureBootTemplate: "MicrosoftUEFICertificateAuthority",
    guestOs: "Debian GNU/Linux 12",
  });
  return { vmId, boot, data };
}

/** A target that writes qcow2 files into a temporary directory; `failStart` refuses the start. */
function fileTarget(options: { failStart?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "vmshift-hv-target-"));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const state = { running: false, removed: false };
  const target: MoveTarget = {
    platform: "files",
    hostId: "files",
    check: async () => [],
    async reserve(definition) {
      const volumes: ReservedVolume[] = definition.disks.map((d) => {
        const location = join(dir, `${definition.targetName}-${d.key}.qcow2`);
        execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", location, String(d.sizeBytes)]);
        return { diskKey: d.key, storage: d.targetStorage, location, format: "qcow2", sizeBytes: d.sizeBytes };
      });
      return { vmId: definition.targetName, volumes };
    },
    async start() {
      if (options.failStart) throw new Error("the target refused to start the VM");
      state.running = true;
    },
    async remove(reservation) {
      state.removed = true;
      for (const v of reservation.volumes) rmSync(v.location, { force: true });
    },
    powerState: async () => (state.running ? "running" : "stopped"),
  };
  return { dir, target, state };
}

const vmState = (world: StandInWorld, vmId: string) => world.update((s) => s.vms[vmId]!.state);

describe("Hyper-V move source through node-powershell and the stand-in pwsh", { timeout: 60_000 }, () => {
  it("reads the definition: generation 2 with Secure Boot, VHDX and VHD sizes from the real files, controller order, the ISO, the NIC's switch and MAC", async () => {
    const { world, source } = open();
    const { vmId } = webVm(world);
    const d = await source.readDefinition(vmId, { signal: new AbortController().signal });
    expect(d).toMatchObject({ id: vmId, name: "web-01", cpus: 2, memoryBytes: 4 * 1024 ** 3, firmware: { kind: "uefi", secureBoot: true }, powerState: "running", snapshotCount: 0, guestOs: "Debian GNU/Linux 12" });
    expect(d.disks.map((x) => [x.key, x.device, x.format, x.bus, x.sizeBytes, x.storage])).toEqual([
      ["sda", "disk", "vhdx", "scsi", 6 * MiB, "C:\\ClusterStorage\\Volume1"],
      ["sdb", "disk", "vpc", "scsi", 3 * MiB, "D:"],
      ["sdc", "cdrom", undefined, "scsi", 0, "D:"],
    ]);
    expect(d.nics).toEqual([{ key: "0", network: "LAN Switch", mac: "00:15:5d:0a:0b:0c" }]);
  });

  it("reads the same definition from Windows PowerShell 5.1's output (enums as numbers)", async () => {
    const core = open();
    const desktop = open("Desktop");
    const a = await core.source.readDefinition(webVm(core.world).vmId, { signal: new AbortController().signal });
    const b = await desktop.source.readDefinition(webVm(desktop.world).vmId, { signal: new AbortController().signal });
    expect(b).toEqual(a);
  });

  it("stops, reads the power state and starts again through Windows PowerShell 5.1's numeric states", async () => {
    const { world, source } = open("Desktop");
    const vmId = world.vmId("web-01");
    const ctx = { signal: new AbortController().signal };
    expect(await source.powerState(vmId, ctx)).toBe("running");
    await source.stop(vmId, { shutdownTimeoutMs: 1_000 }, ctx);
    expect(vmState(world, vmId)).toBe("Off");
    expect(await source.powerState(vmId, ctx)).toBe("stopped");
    await source.start(vmId, ctx);
    expect(vmState(world, vmId)).toBe("Running");
  });

  it("moves web-01 cold: stops it, copies the VHDX and the VHD byte for byte into qcow2, keeps the source off", async () => {
    const { world, source } = open();
    const { vmId, boot, data } = webVm(world);
    const before = { sda: contentHash(boot, "vhdx"), sdb: contentHash(data, "vpc") };
    const { dir, target, state } = fileTarget();
    const result = await createMover().moveVm({ from: source, to: target, vmId, networkMap: { "LAN Switch": "default" }, storageMap: { "C:\\ClusterStorage\\Volume1": "pool", "D:": "pool" }, shutdownTimeoutMs: 2_000, ...NO_GUEST_CONVERSION }).wait({ maxWaitMs: 50_000 });
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { side: "target", powerState: "running" }, copiedBytes: { sda: 6 * MiB, sdb: 3 * MiB } });
    expect(state.running).toBe(true);
    expect(vmState(world, vmId)).toBe("Off");
    const after = { sda: contentHash(join(dir, "web-01-sda.qcow2"), "qcow2"), sdb: contentHash(join(dir, "web-01-sdb.qcow2"), "qcow2") };
    expect(after).toEqual(before);
    expect(world.requestLog()).toEqual(expect.arrayContaining(["moveSourceDefinition", "moveSourceStop", "moveSourceState"]));
  });

  it("rolls back when the target cannot start: target files removed, web-01 running again", async () => {
    const { world, source } = open();
    const { vmId } = webVm(world);
    const { dir, target, state } = fileTarget({ failStart: true });
    const result = await createMover().moveVm({ from: source, to: target, vmId, networkMap: { "LAN Switch": "default" }, storageMap: { "C:\\ClusterStorage\\Volume1": "pool", "D:": "pool" }, shutdownTimeoutMs: 2_000, ...NO_GUEST_CONVERSION }).wait({ maxWaitMs: 50_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.message).toContain("the target refused to start the VM");
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running" });
    expect(state.removed).toBe(true);
    expect(existsSync(join(dir, "web-01-sda.qcow2"))).toBe(false);
    expect(vmState(world, vmId)).toBe("Running");
    expect(world.requestLog()).toContain("moveSourceStart");
  });

  it("refuses in preflight, writing nothing: a differencing disk, a pass-through disk, a shared VHDX, a VHDX under no mounted share, and checkpoints; notes Secure Boot and dynamic memory", async () => {
    const { world, runner } = open();
    const { vmId } = webVm(world);
    world.addVirtualDisk("web-01", { controllerType: "SCSI", controllerNumber: 1, controllerLocation: 0, path: "D:\\VMs\\web-01\\diff_8F2A.avhdx", sizeBytes: MiB, vhdType: "Differencing", parentPath: "D:\\VMs\\web-01\\base.vhdx" });
    world.addVirtualDisk("web-01", { controllerType: "SCSI", controllerNumber: 1, controllerLocation: 1, path: "E:\\Shared\\quorum.vhdx", sizeBytes: MiB, supportPersistentReservations: true });
    world.update((s) => {
      s.vms[vmId]!.devices!.disks.push({ controllerType: "SCSI", controllerNumber: 1, controllerLocation: 2, path: "Disk 2 12.00 GB Bus 0 Lun 0 Target 2", diskNumber: 2 });
      s.vms[vmId]!.devices!.checkpoints = 1;
      s.vms[vmId]!.devices!.dynamicMemory = { minimumBytes: 512 * MiB, maximumBytes: 8192 * MiB };
    });
    // Only the C: share is mounted here: the D: disks are unreachable.
    const source = hypervMoveSource({ runner, hosts: ["HV-A"], shares: { "\\\\HV-A\\C$": join(world.shareRoot, "HV-A", "C$") } });
    const { target, state } = fileTarget();
    const report = await createMover().preflight({ from: source, to: target, vmId, networkMap: { "LAN Switch": "default" }, storageMap: { "C:\\ClusterStorage\\Volume1": "pool", "D:": "pool", "E:": "pool" } });
    const errors = report.checks.filter((c) => c.severity === "error").map((c) => `${c.id} ${c.subject}`);
    expect(report.ok).toBe(false);
    expect(errors).toEqual(expect.arrayContaining(["hyperv.differencingDisk sdd", "disk.shared sde", "disk.rawDevice sdf", "hyperv.diskUnreachable sdb", "hyperv.diskUnreachable sdd", "source.snapshots web-01"]));
    expect(errors).not.toContain("hyperv.diskUnreachable sda");
    expect(report.checks.find((c) => c.id === "hyperv.secureBootTemplate")).toMatchObject({ severity: "warning", subject: "MicrosoftUEFICertificateAuthority" });
    expect(report.checks.find((c) => c.id === "hyperv.dynamicMemory")).toMatchObject({ severity: "info", message: expect.stringContaining("dynamic memory (512 MiB–8192 MiB); the target gets its startup memory, 4096 MiB, fixed") });
    expect(state).toEqual({ running: false, removed: false });
    expect(vmState(world, vmId)).toBe("Running");
  });

  it("says NOT_FOUND for an unknown VM id and an id that is no GUID", async () => {
    const { source } = open();
    for (const id of ["00000000-0000-4000-8000-00000000dead", "web-01'; Stop-VM *"]) {
      await expect(source.readDefinition(id, { signal: new AbortController().signal })).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
  });
});
