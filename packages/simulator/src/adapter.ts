/** The simulator adapter: the contract mapped onto a {@link SimulatorWorld}. */
import {
  type AdapterOperation,
  type Host,
  type HypervisorAdapter,
  type ListHostsOptions,
  type ListVmsOptions,
  type MigrationSnapshot,
  type NormalizedMigrationRequest,
  type OperationContext,
  type Page,
  type PreflightCheck,
  type Vm,
  VmshiftError,
  isTerminalPhase,
  recommend,
} from "@vmshift/core";
import { simulatorCapabilities } from "./capabilities.ts";
import { runMigration } from "./engine.ts";
import type { SimMigration, SimVm, SimulatorWorld } from "./world.ts";

const ADAPTER = "simulator";

/** Encodes a listing position as an opaque cursor. */
function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}
function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  try {
    const o = (JSON.parse(Buffer.from(cursor, "base64url").toString()) as { o?: unknown }).o;
    if (typeof o === "number" && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through
  }
  throw new VmshiftError("INVALID_ARGUMENT", "the cursor is not one this adapter issued", { adapter: ADAPTER });
}

function page<T>(items: readonly T[], options: { pageSize?: number; cursor?: string }): Page<T> {
  const offset = decodeCursor(options.cursor);
  const size = Math.min(options.pageSize ?? 100, 500);
  const slice = items.slice(offset, offset + size);
  return offset + size < items.length ? { items: slice, nextCursor: encodeCursor(offset + size) } : { items: slice };
}

/**
 * Creates an adapter over a world. Several adapters over one world behave like several processes
 * talking to one platform (the way the conformance suite simulates a restart).
 */
