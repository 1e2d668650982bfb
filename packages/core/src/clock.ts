/** Time as an injectable dependency: real for users, virtual for fast and exact tests. */
import { VmshiftError } from "./errors.ts";

/** A source of time and a way to wait. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with `ABORTED` as soon as `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The error a sleep rejects with when its signal fires. */
export function abortError(signal: AbortSignal | undefined, operation = "wait"): VmshiftError {
  const reason = signal?.reason;
  if (reason instanceof VmshiftError) return reason;
  return new VmshiftError("ABORTED", reason instanceof Error ? reason.message : "aborted by caller", { operation, cause: reason });
}

/** Throws `ABORTED` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, operation?: string): void {
  if (signal?.aborted) throw abortError(signal, operation);
}

/** Wall-clock time with abortable timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/**
 * Waits `ms` on the system clock or until `signal` fires, whichever comes first, and never rejects:
 * for polling loops that check the signal themselves after each wait (unlike
 * {@link Clock.sleep}, which rejects with `ABORTED`).
 */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return systemClock.sleep(ms, signal).catch(() => undefined);
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** Options of {@link VirtualClock}. */
export interface VirtualClockOptions {
  /** Start time, ms since the epoch. Default 2026-01-01T00:00:00Z. */
  readonly startMs?: number;
  /**
   * When true (default), time jumps to the next timer whenever the process has nothing else to
   * do, so code that sleeps runs at full speed in deterministic order. When false, only
   * {@link VirtualClock.advance} moves time.
   */
  readonly autoAdvance?: boolean;
}

/**
 * A clock whose time moves only when told to (or, with `autoAdvance`, when everything else is
 * idle). Timers fire in time order, ties in the order they were set.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];
  #scheduled = false;
  readonly #auto: boolean;

  constructor(options: VirtualClockOptions = {}) {
    this.#now = options.startMs ?? Date.UTC(2026, 0, 1);
    this.#auto = options.autoAdvance ?? true;
  }

  now(): number {
    return this.#now;
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(abortError(signal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#timers.push(timer);
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.#schedule();
    });
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > until) break;
      this.#timers.shift();
      this.#now = next.at;
      next.resolve();
      await settle();
    }
    this.#now = until;
  }

  #schedule(): void {
    if (!this.#auto || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const next = this.#timers.shift();
      if (!next) return;
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
      if (this.#timers.length > 0) this.#schedule();
    });
  }
}

/** Lets pending promise callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
