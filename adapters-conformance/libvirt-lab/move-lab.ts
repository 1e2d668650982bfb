/**
 * A movable lab domain for @vmshift/move: a domain on lab host `a` with a qcow2 data disk (a marker
 * and a pattern) in a dir pool, and a dir pool on host `b` to move it into. Used by move.test.ts
 * and bench/move-throughput.ts. Test infrastructure only; lives under `.cache/libvirt-lab/move/`.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { libvirtMoveSource, libvirtMoveTarget } from "@vmshift/move";
import { LAB_DIR, domainXml, failStartFlag, labUri, removeDomain, run, serialPath, virsh } from "./lab.ts";

/** Lab domain name of the moved VM. */
export const MOVE_VM = "vmshift-lab-move";
/** Where the move's files live. */
export const MOVE_DIR = join(LAB_DIR, "move");
/** Source pool (host a) and target pool (host b). */
export const SRC_POOL = "vmshift-move-src";
export const DST_POOL = "vmshift-move-dst";
/** The source data disk. */
export const MOVE_DISK = join(MOVE_DIR, "src", `${MOVE_VM}-data.qcow2`);
/** What the disk starts with. */
export const MARKER = "vmshift-move-marker";

/** sha256 of a disk image's guest-visible bytes (read as raw through qemu-img, whatever its format). */
export async function contentHash(path: string, format: string): Promise<string> {
  const out = join(MOVE_DIR, `hash-${process.pid}.raw`);
  const r = await run("qemu-img", ["convert", "-U", "-f", format, "-O", "raw", path, out], { timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`qemu-img convert ${path}: ${r.stderr}`);
  const h = createHash("sha256");
  h.update(readFileSync(out));
  rmSync(out, { force: true });
  return h.digest("hex");
}

/** virsh on a lab host; throws with stderr when it fails. */
export async function must(host: "a" | "b", args: string[]): Promise<string> {
  const r = await virsh(host, args);
  if (r.code !== 0) throw new Error(`virsh ${args.join(" ")} on ${host}: ${r.stderr}`);
  return r.stdout;
}

async function pool(host: "a" | "b", name: string, path: string): Promise<void> {
  mkdirSync(path, { recursive: true });
  await virsh(host, ["pool-destroy", name]);
  await virsh(host, ["pool-undefine", name]);
  await must(host, ["pool-define-as", name, "dir", "--target", path]);
  await must(host, ["pool-start", name]);
  await must(host, ["pool-refresh", name]);
}

/**
 * A fresh source: a `diskBytes` qcow2 disk holding the marker and a pattern every 512 KiB (the rest
 * pseudo-random when `fill` is set, so qcow2 allocates it all) in pool SRC_POOL on a, the domain
 * defined and running on a; an empty pool DST_POOL on b; any earlier copy and fail-start flag gone.
 */
export async function freshSource(diskBytes: number, options: { readonly fill?: boolean } = {}): Promise<void> {
  await dropCheckpointMetadata();
  await removeDomain(MOVE_VM);
  rmSync(failStartFlag("b", MOVE_VM), { force: true });
  rmSync(join(MOVE_DIR, "dst"), { recursive: true, force: true });
  mkdirSync(join(MOVE_DIR, "src"), { recursive: true });
  const raw = Buffer.alloc(diskBytes);
  if (options.fill) {
    let x = 2463534242;
    for (let i = 0; i + 4 <= diskBytes; i += 4) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      raw.writeUInt32LE(x, i);
    }
  }
  raw.write(MARKER, 0, "utf8");
  for (let off = 512 * 1024; off + 11 <= diskBytes; off += 512 * 1024) raw.writeUInt32LE((off * 2654435761) >>> 0, off + 7);
  writeFileSync(join(MOVE_DIR, "seed.raw"), raw);
  rmSync(MOVE_DISK, { force: true });
  const c = await run("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", join(MOVE_DIR, "seed.raw"), MOVE_DISK], { timeoutMs: 600_000 });
  if (c.code !== 0) throw new Error(c.stderr);
  rmSync(join(MOVE_DIR, "seed.raw"));
  await pool("a", SRC_POOL, join(MOVE_DIR, "src"));
  await pool("b", DST_POOL, join(MOVE_DIR, "dst"));
  mkdirSync(dirname(serialPath(MOVE_VM)), { recursive: true }); // the first lab user of a fresh checkout creates it
  writeFileSync(serialPath(MOVE_VM), "");
  const disk = `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${MOVE_DISK}'/><target dev='vdb' bus='virtio'/></disk>\n    <serial`;
  const xml = domainXml(MOVE_VM, 64, { fillMiB: 1, dirtyMiB: 1, rateMiBps: -1 }).replace("<serial", disk);
  writeFileSync(join(MOVE_DIR, `${MOVE_VM}.xml`), xml);
  await must("a", ["define", "--file", join(MOVE_DIR, `${MOVE_VM}.xml`)]);
  await must("a", ["start", "--domain", MOVE_VM]);
}

