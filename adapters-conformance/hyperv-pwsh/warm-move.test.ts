/**
 * Warm moves from the Hyper-V source through resilient change tracking, against the stand-in
 * pwsh through node-powershell: each pass takes a recovery checkpoint (the VHDX frozen, guest
 * writes held in the AVHDX), closing it makes a reference point (the writes merged back), the next
 * pass copies only what GetVirtualDiskChanges reports since it, and the final pass runs with the VM
 * off. Guest writes made during the copy (with qemu-io into the real VHDX once merged) must be on
 * the target byte for byte; no checkpoint or reference point is left.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodePowerShellRunner } from "@vmshift/hyperv";
import { type MoveSource, type MoveTarget, type ReservedVolume, createMover, hypervMoveSource } from "@vmshift/move";
import { afterEach, describe, expect, it } from "vitest";
import { guestContentHash as rawHash } from "../../test-support/disk-hash.ts";
import { STAND_IN_PWSH, StandInWorld } from "./src/world.ts";

const MiB = 1024 * 1024;
/** The VHDX holds a pattern, not a guest OS: no guest conversion at cutover (a spread, so a mover without the option ignores it). */
const NO_GUEST_CONVERSION: object = { convert: { mode: "never" } };
const PATH = "D:\\VMs\\web-01\\web-01.vhdx";
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});


