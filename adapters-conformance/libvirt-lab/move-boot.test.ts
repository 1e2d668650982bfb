/**
 * A moved VM boots on the libvirt target and reports a marker written into its disk before the
 * move. The disk is a real bootable one: a FAT file system with SYSLINUX in its boot sector
 * (`syslinux --install`, through mtools: nothing mounted), the lab guest's kernel and initramfs,
 * and a `syslinux.cfg` whose kernel command line carries a marker made fresh for this run. The
 * domain on host a boots from that disk through SeaBIOS (no direct kernel boot); it is moved cold
 * to host b (qcow2 → raw), started there by the mover, and its serial console on b must show the
 * kernel's command line with the marker (read by SYSLINUX from the moved disk) and the lab guest's
 * init (userspace up, then its health ticks). The disks hash the same on both sides.
 *
 * Needs syslinux, mtools and dosfstools (.ci/setup.d/75-move-boot.sh). Skipped when the lab or
 * they are missing here; with CI=true that is a failure.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createMover } from "@vmshift/move";
import { describe, expect, it } from "vitest";
import { GUEST, labAvailability, run, serialPath } from "./lab.ts";
import { holdMoveLab } from "./hold-move-lab.ts";
import { DST_POOL, MOVE_DIR, MOVE_VM, SRC_POOL, contentHash, freshSource, moveEndpoints, must } from "./move-lab.ts";

const availability = await labAvailability();
const tools = await Promise.all(["syslinux", "mcopy", "mkfs.vfat"].map((t) => run("sh", ["-c", `command -v ${t}`])));
const toolsOk = tools.every((t) => t.code === 0);
if (process.env.CI === "true" && (!availability.ok || !toolsOk)) throw new Error(`libvirt lab, syslinux, mtools and dosfstools required in CI: ${availability.ok ? "syslinux, mcopy or mkfs.vfat missing" : availability.reason}`);

const BOOT_DISK = join(MOVE_DIR, "src", `${MOVE_VM}-boot.qcow2`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function must0(file: string, args: string[]): Promise<void> {
  const r = await run(file, args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${file} ${args.join(" ")}: ${r.stderr}`);
}

/** A 32 MiB bootable FAT disk (SYSLINUX, the lab kernel and initramfs) whose kernel command line carries `marker`, as qcow2. */
async function bootableDisk(marker: string): Promise<void> {
  const raw = join(MOVE_DIR, "boot.raw");
  const cfg = join(MOVE_DIR, "syslinux.cfg");
  rmSync(raw, { force: true });
  await must0("mkfs.vfat", ["-C", raw, "32768"]);
  await must0("syslinux", ["--install", raw]);
  writeFileSync(cfg, `DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL vmlinuz\n  APPEND initrd=initrd.gz console=ttyS0 panic=-1 wl=1,1,-1 vmshift_marker=${marker}\n`);
  for (const [from, to] of [[GUEST.kernel, "vmlinuz"], [GUEST.initrd, "initrd.gz"], [cfg, "syslinux.cfg"]] as const) await must0("mcopy", ["-o", "-i", raw, from, `::${to}`]);
  rmSync(BOOT_DISK, { force: true });
  await must0("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, BOOT_DISK]);
  rmSync(raw);
}

async function serialShows(path: string, patterns: readonly RegExp[], timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text = "";
    try {
      text = readFileSync(path, "latin1");
    } catch {
      // not created yet
    }
    if (patterns.every((p) => p.test(text))) return text;
    if (Date.now() > deadline) throw new Error(`serial log ${path} lacks ${patterns.filter((p) => !p.test(text)).join(", ")} after ${timeoutMs} ms:\n${text.slice(-2000)}`);
    await sleep(500);
  }
}

describe.skipIf(!availability.ok || !toolsOk)("a moved VM boots on the libvirt target (@vmshift/move)", { timeout: 120_000 }, () => {
  holdMoveLab("move-boot.test.ts");

  it("boots from its moved disk on b under QEMU and reports the marker written into the disk before the move", async () => {
    await freshSource(1024 * 1024); // pools on a and b, the move directory
    await must("a", ["destroy", "--domain", MOVE_VM]);
    await must("a", ["undefine", "--domain", MOVE_VM]);
    const marker = randomBytes(8).toString("hex");
    await bootableDisk(marker);
    await must("a", ["pool-refresh", SRC_POOL]);
    const xml = join(MOVE_DIR, `${MOVE_VM}-boot.xml`);
    writeFileSync(xml, `<domain type='qemu'>
  <name>${MOVE_VM}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${BOOT_DISK}'/><target dev='vda' bus='virtio'/></disk>
    <serial type='file'><source path='${serialPath(MOVE_VM)}' append='on'/><target port='0'/></serial>
    <memballoon model='none'/></devices>
</domain>
`);
    await must("a", ["define", "--file", xml]); // defined, stopped: the move is cold
    const before = await contentHash(BOOT_DISK, "qcow2");
    const targetSerial = serialPath(`${MOVE_VM}-b`);
    writeFileSync(targetSerial, "");
    const { from, to } = moveEndpoints();
    const result = await createMover().moveVm({ from, to, vmId: MOVE_VM, storageMap: { [SRC_POOL]: { storage: DST_POOL, format: "raw" } }, shutdownTimeoutMs: 500 }).wait({ maxWaitMs: 60_000 });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation).toEqual({ side: "target", powerState: "running", hostId: "b" });
    const volume = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", `${MOVE_VM}-vda.img`])).trim();
    expect(await contentHash(volume, "raw")).toBe(before);
    // The target boots: SeaBIOS → SYSLINUX from the moved disk → the kernel with the marker → the guest's init and its ticks.
    const log = await serialShows(targetSerial, [new RegExp(`Command line: .*vmshift_marker=${marker}`), /init: workload fill=1 dirty=1/, /^tick 2 t=\S+ dirtied=\d+MiB verify=ok/m], 90_000);
    expect(log).not.toContain("No bootable device");
    expect(readFileSync(serialPath(MOVE_VM), "latin1")).not.toContain(marker); // the source never ran: the marker came from the moved disk
  });
});
