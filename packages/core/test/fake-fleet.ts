/**
 * A scripted fleet for orchestrator unit tests: hosts and VMs in memory, migrations that take a
 * scripted time on an injected clock, scripted failures, and counters of what ran concurrently.
 * A test double for the adapter layer only (the orchestrator sees it through the real client).
 */
import type { HypervisorAdapter, MigrationLimits } from "../src/adapter.ts";
import type { CapabilityTable } from "../src/capabilities.ts";
import { VmshiftClient } from "../src/client.ts";
import { VirtualClock } from "../src/clock.ts";
import { VmshiftError } from "../src/errors.ts";
import type { Host, MigrationPhase, MigrationSnapshot, Vm } from "../src/model.ts";
import { allSupported } from "./fake-adapter.ts";

const GiB = 1024 ** 3;

/** A host for {@link fakeFleet}; memory in GiB for brevity. */
export function host(id: string, memoryGiB: number, extra: Partial<Host> = {}): Host {
  return { id, name: id, clusterId: "c1", connectionState: "connected", maintenance: false, schedulable: true, memoryBytes: memoryGiB * GiB, ...extra };
}

/** A running VM for {@link fakeFleet}; memory in GiB. */
export function vm(id: string, hostId: string, memoryGiB: number, extra: Partial<Vm> = {}): Vm {
  return { id, name: id, hostId, clusterId: "c1", powerState: "running", memoryBytes: memoryGiB * GiB, liveMigratable: true, ...extra };
}

interface FakeMigration {
  snapshot: MigrationSnapshot;
  readonly listeners: Set<(s: MigrationSnapshot) => void>;
}

/** Options of {@link fakeFleet}. */
export interface FakeFleetOptions {
  readonly hosts: readonly Host[];
  readonly vms: readonly Vm[];
  readonly limits?: MigrationLimits;
  readonly capabilities?: CapabilityTable;
  /** Duration of each VM's migration, ms. Default 1000. */
  readonly durationMs?: (vmId: string) => number;
  /** VMs whose migration ends `failed` (VM stays on its source). */
  readonly failing?: readonly string[];
  /** VMs whose start is refused with this code. */
  readonly startErrors?: Readonly<Record<string, VmshiftError["code"]>>;
  /** Preflight: hosts each VM is incompatible with (an `error` check of category compatibility). */
  readonly incompatible?: Readonly<Record<string, readonly string[]>>;
}

