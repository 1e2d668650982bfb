/**
 * The asynchronous task engine of the Prism-like server. Tasks move QUEUED → RUNNING
 * (`progressPercentage` grows with time) → SUCCEEDED / FAILED / CANCELED. State is computed
 * lazily: `tick(now)` settles every task up to `now` and is called before each request, so no
 * timers run in the background and tests can drive time.
 */

/** How a task behaves. */
export interface TaskSpec {
  readonly operation: string;
  readonly operationDescription: string;
  readonly vmExtId: string;
  readonly hostExtId?: string;
  readonly clusterExtId: string;
  /** Further entities the task reports (e.g. the image it creates, rel `vmm:content:image`); read when the task is shown. */
  readonly entities?: () => readonly { readonly extId: string; readonly rel: string }[];
  /** Time in QUEUED, ms. */
  readonly queuedMs: number;
  /** Time in RUNNING, ms. */
  readonly runMs: number;
  /** Cancelable while RUNNING below this percent (undefined: never). */
  readonly cancelableBelowPercent?: number;
  /** Fail when progress reaches this percent (fault injection). */
  readonly failAtPercent?: number;
  readonly failMessage?: string;
  /** Never completes on its own (a guest that ignores ACPI shutdown). */
  readonly hangs?: boolean;
  /** Checked when the task starts running; a string fails the task with that message. */
  readonly onStart?: () => string | undefined;
  /** Applies the effect at completion; a string fails the task instead. */
  readonly onSuccess: () => string | undefined;
  /** Runs when the task ends without success (releases the VM). */
  readonly onEnd?: () => void;
}

/** A task as the server holds it. */
export interface SimTask {
  readonly extId: string;
  readonly spec: TaskSpec;
  readonly createdAt: number;
  status: "QUEUED" | "RUNNING" | "CANCELING" | "SUCCEEDED" | "FAILED" | "CANCELED";
  progress: number;
  startedAt?: number;
  completedAt?: number;
  lastUpdatedAt: number;
  cancelRequestedAt?: number;
  error?: { code: string; message: string };
}

/** Settles tasks over time. */
export class TaskEngine {
  readonly tasks = new Map<string, SimTask>();
  #n = 0;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Creates a QUEUED task; its extId has Prism's `base64(service):uuid` form. */
  create(spec: TaskSpec): SimTask {
    this.#n++;
    const uuid = `7a5c0000-0000-4000-8000-${this.#n.toString(16).padStart(12, "0")}`;
    const now = this.#now();
    const task: SimTask = { extId: `ZXJnb24=:${uuid}`, spec, createdAt: now, status: "QUEUED", progress: 0, lastUpdatedAt: now };
    this.tasks.set(task.extId, task);
    return task;
  }

  /** Asks to cancel; returns false when the task is not cancelable now. */
  cancel(task: SimTask): boolean {
    this.tick();
    if (task.status === "CANCELING" || task.status === "CANCELED") return true;
    if (!this.isCancelable(task)) return false;
    task.status = "CANCELING";
    task.cancelRequestedAt = this.#now();
    return true;
  }

  /** `isCancelable` as reported. */
  isCancelable(task: SimTask): boolean {
    const below = task.spec.cancelableBelowPercent;
    return (task.status === "RUNNING" || task.status === "QUEUED") && below !== undefined && task.progress < below;
  }

  /** Settles every task up to now. */
  tick(): void {
    const now = this.#now();
    for (const task of this.tasks.values()) this.#settle(task, now);
  }

  #settle(task: SimTask, now: number): void {
    if (task.status === "SUCCEEDED" || task.status === "FAILED" || task.status === "CANCELED") return;
    const startAt = task.createdAt + task.spec.queuedMs;
    if (task.status === "CANCELING") {
      if (now >= (task.cancelRequestedAt ?? now) + 100) this.#end(task, "CANCELED", now);
      return;
    }
    if (now < startAt) return;
    if (task.status === "QUEUED") {
      task.status = "RUNNING";
      task.startedAt = startAt;
      task.lastUpdatedAt = startAt;
      const refusal = task.spec.onStart?.();
      if (refusal !== undefined) return this.#fail(task, refusal, startAt);
    }
    const endAt = startAt + task.spec.runMs;
    const progress = task.spec.runMs <= 0 ? 100 : Math.floor(((now - startAt) / task.spec.runMs) * 100);
    if (task.spec.failAtPercent !== undefined && progress >= task.spec.failAtPercent) {
      task.progress = task.spec.failAtPercent;
      return this.#fail(task, task.spec.failMessage ?? "injected failure", Math.min(now, startAt + (task.spec.runMs * task.spec.failAtPercent) / 100));
    }
    if (now < endAt || task.spec.hangs) {
      const next = Math.min(99, Math.max(task.progress, progress));
      if (next !== task.progress) task.lastUpdatedAt = now;
      task.progress = next;
      return;
    }
    const failure = task.spec.onSuccess();
    if (failure !== undefined) return this.#fail(task, failure, endAt);
    task.progress = 100;
    this.#end(task, "SUCCEEDED", endAt);
  }

  #fail(task: SimTask, message: string, at: number): void {
    task.error = { code: "VMM-30000", message };
    this.#end(task, "FAILED", at);
  }

  #end(task: SimTask, status: "SUCCEEDED" | "FAILED" | "CANCELED", at: number): void {
    task.status = status;
    task.completedAt = at;
    task.lastUpdatedAt = at;
    if (status !== "SUCCEEDED") task.spec.onEnd?.();
  }

  /** The task in wire form (`prism.v4.config.Task`). */
  toWire(task: SimTask, hostName?: (id: string) => string | undefined): Record<string, unknown> {
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    const entities: Record<string, unknown>[] = [{ extId: task.spec.vmExtId, rel: "vmm:ahv:config:vm", $objectType: "prism.v4.config.EntityReference" }];
    for (const e of task.spec.entities?.() ?? []) entities.push({ extId: e.extId, rel: e.rel, $objectType: "prism.v4.config.EntityReference" });
    if (task.spec.hostExtId) entities.push({ extId: task.spec.hostExtId, name: hostName?.(task.spec.hostExtId), rel: "clustermgmt:config:host", $objectType: "prism.v4.config.EntityReference" });
    return strip({
      $objectType: "prism.v4.config.Task",
      extId: task.extId,
      operation: task.spec.operation,
      operationDescription: task.spec.operationDescription,
      status: task.status,
      progressPercentage: task.progress,
      createdTime: iso(task.createdAt),
      startedTime: iso(task.startedAt),
      completedTime: iso(task.completedAt),
      lastUpdatedTime: iso(task.lastUpdatedAt),
      isCancelable: this.isCancelable(task),
      isBackgroundTask: false,
      entitiesAffected: entities,
      numberOfEntitiesAffected: entities.length,
      numberOfSubtasks: 0,
      clusterExtIds: [task.spec.clusterExtId],
      errorMessages: task.error ? [{ $objectType: "prism.v4.error.AppMessage", code: task.error.code, message: task.error.message, severity: "ERROR", locale: "en_US" }] : undefined,
    });
  }
}

function strip(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
