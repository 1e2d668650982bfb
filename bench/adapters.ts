/**
 * Per adapter, through its conformance target: requests per live migration (start to finish, with
 * the breakdown by kind) and completion latency (platform says finished → `wait()` resolves,
 * p50/p95). Targets that cannot run here, or lack the controls, are listed with the reason.
 * `node bench/adapters.ts [target…]`.
 */
import { ALL_TARGETS as TARGETS } from "../adapters-conformance/targets/index.ts";
import { type BenchRow, percentile, report } from "./lib.ts";

const ROUNDS = Number(process.env["VMSHIFT_BENCH_ROUNDS"] ?? 5);

/**
 * How each target's client learns that a migration finished, and so what bounds its latency. Polled
 * ones follow with core's task follower (packages/core/src/task.ts: 200 ms doubling to 2 s, delay ×
 * [0.8, 1.0] jitter, reset to the first delay whenever progress moved) unless the target's client
 * overrides `follow.poll`; the worst case is one full delay at the cap plus the adapter's closing reads.
 */
const DETECTION: Readonly<Record<string, string>> = {
  "kubevirt-env": "push: watch on the VirtualMachineInstanceMigration (poll fallback 50→500 ms only if the stream drops); platform time = the controller writing phase Succeeded",
  "nutanix-server": "polled: GET task, follow.poll 100 ms doubling to 500 ms cap (target's client), so latency ≤ ~500 ms + one request; platform time = the Prism task's completedTime",
  "vsphere-vcsim": "push: WaitForUpdatesEx on the task (waitMaxSeconds 5); platform time = the task's info.completeTime in the launcher",
  "hyperv-transcripts": "polled: the migrationStatus script (one PowerShell run each), follow.poll 100 ms doubling to 400 ms cap (target's client), so latency ≤ ~400 ms + one script run; platform time = the model's job completion (JobState Completed)",
  "libvirt-local": "polled: getMigration (sees the `virsh migrate` child exit, then reads the target's domjobinfo --completed), core default follow.poll 200 ms doubling to 2 s cap, so latency ≤ ~2 s + closing virsh calls; platform time = the source daemon's Stopped Migrated event as a virsh event listener received it",
};
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
    const detection = DETECTION[target.name];
    rows.push({ metric: `${target.name}: completion latency p50 (of ${latencies.length})`, value: percentile(latencies, 50), unit: "ms", ...(detection ? { note: detection } : {}) });
    rows.push({ metric: `${target.name}: completion latency p95 (of ${latencies.length})`, value: percentile(latencies, 95), unit: "ms" });
  } else {
    console.error(`${target.name}: no platformCompletedAt control; latency not measured`);
  }
}
report("adapters", rows);
process.exit(0);
