/**
 * The outcome model of an executed plan, as pure functions: what one VM's outcome is (untouched,
 * from a migration's result, or located by asking the platform) and the report of a whole plan.
 * The in-process executor and the durable engine (`@vmshift/restate`) both build their outcomes
 * and reports here, so a plan run either way reports the same shape with the same rules.
 */
import type { MigrationResult, Vm, VmLocation } from "../model.ts";
import type { SlotClaim } from "./limiter.ts";
import type { FleetPlan, FleetReport, PlannedMigration, VmOutcome, VmOutcomeStatus } from "./types.ts";

/** What one planned migration holds while in flight: its source, its target and their clusters. */
export function slotClaimOf(m: PlannedMigration): SlotClaim {
  return {
    ...(m.sourceHostId === undefined ? {} : { sourceHostId: m.sourceHostId }),
    ...(m.targetHostId === undefined ? {} : { targetHostId: m.targetHostId }),
    clusterIds: [m.clusterId, m.targetClusterId].filter((c): c is string => c !== undefined),
  };
}

/** The fields every outcome of a planned migration carries. */
function base(m: PlannedMigration): Pick<VmOutcome, "vmId" | "order" | "mode" | "sourceHostId" | "targetHostId"> {
  return {
    vmId: m.vmId,
    order: m.order,
    mode: m.mode,
    ...(m.sourceHostId === undefined ? {} : { sourceHostId: m.sourceHostId }),
    ...(m.targetHostId === undefined ? {} : { targetHostId: m.targetHostId }),
  };
}

/** The plan's view of where a VM is: on its source, in the power state it was planned with. */
export function plannedLocation(m: PlannedMigration): VmLocation {
  return { ...(m.sourceHostId === undefined ? {} : { hostId: m.sourceHostId }), side: "source", powerState: m.powerState };
}

/** An outcome for a VM nothing was started for (cancelled or stopped before its start): it is where the plan found it. */
export function untouchedOutcome(m: PlannedMigration, status: VmOutcomeStatus, reason: string): VmOutcome {
  return { ...base(m), status, reason, vmLocation: plannedLocation(m) };
}

/**
 * Where a VM is, from the platform's answer to `getVm` (`undefined` when it could not say): the
 * side is `source` or `target` when the VM is on the plan's source or target host, else `unknown`.
 * Without an answer, the plan's view stands (the start did not go through, so nothing moved it).
 */
export function locationFromVm(m: PlannedMigration, vm: Pick<Vm, "hostId" | "powerState"> | undefined): VmLocation {
  if (vm === undefined) return plannedLocation(m);
  const side = vm.hostId === m.sourceHostId ? "source" : vm.hostId !== undefined && vm.hostId === m.targetHostId ? "target" : "unknown";
  return { ...(vm.hostId === undefined ? {} : { hostId: vm.hostId }), side, powerState: vm.powerState };
}

/** An outcome whose location was asked of the platform (a start that failed, a migration lost track of). */
export function locatedOutcome(m: PlannedMigration, status: VmOutcomeStatus, reason: string, vm: Pick<Vm, "hostId" | "powerState"> | undefined, durationMs: number): VmOutcome {
  return { ...base(m), status, vmLocation: locationFromVm(m, vm), ...(reason ? { reason } : {}), durationMs };
}

/** Whether a result's location needs asking the platform (`getVm`) before it goes into an outcome. */
export function needsLocation(r: MigrationResult): boolean {
  return r.vmLocation.side === "unknown" || r.vmLocation.hostId === undefined;
}

/**
 * The outcome of a migration that reached a terminal phase. `location` replaces the result's own
 * when {@link needsLocation} said to ask; `measuredDurationMs` is used when the platform reports no
 * duration; `cancelRequested` tells a cancel on request from one by the platform.
 */
export function outcomeFromResult(m: PlannedMigration, r: MigrationResult, options: { readonly cancelRequested: boolean; readonly measuredDurationMs: number; readonly location?: VmLocation }): VmOutcome {
  const status: VmOutcomeStatus = r.outcome;
  return {
    vmId: m.vmId,
    status,
    order: m.order,
    migrationId: r.migrationId,
    mode: r.mode,
    ...(r.sourceHostId ?? m.sourceHostId ? { sourceHostId: (r.sourceHostId ?? m.sourceHostId)! } : {}),
    ...(r.targetHostId ?? m.targetHostId ? { targetHostId: (r.targetHostId ?? m.targetHostId)! } : {}),
    vmLocation: options.location ?? r.vmLocation,
    ...(r.error ? { error: r.error, reason: r.error.message } : status === "cancelled" ? { reason: options.cancelRequested ? "cancelled on request" : "cancelled by the platform" } : {}),
    durationMs: r.durationMs ?? options.measuredDurationMs,
    ...(r.downtimeMs === undefined ? {} : { downtimeMs: r.downtimeMs }),
  };
}

/** The outcomes of the VMs a plan leaves where they are (`skipped`, with the planner's code and reason). */
export function skippedOutcomes(plan: FleetPlan): VmOutcome[] {
  return plan.skipped.map((s) => ({
    vmId: s.vmId,
    status: "skipped",
    ...(s.sourceHostId === undefined ? {} : { sourceHostId: s.sourceHostId }),
    vmLocation: { ...(s.sourceHostId === undefined ? {} : { hostId: s.sourceHostId }), side: "source", powerState: s.powerState ?? "unknown" },
    reason: s.reason,
    error: { code: s.code, message: s.reason },
  }));
}

/**
 * The report of an executed plan. `planned` holds one outcome per planned migration, in plan
 * order; the skipped VMs follow. Times are epoch ms on the executor's clock.
 */
export function fleetReport(plan: FleetPlan, planned: readonly VmOutcome[], run: { readonly startedAtMs: number; readonly endedAtMs: number; readonly cancelled: boolean }): FleetReport {
  const outcomes = [...planned, ...skippedOutcomes(plan)];
  const counts: Record<VmOutcomeStatus, number> = { completed: 0, failed: 0, cancelled: 0, skipped: 0 };
  for (const o of outcomes) counts[o.status]++;
  const freedHostIds = plan.freedHostIds.filter((h) => planned.every((o) => o.sourceHostId !== h || o.status === "completed"));
  return {
    kind: plan.kind,
    adapter: plan.adapter,
    startedAt: new Date(run.startedAtMs).toISOString(),
    endedAt: new Date(run.endedAtMs).toISOString(),
    makespanMs: run.endedAtMs - run.startedAtMs,
    outcomes,
    counts,
    freedHostIds,
    cancelled: run.cancelled,
    ok: counts.failed === 0 && counts.cancelled === 0 && counts.skipped === 0,
  };
}
