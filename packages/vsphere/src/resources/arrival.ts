/**
 * One page answer of a listing while it arrives: the page decoder hands each object over as soon
 * as it is decoded (`PageShape.onItem`), and the objects wait here, in order, until the lister
 * hands them out — so a listing's caller gets the first objects of an answer before its body has
 * ended, and the objects it has handed out are not kept for the rest of the answer. An answer whose
 * objects pile up (read ahead of its caller, or a slow caller) is held back at the socket once
 * {@link HIGH_WATER} wait, and read on when fewer than half that many do.
 */
import type { AnswerFlow } from "../transport.ts";

/** Objects queued at which the answer is held back (see {@link AnswerFlow}). */
export const HIGH_WATER = 256;

/** How an answer stands: still arriving, read to its end, or failed. */
export type ArrivalState = "open" | "done" | "failed";

/** The objects of one page answer, queued as they are decoded. */
export class Arrival<T> {
  /** Objects decoded and not yet taken, oldest first. */
  #queue: T[] = [];
  #skip: number;
  #token: string | undefined;
  #state: ArrivalState = "open";
  #error: unknown;
  #waiter: { readonly above: number; readonly wake: () => void } | undefined;
  #flow: AnswerFlow | undefined;
  #held = false;
  readonly #settled: Promise<void>;
  #resolveSettled!: () => void;

  /** `skip`: how many objects to drop as they come, before any is queued (a resumed listing's prefix). */
  constructor(skip = 0) {
    this.#skip = skip;
    this.#settled = new Promise<void>((resolve) => (this.#resolveSettled = resolve));
  }

  /** `open`, `done` or `failed`. */
  get state(): ArrivalState {
    return this.#state;
  }

  /** Why the answer failed (when `state` is `failed`). */
  get error(): unknown {
    return this.#error;
  }

  /** The server's token for the page after this one, once read (it comes before the objects). */
  get token(): string | undefined {
    return this.#token;
  }

  /** Objects queued, not yet taken. */
  get available(): number {
    return this.#queue.length;
  }

  /** Objects still to be dropped before any is queued. */
  get skipping(): number {
    return this.#skip;
  }

  /** Resolves when the answer has ended or failed (never rejects). */
  get settled(): Promise<void> {
    return this.#settled;
  }

  /** The answer's flow (each attempt of the call brings its own). */
  flowing(flow: AnswerFlow): void {
    this.#flow = flow;
    this.#held = false;
  }

  /** Nobody will take these objects: drop what is queued and read the answer on to its end. */
  abandon(): void {
    this.#queue = [];
    this.#skip = Number.POSITIVE_INFINITY;
    this.#release();
  }

  /** The decoder read the token. */
  tokenRead(token: string): void {
    this.#token = token;
  }

  /** The decoder decoded an object. */
  push(item: T): void {
    if (this.#skip > 0) {
      this.#skip--;
      return;
    }
    this.#queue.push(item);
    if (this.#waiter !== undefined && this.#queue.length > this.#waiter.above) this.#wake();
    if (!this.#held && this.#queue.length >= HIGH_WATER && this.#flow !== undefined) {
      this.#held = true;
      this.#flow.pause();
    }
  }

  /** The answer ended; `token` is the page's token as the decoder read it. */
  end(token: string | undefined): void {
    if (this.#state !== "open") return;
    if (token !== undefined) this.#token = token;
    this.#state = "done";
    this.#wake();
    this.#resolveSettled();
  }

  /** The answer failed (the lister then hands out none of what is queued: a retry resumes from the last object handed out). */
  fail(error: unknown): void {
    if (this.#state !== "open") return;
    this.#error = error;
    this.#state = "failed";
    this.#wake();
    this.#resolveSettled();
  }

  /** Takes up to `count` queued objects, oldest first. */
  take(count: number): T[] {
    let taken: T[];
    if (count >= this.#queue.length) {
      taken = this.#queue;
      this.#queue = [];
    } else {
      // The rest is copied out rather than the taken part spliced off: the queue array must not
      // keep references to objects handed out (they would survive the next scavenge).
      taken = this.#queue.slice(0, count);
      this.#queue = this.#queue.slice(count);
    }
    if (this.#queue.length < HIGH_WATER / 2) this.#release();
    return taken;
  }

  /** Resolves once more than `above` objects are queued, or the answer has ended or failed. One waiter at a time. */
  until(above: number): Promise<void> {
    if (this.#state !== "open" || this.#queue.length > above) return Promise.resolve();
    return new Promise<void>((wake) => (this.#waiter = { above, wake }));
  }

  #release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#flow?.resume();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.wake();
  }
}
