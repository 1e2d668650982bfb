/**
 * The move task: the same handle as a migration task (`id`, `snapshot`, `refresh`, `events`,
 * `wait`, `cancel`), so everything that follows migrations (the CLI's display, scripts) follows
 * moves too. A move runs in this process; on targets that keep a journal (libvirt, KubeVirt), a new
 * process finds it again with `Mover.attach` (journal.ts).
 */
import type { PassReport } from "./warm.ts";
import { type CancelOptions, type MigrationPhase, type MigrationProgress, type MigrationResult, type MigrationSnapshot, type MigrationTask, VmshiftError, type WaitOptions, isTerminalPhase } from "@vmshift/core";

/** Phases of a move, in order (the live migration's names: cutover is `finalizing`). */
export const MOVE_PHASES = ["preparing", "requested", "transferring", "finalizing", "completed"] as const;

/** What a finished move reports beyond a migration result. */
export interface MoveResult extends MigrationResult {
  /**
   * `cold` or `warm`. (`mode` stays a migration mode, `cold`: either way the guest starts anew on
   * the target.)
   */
  readonly moveMode?: "cold" | "warm";
  /** What went wrong without changing the outcome (e.g. a warm move's source cleanup after cutover). */
  readonly warnings?: readonly string[];
  /** Warm moves: every pass (full, delta while the source ran, final after it stopped) with its bytes. */
  readonly passes?: readonly PassReport[];
  /** The VM's id on the target, once it was defined there (absent after a rollback removed it). */
  readonly targetVmId?: string;
  /** Wall time spent copying disk bytes (every disk, one after the other; warm: the sum of the passes), ms. */
  readonly copyDurationMs?: number;
  /** Bytes copied, per disk key. */
  readonly copiedBytes?: Readonly<Record<string, number>>;
  /**
   * Set when this process attached to a move another process started (`Mover.attach`, or a retried
   * start with the same request id): the phase its record on the target said, what was done
   * (`completed`: it had finished or the target already ran; `resume`: a cold copy started again;
   * `rollback`: removed from the target, the source as it was) and why.
   */
  readonly attach?: { readonly recordedPhase: string; readonly action: "completed" | "resume" | "rollback"; readonly why: string };
  /** `removeSource`: whether the source VM was removed after the target ran (false: kept, see `warnings`). */
  readonly sourceRemoved?: boolean;
  /** What removing the source removed and what it kept (e.g. "domain definition, NVRAM …; disks kept: …"). */
  readonly sourceRemovedWhat?: string;
}

/** A move's snapshot: a migration snapshot whose result is a {@link MoveResult}. */
export interface MoveSnapshot extends MigrationSnapshot {
  /** `cold` or `warm`; progress `iteration` is the pass number of a warm move. */
  readonly moveMode?: "cold" | "warm";
  readonly result?: MoveResult;
}

/** A handle on one move. */
export interface MoveTask extends MigrationTask {
  snapshot(): MoveSnapshot;
  wait(options?: WaitOptions): Promise<MoveResult>;
  cancel(options?: CancelOptions): Promise<MoveResult>;
}

type Listener = (s: MoveSnapshot) => void;

/** @internal The state holder the mover drives; callers see it as a {@link MoveTask}. */
export class MoveTaskState implements MoveTask {
  readonly id: string;
  #latest: MoveSnapshot;
  #listeners = new Set<Listener>();
  readonly #cancel: AbortController;

  constructor(first: MoveSnapshot, cancel: AbortController) {
    this.id = first.id;
    this.#latest = first;
    this.#cancel = cancel;
  }

  /** @internal Records a new state and tells every listener. */
  update(phase: MigrationPhase, progress: Omit<MigrationProgress, "phase" | "observedAt"> = {}, result?: MoveResult): void {
    if (isTerminalPhase(this.#latest.phase)) return;
    const now = new Date().toISOString();
    this.#latest = {
      ...this.#latest,
      phase,
      progress: { ...progress, phase, observedAt: now },
      ...(result ? { result, endedAt: now } : {}),
    };
    for (const l of [...this.#listeners]) l(this.#latest);
  }

  snapshot(): MoveSnapshot {
    return this.#latest;
  }

  async refresh(): Promise<MoveSnapshot> {
    return this.#latest;
  }

  events(options: { readonly signal?: AbortSignal } = {}): AsyncIterable<MoveSnapshot> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const queue: MoveSnapshot[] = [self.#latest];
        let wake: (() => void) | undefined;
        const listener: Listener = (s) => {
          queue.push(s);
          wake?.();
        };
        const onAbort = () => wake?.();
        options.signal?.addEventListener("abort", onAbort);
        self.#listeners.add(listener);
        try {
          for (;;) {
            while (queue.length > 0) {
              const s = queue.shift()!;
              yield s;
              if (isTerminalPhase(s.phase)) return;
            }
            if (options.signal?.aborted) throw new VmshiftError("ABORTED", "stopped following the move", { operation: "move.events", subject: self.id });
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
          }
        } finally {
          options.signal?.removeEventListener("abort", onAbort);
          self.#listeners.delete(listener);
        }
      },
    };
  }

  async wait(options: WaitOptions = {}): Promise<MoveResult> {
    const done = this.#latest.result;
    if (done) return done;
    let listener: Listener | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await new Promise<MoveResult>((resolve, reject) => {
        listener = (s) => {
          if (s.result) resolve(s.result);
        };
        this.#listeners.add(listener);
        if (options.signal) {
          onAbort = () => reject(new VmshiftError("ABORTED", "stopped waiting for the move (it goes on)", { operation: "move.wait", subject: this.id }));
          if (options.signal.aborted) return onAbort();
          options.signal.addEventListener("abort", onAbort, { once: true });
        }
        if (options.maxWaitMs !== undefined) {
          timer = setTimeout(() => {
            if (options.cancelOnTimeout) {
              void this.cancel().then((r) => reject(new VmshiftError("TIMEOUT", `move did not finish within ${options.maxWaitMs} ms; it was cancelled and ended ${r.outcome}`, { operation: "move.wait", subject: this.id, details: { result: r } })));
            } else {
              reject(new VmshiftError("TIMEOUT", `move did not finish within ${options.maxWaitMs} ms; it is still ${this.#latest.phase}`, { operation: "move.wait", subject: this.id, retryable: true }));
            }
          }, options.maxWaitMs);
        }
      });
    } finally {
      if (listener) this.#listeners.delete(listener);
      if (timer) clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Asks the move to stop. Before cutover it ends `cancelled`: what was created on the target is
   * removed and the source is as it was (started again if the move had stopped it). Once the
   * cutover began (`finalizing`) it runs to its end; the result says how it ended.
   */
  async cancel(options: CancelOptions = {}): Promise<MoveResult> {
    if (!this.#latest.result && this.#latest.phase !== "finalizing") this.#cancel.abort(new VmshiftError("ABORTED", "move cancelled by the caller", { operation: "move.cancel", subject: this.id }));
    return this.wait({ ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }), ...(options.signal ? { signal: options.signal } : {}) });
  }
}