/** Builds the fake, a client over it (same virtual clock) and the counters. */
export function fakeFleet(options: FakeFleetOptions) {
  const clock = new VirtualClock();
  const vms = new Map(options.vms.map((v) => [v.id, { ...v }]));
  const migrations = new Map<string, FakeMigration>();
  const started: string[] = [];
  const cancelled: string[] = [];
  const preflights: string[] = [];
  const inFlight = { bySource: new Map<string, number>(), byTarget: new Map<string, number>(), total: 0 };
  const peak = { bySource: new Map<string, number>(), byTarget: new Map<string, number>(), total: 0 };
  const failing = new Set(options.failing ?? []);
  let seq = 0;

  const bump = (m: Map<string, number>, p: Map<string, number>, key: string, by: number) => {
    const n = (m.get(key) ?? 0) + by;
    m.set(key, n);
    p.set(key, Math.max(p.get(key) ?? 0, n));
  };

  function publish(m: FakeMigration, phase: MigrationPhase, extra: Partial<MigrationSnapshot> = {}): void {
    m.snapshot = { ...m.snapshot, phase, progress: { phase, observedAt: new Date(clock.now()).toISOString() }, ...extra };
    for (const l of [...m.listeners]) l(m.snapshot);
  }

  function end(m: FakeMigration, outcome: "completed" | "failed" | "cancelled"): void {
    if (m.snapshot.result) return;
    const s = m.snapshot;
    const v = vms.get(s.vmId)!;
    if (outcome === "completed") v.hostId = s.targetHostId!;
    bump(inFlight.bySource, peak.bySource, s.sourceHostId!, -1);
    bump(inFlight.byTarget, peak.byTarget, s.targetHostId!, -1);
    inFlight.total--;
    publish(m, outcome, {
      result: {
        migrationId: s.id,
        vmId: s.vmId,
        mode: s.mode,
        outcome,
        vmLocation: { hostId: v.hostId!, side: outcome === "completed" ? "target" : "source", powerState: v.powerState },
        sourceHostId: s.sourceHostId!,
        targetHostId: s.targetHostId!,
        ...(outcome === "failed" ? { error: { code: "MIGRATION_FAILED", message: "scripted failure" } } : {}),
        ...(outcome === "cancelled" ? { error: { code: "ABORTED", message: "cancelled" } } : {}),
      },
    });
  }

  const adapter: HypervisorAdapter = {
    name: "fake-fleet",
    capabilities: options.capabilities ?? allSupported,
    ...(options.limits ? { limits: options.limits } : {}),
    async listHosts() {
      return { items: options.hosts };
    },
    async listVms(o) {
      return { items: [...vms.values()].filter((v) => o.hostId === undefined || v.hostId === o.hostId).map((v) => ({ ...v })) };
    },
    async getVm(id) {
      const v = vms.get(id);
      if (!v) throw new VmshiftError("NOT_FOUND", `no VM ${id}`);
      return { ...v };
    },
    async preflight(request) {
      preflights.push(`${request.vmId}→${request.targetHostId}`);
      const bad = options.incompatible?.[request.vmId]?.includes(request.targetHostId ?? "");
      return bad ? [{ id: "cpu", category: "compatibility", severity: "error", message: `CPU of ${request.targetHostId} lacks features` }] : [];
    },
    async startMigration(request) {
      const refused = options.incompatible?.[request.vmId]?.includes(request.targetHostId ?? "");
      if (refused) throw new VmshiftError("INCOMPATIBLE", `CPU of ${request.targetHostId} lacks features`, { retryable: false });
      const code = options.startErrors?.[request.vmId];
      if (code) throw new VmshiftError(code, `scripted start error for ${request.vmId}`, { retryable: false });
      const v = vms.get(request.vmId);
      if (!v) throw new VmshiftError("NOT_FOUND", `no VM ${request.vmId}`);
      const id = `m-${++seq}`;
      started.push(request.vmId);
      const m: FakeMigration = {
        snapshot: { id, vmId: v.id, mode: request.mode, phase: "transferring", sourceHostId: v.hostId!, targetHostId: request.targetHostId ?? "scheduler-choice", progress: { phase: "transferring", percent: 0, observedAt: new Date(clock.now()).toISOString() } },
        listeners: new Set(),
      };
      migrations.set(id, m);
      bump(inFlight.bySource, peak.bySource, m.snapshot.sourceHostId!, 1);
      bump(inFlight.byTarget, peak.byTarget, m.snapshot.targetHostId!, 1);
      peak.total = Math.max(peak.total, ++inFlight.total);
      const duration = options.durationMs?.(v.id) ?? 1000;
      void (async () => {
        await clock.sleep(duration / 2);
        if (m.snapshot.result) return;
        publish(m, "transferring", { progress: { phase: "transferring", percent: 50, observedAt: new Date(clock.now()).toISOString() } });
        await clock.sleep(duration / 2);
        end(m, failing.has(v.id) ? "failed" : "completed");
      })();
      return m.snapshot;
    },
    async getMigration(id) {
      return migrations.get(id)!.snapshot;
    },
    watchMigration(id) {
      const m = migrations.get(id)!;
      return {
        async *[Symbol.asyncIterator]() {
          const queue: MigrationSnapshot[] = [m.snapshot];
          let wake: (() => void) | undefined;
          const l = (s: MigrationSnapshot) => {
            queue.push(s);
            wake?.();
          };
          m.listeners.add(l);
          try {
            for (;;) {
              while (queue.length) {
                const s = queue.shift()!;
                yield s;
                if (s.result) return;
              }
              await new Promise<void>((r) => (wake = r));
            }
          } finally {
            m.listeners.delete(l);
          }
        },
      };
    },
    async cancelMigration(id) {
      const m = migrations.get(id)!;
      cancelled.push(m.snapshot.vmId);
      end(m, "cancelled");
    },
  };
  const client = new VmshiftClient(adapter, { clock });
  return { adapter, client, clock, vms, started, cancelled, preflights, inFlight, peak };
}
