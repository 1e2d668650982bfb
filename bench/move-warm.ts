/**
 * Warm against cold moves in the libvirt lab, and the warm-move planner (`planWarmMove`,
 * `planColdMove` of @vmshift/move) against what the moves measured.
 *
 * Four real moves of one `MiB`-sized qcow2 disk (pseudo-random, fully allocated) from lab host a
 * to b, each from a fresh source:
 *  1. cold (calibration): the copy bandwidth (bytes ÷ `copyDurationMs`) and the target's start
 *     (downtime − copy);
 *  2. warm with a writer at RATE_1 (calibration): the warm passes' own bandwidth and fixed cost
 *     (from the full and the delta passes: duration = cost + bytes ÷ bandwidth; the export, the
 *     change listing, qemu-img start-up), the final pass's fixed cost and the warm start;
 *  3. warm with a writer at RATE_2 (predicted): the planner is given the change rate the writer
 *     measured, the bandwidth and the fixed costs of 1–2; its passes, final bytes and downtime
 *     stand beside the move's;
 *  4. cold (predicted): the planner's cold downtime beside the measured one.
 * The writer writes `chunk` bytes of a new pattern at the next unused offset every 500 ms through
 * the domain (QEMU's `qemu-io` monitor command, move-lab.ts `writeThroughDomain`), from the start
 * of the transfer until cutover: every write dirties new blocks, so dirtied bytes = written bytes.
 * Downtime is the mover's `downtimeMs`: source off → target running (the stop itself is not in it,
 * so the planner gets `stopMs` 0). `node bench/move-warm.ts [MiB]` (default 256).
 */
import { type MoveResult, type MoveTask, createMover, planColdMove, planWarmMove, ratesFromPasses } from "@vmshift/move";
import { acquireLab, labAvailability, startDaemons } from "../adapters-conformance/libvirt-lab/lab.ts";
import { DST_POOL, MOVE_VM, SRC_POOL, cleanMoveLab, freshSource, moveEndpoints, writeThroughDomain } from "../adapters-conformance/libvirt-lab/move-lab.ts";
import { type BenchRow, report } from "./lib.ts";

