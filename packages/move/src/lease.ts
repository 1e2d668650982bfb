/**
 * Who runs a move, and for how long that holds. The record a move keeps on its target (journal.ts)
 * names its owner — a random id, the host name and pid of the process — and a heartbeat the
 * running move refreshes every `heartbeatMs` (one journal write each). Another process counts the
 * owner as gone `leaseMs` after the last heartbeat; until then an attach or a retried start there
 * is refused with `CONFLICT` naming the owner and when its lease ends, and changes nothing. `force`
 * takes over anyway (dangerous: if the owner still runs, two processes write one target).
 *
 * Every write after a move's first is conditional (the journal's `replace`): of two processes
 * taking over at once at most one is told it won, and an owner whose record now names someone else
 * has lost the move: it stops (its `signal` aborts) without touching the target.
 *
 * Self-fencing: an owner that cannot renew its lease (the journal is unreachable, or a heartbeat
 * hangs) must stop before another process may legally attach without `force`. The lease keeps the
 * heartbeat stamp of its last successful write (`lastRenewedAt`); when `leaseMs − margin` have
 * passed since then without a renewal, it fences itself: the run aborts as lost (`CONFLICT`, no
 * cleanup — the target and the source are left for an attach to resume or roll back), `margin`
 * before its lease ends in the record. `margin` is one heartbeat (`heartbeatMs`), or half of
 * `leaseMs − heartbeatMs` when that is less (a lease of under three heartbeats), so that the beat
 * after a renewal always has time to land; it also absorbs that much clock skew between the
 * owner's host and the attacher's. Each heartbeat is bounded by its own timeout (the fence time
 * less one heartbeat, at least one heartbeat), whether or not the journal honours the abort signal, so a
 * hung call never stops later beats.
 */
import { hostname } from "node:os";
import { VmshiftError, pause } from "@vmshift/core";
import { type MoveJournal, type MoveOwner, type MoveRecord, type ReplaceOutcome, sameWrite } from "./journal.ts";
import type { SpiContext } from "./spi.ts";

/** Default heartbeat cadence, ms. */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** Default lease length, ms (four heartbeats: three may fail before the owner counts as gone). */
export const DEFAULT_LEASE_MS = 20_000;
/** Default wait between a takeover's write and its read-back on journals without compare-and-swap, ms. */
export const DEFAULT_CLAIM_SETTLE_MS = 1_000;

/** Timing of a move's lease (`MoverOptions.lease`). */
export interface LeaseOptions {
  /** How often the running move refreshes its record's heartbeat, ms; one journal write each. Default 5 000. */
  readonly heartbeatMs?: number;
  /** How long after its last heartbeat the owner counts as gone, ms; at least twice `heartbeatMs`. Default 20 000. */
  readonly leaseMs?: number;
  /**
   * A takeover on a journal whose store has no compare-and-swap (libvirt's domain metadata): how
   * long to wait after writing before reading the record back, ms. Default 1 000.
   */
  readonly claimSettleMs?: number;
}

/** The options with defaults, checked: `INVALID_ARGUMENT` when they cannot work. */
export function leaseSettings(options: LeaseOptions = {}): Required<LeaseOptions> {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const leaseMs = options.leaseMs ?? Math.max(DEFAULT_LEASE_MS, 4 * heartbeatMs);
  const claimSettleMs = options.claimSettleMs ?? DEFAULT_CLAIM_SETTLE_MS;
  const bad = (what: string) => new VmshiftError("INVALID_ARGUMENT", what, { adapter: "move", operation: "move.lease" });
  if (!Number.isFinite(heartbeatMs) || heartbeatMs < 10) throw bad(`heartbeatMs must be a number of ms ≥ 10, not ${String(options.heartbeatMs)}`);
  if (!Number.isFinite(leaseMs) || leaseMs < 2 * heartbeatMs) throw bad(`leaseMs (${String(leaseMs)}) must be at least twice heartbeatMs (${heartbeatMs}): one late heartbeat must not end a live owner's lease`);
  if (!Number.isFinite(claimSettleMs) || claimSettleMs < 0) throw bad(`claimSettleMs must be a number of ms ≥ 0, not ${String(options.claimSettleMs)}`);
  return { heartbeatMs, leaseMs, claimSettleMs };
}

