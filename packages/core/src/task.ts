/**
 * The migration task handle: `id`, `snapshot()`, `events()`, `wait()`, `cancel()`.
 * One follower per task watches (push) or polls (backoff) the platform while anybody listens;
 * waiting and cancelling are separate: an aborted or timed-out wait leaves the migration running.
 */
import type { HypervisorAdapter, OperationContext } from "./adapter.ts";
import { abortError } from "./clock.ts";
import { VmshiftError, isVmshiftError } from "./errors.ts";
import { type MigrationResult, type MigrationSnapshot, isTerminalPhase } from "./model.ts";
import { type BackoffOptions, backoffDelay, withRetry } from "./wait.ts";

/** Options of {@link MigrationTask.wait}. */
export interface WaitOptions {
  /** Stop waiting after this long, ms, with `TIMEOUT`. The migration keeps running unless `cancelOnTimeout`. */
  readonly maxWaitMs?: number;
  /** Stop waiting (with `ABORTED`) when this fires. Does not cancel the migration. */
  readonly signal?: AbortSignal;
  /** On timeout, cancel the migration (and wait for it to settle) before throwing `TIMEOUT`. Default false. */
  readonly cancelOnTimeout?: boolean;
}

/** Options of {@link MigrationTask.cancel}. */
export interface CancelOptions {
  /** How long to follow the migration to a terminal phase after asking, ms. Default: no limit. */
  readonly maxWaitMs?: number;
  readonly signal?: AbortSignal;
}

/** A handle on one migration. */
export interface MigrationTask {
  /** Pass this to `attachMigration` after a restart. */
  readonly id: string;
  /** The last observed state (no I/O). */
  snapshot(): MigrationSnapshot;
  /** Fetches the current state from the platform. */
  refresh(): Promise<MigrationSnapshot>;
  /**
   * Every observed state, starting with the current one, ending after a terminal one. Each
   * snapshot's `progress` is the progress report. Several consumers may iterate at once.
   */
  events(options?: { readonly signal?: AbortSignal }): AsyncIterable<MigrationSnapshot>;
  /**
   * Resolves with the result when the migration reaches a terminal phase, whatever its outcome
   * (check `result.outcome`). Rejects with `TIMEOUT` or `ABORTED` when the wait ends first.
   */
  wait(options?: WaitOptions): Promise<MigrationResult>;
  /** Asks the platform to cancel and follows to a terminal phase. It may still end `completed` if it won the race. */
  cancel(options?: CancelOptions): Promise<MigrationResult>;
}

/** How a task follows its migration. */
export interface FollowOptions {
  /** Polling backoff (used when the adapter has no watch, or its stream drops). Default 200 ms → 2 s. */
  readonly poll?: BackoffOptions;
  /** Consecutive failed observations before the task gives up with the last error. Default 8. */
  readonly maxConsecutiveErrors?: number;
}

type Listener = (snapshot: MigrationSnapshot | VmshiftError) => void;

/** Wraps whatever an adapter threw into a VmshiftError with context. */
export type ErrorWrapper = (error: unknown, operation: string, subject?: string) => VmshiftError;

/** @internal Built by the client; use `client.startMigration` or `client.attachMigration`. */
export class FollowedMigration implements MigrationTask {
  readonly id: string;
  #latest: MigrationSnapshot;
  #listeners = new Set<Listener>();
  #follower: AbortController | undefined;
  #failure: VmshiftError | undefined;
  readonly #adapter: HypervisorAdapter;
  readonly #ctx: OperationContext;
  readonly #wrap: ErrorWrapper;
  readonly #options: FollowOptions;

  constructor(adapter: HypervisorAdapter, first: MigrationSnapshot, ctx: OperationContext, wrap: ErrorWrapper, options: FollowOptions = {}) {
    this.id = first.id;
    this.#latest = first;
    this.#adapter = adapter;
    this.#ctx = ctx;
    this.#wrap = wrap;
    this.#options = options;
  }

  snapshot(): MigrationSnapshot {
    return this.#latest;
  }

