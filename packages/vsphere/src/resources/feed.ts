/**
 * One update stream per session: every live migration this adapter follows is a property filter
 * (`CreateFilter`, `DestroyPropertyFilter` when done) on the session's own PropertyCollector
 * (`ServiceContent.propertyCollector`, which vCenter keeps per session), and a single
 * `WaitForUpdatesEx` loop serves them all, handing each filter's changes to its subscriber. The
 * first wait of a loop (empty version) brings the current state of every filter, so a start needs
 * no separate read of its task. A filter also watches the task's VM (`runtime.host`,
 * `runtime.powerState`): where the VM is at the end comes from the same stream.
 *
 * The loop waits only while someone waits for an update (a pending {@link TaskSubscription.next}):
 * a subscription nobody reads (a migration started and not watched yet, a watch whose waiter gave
 * up) keeps its filter and sends nothing; the next wait with the last version brings what changed
 * meanwhile (vim25: each WaitForUpdatesEx returns the changes since the version it is given;
 * PropertyCollector.WaitForUpdatesEx in the API reference), so following resumes without a new filter or a read. A wait already
 * sent is never abandoned while a filter remains (its request was paid for; its answer is kept for
 * whoever reads next).
 *
 * When the session is renewed (a fresh Login after `NotAuthenticated`), its filters are gone: every
 * subscriber ends with `NOT_FOUND` and follows up by polling, as when the stream breaks.
 */
import { VmshiftError } from "@vmshift/core";
import type { ServiceContent, VimSession } from "../session.ts";
import { type MoRef, el, seq } from "../xml.ts";
import { asArray, moRef, text } from "./decode.ts";
import { oneObject, propertySpec } from "./properties.ts";
import { type TaskState, decodeTaskInfo, isTaskDone } from "./tasks.ts";

/** The VM's place as the stream last saw it. */
export interface VmPlace {
  readonly hostId?: string;
  /** vim power state (`poweredOn`, …). */
  readonly power?: string;
}

/** One update of a followed task: its state and, when known, where its VM is. */
export interface TaskUpdate {
  readonly state: TaskState;
  readonly vm?: VmPlace;
}

const VM_PATHS = ["runtime.host", "runtime.powerState"];

interface Subscriber {
  readonly task: MoRef;
  readonly vm: MoRef | undefined;
  readonly filter: MoRef;
  info: Record<string, unknown>;
  place: { hostId?: string; power?: string } | undefined;
  readonly queue: TaskUpdate[];
  /** True once the task is done or the subscriber failed: the loop no longer waits for it. */
  ended: boolean;
  /** Pending {@link TaskSubscription.next} calls: the loop waits only while one is pending. */
  waiting: number;
  error?: unknown;
  wake?: (() => void) | undefined;
}

/** A subscription to one task's updates; {@link TaskSubscription.close} destroys its filter. */
export interface TaskSubscription {
  /** The next update; undefined once the task's terminal state was delivered. Rejects when the stream broke. */
  next(signal?: AbortSignal): Promise<TaskUpdate | undefined>;
  /** Destroys the filter (once; the answer is not awaited by callers that do not need it). */
  close(): Promise<void>;
  /** True once the terminal state was delivered, the stream failed or the subscription closed: it cannot be resumed. */
  readonly ended: boolean;
}

/** The update loop of one session. */
export class TaskFeed {
  readonly #session: VimSession;
  readonly #content: () => Promise<ServiceContent>;
  readonly #waitSeconds: number;
  readonly #subs = new Map<string, Subscriber>();
  #version = "";
  #generation = -1;
  #loop: Promise<void> | undefined;
  /** The ServiceContent the subscriptions were made with (the loop's collector). */
  #content0: ServiceContent | undefined;
  #pending: AbortController | undefined;
  /** Filters being created: an update can name one before its CreateFilter answer is read. */
  #creating = 0;
  /** Updates of filters not registered yet (while {@link TaskFeed.#creating} > 0), by filter. */
  readonly #orphans = new Map<string, unknown[]>();

  constructor(session: VimSession, content: () => Promise<ServiceContent>, waitSeconds = 30) {
    this.#session = session;
    this.#content = content;
    this.#waitSeconds = Math.max(1, Math.round(waitSeconds));
  }

