/**
 * vim Tasks: read `info`, follow it by push (a private PropertyCollector, a filter on the task's
 * `info`, `WaitForUpdatesEx` with a version loop), cancel it. Polling is left to the caller as
 * the fallback when the push stream fails.
 */
import { VmshiftError, isVmshiftError } from "@vmshift/core";
import type { VimFault } from "../errors.ts";
import type { ServiceContent, VimSession } from "../session.ts";
import { type MoRef, el, seq } from "../xml.ts";
import { asArray, bool, moRef, num, text, xsiType } from "./decode.ts";
import { oneObject, propertySpec, readObject } from "./properties.ts";

/** `TaskInfo`, as much of it as vmshift uses. */
export interface TaskState {
  readonly task: MoRef;
  readonly state: "queued" | "running" | "success" | "error";
  /** 0–100 when the server reports it. */
  readonly progress?: number;
  readonly cancelable?: boolean;
  readonly cancelled?: boolean;
  readonly error?: VimFault;
  /** `description.message`: what the task is doing now. */
  readonly message?: string;
  readonly startTime?: string;
  readonly completeTime?: string;
  /** The VM (or other entity) the task works on. */
  readonly entity?: MoRef;
  /** What the task does, e.g. `VirtualMachine.relocate`. */
  readonly descriptionId?: string;
  /** `info.result` as decoded (e.g. `ArrayOfCheckResult`). */
  readonly result?: unknown;
}

/** True once the task has succeeded or failed. */
export function isTaskDone(t: TaskState): boolean {
  return t.state === "success" || t.state === "error";
}

const STATES = new Set(["queued", "running", "success", "error"]);

/** Decodes a `TaskInfo` value (or the merged `info.*` changes of an update). */
export function decodeTaskInfo(task: MoRef, value: unknown): TaskState {
  const v = (value ?? {}) as Record<string, unknown>;
  const state = text(v["state"]) ?? "queued";
  if (!STATES.has(state)) throw new VmshiftError("INTERNAL", `task ${task.value} has unknown state ${state}`, { adapter: "vsphere" });
  const err = v["error"] as { fault?: unknown; localizedMessage?: unknown } | undefined;
  const description = v["description"] as { message?: unknown } | undefined;
  const progress = num(v["progress"]);
  const cancelable = bool(v["cancelable"]);
  const cancelled = bool(v["cancelled"]);
  const message = text(description?.message);
  const startTime = text(v["startTime"]);
  const completeTime = text(v["completeTime"]);
  const entity = moRef(v["entity"]);
  const descriptionId = text(v["descriptionId"]);
  const error: VimFault | undefined =
    err && typeof err === "object" && err.fault !== undefined
      ? { type: xsiType(err.fault) ?? "SystemError", message: text(err.localizedMessage) ?? "", detail: err.fault }
      : undefined;
  return {
    task,
    state: state as TaskState["state"],
    ...(progress === undefined ? {} : { progress }),
    ...(cancelable === undefined ? {} : { cancelable }),
    ...(cancelled === undefined ? {} : { cancelled }),
    ...(error ? { error } : {}),
    ...(message === undefined ? {} : { message }),
    ...(startTime === undefined ? {} : { startTime }),
    ...(completeTime === undefined ? {} : { completeTime }),
    ...(entity ? { entity } : {}),
    ...(descriptionId === undefined ? {} : { descriptionId }),
    ...(v["result"] === undefined || v["result"] === null ? {} : { result: v["result"] }),
  };
}

/** Reads a task's `info` once; `NOT_FOUND` when the server no longer knows the task. */
export async function readTask(session: VimSession, content: ServiceContent, task: MoRef, signal?: AbortSignal): Promise<TaskState> {
  const props = await readObject(session, content, task, ["info"], signal ? { signal } : {});
  return decodeTaskInfo(task, props["info"]);
}

/** Options of {@link watchTask}. */
export interface WatchTaskOptions {
  readonly signal?: AbortSignal;
  /** `maxWaitSeconds` of each WaitForUpdatesEx. Default 30. */
  readonly maxWaitSeconds?: number;
}

