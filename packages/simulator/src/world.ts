/**
 * The simulated platform: hosts, VMs and migrations in memory, with a scheduler and per-host
 * concurrency limits. It outlives adapter instances, so a new adapter over the same world is a
 * process restart: migrations keep running "on the platform" and can be re-attached.
 */
import { type Clock, type MigrationMode, type MigrationProgress, type MigrationRequest, type MigrationResult, type MigrationSnapshot, type PowerState, VirtualClock, VmshiftError, isTerminalPhase } from "@vmshift/core";
import type { MigrationPhase } from "@vmshift/core";
import { FaultPlan } from "./faults.ts";
import { type SimHostSpec, type SimInventory, type SimVmSpec, defaultInventory } from "./inventory.ts";

/** Timing of the simulated platform. */
export interface SimTiming {
  /** Default migration bandwidth per host, bytes/s. Default 1.25e9 (10 Gbit/s). */
  readonly bandwidthBytesPerSecond?: number;
  /** Downtime limit when the request sets none, ms. Default 300. */
  readonly defaultMaxDowntimeMs?: number;
  /** Pre-copy rounds before a migration is declared non-converging. Default 30. */
  readonly maxRounds?: number;
  /** How often progress is reported, ms. Default 250. */
  readonly progressIntervalMs?: number;
  /** Fixed time of the non-transfer phases, ms. */
  readonly phaseDelaysMs?: Partial<Record<"preparing" | "requested" | "finalizing" | "stopping" | "relocating" | "starting", number>>;
}

/** Options of {@link SimulatorWorld}. */
export interface SimulatorWorldOptions {
  /** Default: a {@link VirtualClock} (fast, deterministic). The demo passes the system clock. */
  readonly clock?: Clock;
  /** Default: {@link defaultInventory}. */
  readonly inventory?: SimInventory;
  /** Seed of migration ids. Default 1. */
  readonly seed?: number;
  readonly timing?: SimTiming;
}

/** @internal */
export interface SimHost extends SimHostSpec {
  maintenance: boolean;
  connected: boolean;
}

/** @internal */
export interface SimVm {
  readonly spec: SimVmSpec;
  hostId: string;
  powerState: PowerState;
}

/** @internal A migration on the simulated platform. */
export interface SimMigration {
  readonly id: string;
  readonly requestId: string;
  readonly vmId: string;
  readonly mode: MigrationMode;
  readonly request: MigrationRequest;
  readonly sourceHostId: string;
  readonly targetHostId: string;
  phase: MigrationPhase;
  progress: MigrationProgress;
  readonly startedAt: number;
  endedAt?: number;
  result?: MigrationResult;
  cancelRequested: boolean;
  /** Holds a concurrency slot on both hosts. */
  holdsSlot: boolean;
  readonly listeners: Set<(snapshot: MigrationSnapshot) => void>;
}

/** The in-memory platform the simulator adapter drives. */
export class SimulatorWorld {
  readonly clock: Clock;
  readonly faults = new FaultPlan();
  readonly hosts = new Map<string, SimHost>();
  readonly vms = new Map<string, SimVm>();
  readonly migrations = new Map<string, SimMigration>();
  readonly requestIndex = new Map<string, string>();
  readonly timing: Required<Omit<SimTiming, "phaseDelaysMs">> & { readonly phaseDelaysMs: Required<NonNullable<SimTiming["phaseDelaysMs"]>> };
  /** Operations the adapters have sent to this world. */
  requestCount = 0;
  /** Their names, in order. */
  readonly requestLog: string[] = [];
  /**
   * Per host, the most migrations that were ever in flight at once (from their first phase to their
   * terminal one, queued for a slot or not): leaving it (`out`), arriving (`in`) and both (`total`).
   * What an executor's concurrency limits are checked against.
   */
  readonly peakMigrations = new Map<string, { out: number; in: number; total: number }>();
  readonly #inFlight = new Map<string, { out: number; in: number; total: number }>();
  readonly #counted = new Set<string>();
  /** Bumped by {@link dropWatches}; open watch streams end when it changes. */
  watchGeneration = 0;
  readonly #watchDroppers = new Set<() => void>();
  #seq = 0;
  readonly #seed: number;

