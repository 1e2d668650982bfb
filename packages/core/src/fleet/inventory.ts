/**
 * What the planner knows about the fleet: hosts and VMs as the client lists them, and a capacity
 * ledger that reserves target memory as moves are planned, so two VMs are never sent to the same
 * last free slot. Planning never counts memory that a planned move would free: any order of
 * execution is then safe.
 */
import type { VmshiftClient } from "../client.ts";
import type { Host, Vm } from "../model.ts";

/** Hosts and VMs at planning time. */
export interface FleetInventory {
  readonly hosts: ReadonlyMap<string, Host>;
  readonly vms: readonly Vm[];
}

/** Lists every host and (all, or one host's) VMs through the client. */
export async function loadInventory(client: VmshiftClient, options: { readonly signal?: AbortSignal; readonly vmHostId?: string } = {}): Promise<FleetInventory> {
  const signal = options.signal ? { signal: options.signal } : {};
  const hosts = await client.listHosts(signal).all();
  const vms = await client.listVms({ ...signal, ...(options.vmHostId === undefined ? {} : { hostId: options.vmHostId }) }).all();
  return { hosts: new Map(hosts.map((h) => [h.id, h])), vms };
}

/** Memory a VM needs on a target, bytes: its memory when it runs, 0 when stopped (or unknown size). */
export function memoryDemand(vm: Vm): number {
  return vm.powerState === "stopped" ? 0 : (vm.memoryBytes ?? 0);
}

/** True when a host may receive VMs: connected, schedulable, not in maintenance. */
export function acceptsVms(host: Host): boolean {
  return host.connectionState === "connected" && host.schedulable && !host.maintenance;
}

/**
 * Memory bookkeeping per host, bytes. Free memory is the host's `freeMemoryBytes`, else its
 * `memoryBytes` minus the demand of the VMs placed on it, else unknown (treated as unlimited).
 */
export class CapacityLedger {
  readonly #free = new Map<string, number>();
  readonly #used = new Map<string, number>();
  readonly #reserved = new Map<string, number>();
  readonly #leaving = new Map<string, number>();
  readonly #headroom: number;

  constructor(hosts: Iterable<Host>, vms: readonly Vm[], headroomBytes = 0) {
    this.#headroom = headroomBytes;
    const placed = new Map<string, number>();
    for (const vm of vms) if (vm.hostId !== undefined) placed.set(vm.hostId, (placed.get(vm.hostId) ?? 0) + memoryDemand(vm));
    for (const h of hosts) {
      const free = h.freeMemoryBytes ?? (h.memoryBytes === undefined ? undefined : h.memoryBytes - (placed.get(h.id) ?? 0));
      if (free !== undefined) this.#free.set(h.id, free);
      const used = h.memoryBytes === undefined ? placed.get(h.id) : h.freeMemoryBytes !== undefined ? h.memoryBytes - h.freeMemoryBytes : (placed.get(h.id) ?? 0);
      if (used !== undefined) this.#used.set(h.id, used);
    }
  }

  /** True when the host's free memory is known. */
  knows(hostId: string): boolean {
    return this.#free.has(hostId);
  }

  /** Memory a new VM may still take on the host, bytes (Infinity when unknown). */
  available(hostId: string): number {
    const free = this.#free.get(hostId);
    if (free === undefined) return Number.POSITIVE_INFINITY;
    return free - (this.#reserved.get(hostId) ?? 0) - this.#headroom;
  }

  /** Whether `bytes` fit on the host now. */
  fits(hostId: string, bytes: number): boolean {
    return bytes <= this.available(hostId);
  }

  /** Reserves `bytes` on `targetHostId` for a VM leaving `sourceHostId`. */
  reserve(targetHostId: string, bytes: number, sourceHostId?: string): void {
    this.#reserved.set(targetHostId, (this.#reserved.get(targetHostId) ?? 0) + bytes);
    if (sourceHostId !== undefined) this.#leaving.set(sourceHostId, (this.#leaving.get(sourceHostId) ?? 0) + bytes);
  }

  /** Undoes a {@link reserve}. */
  unreserve(targetHostId: string, bytes: number, sourceHostId?: string): void {
    this.#reserved.set(targetHostId, (this.#reserved.get(targetHostId) ?? 0) - bytes);
    if (sourceHostId !== undefined) this.#leaving.set(sourceHostId, (this.#leaving.get(sourceHostId) ?? 0) - bytes);
  }

  /** Memory in use now, bytes, when known. */
  usedNow(hostId: string): number | undefined {
    return this.#used.get(hostId);
  }

  /** Memory in use once every planned move completed, bytes, when known. */
  projectedUsed(hostId: string): number | undefined {
    const used = this.#used.get(hostId);
    if (used === undefined) return undefined;
    return used + (this.#reserved.get(hostId) ?? 0) - (this.#leaving.get(hostId) ?? 0);
  }
}