/**
 * Yields the task's state on every change pushed by the server, starting with the current one,
 * ending after a terminal state. The private collector is destroyed however the loop ends.
 */
export async function* watchTask(session: VimSession, content: ServiceContent, task: MoRef, options: WatchTaskOptions = {}): AsyncGenerator<TaskState> {
  const call = options.signal ? { signal: options.signal } : {};
  const collector = moRef(await session.call("CreatePropertyCollector", content.propertyCollector, seq(), call));
  if (!collector) throw new VmshiftError("INTERNAL", "CreatePropertyCollector returned no collector", { adapter: "vsphere" });
  try {
    await session.call(
      "CreateFilter",
      collector,
      seq(el("spec", [propertySpec("Task", ["info"]), oneObject(task)]), el("partialUpdates", false)),
      call,
    );
    let version = "";
    let info: Record<string, unknown> = {};
    const wait = Math.max(1, Math.round(options.maxWaitSeconds ?? 30));
    for (;;) {
      const update = (await session.call(
        "WaitForUpdatesEx",
        collector,
        seq(el("version", version), el("options", el("maxWaitSeconds", wait))),
        { ...call, timeoutMs: (wait + 30) * 1000 },
      )) as { version?: unknown; filterSet?: unknown } | undefined;
      if (!update) continue; // maxWaitSeconds passed without a change
      version = text(update.version) ?? version;
      let changed = false;
      for (const filter of asArray<{ objectSet?: unknown }>(update.filterSet)) {
        for (const object of asArray<{ kind?: unknown; changeSet?: unknown }>(filter.objectSet)) {
          if (text(object.kind) === "leave") throw new VmshiftError("NOT_FOUND", `task ${task.value} disappeared`, { adapter: "vsphere", subject: task.value });
          for (const change of asArray<{ name?: unknown; op?: unknown; val?: unknown }>(object.changeSet)) {
            const name = text(change.name) ?? "";
            const val = text(change.op) === "remove" ? undefined : change.val;
            if (name === "info") info = { ...((val ?? {}) as Record<string, unknown>) };
            else if (name.startsWith("info.")) info = { ...info, [name.slice(5)]: val };
            changed = true;
          }
        }
      }
      if (!changed) continue;
      const state = decodeTaskInfo(task, info);
      yield state;
      if (isTaskDone(state)) return;
    }
  } finally {
    // Cleanup outlives the caller's signal: a fresh call without it.
    session.call("DestroyPropertyCollector", collector, seq()).catch(() => undefined);
  }
}

/** Follows a task to its end (push), returning the final state. */
export async function waitTask(session: VimSession, content: ServiceContent, task: MoRef, signal?: AbortSignal): Promise<TaskState> {
  let last: TaskState | undefined;
  for await (const state of watchTask(session, content, task, signal ? { signal } : {})) last = state;
  if (!last) throw new VmshiftError("INTERNAL", `task ${task.value} ended without a state`, { adapter: "vsphere" });
  return last;
}

/** CancelTask. Faults pass through: InvalidState (already done), NotSupported (not cancelable). */
export async function cancelTask(session: VimSession, task: MoRef, signal?: AbortSignal): Promise<void> {
  await session.call("CancelTask", task, seq(), signal ? { signal } : {});
}

/** Starts a `*_Task` method and returns the task moref. */
export async function startTask(session: VimSession, method: "RelocateVM_Task" | "PowerOffVM_Task" | "PowerOnVM_Task" | "CheckRelocate_Task", self: MoRef, params = seq(), signal?: AbortSignal): Promise<MoRef> {
  const ref = moRef(await session.call(method, self, params, signal ? { signal } : {}));
  if (!ref) throw new VmshiftError("INTERNAL", `${method} returned no task`, { adapter: "vsphere" });
  return ref;
}

/** True for errors that mean the object (task, collector) is gone. */
export function isGone(error: unknown): boolean {
  return isVmshiftError(error, "NOT_FOUND");
}

