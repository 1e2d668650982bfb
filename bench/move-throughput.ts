/**
 * Cold move throughput in the libvirt lab against the physical limit here: a `qemu-img convert`
 * (qcow2 → raw) of the same disk on the same machine. The move's transfer time is measured from
 * its `transferring` phase (source stopped, copy started) to `finalizing`; its whole time and the
 * source's stopped time are reported beside; the copy alone is the result's `copyDurationMs`. Goal (issue 18): moved-disk throughput ≥ 0.8× the
 * plain convert. `pnpm bench move-throughput` (256 MiB of pseudo-random content, 3 rounds); `node bench/move-throughput.ts [MiB] [rounds]` (with the workspace-sources hook) for other sizes.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createMover } from "@vmshift/move";
import { acquireLab, labAvailability, run, startDaemons } from "../adapters-conformance/libvirt-lab/lab.ts";
import { DST_POOL, MOVE_DIR, MOVE_DISK, MOVE_VM, SRC_POOL, cleanMoveLab, freshSource, moveEndpoints } from "../adapters-conformance/libvirt-lab/move-lab.ts";
import { type BenchRow, percentile, report } from "./lib.ts";

const MIB = 1024 ** 2;
const sizeMiB = Number(process.argv[2] ?? 256);
const rounds = Number(process.argv[3] ?? 3);
const availability = await labAvailability();
if (!availability.ok) {
  console.log(`move-throughput: skipped — ${availability.reason}`);
  process.exit(0);
}
const release = await acquireLab("bench/move-throughput.ts");
try {
  await startDaemons();
  // The physical limit: the same conversion, by hand, of the same file, right before each move
  // (the page cache holds the disk for both; the machine is shared, so rounds interleave the two and
  // the medians are compared).
  const convert = async (): Promise<number> => {
    const out = join(MOVE_DIR, "baseline.raw");
    const t0 = performance.now();
    const base = await run("qemu-img", ["convert", "-U", "-f", "qcow2", "-O", "raw", MOVE_DISK, out], { timeoutMs: 600_000 });
    const ms = performance.now() - t0;
    rmSync(out, { force: true });
    if (base.code !== 0) throw new Error(base.stderr);
    return ms;
  };
  const bytes = sizeMiB * MIB;
  const mibps = (ms: number) => bytes / MIB / (ms / 1000);
  const baseline: number[] = [];
  const copy: number[] = [];
  const transfer: number[] = [];
  const total: number[] = [];
  const stopped: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await freshSource(bytes, { fill: true });
    baseline.push(mibps(await convert()));
    const { from, to } = moveEndpoints();
    const task = createMover().moveVm({ from, to, vmId: MOVE_VM, storageMap: { [SRC_POOL]: { storage: DST_POOL, format: "raw" } }, shutdownTimeoutMs: 500 });
    const at: Record<string, number> = {};
    const start = performance.now();
    for await (const s of task.events()) at[s.phase] ??= performance.now();
    const result = await task.wait();
    if (result.outcome !== "completed") throw new Error(`the move ended ${result.outcome}: ${result.error?.message}`);
    copy.push(mibps(result.copyDurationMs ?? Number.NaN));
    transfer.push(mibps(at["finalizing"]! - at["transferring"]!));
    total.push(performance.now() - start);
    stopped.push(result.downtimeMs ?? Number.NaN);
  }
  const each = copy.map((c, i) => (c / baseline[i]!).toFixed(2)).join(", ");
  const peer = { name: "qemu-img convert, same disk, p50", value: percentile(baseline, 50) };
  const rows: BenchRow[] = [
    { metric: "moved-disk throughput, p50", value: percentile(copy, 50), unit: "MiB/s", peer, note: `${sizeMiB} MiB qcow2 → raw into a volume the target pool created; copy time as the move reports it (result.copyDurationMs); ${rounds} rounds interleaved with the convert, ratios per round ${each}` },
    { metric: "transfer phase throughput, p50", value: percentile(transfer, 50), unit: "MiB/s", peer, note: "transferring → finalizing: the source's stop (graceful 500 ms, then destroy) plus the copy" },
    { metric: "move total, p50", value: percentile(total, 50), unit: "ms", note: "preparing → completed (virsh round trips included)" },
    { metric: "source stopped, p50", value: percentile(stopped, 50), unit: "ms", note: "cold move: stop of the source → target started" },
  ];
  report("move-throughput", rows);
} finally {
  await cleanMoveLab();
  release();
}