  constructor(options: SimulatorWorldOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    this.#seed = options.seed ?? 1;
    const t = options.timing ?? {};
    this.timing = {
      bandwidthBytesPerSecond: t.bandwidthBytesPerSecond ?? 1.25e9,
      defaultMaxDowntimeMs: t.defaultMaxDowntimeMs ?? 300,
      maxRounds: t.maxRounds ?? 30,
      progressIntervalMs: t.progressIntervalMs ?? 250,
      phaseDelaysMs: { preparing: 150, requested: 200, finalizing: 100, stopping: 800, relocating: 600, starting: 800, ...t.phaseDelaysMs },
    };
    const inventory = options.inventory ?? defaultInventory();
    for (const h of inventory.hosts) this.hosts.set(h.id, { ...h, maintenance: h.maintenance ?? false, connected: h.connected ?? true });
    for (const v of inventory.vms) {
      if (!this.hosts.has(v.hostId)) throw new VmshiftError("INVALID_ARGUMENT", `VM ${v.id} is placed on unknown host ${v.hostId}`, { adapter: "simulator" });
      this.vms.set(v.id, { spec: v, hostId: v.hostId, powerState: v.powerState ?? "running" });
    }
  }

  /** A new migration id: deterministic for a given seed. */
  nextMigrationId(): string {
    this.#seq++;
    return `mig-${this.#seed.toString(36)}-${String(this.#seq).padStart(4, "0")}`;
  }

  /** ISO time now. */
  isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  host(id: string): SimHost {
    const h = this.hosts.get(id);
    if (!h) throw new VmshiftError("NOT_FOUND", `no host ${id}`, { adapter: "simulator", subject: id });
    return h;
  }

  vm(id: string): SimVm {
    const v = this.vms.get(id);
    if (!v) throw new VmshiftError("NOT_FOUND", `no VM ${id}`, { adapter: "simulator", subject: id });
    return v;
  }

  /** Memory of running VMs on the host plus memory reserved by incoming migrations, bytes. */
  usedMemory(hostId: string): number {
    let used = 0;
    for (const v of this.vms.values()) if (v.hostId === hostId && v.powerState !== "stopped") used += v.spec.memoryBytes;
    for (const m of this.migrations.values()) {
      if (m.targetHostId === hostId && !isTerminalPhase(m.phase) && m.holdsSlot) used += this.vm(m.vmId).spec.memoryBytes;
    }
    return used;
  }

  freeMemory(hostId: string): number {
    return this.host(hostId).memoryBytes - this.usedMemory(hostId);
  }

  /** Migrations holding a slot on a host (as source or target). */
  activeOn(hostId: string): number {
    let n = 0;
    for (const m of this.migrations.values()) if (m.holdsSlot && !isTerminalPhase(m.phase) && (m.sourceHostId === hostId || m.targetHostId === hostId)) n++;
    return n;
  }

  /** The in-flight migration of a VM, if any. */
  activeMigrationOf(vmId: string): SimMigration | undefined {
    for (const m of this.migrations.values()) if (m.vmId === vmId && !isTerminalPhase(m.phase)) return m;
    return undefined;
  }

  /** Why `hostId` cannot take `vm` now (static reasons; capacity separately), or undefined. */
  placementProblem(vm: SimVm, hostId: string): { code: "NOT_FOUND" | "INVALID_STATE" | "INCOMPATIBLE" | "INVALID_ARGUMENT"; reason: string } | undefined {
    const host = this.hosts.get(hostId);
    if (!host) return { code: "NOT_FOUND", reason: `no host ${hostId}` };
    if (host.id === vm.hostId) return { code: "INVALID_ARGUMENT", reason: `VM ${vm.spec.id} already runs on ${hostId}` };
    if (!host.connected) return { code: "INVALID_STATE", reason: `host ${hostId} is disconnected` };
    if (host.maintenance) return { code: "INVALID_STATE", reason: `host ${hostId} is in maintenance mode` };
    if (vm.spec.cpuModel && host.cpuModel && vm.spec.cpuModel !== host.cpuModel) {
      return { code: "INCOMPATIBLE", reason: `VM ${vm.spec.id} needs CPU model ${vm.spec.cpuModel}; host ${hostId} has ${host.cpuModel}` };
    }
    return undefined;
  }