/** The lab's hosts as a move source (a) and target (b); the target's domains log their console to `<name>-b`. */
export function moveEndpoints() {
  const from = libvirtMoveSource({ uri: labUri("a"), hostId: "a", pollMs: 100 });
  const to = libvirtMoveTarget({
    uri: labUri("b"), hostId: "b", domainType: "qemu",
    extraDevicesXml: `<serial type='file'><source path='${serialPath(`${MOVE_VM}-b`)}' append='on'/><target port='0'/></serial>`,
  });
  return { from, to };
}

/**
 * Writes `length` bytes of `pattern` at `offset` of the running source's data disk (vdb) through
 * the domain: QEMU's `qemu-io` monitor command on the disk's device, so the write goes through the
 * guest's block backend exactly like a guest write (dirty bitmaps see it). The lab guest itself
 * never touches its disks. Numbers only reach the monitor command (checked).
 */
export async function writeThroughDomain(offset: number, length: number, pattern: number): Promise<void> {
  for (const n of [offset, length, pattern]) if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a byte count: ${n}`);
  if (pattern > 255) throw new Error(`not a byte: ${pattern}`);
  const xml = await must("a", ["dumpxml", "--domain", MOVE_VM]);
  const alias = /<target dev='vdb'[^>]*\/>[\s\S]*?<alias name='([A-Za-z0-9_-]+)'\/>/.exec(xml)?.[1];
  if (!alias) throw new Error("the running source has no alias for vdb");
  const out = await must("a", ["qemu-monitor-command", "--domain", MOVE_VM, "--hmp", `qemu-io -d /machine/peripheral/${alias}/virtio-backend "write -P ${pattern} ${offset} ${length}"`]);
  if (/error|failed/i.test(out)) throw new Error(`qemu-io write at ${offset}: ${out.trim()}`);
}

/** A domain with checkpoints cannot be undefined plainly: an earlier warm run that failed may have left some. */
async function dropCheckpointMetadata(): Promise<void> {
  for (const h of ["a", "b"] as const) {
    await virsh(h, ["domjobabort", "--domain", MOVE_VM]);
    await virsh(h, ["destroy", "--domain", MOVE_VM]);
    await virsh(h, ["undefine", "--domain", MOVE_VM, "--checkpoints-metadata"]);
  }
}

/** Removes the moved domain from both hosts, both pools and the files. */
export async function cleanMoveLab(): Promise<void> {
  await dropCheckpointMetadata();
  await removeDomain(MOVE_VM);
  for (const [h, p] of [["a", SRC_POOL], ["b", DST_POOL]] as const) {
    await virsh(h, ["pool-destroy", p]);
    await virsh(h, ["pool-undefine", p]);
  }
  rmSync(MOVE_DIR, { recursive: true, force: true });
}