  /** Creates the filter for `task` (and its VM, when given) and joins the loop. */
  async subscribe(task: MoRef, vm: MoRef | undefined, signal?: AbortSignal): Promise<TaskSubscription> {
    const content = await this.#content();
    const generation = this.#session.generation;
    const objects = vm ? [oneObject(task), oneObject(vm)] : [oneObject(task)];
    const props = vm ? [propertySpec("Task", ["info"]), propertySpec("VirtualMachine", VM_PATHS)] : [propertySpec("Task", ["info"])];
    this.#creating++;
    let filter: MoRef | undefined;
    try {
      filter = moRef(
        await this.#session.call("CreateFilter", content.propertyCollector, seq(el("spec", [...props, ...objects]), el("partialUpdates", false)), signal ? { signal } : {}),
      );
    } finally {
      if (!filter) this.#created();
    }
    if (!filter) throw new VmshiftError("INTERNAL", "CreateFilter returned no filter", { adapter: "vsphere" });
    if (generation !== this.#session.generation || this.#generation !== this.#session.generation) {
      // A new session: the versions of the old one mean nothing here.
      this.#version = "";
      this.#generation = this.#session.generation;
    }
    const sub: Subscriber = { task, vm, filter, info: {}, place: undefined, queue: [], ended: false, waiting: 0 };
    this.#subs.set(filter.value, sub);
    // A wait in flight may have brought this filter's first state before CreateFilter answered.
    const early = this.#orphans.get(filter.value);
    this.#orphans.delete(filter.value);
    if (early) this.#dispatch(early);
    this.#created();
    this.#content0 = content;
    let closed: Promise<void> | undefined;
    return {
      next: (s) => this.#next(sub, s),
      get ended() {
        return sub.ended && sub.queue.length === 0;
      },
      close: () =>
        (closed ??= (async () => {
          this.#subs.delete(filter.value);
          sub.ended = true;
          sub.wake?.();
          // No filter left to wait for: the pending wait would only run out its maxWaitSeconds.
          if (this.#active() === 0) this.#pending?.abort();
          // The filter died with its session when the session was renewed.
          if (generation !== this.#session.generation) return;
          await this.#session.call("DestroyPropertyFilter", filter, seq()).then(
            () => undefined,
            () => undefined,
          );
        })()),
    };
  }

  /** Ends the loop (the adapter closes). */
  stop(): void {
    for (const sub of this.#subs.values()) this.#fail(sub, new VmshiftError("ABORTED", "the vSphere adapter was closed", { adapter: "vsphere" }));
    this.#pending?.abort();
  }

  #created(): void {
    this.#creating--;
    if (this.#creating === 0) this.#orphans.clear();
  }

  /**
   * Starts the loop once the current turn of the event loop is over: a reader that leaves at once
   * (a follower stopped as soon as it started, because the state it wanted was already known)
   * costs no wait.
   */
  #kick(): void {
    if (this.#kicked || this.#loop) return;
    this.#kicked = true;
    setImmediate(() => {
      this.#kicked = false;
      this.#start();
    });
  }

  #kicked = false;

  #start(): void {
    const content = this.#content0;
    if (!content || this.#loop || !this.#wanted()) return;
    this.#loop = this.#run(content).finally(() => {
      this.#loop = undefined;
      // A waiter that came while the last wait was finishing starts the next loop.
      this.#start();
    });
  }

  #active(): number {
    let n = 0;
    for (const s of this.#subs.values()) if (!s.ended) n++;
    return n;
  }

  /** Whether someone waits for an update nobody has brought yet. */
  #wanted(): boolean {
    for (const s of this.#subs.values()) if (!s.ended && s.waiting > 0 && s.queue.length === 0) return true;
    return false;
  }

