/** Planning of `migrateMany`: the caller's requests, in their order, against the capacity ledger. */
import { isAvailable } from "../capabilities.ts";
import type { VmshiftClient } from "../client.ts";
import { VmshiftError, isVmshiftError } from "../errors.ts";
import type { MigrationRequest, Vm } from "../model.ts";
import { validateMigrationRequest } from "../validate.ts";
import { acceptsVms } from "./inventory.ts";
import type { FleetInventory } from "./inventory.ts";
import { type PlanOptions, validatePlanOptions } from "./options.ts";
import { PlanBuilder } from "./plan-builder.ts";
import { placeVerified, refusal } from "./verify.ts";
import type { FleetPlan } from "./types.ts";

const OPERATION = "fleet.migrateMany";

/** Validates the requests: an array of valid migration requests, one per VM. */
export function validateRequests(requests: readonly MigrationRequest[]): void {
  if (!Array.isArray(requests)) throw new VmshiftError("INVALID_ARGUMENT", "requests must be an array of migration requests", { operation: OPERATION });
  const seen = new Set<string>();
  for (const [i, r] of requests.entries()) {
    try {
      validateMigrationRequest(r, OPERATION);
    } catch (error) {
      if (isVmshiftError(error)) throw new VmshiftError("INVALID_ARGUMENT", `requests[${i}]: ${error.reason}`, { operation: OPERATION });
      throw error;
    }
    if (seen.has(r.vmId)) throw new VmshiftError("INVALID_ARGUMENT", `requests[${i}]: VM ${r.vmId} appears twice; one plan moves a VM once`, { operation: OPERATION });
    seen.add(r.vmId);
  }
}

/**
 * Plans a batch of migrations. Requests are taken in the caller's order for capacity: when two
 * VMs want the last free memory of a host, the first gets it and the second is skipped with
 * `INSUFFICIENT_RESOURCES`. Requests without a target get one (most room left, same cluster) when
 * the adapter lists hosts, else the platform's scheduler chooses.
 */
export async function planMigrateMany(client: VmshiftClient, requests: readonly MigrationRequest[], options: PlanOptions = {}): Promise<FleetPlan> {
  validateRequests(requests);
  validatePlanOptions(options, OPERATION);
  const caps = client.capabilities();
  const signal = options.signal ? { signal: options.signal } : {};
  const hosts = isAvailable(caps, "host.list") ? await client.listHosts(signal).all() : [];
  const vms = isAvailable(caps, "vm.list") ? await client.listVms(signal).all() : [];
  const byId = new Map(vms.map((v) => [v.id, v]));
  for (const r of requests) {
    if (byId.has(r.vmId)) continue;
    try {
      byId.set(r.vmId, await client.getVm(r.vmId, signal));
    } catch (error) {
      if (!isVmshiftError(error) || error.code !== "NOT_FOUND") throw error;
    }
  }
  const inventory: FleetInventory = { hosts: new Map(hosts.map((h) => [h.id, h])), vms: [...byId.values()] };
  const b = new PlanBuilder(client, inventory, options);
  for (const r of requests) {
    const vm = byId.get(r.vmId);
    if (!vm) {
      b.skip(r.vmId, "NOT_FOUND", "no such VM");
      continue;
    }
    await planOne(b, r, vm, options.allowCold ?? false);
  }
  const n = b.moveCount;
  return b.build("migrate-many", [], [], `${n} of ${requests.length} requested migration(s) planned`);
}

async function planOne(b: PlanBuilder, r: MigrationRequest, vm: Vm, allowCold: boolean): Promise<void> {
  const decision = b.decide(vm, r.mode, allowCold, r.maxDowntimeMs ?? b.options.migration?.maxDowntimeMs);
  if (!decision.ok) return b.skip(vm.id, decision.code, decision.reason, vm);
  const { mode: _mode, ...extra } = r;
  if (r.targetHostId !== undefined) {
    const target = b.host(r.targetHostId);
    if (b.inventory.hosts.size > 0 && !target) return b.skip(vm.id, "NOT_FOUND", `no host ${r.targetHostId}`, vm);
    if (r.targetHostId === vm.hostId) return b.skip(vm.id, "INVALID_ARGUMENT", `already on ${r.targetHostId}`, vm);
    if (target && !acceptsVms(target)) return b.skip(vm.id, "INVALID_STATE", `host ${target.id} does not accept VMs (${target.maintenance ? "maintenance" : target.connectionState !== "connected" ? target.connectionState : "not schedulable"})`, vm);
    const demand = vm.powerState === "stopped" ? 0 : (vm.memoryBytes ?? 0);
    if (target && !b.ledger.fits(target.id, demand)) {
      return b.skip(vm.id, "INSUFFICIENT_RESOURCES", `host ${target.id} has ${Math.max(0, b.ledger.available(target.id))} bytes left after earlier moves in this plan; the VM needs ${demand}`, vm);
    }
    const refused = target ? await refusal(b, vm, target, decision) : undefined;
    if (refused) return b.skip(vm.id, refused.code, `preflight: ${refused.reason}`, vm);
    return b.addMove(vm, target, decision, `to ${r.targetHostId} as requested`, extra);
  }
  if (b.inventory.hosts.size === 0) return b.addMove(vm, undefined, decision, "the platform's scheduler picks the target", extra);
  const noRoom = r.targetClusterId === undefined ? b.noTargetReason(vm) : `no schedulable host in cluster ${r.targetClusterId} has room for it`;
  const placed = await placeVerified(b, vm, decision, "spread", new Set(), noRoom, r.targetClusterId);
  if (!placed.target) return b.skip(vm.id, placed.code, placed.reason, vm);
  b.addMove(vm, placed.target, decision, `to ${placed.target.id}: ${placed.note ? `${placed.note}; next ` : ""}most memory left in ${r.targetClusterId === undefined ? "its cluster" : `cluster ${r.targetClusterId}`}`, extra);
}