export function createSimulatorAdapter(world: SimulatorWorld): HypervisorAdapter {
  async function gate(operation: AdapterOperation): Promise<void> {
    world.requestCount++;
    world.requestLog.push(operation);
    const { delayMs, error } = world.faults.beforeOperation(operation);
    if (delayMs > 0) await world.clock.sleep(delayMs);
    if (error) throw error;
  }
  function lost(operation: AdapterOperation): void {
    if (world.faults.takeLostResponse(operation)) {
      throw new VmshiftError("TRANSPORT", `connection reset before the answer to ${operation} arrived (injected)`, { adapter: ADAPTER, retryable: true });
    }
  }
  function toVm(v: SimVm): Vm {
    const host = world.host(v.hostId);
    return {
      id: v.spec.id,
      name: v.spec.name ?? v.spec.id,
      powerState: v.powerState,
      hostId: v.hostId,
      ...(host.clusterId === undefined ? {} : { clusterId: host.clusterId }),
      memoryBytes: v.spec.memoryBytes,
      cpus: v.spec.cpus,
      liveMigratable: (v.spec.liveMigratable ?? true) && v.powerState === "running",
      ...(v.spec.labels === undefined ? {} : { labels: v.spec.labels }),
    };
  }
  function migration(id: string): SimMigration {
    const m = world.migrations.get(id);
    if (!m) throw new VmshiftError("NOT_FOUND", `no migration ${id}`, { adapter: ADAPTER, subject: id });
    return m;
  }

  function checks(request: NormalizedMigrationRequest): PreflightCheck[] {
    const out: PreflightCheck[] = [];
    const vm = world.vm(request.vmId);
    if (request.mode === "live") {
      if (vm.powerState !== "running") out.push({ id: "vm.powerState", category: "state", severity: "error", message: `VM is ${vm.powerState}; live migration needs it running (move it cold)` });
      if (vm.spec.liveMigratable === false) out.push({ id: "vm.liveMigratable", category: "device", severity: "error", message: "VM has a passthrough device and cannot be live-migrated" });
    }
    const active = world.activeMigrationOf(vm.spec.id);
    if (active) out.push({ id: "vm.migrating", category: "state", severity: "error", message: `VM is already migrating (${active.id})` });
    const targetId = request.targetHostId ?? world.chooseTarget(vm, request.targetClusterId);
    if (targetId === undefined) {
      out.push({ id: "scheduler.noTarget", category: "capacity", severity: "error", message: "no host in the cluster has room for this VM" });
      return out;
    }
    const problem = world.placementProblem(vm, targetId);
    if (problem) {
      const category = problem.code === "INCOMPATIBLE" ? "compatibility" : problem.code === "INVALID_STATE" ? "state" : "policy";
      out.push({ id: `host.${problem.code === "INCOMPATIBLE" ? "cpuModel" : "placement"}`, category, severity: "error", message: problem.reason, native: { code: problem.code } });
      return out;
    }
    const free = world.freeMemory(targetId);
    if (free < vm.spec.memoryBytes || world.faults.isRefused(targetId)) {
      out.push({ id: "host.memory", category: "capacity", severity: "error", message: `host ${targetId} has ${free} bytes free; the VM needs ${vm.spec.memoryBytes}` });
    }
    const targetCluster = world.host(targetId).clusterId;
    if (targetCluster !== world.host(vm.hostId).clusterId) {
      out.push({ id: "cluster.cross", category: "network", severity: "warning", message: `target is in another cluster (${targetCluster}); networks must be stretched` });
    }
    if (request.mode === "live" && vm.powerState === "running") {
      const advice = recommend(
        {
          memoryBytes: vm.spec.memoryBytes,
          dirtyRateBytesPerSecond: world.faults.isNeverConverging(vm.spec.id) ? world.timing.bandwidthBytesPerSecond * 1.5 : (vm.spec.dirtyRateBytesPerSecond ?? 0),
          bandwidthBytesPerSecond: Math.min(request.bandwidthBytesPerSecond ?? Infinity, world.timing.bandwidthBytesPerSecond),
          maxDowntimeMs: request.maxDowntimeMs ?? world.timing.defaultMaxDowntimeMs,
          maxRounds: world.timing.maxRounds,
          ...(vm.spec.workingSetBytes === undefined ? {} : { workingSetBytes: vm.spec.workingSetBytes }),
        },
        { autoConverge: request.allowAutoConverge === true, postCopy: request.allowPostCopy === true },
      );
      out.push({
        id: "planner.convergence",
        category: "policy",
        severity: advice.strategy === "cold" ? "warning" : "info",
        message: `${advice.strategy}: ${advice.reason}`,
        native: { strategy: advice.strategy, rounds: advice.plan.rounds, downtimeMs: Math.round(advice.plan.downtimeMs), totalTimeMs: Math.round(advice.plan.totalTimeMs) },
      });
    }
    return out;
  }

  return {
    name: ADAPTER,
    capabilities: simulatorCapabilities,
    limits: { perSourceHost: 2, perTargetHost: 2, source: "simulator default maxConcurrentMigrations per host" },

    async probe() {
      await gate("probe");
      return { server: "vmshift simulator", notes: [`${world.hosts.size} hosts, ${world.vms.size} VMs`] };
    },

    async listVms(options: ListVmsOptions) {
      await gate("listVms");
      const vms = [...world.vms.values()].filter((v) => options.hostId === undefined || v.hostId === options.hostId).sort((a, b) => a.spec.id.localeCompare(b.spec.id));
      return page(vms.map(toVm), options);
    },

    async getVm(vmId: string) {
      await gate("getVm");
      return toVm(world.vm(vmId));
    },

    async listHosts(options: ListHostsOptions) {
      await gate("listHosts");
      const hosts = [...world.hosts.values()].filter((h) => options.clusterId === undefined || h.clusterId === options.clusterId).sort((a, b) => a.id.localeCompare(b.id));
      return page<Host>(
        hosts.map((h) => ({
          id: h.id,
          name: h.name ?? h.id,
          ...(h.clusterId === undefined ? {} : { clusterId: h.clusterId }),
          connectionState: h.connected ? "connected" : "disconnected",
          maintenance: h.maintenance,
          schedulable: h.connected && !h.maintenance,
          cpuCores: h.cpuCores,
          memoryBytes: h.memoryBytes,
          freeMemoryBytes: world.freeMemory(h.id),
          maxConcurrentMigrations: h.maxConcurrentMigrations ?? 2,
          ...(h.cpuModel === undefined ? {} : { labels: { cpuModel: h.cpuModel } }),
        })),
        options,
      );
    },

    async preflight(request: NormalizedMigrationRequest) {
      await gate("preflight");
      return checks(request);
    },

    async startMigration(request: NormalizedMigrationRequest) {
      await gate("startMigration");
      const existingId = world.requestIndex.get(request.requestId);
      if (existingId) {
        const existing = migration(existingId);
        if (existing.vmId !== request.vmId) throw new VmshiftError("CONFLICT", `request id ${request.requestId} was used for another VM`, { adapter: ADAPTER });
        lost("startMigration");
        return world.snapshot(existing);
      }
      const vm = world.vm(request.vmId);
      const active = world.activeMigrationOf(vm.spec.id);
      if (active) throw new VmshiftError("CONFLICT", `VM is already migrating (${active.id})`, { adapter: ADAPTER, subject: vm.spec.id, retryable: false });
      if (request.mode === "live" && vm.powerState !== "running") throw new VmshiftError("INVALID_STATE", `VM is ${vm.powerState}; live migration needs it running`, { adapter: ADAPTER });
      if (request.mode === "live" && vm.spec.liveMigratable === false) throw new VmshiftError("INCOMPATIBLE", "VM has a passthrough device and cannot be live-migrated", { adapter: ADAPTER });
      const targetHostId = request.targetHostId ?? world.chooseTarget(vm, request.targetClusterId);
      if (targetHostId === undefined) throw new VmshiftError("INSUFFICIENT_RESOURCES", "the scheduler found no host with room for this VM", { adapter: ADAPTER });
      const problem = world.placementProblem(vm, targetHostId);
      if (problem) throw new VmshiftError(problem.code, problem.reason, { adapter: ADAPTER });
      const m: SimMigration = {
        id: world.nextMigrationId(),
        requestId: request.requestId,
        vmId: vm.spec.id,
        mode: request.mode,
        request,
        sourceHostId: vm.hostId,
        targetHostId,
        phase: "preparing",
        progress: { phase: "preparing", observedAt: world.isoNow() },
        startedAt: world.clock.now(),
        cancelRequested: false,
        holdsSlot: false,
        listeners: new Set(),
      };
      world.migrations.set(m.id, m);
      world.requestIndex.set(request.requestId, m.id);
      void runMigration(world, m);
      lost("startMigration");
      return world.snapshot(m);
    },

    async getMigration(migrationId: string) {
      await gate("getMigration");
      return world.snapshot(migration(migrationId));
    },

    async attachMigration(migrationId: string) {
      await gate("attachMigration");
      return world.snapshot(migration(migrationId));
    },

    watchMigration(migrationId: string, ctx: OperationContext): AsyncIterable<MigrationSnapshot> {
      return {
        async *[Symbol.asyncIterator]() {
          await gate("watchMigration");
          const m = migration(migrationId);
          const queue: MigrationSnapshot[] = [world.snapshot(m)];
          let wake: (() => void) | undefined;
          const listener = (s: MigrationSnapshot) => {
            queue.push(s);
            wake?.();
          };
          const onAbort = () => wake?.();
          const generation = world.watchGeneration;
          m.listeners.add(listener);
          ctx.signal?.addEventListener("abort", onAbort);
          const unregister = world.onWatchDrop(() => wake?.());
          try {
            for (;;) {
              while (queue.length > 0) {
                const s = queue.shift()!;
                yield s;
                if (isTerminalPhase(s.phase)) return;
              }
              if (ctx.signal?.aborted || world.watchGeneration !== generation) return;
              await new Promise<void>((resolve) => (wake = resolve));
              wake = undefined;
              if (world.watchGeneration !== generation) return;
            }
          } finally {
            unregister();
            m.listeners.delete(listener);
            ctx.signal?.removeEventListener("abort", onAbort);
          }
        },
      };
    },

    async cancelMigration(migrationId: string) {
      await gate("cancelMigration");
      const m = migration(migrationId);
      if (!isTerminalPhase(m.phase)) m.cancelRequested = true;
      lost("cancelMigration");
    },
  } satisfies HypervisorAdapter;
}