  async refresh(): Promise<MigrationSnapshot> {
    if (isTerminalPhase(this.#latest.phase)) return this.#latest;
    const get = this.#adapter.getMigration;
    if (!get) return this.#latest;
    try {
      this.#update(await get.call(this.#adapter, this.id, this.#ctx));
    } catch (error) {
      throw this.#wrap(error, "migration.get", this.id);
    }
    return this.#latest;
  }

  events(options: { readonly signal?: AbortSignal } = {}): AsyncIterable<MigrationSnapshot> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const queue: (MigrationSnapshot | VmshiftError)[] = [self.#latest];
        let wake: (() => void) | undefined;
        const listener: Listener = (item) => {
          queue.push(item);
          wake?.();
        };
        const onAbort = () => wake?.();
        options.signal?.addEventListener("abort", onAbort);
        self.#subscribe(listener);
        try {
          for (;;) {
            while (queue.length > 0) {
              const item = queue.shift()!;
              if (item instanceof VmshiftError) throw item;
              yield item;
              if (isTerminalPhase(item.phase)) return;
            }
            if (options.signal?.aborted) throw abortError(options.signal, "migration.events");
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        } finally {
          options.signal?.removeEventListener("abort", onAbort);
          self.#unsubscribe(listener);
        }
      },
    };
  }

  async wait(options: WaitOptions = {}): Promise<MigrationResult> {
    const done = this.#result();
    if (done) return done;
    const timeout = new AbortController();
    const signals = [timeout.signal, ...(options.signal ? [options.signal] : [])];
    let listener: Listener | undefined;
    try {
      const result = await new Promise<MigrationResult>((resolve, reject) => {
        if (options.signal?.aborted) return reject(abortError(options.signal, "migration.wait"));
        listener = (item) => {
          if (item instanceof VmshiftError) return reject(item);
          const r = this.#result();
          if (r) resolve(r);
        };
        this.#subscribe(listener);
        const r = this.#result();
        if (r) return resolve(r);
        options.signal?.addEventListener("abort", () => reject(abortError(options.signal, "migration.wait")), { once: true, signal: timeout.signal });
        if (options.maxWaitMs !== undefined) {
          this.#ctx.clock.sleep(options.maxWaitMs, AbortSignal.any(signals)).then(
            () => reject(new TimeoutMarker()),
            () => {},
          );
        }
      });
      return result;
    } catch (error) {
      if (!(error instanceof TimeoutMarker)) throw error;
      if (options.cancelOnTimeout) {
        const result = await this.cancel(options.signal ? { signal: options.signal } : {});
        throw new VmshiftError("TIMEOUT", `migration did not finish within ${options.maxWaitMs} ms; it was cancelled and ended ${result.outcome}`, {
          adapter: this.#adapter.name, operation: "migration.wait", subject: this.id, retryable: false, details: { result },
        });
      }
      throw new VmshiftError("TIMEOUT", `migration did not finish within ${options.maxWaitMs} ms; it is still ${this.#latest.phase} (wait again, or cancel)`, {
        adapter: this.#adapter.name, operation: "migration.wait", subject: this.id, retryable: true,
      });
    } finally {
      timeout.abort();
      if (listener) this.#unsubscribe(listener);
    }
  }

  async cancel(options: CancelOptions = {}): Promise<MigrationResult> {
    const done = this.#result();
    if (done) return done;
    const cancel = this.#adapter.cancelMigration;
    if (!cancel) {
      throw new VmshiftError("NOT_SUPPORTED", "this adapter cannot cancel migrations", { adapter: this.#adapter.name, operation: "migration.cancel", subject: this.id });
    }
    try {
      // Cancel requests are idempotent on every platform (delete, CancelTask, job state change): retry transient failures.
      await withRetry(() => cancel.call(this.#adapter, this.id, options.signal ? { ...this.#ctx, signal: options.signal } : this.#ctx), {
        clock: this.#ctx.clock,
        retries: 3,
        ...(options.signal ? { signal: options.signal } : {}),
        isRetryable: (e) => isVmshiftError(e) && (e.code === "TRANSPORT" || e.code === "RATE_LIMITED"),
      });
    } catch (error) {
      const wrapped = this.#wrap(error, "migration.cancel", this.id);
      // The migration may have ended while we asked: then its result is the answer.
      await this.refresh().catch(() => undefined);
      const after = this.#result();
      if (after) return after;
      throw wrapped;
    }
    return this.wait({ ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }), ...(options.signal ? { signal: options.signal } : {}) });
  }

