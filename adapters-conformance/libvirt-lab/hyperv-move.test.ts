/**
 * Hyper-V → libvirt, cold, with real bytes: the stand-in pwsh's Hyper-V model (through
 * @vmshift/hyperv's node-powershell runner) holds a generation-1 VM whose IDE disk is a real VHDX
 * with a marker; @vmshift/move's Hyper-V source reads its definition, stops it, and qemu-img reads
 * the VHDX through the stand-in's share directory (mapped as every host's admin share) into a
 * qcow2 volume of lab host b, where the domain is defined and started. Also: a start refused by
 * host b rolls back (domain and volume gone, the Hyper-V VM running again), and the same move
 * through `vmshift move --from <hyperv profile> --to <libvirt profile>`.
 *
 * Skipped when the lab cannot run here; with CI=true a missing lab is a failure.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createNodePowerShellRunner } from "@vmshift/hyperv";
import { createMover, hypervMoveSource, libvirtMoveTarget } from "@vmshift/move";
import { afterEach, describe, expect, it } from "vitest";
import { shellQuote } from "../../test-support/shell.ts";
import { runCli } from "../../test-support/run-cli.ts";
import { STAND_IN_PWSH, StandInWorld } from "../hyperv-pwsh/src/world.ts";
import { failStartFlag, labAvailability, labUri, qemuPid, run, virsh } from "./lab.ts";
import { holdMoveLab } from "./hold-move-lab.ts";
import { DST_POOL, MOVE_DIR, MOVE_VM, contentHash, must } from "./move-lab.ts";

/** The disks hold test patterns, not an OS: no guest conversion (auto would run virt-v2v-in-place on these SCSI/IDE disks). */
const NO_CONVERSION = { mode: "never" } as const;

const availability = await labAvailability();
const qemuImg = await run("qemu-img", ["--version"]);
if (process.env.CI === "true" && (!availability.ok || qemuImg.code !== 0)) throw new Error(`libvirt lab and qemu-img required in CI: ${availability.ok ? "qemu-img missing (.ci/setup.d/70-move.sh)" : availability.reason}`);

const MiB = 1024 * 1024;
const DISK_BYTES = 16 * MiB;
const MARKER = "vmshift-hyperv-lab-marker";
const VHDX_PATH = "D:\\Hyper-V\\web-01\\Virtual Hard Disks\\web-01.vhdx";
/** The moved VM's name on b: the lab's move domain, which the lab's clean-up removes. */
const NAME = MOVE_VM;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A stand-in world whose web-01 (HV-A, running) is a 128 MiB generation-1 VM with a 16 MiB VHDX on IDE 0:0 and one NIC. */
function hypervWorld() {
  const world = new StandInWorld();
  const vmId = world.vmId("web-01");
  world.update((s) => Object.assign(s.vms[vmId]!, { generation: 1, memoryStartupBytes: 128 * MiB, processorCount: 1 }));
  const content = Buffer.alloc(DISK_BYTES);
  for (let off = 0; off + 8 <= DISK_BYTES; off += 64 * 1024) content.writeUInt32LE((off * 2654435761) >>> 0, off + 4);
  content.write(MARKER, 0, "utf8");
  const vhdx = world.addVirtualDisk("web-01", { controllerType: "IDE", controllerNumber: 0, controllerLocation: 0, path: VHDX_PATH, sizeBytes: DISK_BYTES, content });
  world.setDevices("web-01", { nics: [{ name: "Network Adapter", switchName: "External-LAN", macAddress: "00155D0A0B0C", dynamicMacAddressEnabled: false, isLegacy: false }] });
  cleanup.push(async () => world.dispose());
  return { world, vmId, vhdx };
}

function endpoints(world: StandInWorld) {
  const runner = createNodePowerShellRunner({ executable: STAND_IN_PWSH, env: world.env(), timeoutMs: 30_000 });
  cleanup.push(() => runner.close());
  const from = hypervMoveSource({ runner, hosts: ["HV-A", "HV-B"], shares: { "\\\\": world.shareRoot }, hostId: "MGMT-01" });
  const to = libvirtMoveTarget({ uri: labUri("b"), hostId: "b", domainType: "qemu" });
  return { from, to };
}

const MAPS = { networkMap: { "External-LAN": "user" }, storageMap: { "D:": { storage: DST_POOL, format: "qcow2" as const } } };
const vmState = (world: StandInWorld, vmId: string) => world.update((s) => s.vms[vmId]!.state);

async function freshTarget(): Promise<void> {
  await virsh("b", ["destroy", "--domain", NAME]);
  await virsh("b", ["undefine", "--domain", NAME]);
  rmSync(failStartFlag("b", NAME), { force: true });
  await virsh("b", ["pool-destroy", DST_POOL]);
  await virsh("b", ["pool-undefine", DST_POOL]);
  rmSync(join(MOVE_DIR, "dst"), { recursive: true, force: true });
  mkdirSync(join(MOVE_DIR, "dst"), { recursive: true });
  await must("b", ["pool-define-as", DST_POOL, "dir", "--target", join(MOVE_DIR, "dst")]);
  await must("b", ["pool-start", DST_POOL]);
}

