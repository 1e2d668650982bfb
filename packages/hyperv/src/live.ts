/** Live migration: start through the runner, and snapshots from the WMI migration job. */
import type { MigrationPhase, MigrationSnapshot, NormalizedMigrationRequest } from "@vmshift/core";
import { VmshiftError, isTerminalPhase } from "@vmshift/core";
import { toVmshiftError } from "./errors.ts";
import { type MigrationRef, encodeMigrationId } from "./migration-id.ts";
import { Reader } from "./psjson.ts";
import { type HvMigrationJob, JOB_STATE, jobPhase, parseJob } from "./resources/job.ts";
import { type HvVm, hostOf, parseVm, powerStateOf, sameHost } from "./resources/vm.ts";
import type { PowerShellRunner } from "./runner.ts";
import { SCRIPTS } from "./scripts/index.ts";

/** What the start script reported. */
export interface LiveStart {
  readonly ref: MigrationRef;
  /** Undefined only for an adopted earlier attempt whose finished job the host no longer keeps. */
  readonly job: HvMigrationJob | undefined;
  readonly vm: HvVm;
  /** The script found a migration of this VM already running and started nothing. */
  readonly reused: boolean;
  /** The script found an earlier start with this request id (running or finished) and returned it instead of starting again. */
  readonly adopted: boolean;
}

/** Starts Move-VM (or the cluster move) and returns the reference to its WMI job. */
export async function startLive(runner: PowerShellRunner, hostList: readonly string[], request: NormalizedMigrationRequest, now: string, signal?: AbortSignal): Promise<LiveStart> {
  const target = request.targetHostId!;
  const data = await runner.run(
    SCRIPTS.startLive,
    { vmId: request.vmId, hostList: [...hostList], targetHost: target, storagePath: request.targetStorageId ?? "", requestId: request.requestId },
    { operation: "migration.start", subject: request.vmId, ...(signal ? { signal } : {}) },
  );
  const r = new Reader(data, "startLive");
  const vm = parseVm(r.raw("vm"));
  const job = parseJob(r.raw("job"));
  const adopted = r.optionalBoolean("adopted") ?? false;
  if (!job && adopted) {
    // An earlier attempt with this request id finished and the host has dropped its job: the VM on
    // the target is that attempt's result (a status read without a job reports it completed).
    const ref: MigrationRef = { vmId: vm.id, mode: "live", sourceHost: r.string("sourceHost"), targetHost: target, jobId: `request:${request.requestId.slice(0, 64)}`, startedAt: now, ...(vm.isClustered ? { clusterRole: vm.clusterGroup ?? vm.name } : {}), ...(request.targetStorageId === undefined ? {} : { storagePath: request.targetStorageId }) };
    return { ref, job: undefined, vm, reused: true, adopted };
  }
  if (!job) throw new VmshiftError("INTERNAL", "the start script returned no migration job", { adapter: "hyperv", operation: "migration.start", subject: request.vmId });
  const ref: MigrationRef = {
    vmId: vm.id,
    mode: "live",
    sourceHost: r.string("sourceHost"),
    targetHost: target,
    jobId: job.instanceId,
    startedAt: job.startTime ?? now,
    // The cluster group (role) as the cluster names it, for Move-ClusterVirtualMachineRole -Cancel.
    ...(vm.isClustered ? { clusterRole: vm.clusterGroup ?? vm.name } : {}),
    ...(request.targetStorageId === undefined ? {} : { storagePath: request.targetStorageId }),
  };
  return { ref, job, vm, reused: r.boolean("reused"), adopted };
}

/** True when a job is still running (New, Starting, Running, Suspended, Shutting Down, Service). */
export function jobActive(job: HvMigrationJob): boolean {
  return job.jobState !== JOB_STATE.Completed && job.jobState !== JOB_STATE.Terminated && job.jobState !== JOB_STATE.Killed && job.jobState !== JOB_STATE.Exception;
}

