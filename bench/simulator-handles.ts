/**
 * Memory held by 1,000 in-flight migration handles on the simulator, and completion latency on a
 * push adapter: from the moment the platform publishes `completed` to the moment `wait()` resolves.
 * Run with `node --expose-gc bench/simulator-handles.ts`.
 */
import { type MigrationTask, VmshiftClient, systemClock } from "@vmshift/core";
import { SimulatorWorld, createSimulatorAdapter, generatedInventory } from "@vmshift/simulator";
import { percentile, report } from "./lib.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

// 1. Memory: 1,000 migrations in flight (slowed so none finishes), each with a handle and a waiter.
const inventory = generatedInventory(250, 1000);
const hosts = inventory.hosts.map((h) => ({ ...h, maxConcurrentMigrations: 1000 }));
const world = new SimulatorWorld({ clock: systemClock, inventory: { hosts, vms: inventory.vms }, timing: { progressIntervalMs: 1000 } });
for (const vm of inventory.vms) world.faults.slowDown(vm.id, 1e-6);
const client = new VmshiftClient(createSimulatorAdapter(world), { clock: systemClock });
const before = heap();
const tasks: MigrationTask[] = [];
for (let i = 0; i < inventory.vms.length; i++) {
  const vm = inventory.vms[i]!;
  const target = hosts[(i + 1) % hosts.length]!.id;
  tasks.push(await client.startMigration({ vmId: vm.id, targetHostId: target }));
}
const waiting = tasks.map((t) => t.wait().catch(() => undefined));
await new Promise((r) => setTimeout(r, 1500));
const after = heap();
const perHandle = (after - before) / tasks.length;
await Promise.all(tasks.map((t) => t.cancel()));
await Promise.all(waiting);

// 2. Completion latency on push (the simulator's watch): platform says completed → wait() resolves.
const small = new SimulatorWorld({
  clock: systemClock,
  inventory: {
    hosts: [
      { id: "host-1", cpuCores: 8, memoryBytes: 2 ** 34 },
      { id: "host-2", cpuCores: 8, memoryBytes: 2 ** 34 },
    ],
    vms: [
      { id: "batch-01", hostId: "host-1", memoryBytes: 64 * 2 ** 20, cpus: 1 },
      { id: "batch-02", hostId: "host-2", memoryBytes: 64 * 2 ** 20, cpus: 1 },
    ],
  },
  timing: { phaseDelaysMs: { preparing: 5, requested: 5, finalizing: 5 }, progressIntervalMs: 20 },
});
const smallClient = new VmshiftClient(createSimulatorAdapter(small), { clock: systemClock });
const latencies: number[] = [];
for (let i = 0; i < 60; i++) {
  const vmId = i % 2 === 0 ? "batch-01" : "batch-02";
  const from = small.vm(vmId).hostId;
  const task = await smallClient.startMigration({ vmId, targetHostId: from === "host-2" ? "host-1" : "host-2" });
  const migration = small.migrations.get(task.id)!;
  let platformDoneAt = 0;
  migration.listeners.add((s) => {
    if (s.phase === "completed") platformDoneAt = performance.now();
  });
  await task.wait();
  latencies.push(performance.now() - platformDoneAt);
}

report("simulator-handles", [
  { metric: "heap per in-flight migration (handle + waiter + simulator state), 1,000 in flight", value: perHandle / 1024, unit: "KiB" },
  { metric: "heap for 1,000 in-flight handles", value: (after - before) / 1024 ** 2, unit: "MiB" },
  { metric: "completion latency p50 (push, simulator)", value: percentile(latencies, 50), unit: "ms" },
  { metric: "completion latency p95 (push, simulator)", value: percentile(latencies, 95), unit: "ms" },
]);
process.exit(0);
