/** Live migration (vMotion): RelocateVM_Task, and TaskInfo → vmshift phases and snapshots. */
import { type MigrationPhase, type MigrationSnapshot, type TerminalPhase, type VmLocation, VmshiftError } from "@vmshift/core";
import { faultToError } from "../errors.ts";
import { type MigrationRef, encodeMigrationId } from "../ids.ts";
import type { ServiceContent, VimSession } from "../session.ts";
import { type MoRef, type Xml, el, moref, seq } from "../xml.ts";
import type { HostFacts, VmFacts } from "./placement.ts";
import { type TaskState, readTask, startTask } from "./tasks.ts";

/** TaskInfo → phase: queued → requested, running → transferring (finalizing once no longer cancelable), success → completed. */
export function phaseOfTask(t: TaskState): MigrationPhase {
  switch (t.state) {
    case "queued":
      return "requested";
    case "running":
      return t.cancelable === false && (t.progress ?? 0) > 0 ? "finalizing" : "transferring";
    case "success":
      return "completed";
    case "error":
      return t.cancelled || t.error?.type === "RequestCanceled" ? "cancelled" : "failed";
  }
}

/** Builds a snapshot; `location` is required for terminal phases (where the VM is now). */
export function liveSnapshot(ref: MigrationRef, t: TaskState, observedAt: string, location?: VmLocation): MigrationSnapshot {
  const id = encodeMigrationId(ref);
  const phase = phaseOfTask(t);
  const percent = t.progress === undefined ? undefined : Math.min(100, Math.max(0, t.progress));
  const snapshot: MigrationSnapshot = {
    id,
    vmId: ref.vmId,
    mode: "live",
    phase,
    sourceHostId: ref.sourceHostId,
    targetHostId: ref.targetHostId,
    progress: { phase, ...(percent === undefined ? {} : { percent }), ...(t.message === undefined ? {} : { message: t.message }), observedAt },
    ...(t.startTime === undefined ? {} : { startedAt: t.startTime }),
    ...(t.completeTime === undefined ? {} : { endedAt: t.completeTime }),
  };
  if (phase !== "completed" && phase !== "failed" && phase !== "cancelled") return snapshot;
  const outcome: TerminalPhase = phase;
  const duration = t.startTime && t.completeTime ? Date.parse(t.completeTime) - Date.parse(t.startTime) : undefined;
  const error = t.error && outcome !== "completed" ? faultToError(t.error, { operation: "migration.live", subject: ref.vmId, fallback: "MIGRATION_FAILED" }) : undefined;
  return {
    ...snapshot,
    result: {
      migrationId: id,
      vmId: ref.vmId,
      mode: "live",
      outcome,
      vmLocation: location ?? (outcome === "completed" ? { hostId: ref.targetHostId, side: "target", powerState: "running" } : { side: "unknown", powerState: "unknown" }),
      sourceHostId: ref.sourceHostId,
      targetHostId: ref.targetHostId,
      ...(duration !== undefined && Number.isFinite(duration) && duration >= 0 ? { durationMs: duration } : {}),
      ...(error ? { error: { code: error.code, message: error.reason } } : {}),
    },
  };
}

/** The parts of a RelocateSpec that only a cross-vCenter move has. */
export interface CrossVcenterSpec {
  /** `RelocateSpec.service` (see `peers.ts`). */
  readonly service: Xml;
  /** The VM folder in the destination datacenter. */
  readonly folder: MoRef;
}

/**
 * The RelocateVM_Task parameters for a move of `vm` to `target`. Elements follow the order of
 * `VirtualMachineRelocateSpec`: service, folder, datastore, pool, host.
 */
export function relocateParams(target: MoRef, pool: MoRef | undefined, datastore: string | undefined, priority = "defaultPriority", cross?: CrossVcenterSpec) {
  return seq(
    el("spec", [
      cross?.service,
      cross ? moref("folder", cross.folder) : undefined,
      datastore === undefined ? undefined : moref("datastore", { type: "Datastore", value: datastore }),
      pool ? moref("pool", pool) : undefined,
      moref("host", target),
    ]),
    el("priority", priority),
  );
}

/**
 * Starts a vMotion and returns the task with its first state. A server answer of
 * `TaskInProgress` (another task holds the VM) becomes `CONFLICT`.
 */
export async function startLive(session: VimSession, content: ServiceContent, vm: VmFacts, target: HostFacts, pool: MoRef | undefined, datastore: string | undefined, signal?: AbortSignal, cross?: CrossVcenterSpec): Promise<TaskState> {
  const task = await startTask(session, "RelocateVM_Task", { type: "VirtualMachine", value: vm.id }, relocateParams({ type: "HostSystem", value: target.id }, pool, datastore, "defaultPriority", cross), signal);
  const first = await readTask(session, content, task, signal);
  if (first.state === "error" && first.error?.type === "TaskInProgress") {
    throw new VmshiftError("CONFLICT", `VM ${vm.id} is busy with another task: ${first.error.message}`, { adapter: "vsphere", subject: vm.id, cause: { ...first.error, detail: first.error.detail }, retryable: false });
  }
  return first;
}
