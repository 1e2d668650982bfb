/**
 * Pre-migration checks: VM state and live-migratability, target host state, maintenance and
 * cluster, memory headroom on the target, VM–host affinity policies, and a `$dryrun` of the
 * cross-cluster move. Reads only (the dry run changes nothing). `startMigration` runs the
 * checks that a started migration cannot invalidate and refuses on the first error.
 */
import { randomUUID } from "node:crypto";
import { type ErrorCode, type NormalizedMigrationRequest, type PreflightCheck, VmshiftError, isVmshiftError } from "@vmshift/core";
import type { NutanixContext } from "./context.ts";
import { odataString } from "./escape.ts";
import { getHost } from "./resources/hosts.ts";
import { inMaintenance } from "./resources/map.ts";
import { hostsInCategory, listVmHostAffinityPolicies } from "./resources/policies.ts";
import type { V4Host, V4Vm } from "./resources/v4-types.ts";
import { listVms, postVmAction } from "./resources/vms.ts";

/** A check plus the code `startMigration` raises for it. */
export interface CodedCheck extends PreflightCheck {
  readonly code: ErrorCode;
}

const check = (id: string, category: PreflightCheck["category"], severity: PreflightCheck["severity"], message: string, code: ErrorCode, native?: unknown): CodedCheck => ({
  id,
  category,
  severity,
  message,
  code,
  ...(native === undefined ? {} : { native }),
});

/** Options of {@link runChecks}. */
export interface CheckOptions {
  /**
   * The full preflight: also the checks a started migration would change (VM already on the
   * target), the target's free memory (a listing of the VMs on it), affinity policies and the dry
   * run. A start runs only the rest, on what it read anyway; Prism refuses a host without room itself.
   */
  readonly full: boolean;
  /** The target host, when the caller read it already (the scheduler's choice): not read again. */
  readonly host?: V4Host;
  readonly signal?: AbortSignal;
}

/** Runs the checks for `request` against the VM as read. */
export async function runChecks(ctx: NutanixContext, request: NormalizedMigrationRequest, vm: V4Vm, options: CheckOptions): Promise<CodedCheck[]> {
  const checks: CodedCheck[] = [];
  const live = request.mode === "live";
  const signalOpt = options.signal ? { signal: options.signal } : {};
  if (live && vm.powerState !== "ON") {
    checks.push(check("vm.powerState", "state", "error", `a live migration needs a running VM; it is ${vm.powerState ?? "in an unknown state"}`, "INVALID_STATE", { powerState: vm.powerState }));
  } else {
    checks.push(check("vm.powerState", "state", "info", `VM power state ${vm.powerState ?? "unknown"}`, "INVALID_STATE"));
  }
  if (live && vm.powerState === "ON") {
    if (vm.isAgentVm) checks.push(check("vm.agentVm", "compatibility", "error", "agent VMs cannot be live-migrated on AHV", "INCOMPATIBLE"));
    if (vm.isCpuPassthroughEnabled) checks.push(check("vm.cpuPassthrough", "compatibility", "error", "CPU passthrough makes the VM incapable of live migration", "INCOMPATIBLE"));
    const passthroughGpu = (vm.gpus ?? []).some((g) => g.mode === "PASSTHROUGH_GRAPHICS" || g.mode === "PASSTHROUGH_COMPUTE");
    if (passthroughGpu) checks.push(check("vm.gpuPassthrough", "device", "error", "passthrough GPUs cannot be live-migrated", "INCOMPATIBLE"));
    if (vm.isLiveMigrateCapable === false) checks.push(check("vm.isLiveMigrateCapable", "compatibility", "error", "Prism reports the VM is not live-migrate capable (isLiveMigrateCapable=false)", "INCOMPATIBLE"));
  }
  if (vm.isCrossClusterMigrationInProgress) checks.push(check("vm.crossClusterMigrationInProgress", "state", "error", "a cross-cluster migration of this VM is already in progress", "CONFLICT"));

  const vmCluster = vm.cluster?.extId ?? undefined;
  const crossCluster = request.targetClusterId !== undefined && request.targetClusterId !== vmCluster;
  if (crossCluster && ctx.behaviour.availabilityZoneId === undefined) {
    checks.push(check("crossCluster.availabilityZone", "policy", "error", "cross-cluster moves need the adapter option availabilityZoneId (the target availability zone)", "CAPABILITY_UNAVAILABLE"));
  }

  if (request.targetHostId !== undefined) {
    const cluster = request.targetClusterId ?? vmCluster;
    let host: V4Host | undefined = options.host?.extId === request.targetHostId ? options.host : undefined;
    if (host === undefined && cluster === undefined) {
      checks.push(check("target.cluster", "compatibility", "error", "the VM reports no cluster; cannot look up the target host", "INTERNAL"));
    } else if (host === undefined && cluster !== undefined) {
      try {
        host = await getHost(ctx.transport, cluster, request.targetHostId, { operation: "migration.preflight", ...signalOpt });
      } catch (error) {
        if (!isVmshiftError(error, "NOT_FOUND")) throw error;
        checks.push(check("target.exists", "state", "error", `host ${request.targetHostId} does not exist in cluster ${cluster}${crossCluster ? "" : " (migrate-to-host moves within the VM's cluster only)"}`, "NOT_FOUND"));
      }
    }
    if (host) checks.push(...(await hostChecks(ctx, request, vm, host, options)));
  }

  if (options.full && live && vm.powerState === "ON") checks.push(...(await affinityChecks(ctx, vm, request.targetHostId, options.signal)));
  if (options.full && crossCluster && ctx.behaviour.availabilityZoneId !== undefined) checks.push(await dryRun(ctx, request, vm, options.signal));
  return checks;
}