  /** The scheduler: the compatible host with most free memory in the target cluster (ties by id). */
  chooseTarget(vm: SimVm, clusterId?: string): string | undefined {
    const sourceCluster = this.host(vm.hostId).clusterId;
    const wanted = clusterId ?? sourceCluster;
    let best: { id: string; free: number } | undefined;
    for (const h of [...this.hosts.values()].sort((a, b) => a.id.localeCompare(b.id))) {
      if (h.clusterId !== wanted || this.placementProblem(vm, h.id) || this.faults.isRefused(h.id)) continue;
      const free = this.freeMemory(h.id);
      if (free < vm.spec.memoryBytes) continue;
      if (!best || free > best.free) best = { id: h.id, free };
    }
    return best?.id;
  }

  /** The snapshot of a migration as a client sees it. */
  snapshot(m: SimMigration): MigrationSnapshot {
    return {
      id: m.id,
      vmId: m.vmId,
      mode: m.mode,
      phase: m.phase,
      sourceHostId: m.sourceHostId,
      targetHostId: m.targetHostId,
      progress: m.progress,
      startedAt: new Date(m.startedAt).toISOString(),
      ...(m.endedAt === undefined ? {} : { endedAt: new Date(m.endedAt).toISOString() }),
      ...(m.result === undefined ? {} : { result: m.result }),
    };
  }

  /** Ends every open watch stream (a fault: the client must reconnect). */
  dropWatches(): void {
    this.watchGeneration++;
    for (const drop of [...this.#watchDroppers]) drop();
  }

  /** @internal Registers a watch stream's wake-up so {@link dropWatches} can end it. */
  onWatchDrop(wake: () => void): () => void {
    this.#watchDroppers.add(wake);
    return () => this.#watchDroppers.delete(wake);
  }

  /** Migrations ever created for a VM. */
  migrationCountOf(vmId: string): number {
    let n = 0;
    for (const m of this.migrations.values()) if (m.vmId === vmId) n++;
    return n;
  }

  #count(m: SimMigration, by: 1 | -1): void {
    for (const [hostId, direction] of [[m.sourceHostId, "out"], [m.targetHostId, "in"]] as const) {
      const now = this.#inFlight.get(hostId) ?? { out: 0, in: 0, total: 0 };
      now[direction] += by;
      now.total += by;
      this.#inFlight.set(hostId, now);
      const peak = this.peakMigrations.get(hostId) ?? { out: 0, in: 0, total: 0 };
      this.peakMigrations.set(hostId, { out: Math.max(peak.out, now.out), in: Math.max(peak.in, now.in), total: Math.max(peak.total, now.total) });
    }
  }

  /** Records a new state of a migration and tells its watchers. */
  publish(m: SimMigration, phase: MigrationPhase, progress: Omit<MigrationProgress, "phase" | "observedAt"> = {}): void {
    if (isTerminalPhase(m.phase)) return;
    if (!this.#counted.has(m.id) && !isTerminalPhase(phase)) {
      this.#counted.add(m.id);
      this.#count(m, 1);
    } else if (this.#counted.has(m.id) && isTerminalPhase(phase)) this.#count(m, -1);
    m.phase = phase;
    m.progress = { ...progress, phase, observedAt: this.isoNow() };
    if (isTerminalPhase(phase)) m.endedAt = this.clock.now();
    const snap = this.snapshot(m);
    for (const listener of [...m.listeners]) listener(snap);
  }
}
