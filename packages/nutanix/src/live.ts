/**
 * Live migration: `$actions/migrate-to-host` within a cluster, `$actions/migrate`
 * (`isLiveMigration: true`) across clusters, followed through the Prism task. Task status and
 * `progressPercentage` map onto vmshift's phases; AHV reports no bytes, rounds or downtime, so
 * those fields stay absent.
 */
import { type MigrationPhase, type MigrationSnapshot, type NormalizedMigrationRequest, type OperationContext, type VmLocation, VmshiftError } from "@vmshift/core";
import type { NutanixContext } from "./context.ts";
import { faultFromTask, toVmshiftError } from "./errors.ts";
import { type LiveId, formatMigrationId } from "./migration-id.ts";
import { crossClusterBody, refuseOnError, runChecks, usedMemoryByHost } from "./preflight.ts";
import { listHosts } from "./resources/hosts.ts";
import { toHost } from "./resources/map.ts";
import { stepRequestId } from "./request-id.ts";
import { powerState } from "./resources/map.ts";
import type { V4Host, V4Task, V4Vm } from "./resources/v4-types.ts";
import { getVm, postVmAction } from "./resources/vms.ts";

/**
 * Starts a live migration; idempotent on `request.requestId`. Three requests: the VM (ETag, host,
 * cluster, power state), the target host (state, maintenance; or the cluster's hosts and VMs when
 * vmshift chooses the host), and the POST. The checks run on what was read; the first snapshot is
 * `requested`, the task's progress comes with the polls.
 */
export async function startLive(ctx: NutanixContext, request: NormalizedMigrationRequest, op: OperationContext): Promise<MigrationSnapshot> {
  const signalOpt = op.signal ? { signal: op.signal } : {};
  const { vm, etag } = await getVm(ctx.transport, request.vmId, { operation: "migration.start", ...signalOpt });
  let chosen: V4Host | undefined;
  if (request.targetHostId === undefined && request.targetClusterId === undefined) {
    chosen = await chooseHost(ctx, vm, op);
    request = { ...request, targetHostId: chosen.extId! };
  }
  refuseOnError(await runChecks(ctx, request, vm, { full: false, ...(chosen ? { host: chosen } : {}), ...signalOpt }), request);
  const crossCluster = request.targetClusterId !== undefined && request.targetClusterId !== vm.cluster?.extId;
  if (crossCluster && request.targetHostId !== undefined) {
    throw new VmshiftError("CAPABILITY_UNAVAILABLE", "AHV's cross-cluster migrate takes no host: omit targetHostId and AHV places the VM in the target cluster (then move it within that cluster if needed)", {
      adapter: "nutanix",
      operation: "migration.start",
      subject: request.vmId,
    });
  }
  const taskExtId = await postVmAction(ctx.transport, {
    vmExtId: request.vmId,
    action: crossCluster ? "migrate" : "migrate-to-host",
    requestId: stepRequestId(request.requestId, crossCluster ? "migrate" : "migrate-to-host"),
    body: crossCluster ? crossClusterBody(ctx, request) : { host: { extId: request.targetHostId } },
    ...(etag === undefined ? {} : { etag }),
    operation: "migration.start",
    ...signalOpt,
  });
  const sourceHostId = vm.host?.extId ?? undefined;
  const id: LiveId = {
    kind: "live",
    vmExtId: request.vmId,
    ...(sourceHostId ? { sourceHostId } : {}),
    ...(request.targetHostId ? { targetHostId: request.targetHostId } : {}),
    ...(crossCluster && request.targetClusterId ? { targetClusterId: request.targetClusterId } : {}),
    taskExtId,
  };
  const observedAt = new Date(op.clock.now()).toISOString();
  return {
    id: formatMigrationId(id),
    vmId: id.vmExtId,
    mode: "live",
    phase: "requested",
    ...(id.sourceHostId ? { sourceHostId: id.sourceHostId } : {}),
    ...(id.targetHostId ? { targetHostId: id.targetHostId } : {}),
    progress: { phase: "requested", message: "migration task accepted", observedAt },
    startedAt: observedAt,
  };
}

/**
 * AHV's migrate-to-host always names a host. When the caller names none, vmshift picks the
 * schedulable (ACROPOLIS_NORMAL, not in maintenance) host of the VM's cluster with the most free
 * memory, other than the one the VM runs on: one listing of the cluster's hosts and one of its VMs.
 */
export async function chooseHost(ctx: NutanixContext, vm: V4Vm, op: OperationContext): Promise<V4Host> {
  const cluster = vm.cluster?.extId ?? undefined;
  const signalOpt = op.signal ? { signal: op.signal } : {};
  const hosts: V4Host[] = [];
  for (let page = 0; page < 20; page++) {
    const res = await listHosts(ctx.transport, { page, limit: 100, ...(cluster ? { clusterExtId: cluster } : {}), ...signalOpt });
    hosts.push(...res.hosts);
    if (res.hosts.length < 100) break;
  }
  const used = await usedMemoryByHost(ctx, cluster, vm.extId, op.signal);
  let best: { host: V4Host; free: number } | undefined;
  for (const host of hosts) {
    if (!host.extId || host.extId === vm.host?.extId || !toHost(host).schedulable) continue;
    const free = (host.memorySizeBytes ?? 0) - (used.get(host.extId) ?? 0);
    if (free >= (vm.memorySizeBytes ?? 0) && (!best || free > best.free)) best = { host, free };
  }
  if (!best) {
    throw new VmshiftError("INSUFFICIENT_RESOURCES", "no other schedulable host in the VM's cluster has enough free memory", { adapter: "nutanix", operation: "migration.start", subject: vm.extId ?? "" });
  }
  return best.host;
}