/** Reads the job and the VM's location. */
export async function liveStatus(runner: PowerShellRunner, hostList: readonly string[], ref: MigrationRef, operation: string, signal?: AbortSignal): Promise<{ job: HvMigrationJob | undefined; vm: HvVm | undefined }> {
  const hosts = uniqueHosts([...hostList, ref.sourceHost, ref.targetHost]);
  const data = await runner.run(
    SCRIPTS.migrationStatus,
    { vmId: ref.vmId, hostList: hosts, sourceHost: ref.sourceHost, jobId: ref.jobId ?? "" },
    { operation, subject: encodeMigrationId(ref), ...(signal ? { signal } : {}) },
  );
  const r = new Reader(data, "migrationStatus");
  const vmRaw = r.raw("vm");
  return { job: parseJob(r.raw("job")), vm: vmRaw === null || vmRaw === undefined ? undefined : parseVm(vmRaw) };
}

/** Host names without duplicates (case-insensitive). */
export function uniqueHosts(hosts: readonly string[]): string[] {
  const out: string[] = [];
  for (const h of hosts) if (h && !out.some((o) => o.toLowerCase() === h.toLowerCase())) out.push(h);
  return out;
}

/** Builds the snapshot of a live migration from what the host reports. */
export function liveSnapshot(ref: MigrationRef, job: HvMigrationJob | undefined, vm: HvVm | undefined, nowMs: number, cancelRequested: boolean): MigrationSnapshot {
  const id = encodeMigrationId(ref);
  const observedAt = new Date(nowMs).toISOString();
  let phase: MigrationPhase;
  let error: { code: string; message: string } | undefined;
  if (job) {
    phase = jobPhase(job);
    if (phase === "failed") {
      const mapped = toVmshiftError({ origin: "job", jobErrorCode: job.errorCode, message: job.errorDescription ?? `migration job failed with error ${job.errorCode}` }, { operation: "migration.get", subject: id });
      error = { code: mapped.code, message: mapped.reason };
    }
    if (phase === "cancelled") error = { code: "ABORTED", message: cancelRequested ? "cancelled on request" : "the migration job was terminated on the host" };
  } else if (vm && sameHost(hostOf(vm), ref.targetHost)) {
    phase = "completed";
  } else if (cancelRequested) {
    phase = "cancelled";
    error = { code: "ABORTED", message: "cancelled on request" };
  } else {
    phase = "failed";
    error = { code: "MIGRATION_FAILED", message: vm ? `the migration job is gone and the VM is still on ${hostOf(vm)}` : "the migration job and the VM are both gone" };
  }
  const percent = phase === "completed" ? 100 : job && !isTerminalPhase(phase) ? Math.max(0, Math.min(100, job.percentComplete)) : undefined;
  const progress = { phase, observedAt, ...(percent === undefined ? {} : { percent }), ...(error ? { message: error.message } : {}) };
  const base: MigrationSnapshot = { id, vmId: ref.vmId, mode: "live", phase, sourceHostId: ref.sourceHost, targetHostId: ref.targetHost, progress, startedAt: ref.startedAt };
  if (!isTerminalPhase(phase)) return base;
  const here = vm ? hostOf(vm) : undefined;
  const side = here === undefined ? "unknown" : sameHost(here, ref.targetHost) ? "target" : sameHost(here, ref.sourceHost) ? "source" : "unknown";
  const startedMs = Date.parse(ref.startedAt);
  return {
    ...base,
    endedAt: observedAt,
    result: {
      migrationId: id,
      vmId: ref.vmId,
      mode: "live",
      outcome: phase as "completed" | "failed" | "cancelled",
      vmLocation: { ...(here === undefined ? {} : { hostId: side === "target" ? ref.targetHost : side === "source" ? ref.sourceHost : here }), side, powerState: vm ? powerStateOf(vm.state) : "unknown" },
      sourceHostId: ref.sourceHost,
      targetHostId: ref.targetHost,
      ...(Number.isFinite(startedMs) ? { durationMs: Math.max(0, nowMs - startedMs) } : {}),
      ...(error ? { error } : {}),
    },
  };
}

/** Asks the host to cancel (RequestStateChange 4 on the job, or the cluster cmdlet's -Cancel). */
export async function cancelLive(runner: PowerShellRunner, ref: MigrationRef, signal?: AbortSignal): Promise<void> {
  await runner.run(
    SCRIPTS.cancelLive,
    { vmId: ref.vmId, sourceHost: ref.sourceHost, jobId: ref.jobId ?? "", clusterRole: ref.clusterRole ?? "" },
    { operation: "migration.cancel", subject: encodeMigrationId(ref), ...(signal ? { signal } : {}) },
  );
}