const MIB = 1024 ** 2;
const sizeMiB = Number(process.argv[2] ?? 256);
const PERIOD_MS = 500;
const RATE_1 = 1 * MIB; // bytes/s
const RATE_2 = 4 * MIB;
const WARM = { maxDeltaPasses: 5, convergedBytes: 8 * MIB, passIntervalMs: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const availability = await labAvailability();
if (!availability.ok) {
  console.log(`move-warm: skipped — ${availability.reason}`);
  process.exit(0);
}

interface Measured {
  readonly result: MoveResult;
  /** Bytes the writer wrote and the rate it kept, bytes/s (while the transfer ran). */
  readonly written: number;
  readonly writeRate: number;
}

/** Writes `chunk` bytes every PERIOD_MS at fresh offsets while `task` transfers. */
async function writer(task: MoveTask, chunk: number): Promise<{ written: number; ms: number }> {
  let offset = MIB; // past the marker
  let written = 0;
  let first: number | undefined;
  let last = 0;
  for (let k = 0; ; ) {
    const s = task.snapshot();
    if (s.phase === "finalizing" || s.result) break;
    if (s.phase !== "transferring") {
      await sleep(20);
      continue;
    }
    first ??= performance.now();
    const due = first + k * PERIOD_MS;
    if (performance.now() < due) {
      await sleep(Math.min(20, due - performance.now()));
      continue;
    }
    if (offset + chunk > sizeMiB * MIB) throw new Error("the writer ran out of fresh offsets: a larger disk or a lower rate");
    try {
      await writeThroughDomain(offset, chunk, 0x40 + (k % 100));
    } catch (error) {
      if (task.snapshot().phase === "transferring") throw error;
      break; // cutover began while the write was on its way
    }
    offset += chunk;
    written += chunk;
    k++;
    last = performance.now();
  }
  return { written, ms: first === undefined ? 0 : Math.max(last - first, PERIOD_MS) };
}

async function move(mode: "cold" | "warm", rate = 0): Promise<Measured> {
  await freshSource(sizeMiB * MIB, { fill: true });
  const { from, to } = moveEndpoints();
  const task = createMover().moveVm({ from, to, vmId: MOVE_VM, mode, storageMap: { [SRC_POOL]: { storage: DST_POOL, format: "raw" } }, shutdownTimeoutMs: 500, ...(mode === "warm" ? { warm: WARM } : {}) });
  const w = rate > 0 ? writer(task, (rate * PERIOD_MS) / 1000) : Promise.resolve({ written: 0, ms: 1 });
  const result = await task.wait();
  const { written, ms } = await w;
  if (result.outcome !== "completed") throw new Error(`the ${mode} move ended ${result.outcome}: ${result.error?.message}`);
  const passes = (result.passes ?? []).map((p) => `${p.kind}=${(p.bytes / MIB).toFixed(1)}MiB/${p.durationMs}ms`).join(", ");
  console.error(`move-warm: ${mode}${rate ? ` at ${rate / MIB} MiB/s` : ""}: copy ${result.copyDurationMs} ms, downtime ${result.downtimeMs} ms, total ${result.durationMs} ms; wrote ${(written / MIB).toFixed(1)} MiB in ${Math.round(ms)} ms${passes ? `; passes ${passes}` : ""}`);
  return { result, written, writeRate: (written / ms) * 1000 };
}

const release = await acquireLab("bench/move-warm.ts");
try {
  await startDaemons();
  const bytes = sizeMiB * MIB;
  // 1. cold, calibration
  const cold1 = await move("cold");
  const bandwidth = (bytes / cold1.result.copyDurationMs!) * 1000;
  const startMs = cold1.result.downtimeMs! - cold1.result.copyDurationMs!;
  // 2. warm at RATE_1, calibration: the warm passes read over NBD from the running QEMU, so their
  // bandwidth is their own (not the cold copy's); the fixed cost of a pass from its delta passes.
  const warm1 = await move("warm", RATE_1);
  const p1 = warm1.result.passes!;
  const full1 = p1.find((p) => p.kind === "full")!;
  const deltas1 = p1.filter((p) => p.kind === "delta");
  const finalPass = p1.find((p) => p.kind === "final")!;
  // Fixed cost c and bandwidth b from: full = c + B/b, mean delta = c + d/b.
  const meanDelta = deltas1.length === 0 ? undefined : { bytes: deltas1.reduce((n, p) => n + p.bytes, 0) / deltas1.length, durationMs: deltas1.reduce((n, p) => n + p.durationMs, 0) / deltas1.length };
  const warmBandwidth = meanDelta ? ((full1.bytes - meanDelta.bytes) / Math.max(1, full1.durationMs - meanDelta.durationMs)) * 1000 : (full1.bytes / full1.durationMs) * 1000;
  const passOverheadMs = meanDelta ? Math.max(0, meanDelta.durationMs - (meanDelta.bytes / warmBandwidth) * 1000) : 0;
  const finalPassOverheadMs = Math.max(0, finalPass.durationMs - (finalPass.bytes / warmBandwidth) * 1000);
  const warmStartMs = warm1.result.downtimeMs! - finalPass.durationMs;
  // 3. warm at RATE_2, predicted
  const warm2 = await move("warm", RATE_2);
  const p2 = warm2.result.passes!;
  const plan = planWarmMove({ diskBytes: bytes, changeRateBytesPerSecond: warm2.writeRate, bandwidthBytesPerSecond: warmBandwidth, ...WARM, passOverheadMs, finalPassOverheadMs, startMs: warmStartMs });
  const fromPasses = ratesFromPasses(p2, { passIntervalMs: WARM.passIntervalMs });
  // 4. cold, predicted
  const cold2 = await move("cold");
  const coldPlan = planColdMove({ diskBytes: bytes, changeRateBytesPerSecond: 0, bandwidthBytesPerSecond: bandwidth, startMs });

  const measuredDeltas = p2.filter((p) => p.kind === "delta").length;
  const measuredFinal = p2.find((p) => p.kind === "final")!.bytes;
  const passList = (ps: readonly { kind: string; bytes: number }[]) => ps.map((p) => `${p.kind[0]}${(p.bytes / MIB).toFixed(1)}`).join(" ");
  const rows: BenchRow[] = [
    { metric: "warm downtime vs cold downtime", value: warm2.result.downtimeMs!, unit: "ms", peer: { name: "cold move, same disk", value: cold2.result.downtimeMs! }, note: `${sizeMiB} MiB qcow2 → raw, warm with a writer at ${(warm2.writeRate / MIB).toFixed(2)} MiB/s; source off → target running` },
    { metric: "warm total vs cold total", value: warm2.result.durationMs!, unit: "ms", peer: { name: "cold move, same disk", value: cold2.result.durationMs! }, note: "preparing → completed" },
    { metric: "planner: warm downtime", value: plan.downtimeMs, unit: "ms", peer: { name: "measured", value: warm2.result.downtimeMs! }, note: `predicted final pass ${(plan.finalBytes / MIB).toFixed(1)} MiB, measured ${(measuredFinal / MIB).toFixed(1)} MiB` },
    { metric: "planner: delta passes", value: plan.deltaPasses, unit: "passes", peer: { name: "measured", value: measuredDeltas }, note: `passes (MiB) predicted ${passList(plan.passes)} · measured ${passList(p2)}; ${plan.reason}` },
    { metric: "planner: warm copy time", value: plan.copyMs, unit: "ms", peer: { name: "measured", value: warm2.result.copyDurationMs! }, note: "sum of the passes" },
    { metric: "planner: cold downtime", value: coldPlan.downtimeMs, unit: "ms", peer: { name: "measured", value: cold2.result.downtimeMs! }, note: "bandwidth and start cost from the calibration cold move" },
    { metric: "change rate from the passes", value: fromPasses.changeRateBytesPerSecond ?? Number.NaN, unit: "B/s", peer: { name: "writer", value: warm2.writeRate }, note: "ratesFromPasses: delta bytes ÷ time since the previous pass began" },
    { metric: "calibration: cold copy bandwidth", value: bandwidth / MIB, unit: "MiB/s", note: "cold move 1: copyDurationMs, a local qcow2 file read" },
    { metric: "calibration: warm pass bandwidth · pass cost · final-pass cost · start", value: warmBandwidth / MIB, unit: "MiB/s", note: `NBD export of the running TCG guest; ${Math.round(passOverheadMs)} ms · ${Math.round(finalPassOverheadMs)} ms · cold ${Math.round(startMs)} ms / warm ${Math.round(warmStartMs)} ms (cold move 1; warm move at ${(warm1.writeRate / MIB).toFixed(2)} MiB/s: passes ${passList(p1)})` },
  ];
  report("move-warm", rows);
} finally {
  await cleanMoveLab();
  release();
}