describe.skipIf(!availability.ok || qemuImg.code !== 0)("Hyper-V → libvirt lab, cold (@vmshift/move)", { timeout: 120_000 }, () => {
  holdMoveLab("hyperv-move.test.ts");

  it("moves web-01: its VHDX becomes a byte-identical qcow2 volume on b, QEMU runs it there, the Hyper-V VM is kept Off", async () => {
    await freshTarget();
    const { world, vmId, vhdx } = hypervWorld();
    const before = await contentHash(vhdx, "vhdx");
    const { from, to } = endpoints(world);
    const t0 = Date.now();
    const result = await createMover().moveVm({ from, to, vmId, targetName: NAME, ...MAPS, shutdownTimeoutMs: 2_000, convert: NO_CONVERSION }).wait({ maxWaitMs: 100_000 });
    const elapsed = Date.now() - t0;
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { side: "target", powerState: "running", hostId: "b" }, copiedBytes: { hda: DISK_BYTES } });
    expect(vmState(world, vmId)).toBe("Off");
    const volume = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", `${NAME}-hda.qcow2`])).trim();
    expect(await contentHash(volume, "qcow2")).toBe(before);
    const xml = await must("b", ["dumpxml", "--domain", NAME]);
    expect(xml).toMatch(/<target dev='hda' bus='ide'\/>/);
    expect(xml).toContain("<mac address='00:15:5d:0a:0b:0c'/>");
    expect(xml).toMatch(/<memory unit='KiB'>131072<\/memory>/);
    expect(xml).not.toContain("firmware='efi'");
    const pid = qemuPid("b", NAME);
    expect(pid).toBeDefined();
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain(volume);
    console.log(`[move] Hyper-V (stand-in) → libvirt lab, ${DISK_BYTES / MiB} MiB VHDX → qcow2: ${elapsed} ms total, source stopped ${result.downtimeMs} ms, copy ${result.copyDurationMs} ms`);
  });

  it("rolls back when host b refuses the start: nothing left on b, the Hyper-V VM running again", async () => {
    await freshTarget();
    writeFileSync(failStartFlag("b", NAME), "");
    const { world, vmId } = hypervWorld();
    const { from, to } = endpoints(world);
    const result = await createMover().moveVm({ from, to, vmId, targetName: NAME, ...MAPS, shutdownTimeoutMs: 2_000, convert: NO_CONVERSION }).wait({ maxWaitMs: 100_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.message).toContain("refused on purpose");
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running" });
    expect(vmState(world, vmId)).toBe("Running");
    expect((await virsh("b", ["domstate", "--domain", NAME])).code).not.toBe(0);
    expect((await must("b", ["vol-list", DST_POOL])).trim()).toBe("");
  });

  it("vmshift move <vm id> --from <hyperv profile> --to <libvirt profile> --json moves it and exits 0", async () => {
    await freshTarget();
    const { world, vmId, vhdx } = hypervWorld();
    const before = await contentHash(vhdx, "vhdx");
    // The profile's executable is the stand-in with its world in the environment, as `target serve hyperv-transcripts` writes it.
    const pwsh = join(world.dir, "pwsh");
    writeFileSync(pwsh, ["#!/bin/sh", ...Object.entries(world.env()).map(([k, v]) => `export ${k}=${shellQuote(v)}`), `exec ${shellQuote(STAND_IN_PWSH)} "$@"`, ""].join("\n"), { mode: 0o700 });
    const config = join(world.dir, "config.yaml");
    writeFileSync(config, `profiles:\n  hv:\n    platform: hyperv\n    executable: '${pwsh}'\n    hosts: [HV-A, HV-B]\n    shares: { '\\\\': '${world.shareRoot}' }\n  lab-b:\n    platform: libvirt\n    hosts: [{ id: b, uri: '${labUri("b")}' }]\n`);
    const r = await runCli(["move", vmId, "--from", "hv", "--to", "lab-b", "--target-name", NAME, "--network-map", "External-LAN=user", "--storage-map", `D:=${DST_POOL}:qcow2`, "--shutdown-timeout", "2000", "--convert", "never", "--json", "--config", config]);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { outcome?: string; vmLocation?: unknown });
    expect(events.at(-1)).toMatchObject({ outcome: "completed", vmLocation: { side: "target", hostId: "b", powerState: "running" } });
    const volume = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", `${NAME}-hda.qcow2`])).trim();
    expect(await contentHash(volume, "qcow2")).toBe(before);
    expect(vmState(world, vmId)).toBe("Off");
  });
});
