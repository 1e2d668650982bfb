/**
 * Cold move throughput in the libvirt lab against the physical limit here: a `qemu-img convert`
 * (qcow2 → raw) of the same disk on the same machine. The move's transfer time is measured from
 * its `transferring` phase (source stopped, copy started) to `finalizing`; its whole time and the
 * source's stopped time are reported beside; the copy alone is the result's `copyDurationMs`. Goal (issue 18): moved-disk throughput ≥ 0.8× the
 * plain convert. `node bench/move-throughput.ts [MiB]` (default 256 MiB, pseudo-random content).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createMover } from "@vmshift/move";
import { acquireLab, labAvailability, run, startDaemons } from "../adapters-conformance/libvirt-lab/lab.ts";
import { DST_POOL, MOVE_DIR, MOVE_DISK, MOVE_VM, SRC_POOL, cleanMoveLab, freshSource, moveEndpoints } from "../adapters-conformance/libvirt-lab/move-lab.ts";
import { type BenchRow, report } from "./lib.ts";

const MIB = 1024 ** 2;
const sizeMiB = Number(process.argv[2] ?? 256);
const availability = await labAvailability();
if (!availability.ok) {
  console.log(`move-throughput: skipped — ${availability.reason}`);
  process.exit(0);
}
const release = await acquireLab("bench/move-throughput.ts");
try {
  await startDaemons();
  await freshSource(sizeMiB * MIB, { fill: true });
  // The physical limit: the same conversion, by hand, of the same file — before and after the move
  // (page cache, and a machine other jobs share), the faster of the two.
  const convert = async (): Promise<number> => {
    const out = join(MOVE_DIR, "baseline.raw");
    const t0 = performance.now();
    const base = await run("qemu-img", ["convert", "-U", "-f", "qcow2", "-O", "raw", MOVE_DISK, out], { timeoutMs: 600_000 });
    const ms = performance.now() - t0;
    rmSync(out, { force: true });
    if (base.code !== 0) throw new Error(base.stderr);
    return ms;
  };
  const before = await convert();

  const { from, to } = moveEndpoints();
  const task = createMover().moveVm({ from, to, vmId: MOVE_VM, storageMap: { [SRC_POOL]: { storage: DST_POOL, format: "raw" } }, shutdownTimeoutMs: 500 });
  const at: Record<string, number> = {};
  const start = performance.now();
  for await (const s of task.events()) at[s.phase] ??= performance.now();
  const result = await task.wait();
  if (result.outcome !== "completed") throw new Error(`the move ended ${result.outcome}: ${result.error?.message}`);
  const transferMs = at["finalizing"]! - at["transferring"]!;
  const baselineMs = Math.min(before, await convert());
  const bytes = sizeMiB * MIB;
  const copyMs = result.copyDurationMs ?? Number.NaN;
  const baseline = bytes / MIB / (baselineMs / 1000);
  const rows: BenchRow[] = [
    { metric: "moved-disk throughput", value: bytes / MIB / (copyMs / 1000), unit: "MiB/s", peer: { name: "qemu-img convert, same disk", value: baseline }, note: `${sizeMiB} MiB qcow2 → raw into a volume the target pool created; copy time as the move reports it (result.copyDurationMs)` },
    { metric: "transfer phase throughput", value: bytes / MIB / (transferMs / 1000), unit: "MiB/s", peer: { name: "qemu-img convert, same disk", value: baseline }, note: "transferring → finalizing: the source's stop (graceful 500 ms, then destroy) plus the copy" },
    { metric: "move total", value: performance.now() - start, unit: "ms", note: "preparing → completed (virsh round trips included)" },
    { metric: "source stopped", value: result.downtimeMs ?? Number.NaN, unit: "ms", note: "cold move: stop of the source → target started" },
  ];
  report("move-throughput", rows);
} finally {
  await cleanMoveLab();
  release();
}
