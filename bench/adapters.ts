/**
 * Per adapter, through its conformance target: requests per live migration (start to finish, with
 * the breakdown by kind) and completion latency (platform says finished → `wait()` resolves,
 * p50/p95). Targets that cannot run here, or lack the controls, are listed with the reason.
 * `node bench/adapters.ts [target…]`.
 */
import { TARGETS } from "@vmshift/conformance";
import { type BenchRow, percentile, report } from "./lib.ts";

const ROUNDS = Number(process.env["VMSHIFT_BENCH_ROUNDS"] ?? 5);
const wanted = process.argv.slice(2);
const rows: BenchRow[] = [];

for (const target of TARGETS.filter((t) => wanted.length === 0 || wanted.includes(t.name))) {
  const availability = (await target.available?.()) ?? { ok: true as const };
  if (!availability.ok) {
    console.error(`${target.name}: skipped (${availability.reason})`);
    continue;
  }
  const latencies: number[] = [];
  const requests: number[] = [];
  let breakdown = "";
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const session = await target.open();
      try {
        const { client, subjects, controls } = session;
        const logStart = controls.requestLog?.().length ?? 0;
        const countStart = controls.requestCount?.();
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
        const result = await task.wait();
        const resolvedAt = Date.now();
        if (result.outcome !== "completed") throw new Error(`migration ended ${result.outcome}`);
        if (countStart !== undefined) requests.push(controls.requestCount!() - countStart);
        if (i === 0 && controls.requestLog) {
          const kinds = new Map<string, number>();
          for (const kind of controls.requestLog().slice(logStart)) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          breakdown = [...kinds].map(([k, n]) => `${k}×${n}`).join(", ");
        }
        const doneAt = await controls.platformCompletedAt?.(task.id);
        if (doneAt !== undefined) latencies.push(resolvedAt - doneAt);
      } finally {
        await session.close();
      }
    }
  } catch (error) {
    console.error(`${target.name}: failed (${(error as Error).message})`);
    continue;
  } finally {
    await target.dispose?.();
  }
  if (requests.length > 0) rows.push({ metric: `${target.name}: requests per live migration (median of ${requests.length})`, value: percentile(requests, 50), unit: "requests", ...(breakdown ? { note: breakdown } : {}) });
  if (latencies.length > 0) {
    rows.push({ metric: `${target.name}: completion latency p50`, value: percentile(latencies, 50), unit: "ms" });
    rows.push({ metric: `${target.name}: completion latency p95`, value: percentile(latencies, 95), unit: "ms" });
  } else {
    console.error(`${target.name}: no platformCompletedAt control; latency not measured`);
  }
}
report("adapters", rows);
process.exit(0);