  async #next(sub: Subscriber, signal?: AbortSignal): Promise<TaskUpdate | undefined> {
    for (;;) {
      const update = sub.queue.shift();
      if (update) return update;
      if (sub.error !== undefined) throw sub.error;
      if (sub.ended) return undefined;
      if (signal?.aborted) throw new VmshiftError("ABORTED", "aborted", { adapter: "vsphere" });
      sub.waiting++;
      try {
        await new Promise<void>((resolve) => {
          const done = () => {
            signal?.removeEventListener("abort", done);
            sub.wake = undefined;
            resolve();
          };
          sub.wake = done;
          signal?.addEventListener("abort", done, { once: true });
          this.#kick();
        });
      } finally {
        sub.waiting--;
      }
    }
  }

  #fail(sub: Subscriber, error: unknown): void {
    sub.ended = true;
    sub.error = error;
    sub.wake?.();
  }

  async #run(content: ServiceContent): Promise<void> {
    while (this.#wanted()) {
      const generation = this.#session.generation;
      const pending = new AbortController();
      this.#pending = pending;
      let update: { version?: unknown; filterSet?: unknown } | undefined;
      try {
        update = (await this.#session.call(
          "WaitForUpdatesEx",
          content.propertyCollector,
          seq(el("version", this.#version), el("options", el("maxWaitSeconds", this.#waitSeconds))),
          // The filters die with the session: after a new Login the wait is not repeated (NOT_FOUND).
          { signal: pending.signal, timeoutMs: (this.#waitSeconds + 30) * 1000, sessionBound: true },
        )) as typeof update;
        if (generation !== this.#session.generation) throw new VmshiftError("NOT_FOUND", "the vSphere session was renewed; its property filters are gone", { adapter: "vsphere" });
      } catch (error) {
        // An abandoned wait may have taken updates with it: the next wait asks for everything.
        this.#version = "";
        if (pending.signal.aborted) continue; // the last subscriber left (or the adapter closed)
        for (const sub of this.#subs.values()) if (!sub.ended) this.#fail(sub, error);
        return;
      } finally {
        if (this.#pending === pending) this.#pending = undefined;
      }
      if (!update) continue; // maxWaitSeconds passed without a change
      this.#version = text(update.version) ?? this.#version;
      this.#dispatch(update.filterSet);
    }
  }

  #dispatch(filterSet: unknown): void {
    for (const f of asArray<{ filter?: unknown; objectSet?: unknown }>(filterSet)) {
      const key = moRef(f.filter)?.value ?? "";
      const sub = this.#subs.get(key);
      if (!sub && this.#creating > 0) {
        this.#orphans.set(key, [...(this.#orphans.get(key) ?? []), f]);
        continue;
      }
      if (!sub || sub.ended) continue;
      let changed = false;
      for (const object of asArray<{ obj?: unknown; kind?: unknown; changeSet?: unknown }>(f.objectSet)) {
        const obj = moRef(object.obj);
        const isVm = obj?.type === "VirtualMachine";
        if (text(object.kind) === "leave") {
          if (isVm) {
            // The VM left this vCenter (a cross-vCenter move) or was deleted: its place is unknown here.
            sub.place = {};
            changed = true;
            continue;
          }
          this.#fail(sub, new VmshiftError("NOT_FOUND", `task ${sub.task.value} disappeared`, { adapter: "vsphere", subject: sub.task.value }));
          break;
        }
        for (const change of asArray<{ name?: unknown; op?: unknown; val?: unknown }>(object.changeSet)) {
          const name = text(change.name) ?? "";
          const val = text(change.op) === "remove" ? undefined : change.val;
          if (isVm) {
            const place = { ...(sub.place ?? {}) };
            if (name === "runtime.host") {
              const host = moRef(val)?.value;
              if (host === undefined) delete place.hostId;
              else place.hostId = host;
            } else if (name === "runtime.powerState") {
              const power = text(val);
              if (power === undefined) delete place.power;
              else place.power = power;
            }
            sub.place = place;
          } else if (name === "info") sub.info = { ...((val ?? {}) as Record<string, unknown>) };
          else if (name.startsWith("info.")) sub.info = { ...sub.info, [name.slice(5)]: val };
          changed = true;
        }
      }
      if (sub.ended || !changed || sub.info["state"] === undefined) {
        sub.wake?.();
        continue;
      }
      const state = decodeTaskInfo(sub.task, sub.info);
      // Each update is the whole state seen so far: an unread one is superseded, not queued behind.
      sub.queue.length = 0;
      sub.queue.push({ state, ...(sub.place ? { vm: { ...sub.place } } : {}) });
      if (isTaskDone(state)) sub.ended = true;
      sub.wake?.();
    }
  }
}