  #result(): MigrationResult | undefined {
    const s = this.#latest;
    if (!isTerminalPhase(s.phase)) return undefined;
    return s.result ?? synthesizeResult(s);
  }

  #update(snapshot: MigrationSnapshot): void {
    if (isTerminalPhase(this.#latest.phase)) return; // nothing after a terminal phase
    if (sameObservation(this.#latest, snapshot)) return;
    this.#latest = snapshot;
    this.#failure = undefined;
    for (const listener of [...this.#listeners]) listener(snapshot);
    if (isTerminalPhase(snapshot.phase)) this.#stopFollowing();
  }

  #fail(error: VmshiftError): void {
    this.#failure = error;
    for (const listener of [...this.#listeners]) listener(error);
  }

  #subscribe(listener: Listener): void {
    this.#listeners.add(listener);
    if (this.#failure) listener(this.#failure);
    else if (!this.#follower && !isTerminalPhase(this.#latest.phase)) this.#startFollowing();
  }

  #unsubscribe(listener: Listener): void {
    this.#listeners.delete(listener);
    if (this.#listeners.size === 0) this.#stopFollowing();
  }

  #stopFollowing(): void {
    this.#follower?.abort();
    this.#follower = undefined;
  }

  #startFollowing(): void {
    const controller = new AbortController();
    this.#follower = controller;
    void this.#follow(controller.signal);
  }

  async #follow(signal: AbortSignal): Promise<void> {
    const ctx: OperationContext = { ...this.#ctx, signal };
    const poll: BackoffOptions = { initialDelayMs: 200, maxDelayMs: 2000, ...this.#options.poll };
    const maxErrors = this.#options.maxConsecutiveErrors ?? 8;
    let errors = 0;
    let delayAttempt = 0;
    const useWatch = typeof this.#adapter.watchMigration === "function";
    while (!signal.aborted && !isTerminalPhase(this.#latest.phase)) {
      try {
        if (useWatch) {
          for await (const snapshot of this.#adapter.watchMigration!(this.id, ctx)) {
            errors = 0;
            this.#update(snapshot);
            if (signal.aborted || isTerminalPhase(snapshot.phase)) return;
          }
          // Stream ended early: take one fresh look, then reconnect after a short pause.
          if (this.#adapter.getMigration) this.#update(await this.#adapter.getMigration(this.id, ctx));
          if (isTerminalPhase(this.#latest.phase)) return;
          await this.#ctx.clock.sleep(backoffDelay(delayAttempt++, poll), signal);
        } else {
          const before = this.#latest;
          this.#update(await this.#adapter.getMigration!(this.id, ctx));
          errors = 0;
          if (isTerminalPhase(this.#latest.phase)) return;
          if (progressed(before, this.#latest)) delayAttempt = 0;
          await this.#ctx.clock.sleep(backoffDelay(delayAttempt++, poll), signal);
        }
      } catch (error) {
        if (signal.aborted) return;
        const wrapped = this.#wrap(error, "migration.follow", this.id);
        errors++;
        if (!wrapped.retryable || errors > maxErrors) {
          this.#ctx.logger.log("error", "giving up following migration", { migrationId: this.id, error: wrapped.message });
          this.#follower = undefined;
          this.#fail(wrapped);
          return;
        }
        this.#ctx.logger.log("warn", "transient error while following migration; retrying", { migrationId: this.id, error: wrapped.message, attempt: errors });
        try {
          await this.#ctx.clock.sleep(backoffDelay(errors - 1, poll), signal);
        } catch {
          return;
        }
      }
    }
  }
}

class TimeoutMarker extends Error {}

function sameObservation(a: MigrationSnapshot, b: MigrationSnapshot): boolean {
  return a.phase === b.phase && JSON.stringify(a.progress) === JSON.stringify(b.progress);
}

function progressed(a: MigrationSnapshot, b: MigrationSnapshot): boolean {
  return a.phase !== b.phase || a.progress.percent !== b.progress.percent || a.progress.transferredBytes !== b.progress.transferredBytes;
}

/** A result for a terminal snapshot whose adapter left `result` out (a contract gap; location unknown). */
function synthesizeResult(s: MigrationSnapshot): MigrationResult {
  return {
    migrationId: s.id,
    vmId: s.vmId,
    mode: s.mode,
    outcome: s.phase as MigrationResult["outcome"],
    vmLocation: { side: "unknown", powerState: "unknown" },
    ...(s.sourceHostId === undefined ? {} : { sourceHostId: s.sourceHostId }),
    ...(s.targetHostId === undefined ? {} : { targetHostId: s.targetHostId }),
  };
}