async function hostChecks(ctx: NutanixContext, request: NormalizedMigrationRequest, vm: V4Vm, host: V4Host, options: CheckOptions): Promise<CodedCheck[]> {
  const out: CodedCheck[] = [];
  const name = host.hostName ?? host.extId ?? request.targetHostId;
  if (options.full && request.mode === "live" && vm.host?.extId === request.targetHostId) {
    out.push(check("target.sameHost", "state", "error", `the VM already runs on ${name}`, "INVALID_ARGUMENT"));
  }
  if (inMaintenance(host)) {
    out.push(check("target.maintenance", "state", "error", `host ${name} is in maintenance (${host.hypervisor?.state ?? host.maintenanceState})`, "INVALID_STATE", { state: host.hypervisor?.state, maintenanceState: host.maintenanceState }));
  } else if (host.hypervisor?.state !== "ACROPOLIS_NORMAL") {
    out.push(check("target.hypervisorState", "state", "error", `host ${name} is ${host.hypervisor?.state ?? "in an unknown state"}, not ACROPOLIS_NORMAL`, "INVALID_STATE", { state: host.hypervisor?.state }));
  }
  if (host.hypervisor?.acropolisConnectionState === "DISCONNECTED") out.push(check("target.connection", "state", "error", `host ${name} is disconnected`, "INVALID_STATE"));
  if (host.hypervisor?.type !== undefined && host.hypervisor.type !== "AHV" && !host.hypervisor.type.startsWith("$")) {
    out.push(check("target.hypervisorType", "compatibility", "error", `host ${name} runs ${host.hypervisor.type}, not AHV`, "INCOMPATIBLE"));
  }
  if (options.full && typeof host.memorySizeBytes === "number" && typeof vm.memorySizeBytes === "number" && request.targetHostId !== undefined) {
    const used = await usedMemory(ctx, request.targetHostId, vm.extId, options.signal);
    const free = host.memorySizeBytes - used;
    if (free < vm.memorySizeBytes) {
      out.push(check("capacity.memory", "capacity", "error", `host ${name} has ${free} bytes of memory free; the VM needs ${vm.memorySizeBytes}`, "INSUFFICIENT_RESOURCES", { freeBytes: free, neededBytes: vm.memorySizeBytes }));
    } else {
      out.push(check("capacity.memory", "capacity", "info", `host ${name} has ${free} bytes of memory free; the VM needs ${vm.memorySizeBytes}`, "INSUFFICIENT_RESOURCES"));
    }
  }
  return out;
}

/** Memory of the running VMs per host of a cluster, excluding `exceptVm`, bytes: one listing of the cluster's VMs. */
export async function usedMemoryByHost(ctx: NutanixContext, clusterExtId: string | undefined, exceptVm: string | undefined, signal?: AbortSignal): Promise<Map<string, number>> {
  const used = new Map<string, number>();
  for (let page = 0; page < 100; page++) {
    const res = await listVms(ctx.transport, { page, limit: 100, ...(clusterExtId === undefined ? {} : { filter: `cluster/extId eq ${odataString(clusterExtId)}` }), ...(signal ? { signal } : {}) });
    for (const vm of res.vms) {
      const host = vm.host?.extId;
      if (host && vm.extId !== exceptVm && vm.powerState === "ON") used.set(host, (used.get(host) ?? 0) + (vm.memorySizeBytes ?? 0));
    }
    if (res.vms.length < 100) break;
  }
  return used;
}

