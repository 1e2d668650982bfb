/** Planning of `evacuateHost`: every VM on the host(s) to other schedulable hosts with room. */
import type { VmshiftClient } from "../client.ts";
import { VmshiftError } from "../errors.ts";
import { requireId } from "../validate.ts";
import { loadInventory, memoryDemand } from "./inventory.ts";
import { type PlanOptions, validatePlanOptions } from "./options.ts";
import { PlanBuilder } from "./plan-builder.ts";
import { placeVerified } from "./verify.ts";
import type { FleetPlan } from "./types.ts";

const OPERATION = "fleet.evacuate";

/**
 * Plans the evacuation of one host (or several at once, e.g. a rack): largest VMs are placed
 * first (so the big ones find room), each on the host of its cluster with most memory left;
 * hosts being evacuated never receive VMs. Cold moves are allowed by default here (the host must
 * be emptied): a running VM that cannot move live moves cold, and the plan says so.
 * Throws `NOT_FOUND` for an unknown host; changes nothing.
 */
export async function planEvacuation(client: VmshiftClient, hostId: string | readonly string[], options: PlanOptions = {}): Promise<FleetPlan> {
  const hostIds = typeof hostId === "string" ? [hostId] : [...hostId];
  if (hostIds.length === 0) throw new VmshiftError("INVALID_ARGUMENT", "name at least one host to evacuate", { operation: OPERATION });
  for (const id of hostIds) requireId("hostId", id, OPERATION);
  validatePlanOptions(options, OPERATION);
  const inventory = await loadInventory(client, options.signal ? { signal: options.signal } : {});
  for (const id of hostIds) {
    if (!inventory.hosts.has(id)) throw new VmshiftError("NOT_FOUND", `no host ${id}`, { adapter: client.adapterName, operation: OPERATION, subject: id });
  }
  const subjects = new Set(hostIds);
  const b = new PlanBuilder(client, inventory, options);
  const leaving = inventory.vms.filter((v) => v.hostId !== undefined && subjects.has(v.hostId)).sort((a, b) => memoryDemand(b) - memoryDemand(a) || a.id.localeCompare(b.id));
  const allowCold = options.allowCold ?? true;
  for (const vm of leaving) {
    const decision = b.decide(vm, undefined, allowCold, options.migration?.maxDowntimeMs);
    if (!decision.ok) {
      b.skip(vm.id, decision.code, decision.reason, vm);
      continue;
    }
    const placed = await placeVerified(b, vm, decision, "spread", subjects, b.noTargetReason(vm, subjects));
    if (!placed.target) {
      b.skip(vm.id, placed.code, placed.reason, vm);
      continue;
    }
    b.addMove(vm, placed.target, decision, `off ${vm.hostId} to ${placed.target.id}: ${placed.note ? `${placed.note}; next ` : ""}most memory left in its cluster`);
  }
  const plan = b.build("evacuate", hostIds, [], "");
  const stuck = new Set(plan.skipped.map((s) => s.sourceHostId));
  const freed = hostIds.filter((h) => !stuck.has(h));
  const cold = plan.migrations.filter((m) => m.mode === "cold").length;
  const summary = `evacuate ${hostIds.join(", ")}: ${plan.migrations.length} VM(s) to move (${plan.migrations.length - cold} live, ${cold} cold), ${plan.skipped.length} cannot move${freed.length === hostIds.length ? "; the host(s) will be empty" : `; ${hostIds.filter((h) => stuck.has(h)).join(", ")} will not be empty`}`;
  const notes = plan.skipped.map((s) => `${s.vmId} stays on ${s.sourceHostId ?? "?"}: ${s.reason}`);
  return { ...plan, freedHostIds: freed, summary, notes };
}
