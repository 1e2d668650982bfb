/** Live migration (vMotion): RelocateVM_Task, and TaskInfo → vmshift phases and snapshots. */
import { type MigrationPhase, type MigrationSnapshot, type TerminalPhase, type VmLocation, VmshiftError, isVmshiftError } from "@vmshift/core";
import { faultToError } from "../errors.ts";
import { type MigrationRef, encodeMigrationId } from "../ids.ts";
import type { VimSession } from "../session.ts";
import { type MoRef, type Xml, el, moref, seq } from "../xml.ts";
import type { HostFacts, VmFacts } from "./placement.ts";
import type { TaskFeed, TaskSubscription, VmPlace } from "./feed.ts";
import { type TaskState, decodeTaskInfo, isTaskDone, startTask } from "./tasks.ts";
import type { ServiceContent } from "../session.ts";
import type { VimFault } from "../errors.ts";
import { moRef, text } from "./decode.ts";
import { oneObject, propertySpec, readObject, retrieve } from "./properties.ts";

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
      // Where the VM is comes from the VM (callers read it); never assumed from the migration id.
      vmLocation: location ?? { side: "unknown", powerState: "unknown" },
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

/** A started vMotion: the task's first state (from the feed's first wait), the VM's place, the open subscription. */
export interface StartedLive {
  readonly state: TaskState;
  readonly vm?: VmPlace;
  /** Still open (the watch that follows continues on it) unless the first state was terminal. */
  readonly subscription: TaskSubscription;
}

/**
 * Follows `task` through the session's feed and waits for its first state. `TaskInProgress`
 * (another task holds the VM) becomes `CONFLICT`; a terminal first state closes the filter.
 */
export async function followStarted(feed: TaskFeed, task: MoRef, vmId: string, signal?: AbortSignal): Promise<StartedLive> {
  const subscription = await feed.subscribe(task, { type: "VirtualMachine", value: vmId }, signal);
  let first;
  try {
    first = await subscription.next(signal);
  } catch (error) {
    void subscription.close();
    throw error;
  }
  if (!first) {
    void subscription.close();
    throw new VmshiftError("INTERNAL", `task ${task.value} ended without a state`, { adapter: "vsphere" });
  }
  if (isTaskDone(first.state)) void subscription.close();
  if (first.state.state === "error" && first.state.error?.type === "TaskInProgress") {
    throw new VmshiftError("CONFLICT", `VM ${vmId} is busy with another task: ${first.state.error.message}`, { adapter: "vsphere", subject: vmId, cause: { ...first.state.error, detail: first.state.error.detail }, retryable: false });
  }
  return { state: first.state, ...(first.vm ? { vm: first.vm } : {}), subscription };
}

/**
 * Starts a vMotion (RelocateVM_Task) and follows it: the first state comes from the feed's first
 * `WaitForUpdatesEx`, not from a read of the task.
 */
export async function startLive(session: VimSession, feed: TaskFeed, vm: VmFacts, target: HostFacts, pool: MoRef | undefined, datastore: string | undefined, signal?: AbortSignal, cross?: CrossVcenterSpec): Promise<StartedLive> {
  const task = await startTask(session, "RelocateVM_Task", { type: "VirtualMachine", value: vm.id }, relocateParams({ type: "HostSystem", value: target.id }, pool, datastore, "defaultPriority", cross), signal);
  return followStarted(feed, task, vm.id, signal);
}

/** Where the VM is, for a snapshot's `vmLocation`, from its place and the migration's hosts. */
export function locationOf(ref: MigrationRef, place: VmPlace): VmLocation {
  const side = place.hostId === ref.sourceHostId ? "source" : place.hostId === ref.targetHostId ? "target" : "unknown";
  return { ...(place.hostId === undefined ? {} : { hostId: place.hostId }), side, powerState: powerOf(place.power) };
}

/** vim power state → vmshift's. */
export function powerOf(power: string | undefined): VmLocation["powerState"] {
  switch (power) {
    case "poweredOn":
      return "running";
    case "poweredOff":
      return "stopped";
    case "suspended":
      return "suspended";
    default:
      return "unknown";
  }
}

/**
 * Reads a task's `info` and its VM's host and power state in one RetrievePropertiesEx (two object
 * specs). `NOT_FOUND` when the task is gone; a VM that is gone leaves `vm` undefined.
 */
export async function readTaskAndVm(session: VimSession, content: ServiceContent, task: MoRef, vmId: string, signal?: AbortSignal): Promise<{ state: TaskState; vm?: VmPlace }> {
  const vm: MoRef = { type: "VirtualMachine", value: vmId };
  const options = signal ? { signal } : {};
  let objects;
  try {
    objects = (await retrieve(session, content, seq(propertySpec("Task", ["info"]), propertySpec("VirtualMachine", ["runtime.host", "runtime.powerState"]), oneObject(task), oneObject(vm)), 0, options)).objects;
  } catch (error) {
    const missing = isVmshiftError(error, "NOT_FOUND") ? moRef(((error.cause as VimFault | undefined)?.detail as Record<string, unknown> | undefined)?.["obj"]) : undefined;
    if (missing?.type !== "VirtualMachine") throw error;
    return { state: decodeTaskInfo(task, (await readObject(session, content, task, ["info"], options))["info"]) };
  }
  const t = objects.find((o) => o.ref.type === "Task" && o.ref.value === task.value);
  if (!t) throw new VmshiftError("NOT_FOUND", `no Task ${task.value}`, { adapter: "vsphere", subject: task.value });
  const state = decodeTaskInfo(task, t.props["info"]);
  const v = objects.find((o) => o.ref.type === "VirtualMachine" && o.ref.value === vmId);
  if (!v) return { state };
  const hostId = moRef(v.props["runtime.host"])?.value;
  const power = text(v.props["runtime.powerState"]);
  return { state, vm: { ...(hostId === undefined ? {} : { hostId }), ...(power === undefined ? {} : { power }) } };
}
