/**
 * The one wait engine: capped, jittered, deadline-aware exponential backoff over an injectable
 * clock. Every poll loop in vmshift (tasks, jobs, cancel follow-ups, transient retries) uses it.
 */
import { type Clock, systemClock, throwIfAborted } from "./clock.ts";
import { VmshiftError, isVmshiftError } from "./errors.ts";

/** Backoff shape. */
export interface BackoffOptions {
  /** First delay, ms. Default 250. */
  readonly initialDelayMs?: number;
  /** Cap on any delay, ms. Default 5000. */
  readonly maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  readonly multiplier?: number;
  /** Fraction of each delay that is random, 0–1. Default 0.2 (delay × [0.8, 1.0]). */
  readonly jitter?: number;
  /** Random source in [0, 1); injectable for exact tests. Default `Math.random`. */
  readonly random?: () => number;
}

/** Delay before retry number `attempt` (0-based), ms. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5000;
  const multiplier = options.multiplier ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  const base = Math.min(max, initial * multiplier ** Math.min(attempt, 60));
  const random = (options.random ?? Math.random)();
  return Math.round(base * (1 - jitter * random));
}

/** Options of {@link pollUntil}. */
export interface PollOptions extends BackoffOptions {
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  /** Give up after this long, ms; the last attempt happens at the deadline, never after it. */
  readonly maxWaitMs?: number;
  /** For error messages, e.g. `migration.wait`. */
  readonly operation?: string;
  readonly subject?: string;
  /** Restart the backoff at `initialDelayMs` when `check` reports progress. */
  readonly resetOn?: () => boolean;
}

/**
 * Calls `check` until it returns a value other than `undefined`, sleeping with backoff between
 * attempts. Throws `TIMEOUT` at the deadline and `ABORTED` when the signal fires; errors from
 * `check` propagate unchanged.
 */
export async function pollUntil<T>(check: (attempt: number) => Promise<T | undefined>, options: PollOptions = {}): Promise<T> {
  const clock = options.clock ?? systemClock;
  const deadline = options.maxWaitMs === undefined ? Infinity : clock.now() + options.maxWaitMs;
  let delayAttempt = 0;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal, options.operation);
    const value = await check(attempt);
    if (value !== undefined) return value;
    if (options.resetOn?.()) delayAttempt = 0;
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new VmshiftError("TIMEOUT", `gave up after ${options.maxWaitMs} ms`, { ...context(options), retryable: true });
    }
    await clock.sleep(Math.min(backoffDelay(delayAttempt++, options), remaining), options.signal);
  }
}

/** Options of {@link withRetry}. */
export interface RetryOptions extends BackoffOptions {
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  /** Attempts after the first. Default 3. */
  readonly retries?: number;
  /** Which errors to retry. Default: `VmshiftError.retryable`. */
  readonly isRetryable?: (error: unknown) => boolean;
  /** Called before each retry (for logging). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `fn`, retrying retryable failures with backoff. Only safe for idempotent calls. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const clock = options.clock ?? systemClock;
  const retries = options.retries ?? 3;
  const isRetryable = options.isRetryable ?? ((e: unknown) => isVmshiftError(e) && e.retryable);
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !isRetryable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(error, attempt + 1, delay);
      await clock.sleep(delay, options.signal);
    }
  }
}

function context(options: PollOptions): { operation?: string; subject?: string } {
  return {
    ...(options.operation === undefined ? {} : { operation: options.operation }),
    ...(options.subject === undefined ? {} : { subject: options.subject }),
  };
}