/** Memory of the running VMs on a host, excluding `exceptVm`, bytes. */
export async function usedMemory(ctx: NutanixContext, hostId: string, exceptVm: string | undefined, signal?: AbortSignal): Promise<number> {
  let used = 0;
  for (let page = 0; page < 100; page++) {
    const res = await listVms(ctx.transport, { page, limit: 100, filter: `host/extId eq ${odataString(hostId)}`, ...(signal ? { signal } : {}) });
    for (const vm of res.vms) if (vm.extId !== exceptVm && vm.powerState === "ON") used += vm.memorySizeBytes ?? 0;
    if (res.vms.length < 100) break;
  }
  return used;
}

async function affinityChecks(ctx: NutanixContext, vm: V4Vm, targetHostId: string | undefined, signal?: AbortSignal): Promise<CodedCheck[]> {
  const vmCategories = new Set((vm.categories ?? []).map((c) => c.extId).filter((c): c is string => typeof c === "string"));
  if (vmCategories.size === 0 || targetHostId === undefined) return [];
  let policies;
  try {
    policies = await listVmHostAffinityPolicies(ctx.transport, signal);
  } catch (error) {
    if (isVmshiftError(error, "PERMISSION_DENIED") || isVmshiftError(error, "NOT_FOUND")) {
      return [check("policy.vmHostAffinity", "policy", "warning", `could not read VM-host affinity policies: ${(error as VmshiftError).reason}`, "INCOMPATIBLE")];
    }
    throw error;
  }
  const out: CodedCheck[] = [];
  for (const policy of policies) {
    if (!(policy.vmCategories ?? []).some((c) => c.extId !== undefined && vmCategories.has(c.extId))) continue;
    const allowed = new Set<string>();
    const names: string[] = [];
    for (const category of policy.hostCategories ?? []) {
      if (!category.extId) continue;
      const { name, hostIds } = await hostsInCategory(ctx.transport, category.extId, signal);
      names.push(name);
      for (const id of hostIds) allowed.add(id);
    }
    if (!allowed.has(targetHostId)) {
      out.push(check("policy.vmHostAffinity", "policy", "error", `VM-host affinity policy "${policy.name ?? policy.extId}" keeps this VM on hosts in ${names.join(", ") || "no category"}; the target is not one of them`, "INCOMPATIBLE", { policy: policy.extId }));
    }
  }
  return out;
}

async function dryRun(ctx: NutanixContext, request: NormalizedMigrationRequest, vm: V4Vm, signal?: AbortSignal): Promise<CodedCheck> {
  try {
    await postVmAction(ctx.transport, {
      vmExtId: vm.extId ?? request.vmId,
      action: "migrate",
      requestId: randomUUID(),
      query: { $dryrun: true },
      body: crossClusterBody(ctx, request),
      operation: "migration.preflight",
      ...(signal ? { signal } : {}),
    });
    return check("crossCluster.dryRun", "compatibility", "info", "Prism accepted a dry run of the cross-cluster move", "INCOMPATIBLE");
  } catch (error) {
    if (!isVmshiftError(error) || error.code === "TRANSPORT") throw error;
    return check("crossCluster.dryRun", "compatibility", "error", `Prism refused a dry run of the cross-cluster move: ${error.reason}`, error.code, error.details);
  }
}

/** The body of `$actions/migrate`. */
export function crossClusterBody(ctx: NutanixContext, request: NormalizedMigrationRequest): Record<string, unknown> {
  return {
    isLiveMigration: request.mode === "live",
    targetAvailabilityZone: { extId: ctx.behaviour.availabilityZoneId ?? "" },
    ...(request.targetClusterId === undefined ? {} : { targetCluster: { extId: request.targetClusterId } }),
  };
}

/** Throws the first error-severity check as a VmshiftError (used by `startMigration`). */
export function refuseOnError(checks: readonly CodedCheck[], request: NormalizedMigrationRequest): void {
  const first = checks.find((c) => c.severity === "error");
  if (!first) return;
  throw new VmshiftError(first.code, first.message, { adapter: "nutanix", operation: "migration.start", subject: request.vmId, details: { check: first.id } });
}

/** Drops the internal `code` field. */
export function publicChecks(checks: readonly CodedCheck[]): PreflightCheck[] {
  return checks.map(({ code: _code, ...rest }) => rest);
}
