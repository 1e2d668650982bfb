/**
 * sha256 of a disk image's guest-visible bytes, whatever its format: qemu-img converts it to raw
 * next to the image (`-U`: no lock, the image may be open elsewhere), the raw file is hashed and
 * removed. Two images with the same hash hold the same bytes for the guest, whether qcow2, VMDK,
 * VHDX or raw. Test infrastructure; needs qemu-img (qemu-utils).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";

/** Why qemu-img cannot be used here (not installed), or undefined when it can. */
export function qemuImgMissing(): string | undefined {
  return spawnSync("qemu-img", ["--version"], { stdio: "ignore" }).status === 0 ? undefined : "qemu-img is not installed (.ci/setup.d/70-move.sh installs qemu-utils)";
}

/** The hash of `file` read as `format` (raw, qcow2, vmdk, vhdx, vpc). */
export function guestContentHash(file: string, format: string): string {
  const out = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.hash.raw`;
  try {
    execFileSync("qemu-img", ["convert", "-U", "-f", format, "-O", "raw", file, out], { stdio: ["ignore", "ignore", "pipe"] });
    return createHash("sha256").update(readFileSync(out)).digest("hex");
  } finally {
    rmSync(out, { force: true });
  }
}