/** A new owner: this process, with a random id. */
export function newOwner(): MoveOwner {
  return { id: crypto.randomUUID(), host: hostname(), pid: process.pid };
}

/** When the lease in `record` ends, ms since the epoch; undefined when it names no owner (an older record). */
export function leaseEnd(record: MoveRecord): number | undefined {
  if (!record.owner || record.heartbeatAt === undefined || typeof record.leaseMs !== "number") return undefined;
  const at = Date.parse(record.heartbeatAt);
  return Number.isFinite(at) ? at + record.leaseMs : undefined;
}

/** Whether the owner `record` names still counts as alive at `now`. */
export function isLeaseLive(record: MoveRecord, now = Date.now()): boolean {
  const end = leaseEnd(record);
  return end !== undefined && end > now;
}

/** `host pid N (owner id)`. */
export function describeOwner(owner: MoveOwner): string {
  return `${owner.host} pid ${owner.pid} (owner ${owner.id})`;
}

/** The refusal of an attach or retry while `record`'s lease is live: `CONFLICT` naming the owner and when its lease ends. */
export function liveLeaseError(record: MoveRecord, now = Date.now()): VmshiftError {
  const end = leaseEnd(record) ?? now;
  const endsAt = new Date(end).toISOString();
  return new VmshiftError(
    "CONFLICT",
    `move ${record.moveId} is still run by ${record.owner ? describeOwner(record.owner) : "another process"}: its last heartbeat was at ${record.heartbeatAt} and its lease ends at ${endsAt} (in ${Math.max(1, Math.ceil((end - now) / 1000))} s). Nothing was changed. Attach after that, or take it over with force (--force) only if that process is surely gone: two processes writing one target corrupt it`,
    { adapter: "move", operation: "move.attach", subject: record.moveId, details: { owner: record.owner, heartbeatAt: record.heartbeatAt, leaseEndsAt: endsAt } },
  );
}

/**
 * One run's hold on its move's record: writes it (stamped with this owner and a fresh heartbeat),
 * refreshes it every `heartbeatMs` from the first write until {@link MoveLease.stop} or a release,
 * and notices when another process took the move over.
 */
export class MoveLease {
  /** This run's owner. */
  readonly owner: MoveOwner = newOwner();
  readonly #journal: MoveJournal;
  readonly #settings: Required<LeaseOptions>;
  readonly #lostController = new AbortController();
  /** The last record this owner wrote: what its next write expects to find. */
  #last: MoveRecord | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #beating = false;
  #stopped = false;
  /** When the last successful write was stamped (its `heartbeatAt`), ms since the epoch. */
  #renewedAt: number | undefined;
  #fence: ReturnType<typeof setTimeout> | undefined;
  #lost: VmshiftError | undefined;
  /** Heartbeats written. */
  beats = 0;
  /** Heartbeats that failed (the journal could not be reached); the lease lapses after `leaseMs` of them. */
  failedBeats = 0;

  constructor(journal: MoveJournal, settings: Required<LeaseOptions>) {
    this.#journal = journal;
    this.#settings = settings;
  }

  /** Aborts when another process took the move over. */
  get signal(): AbortSignal {
    return this.#lostController.signal;
  }

  /** Why this run lost its move (`CONFLICT`), once it did. */
  get lost(): VmshiftError | undefined {
    return this.#lost;
  }

  /** The last record this run wrote. */
  get last(): MoveRecord | undefined {
    return this.#last;
  }

  /** The heartbeat stamp of this run's last successful write (ISO 8601); undefined before the first. */
  get lastRenewedAt(): string | undefined {
    return this.#renewedAt === undefined ? undefined : new Date(this.#renewedAt).toISOString();
  }

