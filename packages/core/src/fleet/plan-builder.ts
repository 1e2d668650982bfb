/**
 * Shared plan-building machinery: target choice against the capacity ledger, mode choice,
 * skipped VMs with reasons, the final ordering (longest transfer first, so the long ones do not
 * form the tail) and the host projections.
 */
import { randomUUID } from "node:crypto";
import type { VmshiftClient } from "../client.ts";
import type { Host, MigrationRequest, Vm } from "../model.ts";
import { CapacityLedger, type FleetInventory, acceptsVms, memoryDemand } from "./inventory.ts";
import { resolveLimits } from "./limits.ts";
import type { PlanOptions } from "./options.ts";
import { DEFAULT_PLANNING_BANDWIDTH, type ModeDecision, chooseMode } from "./strategy.ts";
import type { FleetPlan, FleetPlanKind, HostProjection, PlannedMigration, SkippedVm } from "./types.ts";

type Draft = Omit<PlannedMigration, "order">;

/** How a target is picked among hosts with room: most room left (spread) or least (pack). */
export type Placement = "spread" | "pack";

/** Accumulates moves and skips for one plan. */
export class PlanBuilder {
  readonly client: VmshiftClient;
  readonly inventory: FleetInventory;
  readonly ledger: CapacityLedger;
  readonly options: PlanOptions;
  readonly #moves: Draft[] = [];
  readonly #skipped: SkippedVm[] = [];
  readonly #incoming = new Map<string, number>();
  readonly #newRequestId: () => string;
  readonly #planned = new Set<string>();

  constructor(client: VmshiftClient, inventory: FleetInventory, options: PlanOptions) {
    this.client = client;
    this.inventory = inventory;
    this.options = options;
    this.ledger = new CapacityLedger(inventory.hosts.values(), inventory.vms, options.headroomBytes ?? 0);
    this.#newRequestId = options.requestIdGenerator ?? randomUUID;
  }

  /** VMs already moved or skipped in this plan. */
  has(vmId: string): boolean {
    return this.#planned.has(vmId);
  }

  /** Planned moves so far. */
  get moveCount(): number {
    return this.#moves.length;
  }

  host(id: string | undefined): Host | undefined {
    return id === undefined ? undefined : this.inventory.hosts.get(id);
  }

  /** Mode for a VM under this plan's options. */
  decide(vm: Vm, requested: MigrationRequest["mode"], allowCold: boolean, maxDowntimeMs?: number): ModeDecision {
    const hint = this.options.vmHints?.[vm.id];
    return chooseMode({
      vm,
      capabilities: this.client.capabilities(),
      ...(requested === undefined ? {} : { requested }),
      allowCold,
      ...(hint === undefined ? {} : { hint }),
      bandwidthBytesPerSecond: this.options.bandwidthBytesPerSecond ?? DEFAULT_PLANNING_BANDWIDTH,
      ...(maxDowntimeMs === undefined ? {} : { maxDowntimeMs }),
    });
  }

  /**
   * Hosts that could take `vm` (ignoring room): accepting VMs, not its source, not excluded, in
   * `clusterId` when given, else in the VM's cluster unless `allowCrossCluster`.
   */
  candidates(vm: Vm, exclude: ReadonlySet<string> = new Set(), clusterId?: string): Host[] {
    const source = this.host(vm.hostId);
    const cluster = clusterId ?? source?.clusterId ?? vm.clusterId;
    const anyCluster = clusterId === undefined && this.options.allowCrossCluster === true;
    return [...this.inventory.hosts.values()].filter((h) => acceptsVms(h) && h.id !== vm.hostId && !exclude.has(h.id) && (anyCluster || cluster === undefined || h.clusterId === cluster));
  }

  /** Picks a target with room for `vm` (in `clusterId` when given), or undefined. */
  pickTarget(vm: Vm, placement: Placement, exclude: ReadonlySet<string> = new Set(), clusterId?: string): Host | undefined {
    return this.rankTargets(vm, placement, exclude, clusterId)[0];
  }