function setup() {
  const world = new StandInWorld();
  const runner = createNodePowerShellRunner({ executable: STAND_IN_PWSH, env: world.env(), timeoutMs: 30_000 });
  const dir = mkdtempSync(join(tmpdir(), "vmshift-hv-warm-"));
  cleanup.push(async () => {
    await runner.close();
    world.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const vmId = world.vmId("web-01");
  const content = Buffer.alloc(8 * MiB, 0x11);
  content.write("vmshift-hyperv-warm-marker", 0, "utf8");
  const vhdx = world.addVirtualDisk("web-01", { controllerType: "SCSI", controllerNumber: 0, controllerLocation: 0, path: PATH, sizeBytes: 8 * MiB, content });
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
  return { world, vmId, vhdx, source, target, dir, state };
}

/** The source with guest writes injected right after pass 1 and pass 2 opened (while their checkpoints hold the VHDX). */
function writingDuringPasses(world: StandInWorld, source: MoveSource, log: string[]): MoveSource {
  const warm = source.warm!;
  return {
    ...source,
    warm: {
      ...warm,
      async beginPass(definition, disks, options, ctx) {
        log.push(`reference points at pass ${options.pass}: ${world.rct("web-01")?.points.length ?? 0}`);
        const pass = await warm.beginPass(definition, disks, options, ctx);
        const extents = await pass.disks.get("sda")!.changedExtents(ctx);
        log.push(`${options.pass}${options.final ? " final" : ""}: ${extents === undefined ? "full" : extents.map((e) => `${e.offset}+${e.length}`).join(",")}`);
        if (options.pass === 1) world.guestWrite("web-01", PATH, 2 * MiB, 64 * 1024, 0xab);
        if (options.pass === 2) world.guestWrite("web-01", PATH, 5 * MiB, 4096, 0xcd);
        return pass;
      },
    },
  };
}

describe("warm moves from Hyper-V through resilient change tracking (stand-in pwsh)", { timeout: 60_000 }, () => {
  it("copies while web-01 runs, then only the ranges written during each pass; the writes are on the target, nothing left on the source", async () => {
    const { world, vmId, vhdx, source, target, dir, state } = setup();
    const log: string[] = [];
    const result = await createMover().moveVm({ from: writingDuringPasses(world, source, log), to: target, vmId, mode: "warm", warm: { maxDeltaPasses: 2, convergedBytes: 0 }, networkMap: { LAN: "default" }, storageMap: { "D:": "pool" }, shutdownTimeoutMs: 2_000 , ...NO_GUEST_CONVERSION }).wait({ maxWaitMs: 55_000 });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe("completed");
    // Pass 1 full; pass 2 copies the 64 KiB written during pass 1; pass 3 the 4 KiB written during pass 2; the final pass (VM off) nothing new.
    // A pass reads its changes against the previous pass's reference point, then destroys it: never more than one on the VM.
    expect(log.filter((l) => l.startsWith("reference points"))).toEqual(["reference points at pass 1: 0", "reference points at pass 2: 1", "reference points at pass 3: 1", "reference points at pass 4: 1"]);
    expect(log.filter((l) => !l.startsWith("reference points"))).toEqual(["1: full", `2: ${2 * MiB}+${64 * 1024}`, `3: ${5 * MiB}+4096`, "4 final: "]);
    expect(result.passes?.map((p) => [p.kind, p.bytes])).toEqual([["full", 8 * MiB], ["delta", 64 * 1024], ["delta", 4096], ["final", 0]]);
    expect(state.running).toBe(true);
    expect(world.update((s) => s.vms[vmId]!.state)).toBe("Off");
    // The source VHDX now holds both writes (merged from the AVHDX); the target holds the same bytes.
    expect(rawHash(join(dir, "sda.qcow2"), "qcow2")).toBe(rawHash(vhdx, "vhdx"));
    const raw = join(dir, "sda.raw");
    execFileSync("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", join(dir, "sda.qcow2"), raw]);
    const bytes = readFileSync(raw);
    expect([bytes[2 * MiB], bytes[2 * MiB + 64 * 1024 - 1], bytes[5 * MiB + 4095], bytes[5 * MiB + 4096]]).toEqual([0xab, 0xab, 0xcd, 0x11]);
    expect(world.rct("web-01")).toMatchObject({ points: [] });
    expect(world.rct("web-01")?.checkpoint).toBeUndefined();
    expect(world.requestLog().filter((n) => n.startsWith("moveSourceWarm"))).toEqual(["moveSourceWarmCheckpoint", "moveSourceWarmPass", "moveSourceWarmSettle", "moveSourceWarmCheckpoint", "moveSourceWarmPass", "moveSourceWarmSettle", "moveSourceWarmCheckpoint", "moveSourceWarmPass", "moveSourceWarmSettle", "moveSourceWarmPass", "moveSourceWarmFinish"]);
  });

  it("a cancel during pass 2 rolls back: the open checkpoint and every reference point removed (the guest's writes merged, not lost), web-01 running, the target removed", async () => {
    const { world, vmId, vhdx, source, target, dir } = setup();
    const warm = source.warm!;
    let task: ReturnType<ReturnType<typeof createMover>["moveVm"]> | undefined;
    const cancelling: MoveSource = {
      ...source,
      warm: {
        ...warm,
        async beginPass(definition, disks, options, ctx) {
          const pass = await warm.beginPass(definition, disks, options, ctx);
          if (options.pass === 2) {
            world.guestWrite("web-01", PATH, 3 * MiB, 4096, 0xee);
            void task!.cancel();
          }
          return pass;
        },
      },
    };
    task = createMover().moveVm({ from: cancelling, to: target, vmId, mode: "warm", warm: { maxDeltaPasses: 3, convergedBytes: 0 }, networkMap: { LAN: "default" }, storageMap: { "D:": "pool" }, shutdownTimeoutMs: 2_000 , ...NO_GUEST_CONVERSION });
    const result = await task.wait({ maxWaitMs: 55_000 });
    expect(result.outcome).toBe("cancelled");
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running" });
    expect(world.update((s) => s.vms[vmId]!.state)).toBe("Running");
    expect(world.rct("web-01")?.checkpoint).toBeUndefined();
    expect(world.rct("web-01")?.points).toEqual([]);
    expect(world.requestLog()).toContain("moveSourceWarmFinish");
    // Removing the recovery checkpoint merged the write it held into the VHDX.
    const raw = join(dir, "after.raw");
    execFileSync("qemu-img", ["convert", "-U", "-f", "vhdx", "-O", "raw", vhdx, raw]);
    expect(readFileSync(raw)[3 * MiB]).toBe(0xee);
    expect(existsSync(join(dir, "sda.qcow2"))).toBe(false);
  });

  it("takes the checkpoint its CreateSnapshot made, not the newest: a backup's recovery checkpoint made at the same moment is left alone", async () => {
    const { world, vmId, vhdx, source, target, dir } = setup();
    // A backup product makes a recovery checkpoint right after the move's first CreateSnapshot: it
    // is the newest by creation time. The stand-in's CreateSnapshot returns its own checkpoint's Id
    // (ResultingSnapshot); which one the move renames, converts and removes is the model's state.
    world.update((s) => {
      const devices = s.vms[vmId]!.devices!;
      devices.rct ??= { seq: 0, changes: [], points: [] };
      devices.rct.concurrentCheckpoint = "backup-job-7";
    });
    const seen: { made?: string | undefined; backup?: { id: string; name: string } | undefined } = {};
    const warm = source.warm!;
    const watching: MoveSource = {
      ...source,
      warm: {
        ...warm,
        async beginPass(definition, disks, options, ctx) {
          const pass = await warm.beginPass(definition, disks, options, ctx);
          if (options.pass === 1) {
            const rct = world.rct("web-01")!;
            seen.made = rct.checkpoint?.name;
            seen.backup = rct.foreign?.[0];
          }
          return pass;
        },
      },
    };
    const result = await createMover().moveVm({ from: watching, to: target, vmId, mode: "warm", warm: { maxDeltaPasses: 1, convergedBytes: 0 }, networkMap: { LAN: "default" }, storageMap: { "D:": "pool" }, shutdownTimeoutMs: 2_000, ...NO_GUEST_CONVERSION }).wait({ maxWaitMs: 55_000 });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe("completed");
    // Pass 1 renamed the checkpoint CreateSnapshot made (the move's name), not the backup's.
    expect(seen.made).toMatch(/^vmshift-.+-1$/);
    expect(seen.backup?.name).toBe("backup-job-7");
    // The backup's checkpoint keeps its Id and name and is neither turned into the move's reference point nor removed.
    expect(world.rct("web-01")?.foreign).toEqual([seen.backup]);
    expect(world.rct("web-01")?.checkpoint).toBeUndefined();
    expect(world.rct("web-01")?.points).toEqual([]);
    expect(rawHash(join(dir, "sda.qcow2"), "qcow2")).toBe(rawHash(vhdx, "vhdx"));
  });

  it("refuses a warm move in preflight for a VHD disk and a configuration version before 8.0, writing nothing", async () => {
    const { world, vmId, source, target } = setup();
    world.addVirtualDisk("web-01", { controllerType: "SCSI", controllerNumber: 0, controllerLocation: 1, path: "D:\\VMs\\web-01\\old.vhd", sizeBytes: MiB, format: "vpc" });
    world.update((s) => (s.vms[vmId]!.version = "5.0"));
    const report = await createMover().preflight({ from: source, to: target, vmId, mode: "warm", networkMap: { LAN: "default" }, storageMap: { "D:": "pool" } });
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.severity === "error").map((c) => `${c.id} ${c.subject}`)).toEqual(expect.arrayContaining(["source.changeTracking web-01", "disk.changeTracking sdb"]));
    expect(world.rct("web-01")?.checkpoint).toBeUndefined();
  });
});