  /**
   * How long one heartbeat may take before it is given up, ms: the fence time less one heartbeat,
   * at least `heartbeatMs` (a slow journal may still renew in time; a hung one frees the queue).
   */
  get beatTimeoutMs(): number {
    return Math.max(this.#settings.heartbeatMs, Math.floor(this.fenceAfterMs - this.#settings.heartbeatMs));
  }

  /** How long after its last renewal this run fences itself, ms: `leaseMs − min(heartbeatMs, (leaseMs − heartbeatMs) / 2)`. */
  get fenceAfterMs(): number {
    const { leaseMs, heartbeatMs } = this.#settings;
    return leaseMs - Math.min(heartbeatMs, (leaseMs - heartbeatMs) / 2);
  }

  /**
   * Takes over `found`, another process's move: refused (`CONFLICT`, nothing written) while its
   * lease is live unless `force`; `CONFLICT` too when another process took it over first. Then this
   * run owns it and heartbeats.
   */
  async takeOver(found: MoveRecord, force: boolean, ctx: SpiContext): Promise<void> {
    if (!force && isLeaseLive(found)) throw liveLeaseError(found);
    const next = this.#stamp(found, false);
    const outcome = await this.#serial(() => this.#replace(found, next, ctx, this.#settings.claimSettleMs));
    if (!outcome.written) {
      const why = outcome.current?.owner ? `another process took it over first: ${describeOwner(outcome.current.owner)}` : "its record changed or went away meanwhile (rolled back by another process?)";
      throw new VmshiftError("CONFLICT", `move ${found.moveId} was not taken over: ${why}. Nothing was changed`, { adapter: "move", operation: "move.attach", subject: found.moveId, ...(outcome.current?.owner ? { details: { owner: outcome.current.owner } } : {}) });
    }
    this.#renewed(next);
    this.#start();
  }

  /**
   * Writes the move's record: the first write plainly (the reserved VM is this run's own), later
   * ones only over this run's last write. `release` (the move completed): the lease ends with this
   * write and the heartbeat stops. `CONFLICT` when another process took the move over.
   */
  async write(body: MoveRecord, ctx: SpiContext, release = false): Promise<void> {
    if (this.#lost) throw this.#lost;
    const written = this.#serial(async () => {
      if (this.#lost) throw this.#lost;
      const next = this.#stamp(body, release);
      if (!this.#last) {
        await this.#journal.write(next, ctx);
        this.#renewed(next);
        return;
      }
      // Twice at most: a heartbeat that timed out here after the journal applied it left `#last`
      // one write behind; the record then names this run, is taken as this run's, and written over.
      for (let attempt = 0; attempt < 2; attempt++) {
        const outcome = await this.#replace(this.#last, next, ctx);
        if (outcome.written) {
          this.#renewed(next);
          return;
        }
        const ours = outcome.current?.owner?.id === this.owner.id;
        this.#notWritten(outcome.current);
        if (!ours) break;
      }
      throw this.#lost ?? new VmshiftError("MIGRATION_FAILED", `move ${body.moveId}'s record is gone from ${body.reservation.vmId}`, { adapter: "move", operation: "move.journal", subject: body.moveId });
    });
    // A phase write that hangs ends with the run's fence (or a takeover noticed meanwhile).
    await Promise.race([written, this.#whenLost()]);
    if (release) this.stop();
    else this.#start();
  }

  /** Stops the heartbeat and the fence (the move ended). Writes nothing. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#fence !== undefined) clearTimeout(this.#fence);
    this.#fence = undefined;
  }

  /** Rejects with the reason once this run lost its move (taken over, or fenced); never resolves. */
  #whenLost(): Promise<never> {
    const signal = this.#lostController.signal;
    return new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }

  /** `next` was written: it is what the next write expects, and its stamp renews the lease (re-arms the fence). */
  #renewed(next: MoveRecord): void {
    this.#last = next;
    const at = Date.parse(next.heartbeatAt ?? "");
    if (Number.isFinite(at) && (this.#renewedAt === undefined || at > this.#renewedAt)) this.#renewedAt = at;
    if (this.#stopped || next.leaseMs === 0) return;
    if (this.#fence !== undefined) clearTimeout(this.#fence);
    const due = (this.#renewedAt ?? Date.now()) + this.fenceAfterMs - Date.now();
    this.#fence = setTimeout(() => this.#fenceSelf(), Math.max(0, due));
    (this.#fence as { unref?: () => void }).unref?.();
  }

  /** No renewal for `leaseMs − heartbeatMs`: this run stops before another process may attach without force. */
  #fenceSelf(): void {
    this.#fence = undefined;
    if (this.#stopped || this.#lost || this.#renewedAt === undefined) return;
    const since = Date.now() - this.#renewedAt;
    if (since <= this.fenceAfterMs) {
      // Renewed meanwhile (the timer was armed from an older stamp): wait for the rest.
      this.#fence = setTimeout(() => this.#fenceSelf(), this.fenceAfterMs - since);
      (this.#fence as { unref?: () => void }).unref?.();
      return;
    }
    const moveId = this.#last?.moveId ?? "the move";
    const lapses = new Date(this.#renewedAt + this.#settings.leaseMs).toISOString();
    this.#lost = new VmshiftError(
      "CONFLICT",
      `move ${moveId}: this process's lease lapsed — it could not renew it since ${new Date(this.#renewedAt).toISOString()} (the journal on the target did not answer; ${this.failedBeats} heartbeat(s) failed) and the lease ends at ${lapses}, after which another process may attach. This process stops now and leaves the target and the source as they are: attach to the move (--attach ${moveId}) to resume or roll it back`,
      { adapter: "move", operation: "move.lease", subject: moveId, details: { owner: this.owner, lastRenewedAt: this.lastRenewedAt, leaseEndsAt: lapses } },
    );
    this.stop();
    this.#lostController.abort(this.#lost);
  }

  #start(): void {
    if (this.#stopped || this.#lost || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#beat(), this.#settings.heartbeatMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** One heartbeat; skipped while a write is still under way. A failure is counted (the next beat tries again). */
  #beat(): void {
    if (this.#beating || this.#stopped || !this.#last) return;
    this.#beating = true;
    void this.#serial(async () => {
      if (this.#stopped || !this.#last) return;
      const next = this.#stamp(this.#last, false);
      // Bounded by its own timeout, whether or not the journal honours the signal: a hung beat must
      // not hold the queue (nor `#beating`), so that later beats run and the fence can tell.
      const outcome = await bounded((signal) => this.#replace(this.#last!, next, { signal }), this.beatTimeoutMs);
      if (outcome.written) {
        this.#renewed(next);
        this.beats++;
      } else this.#notWritten(outcome.current);
    })
      .catch(() => void this.failedBeats++)
      .finally(() => (this.#beating = false));
  }

  /** A conditional write found `current` instead of this run's last write. */
  #notWritten(current: MoveRecord | undefined): void {
    if (current === undefined) {
      // The record went away with the target's VM (a rollback): nothing left to refresh.
      this.stop();
      return;
    }
    if (current.owner?.id === this.owner.id) {
      this.#last = current;
      return;
    }
    this.#lost = new VmshiftError(
      "CONFLICT",
      `move ${current.moveId} was taken over by ${current.owner ? describeOwner(current.owner) : "another process"} (record written at ${current.updatedAt}): this process stops and leaves the target and the source to it`,
      { adapter: "move", operation: "move.lease", subject: current.moveId, ...(current.owner ? { details: { owner: current.owner } } : {}) },
    );
    this.stop();
    this.#lostController.abort(this.#lost);
  }

  #stamp(record: MoveRecord, release: boolean): MoveRecord {
    const now = new Date().toISOString();
    return { ...record, owner: this.owner, heartbeatAt: now, leaseMs: release ? 0 : this.#settings.leaseMs, updatedAt: now };
  }

  /** Runs journal writes one at a time (a heartbeat never crosses a phase write). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The journal's compare-and-swap; without one, read, compare, write and read back. */
  async #replace(expected: MoveRecord, next: MoveRecord, ctx: SpiContext, settleMs?: number): Promise<ReplaceOutcome> {
    if (this.#journal.replace) return this.#journal.replace(expected, next, ctx, settleMs === undefined ? {} : { settleMs });
    const current = await this.#journal.find(expected.moveId, ctx);
    if (!current || !sameWrite(current, expected)) return { written: false, current };
    await this.#journal.write(next, ctx);
    if (settleMs) await pause(settleMs, ctx.signal);
    const back = await this.#journal.find(next.moveId, ctx);
    return back && sameWrite(back, next) ? { written: true } : { written: false, current: back };
  }
}

/** `fn` with a signal that aborts after `ms`; rejects then even when `fn` ignores the signal. */
async function bounded<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new VmshiftError("TIMEOUT", `the heartbeat's journal write did not answer within ${ms} ms`, { adapter: "move", operation: "move.lease" });
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