/** Phase for a task status. */
export function livePhase(task: V4Task): MigrationPhase {
  switch (task.status) {
    case "QUEUED":
      return "requested";
    case "SUCCEEDED":
      return "completed";
    case "FAILED":
      return "failed";
    case "CANCELED":
      return "cancelled";
    case "RUNNING":
    case "CANCELING":
    case "SUSPENDED":
      return "transferring";
    default:
      // $UNKNOWN / $REDACTED / absent: not terminal; say only that it was asked for.
      return (task.progressPercentage ?? 0) > 0 ? "transferring" : "requested";
  }
}

/** A snapshot of a live migration from its task (and, when terminal, the VM's location). */
export async function liveSnapshot(ctx: NutanixContext, id: LiveId, task: V4Task, op: OperationContext): Promise<MigrationSnapshot> {
  const phase = livePhase(task);
  const observedAt = new Date(op.clock.now()).toISOString();
  const percent = typeof task.progressPercentage === "number" ? Math.max(0, Math.min(100, task.progressPercentage)) : undefined;
  const message = task.status === "CANCELING" ? "cancelling" : task.status === "SUSPENDED" ? "task suspended" : (task.operationDescription ?? task.operation);
  const startedAt = task.startedTime ?? task.createdTime;
  const base = {
    id: formatMigrationId(id),
    vmId: id.vmExtId,
    mode: "live" as const,
    phase,
    ...(id.sourceHostId ? { sourceHostId: id.sourceHostId } : {}),
    ...(id.targetHostId ? { targetHostId: id.targetHostId } : {}),
    progress: { phase, ...(percent === undefined ? {} : { percent }), ...(message ? { message } : {}), observedAt },
    ...(startedAt ? { startedAt } : {}),
    ...(task.completedTime ? { endedAt: task.completedTime } : {}),
  };
  if (phase !== "completed" && phase !== "failed" && phase !== "cancelled") return base;
  const location = taskLocation(id, phase) ?? (await vmLocation(ctx, id, op));
  const error =
    phase === "failed"
      ? (() => {
          const e = toVmshiftError(faultFromTask(task), { operation: "migration.follow", subject: id.vmExtId });
          return { code: e.code, message: e.reason };
        })()
      : phase === "cancelled"
        ? { code: "ABORTED", message: "the migration was cancelled; the task ended CANCELED" }
        : undefined;
  const durationMs = startedAt && task.completedTime ? Date.parse(task.completedTime) - Date.parse(startedAt) : undefined;
  return {
    ...base,
    result: {
      migrationId: base.id,
      vmId: id.vmExtId,
      mode: "live",
      outcome: phase,
      vmLocation: location,
      ...(id.sourceHostId ? { sourceHostId: id.sourceHostId } : {}),
      ...(id.targetHostId ? { targetHostId: id.targetHostId } : {}),
      ...(durationMs !== undefined && Number.isFinite(durationMs) && durationMs >= 0 ? { durationMs } : {}),
      ...(error ? { error } : {}),
    },
  };
}

/**
 * Where a finished live migration left the VM, from the task alone: a succeeded VmMigrateToHost
 * moved the running VM to its host; a failed or cancelled one never switched over, so the VM runs
 * on its source. Undefined when the migration's ids do not name that host (a cross-cluster move
 * without a host, or an attach by a bare task id): then the VM is read.
 */
export function taskLocation(id: { sourceHostId?: string; targetHostId?: string; targetClusterId?: string }, phase: "completed" | "failed" | "cancelled"): VmLocation | undefined {
  if (phase === "completed") return id.targetHostId !== undefined && id.targetClusterId === undefined ? { hostId: id.targetHostId, side: "target", powerState: "running" } : undefined;
  return id.sourceHostId !== undefined ? { hostId: id.sourceHostId, side: "source", powerState: "running" } : undefined;
}

/**
 * Where the VM is now, relative to the migration: on the target host (or, for cross-cluster
 * moves without a host, in the target cluster), on the source host, or unknown.
 */
export async function vmLocation(ctx: NutanixContext, id: { vmExtId: string; sourceHostId?: string; targetHostId?: string; targetClusterId?: string }, op: OperationContext): Promise<VmLocation> {
  const { vm } = await getVm(ctx.transport, id.vmExtId, { operation: "migration.get", ...(op.signal ? { signal: op.signal } : {}) });
  const hostId = vm.host?.extId ?? undefined;
  const inTargetCluster = id.targetClusterId !== undefined && id.targetHostId === undefined && vm.cluster?.extId === id.targetClusterId;
  const side = hostId === undefined && !inTargetCluster ? "unknown" : hostId === id.targetHostId || inTargetCluster ? "target" : hostId === id.sourceHostId ? "source" : "unknown";
  return { ...(hostId ? { hostId } : {}), side, powerState: powerState(vm.powerState) };
}