  /** Every host with room for `vm`, best first: reporting memory before not, then by room (most for spread, least for pack), then fewest incoming moves. */
  rankTargets(vm: Vm, placement: Placement, exclude: ReadonlySet<string> = new Set(), clusterId?: string): Host[] {
    const demand = memoryDemand(vm);
    const fitting = this.candidates(vm, exclude, clusterId).filter((h) => this.ledger.fits(h.id, demand));
    fitting.sort((a, b) => {
      const ka = this.ledger.knows(a.id) ? 0 : 1;
      const kb = this.ledger.knows(b.id) ? 0 : 1;
      if (ka !== kb) return ka - kb; // hosts that report their memory first
      const room = this.ledger.available(a.id) - this.ledger.available(b.id);
      if (room !== 0 && Number.isFinite(room)) return placement === "spread" ? -room : room;
      const busy = (this.#incoming.get(a.id) ?? 0) - (this.#incoming.get(b.id) ?? 0);
      return busy !== 0 ? busy : a.id.localeCompare(b.id);
    });
    return fitting;
  }

  /** Why no target fits, for the skip reason. */
  noTargetReason(vm: Vm, exclude: ReadonlySet<string> = new Set()): string {
    const c = this.candidates(vm, exclude);
    if (c.length === 0) return "no other schedulable host in its cluster";
    const best = Math.max(...c.map((h) => this.ledger.available(h.id)));
    return `no schedulable host has ${memoryDemand(vm)} bytes free after earlier moves in this plan (most room left: ${Math.max(0, best)} bytes)`;
  }

  /** Adds a move and reserves its memory on the target (when chosen). */
  addMove(vm: Vm, target: Host | undefined, decision: Extract<ModeDecision, { ok: true }>, why: string, extra: Partial<MigrationRequest> = {}): void {
    const demand = memoryDemand(vm);
    const source = this.host(vm.hostId);
    if (target) {
      this.ledger.reserve(target.id, demand, vm.hostId);
      this.#incoming.set(target.id, (this.#incoming.get(target.id) ?? 0) + 1);
    }
    const clusterId = source?.clusterId ?? vm.clusterId;
    const targetClusterId = target?.clusterId;
    const defaults = this.options.migration ?? {};
    const request = {
      ...Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== undefined)),
      ...extra,
      vmId: vm.id,
      mode: decision.mode,
      requestId: extra.requestId ?? this.#newRequestId(),
      ...(target ? { targetHostId: target.id } : {}),
      ...(decision.strategy === "live-auto-converge" ? { allowAutoConverge: true } : {}),
      ...(decision.strategy === "live-post-copy" ? { allowPostCopy: true } : {}),
      ...(target && targetClusterId !== undefined && targetClusterId !== clusterId ? { targetClusterId } : {}),
    } as PlannedMigration["request"];
    this.#push(vm, target, decision, why, decision.mode === "cold" ? coldOnly(request) : request, demand, clusterId, targetClusterId);
  }

  #push(vm: Vm, target: Host | undefined, decision: Extract<ModeDecision, { ok: true }>, why: string, request: PlannedMigration["request"], demand: number, clusterId: string | undefined, targetClusterId: string | undefined): void {
    this.#planned.add(vm.id);
    this.#moves.push({
      vmId: vm.id,
      vmName: vm.name,
      ...(vm.hostId === undefined ? {} : { sourceHostId: vm.hostId }),
      ...(request.targetHostId === undefined ? {} : { targetHostId: request.targetHostId }),
      ...(clusterId === undefined ? {} : { clusterId }),
      ...(targetClusterId !== undefined && targetClusterId !== clusterId ? { targetClusterId } : {}),
      mode: decision.mode,
      strategy: decision.strategy,
      reservedBytes: target ? demand : 0,
      powerState: vm.powerState,
      ...(decision.estimatedMs === undefined ? {} : { estimatedMs: decision.estimatedMs }),
      reason: `${why}; ${decision.reason}`,
      request,
    });
  }

  /** A point to {@link rollback} to. */
  checkpoint(): number {
    return this.#moves.length;
  }

  /** Memory reserved by the moves added after `checkpoint`, bytes. */
  plannedBytesSince(checkpoint: number): number {
    return this.#moves.slice(checkpoint).reduce((s, d) => s + d.reservedBytes, 0);
  }

  /** Undoes every move added after `checkpoint` (reservations included). */
  rollback(checkpoint: number): void {
    for (const d of this.#moves.splice(checkpoint)) {
      this.#planned.delete(d.vmId);
      if (d.targetHostId !== undefined) {
        this.ledger.unreserve(d.targetHostId, d.reservedBytes, d.sourceHostId);
        this.#incoming.set(d.targetHostId, (this.#incoming.get(d.targetHostId) ?? 1) - 1);
      }
    }
  }

  /** Leaves a VM where it is, with a reason. */
  skip(vmId: string, code: string, reason: string, vm?: Vm): void {
    this.#planned.add(vmId);
    this.#skipped.push({ vmId, code, reason, ...(vm?.hostId === undefined ? {} : { sourceHostId: vm.hostId }), ...(vm ? { powerState: vm.powerState } : {}) });
  }

  /** Orders the moves (longest estimated transfer first) and assembles the plan. */
  build(kind: FleetPlanKind, subjectHostIds: readonly string[], freedHostIds: readonly string[], summary: string, notes: readonly string[] = []): FleetPlan {
    const bandwidth = this.options.bandwidthBytesPerSecond ?? DEFAULT_PLANNING_BANDWIDTH;
    const memory = new Map(this.inventory.vms.map((v) => [v.id, v.memoryBytes ?? 0]));
    const weight = (d: Draft) => d.estimatedMs ?? ((memory.get(d.vmId) ?? 0) / bandwidth) * 1000;
    const ordered = [...this.#moves].sort((a, b) => weight(b) - weight(a) || a.vmId.localeCompare(b.vmId));
    const migrations: PlannedMigration[] = ordered.map((d, order) => ({ order, ...d }));
    const hosts: HostProjection[] = [...this.inventory.hosts.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((h) => {
        const before = this.inventory.vms.filter((v) => v.hostId === h.id).length;
        const after = before - migrations.filter((m) => m.sourceHostId === h.id).length + migrations.filter((m) => m.targetHostId === h.id).length;
        const used = this.ledger.usedNow(h.id);
        const projected = this.ledger.projectedUsed(h.id);
        return {
          hostId: h.id,
          ...(h.clusterId === undefined ? {} : { clusterId: h.clusterId }),
          schedulable: acceptsVms(h),
          ...(h.memoryBytes === undefined ? {} : { memoryBytes: h.memoryBytes }),
          ...(used === undefined ? {} : { usedBytes: used }),
          ...(projected === undefined ? {} : { projectedUsedBytes: projected }),
          vmsBefore: before,
          vmsAfter: after,
        };
      });
    return {
      kind,
      adapter: this.client.adapterName,
      createdAt: new Date((this.options.clock ?? this.client.clock).now()).toISOString(),
      subjectHostIds,
      migrations,
      skipped: [...this.#skipped],
      limits: resolveLimits(this.client.adapterName, this.client.adapter.limits, this.options.limits, [...this.inventory.hosts.values()]),
      hosts,
      freedHostIds,
      summary,
      notes,
      stopOnFailure: this.options.stopOnFailure ?? false,
    };
  }
}

/** Drops the live-only fields from a cold request. */
function coldOnly(request: PlannedMigration["request"]): PlannedMigration["request"] {
  const { allowAutoConverge: _a, allowPostCopy: _p, maxDowntimeMs: _d, bandwidthBytesPerSecond: _b, ...cold } = request;
  return cold;
}
