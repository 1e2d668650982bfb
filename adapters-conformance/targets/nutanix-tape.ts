/**
 * Tapes of Prism exchanges for the `nutanix-fixtures` target, and the replay book built from them.
 *
 * A tape is what the Prism-like server answered during one conformance scenario, in order, plus
 * the fault controls the scenario used. Replay cannot rely on call counts (a client polls a task
 * as often as its timing says), so answers are looked up by *state*: the sequence of events seen
 * so far in the session (a control was used, a mutating request was accepted, a task was first
 * seen terminal) plus the request itself. Within one state a task's polls walk through the
 * recorded answers and then repeat the last one. Both recording and replay derive the events
 * with the same {@link Timeline}, so a replayed session reaches the same states as the recorded one.
 */

import type { Exchange } from "../prism-server/src/server.ts";
import type { PlatformLocation } from "../src/target.ts";

/** One recorded exchange: what the Prism-like server's recorder writes. */
export type TapeExchange = Exchange;

/** A control the scenario used, in order with the exchanges. */
export interface TapeControl {
  readonly control: string;
  readonly vmId: string;
}

/** Where the server had a VM when the scenario read it back (the `locateVm` control), in order with the exchanges. */
export interface TapeLocate {
  readonly locate: string;
  readonly location: PlatformLocation;
}

/** One scenario's tape. */
export interface Tape {
  readonly scenario: string;
  readonly recordedAgainst: string;
  readonly entries: readonly (TapeExchange | TapeControl | TapeLocate)[];
}

/** The book key of a read-back of where a VM is. */
const locateKey = (vmId: string) => `LOCATE ${vmId}`;

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELED"]);
const TASK_PATH = /^(\/api\/prism\/v4\.0\/config\/tasks\/)([^/?]+)(.*)$/;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The events of one session, and request keys that do not depend on volatile ids. */
export class Timeline {
  readonly events: string[] = [];
  readonly #taskOrigin = new Map<string, string>();
  readonly #terminal = new Set<string>();
  readonly #migrations = new Map<string, Set<string>>();

  /** Distinct migration tasks the platform answered for a VM's migrate actions. */
  migrationCount(vmId: string): number {
    return this.#migrations.get(vmId)?.size ?? 0;
  }

  /** The state: every event so far. */
  get state(): string {
    return this.events.join("\n");
  }

  /** A request's key: method, path (task ids replaced by the request that created them), query, body. */
  key(method: string, url: string, body: unknown): string {
    const decoded = decodeURIComponent(url);
    const m = TASK_PATH.exec(decoded);
    const path = m && this.#taskOrigin.has(m[2]!) ? `${m[1]}<task of ${this.#taskOrigin.get(m[2]!)}>${m[3]}` : decoded;
    return `${method} ${path}${body === undefined || method === "GET" ? "" : ` ${canonical(body)}`}`;
  }

  /** Notes a control. */
  control(name: string, vmId: string): void {
    this.events.push(`control ${name} ${vmId}`);
  }

  /** Notes an answered request. */
  observe(method: string, url: string, body: unknown, status: number, response: unknown): void {
    const key = this.key(method, url, body);
    const data = (response as { data?: { extId?: unknown; status?: unknown } } | undefined)?.data;
    if (method === "POST" && status >= 200 && status < 300) {
      if (typeof data?.extId === "string" && !TASK_PATH.test(decodeURIComponent(url)) && !this.#taskOrigin.has(data.extId)) this.#taskOrigin.set(data.extId, `${key} @${this.events.length}`);
      const migrate = /\/vms\/([^/]+)\/\$actions\/migrate(-to-host)?$/.exec(decodeURIComponent(url));
      if (migrate && typeof data?.extId === "string") this.#migrations.set(migrate[1]!, new Set([...(this.#migrations.get(migrate[1]!) ?? []), data.extId]));
      this.events.push(`accepted ${key}`);
    }
    if (method === "GET" && status === 200 && typeof data?.extId === "string" && typeof data.status === "string" && TERMINAL.has(data.status) && !this.#terminal.has(data.extId)) {
      this.#terminal.add(data.extId);
      this.events.push(`ended ${key}`);
    }
  }
}

/** Recorded answers by state and key. */
export class ReplayBook {
  readonly #answers = new Map<string, TapeExchange[]>();
  readonly #locations = new Map<string, PlatformLocation[]>();
  /** For each key, the states it was recorded in (for the prefix fallback). */
  readonly #states = new Map<string, string[][]>();

  constructor(tapes: readonly Tape[]) {
    for (const tape of tapes) {
      const timeline = new Timeline();
      const local = new Map<string, TapeExchange[]>();
      const locals = new Map<string, PlatformLocation[]>();
      for (const entry of tape.entries) {
        if ("control" in entry) {
          timeline.control(entry.control, entry.vmId);
          continue;
        }
        if ("locate" in entry) {
          const slot = `${timeline.state}\u0000${locateKey(entry.locate)}`;
          locals.set(slot, [...(locals.get(slot) ?? []), entry.location]);
          continue;
        }
        const slot = `${timeline.state}\u0000${timeline.key(entry.method, entry.url, entry.requestBody)}`;
        local.set(slot, [...(local.get(slot) ?? []), entry]);
        timeline.observe(entry.method, entry.url, entry.requestBody, entry.status, entry.responseBody);
      }
      // Across tapes, the longest sequence for a state and key wins (it covers the shorter ones).
      for (const [slot, answers] of local) {
        if ((this.#answers.get(slot)?.length ?? 0) >= answers.length) continue;
        if (!this.#answers.has(slot)) {
          const [state, key] = slot.split("\u0000") as [string, string];
          this.#states.set(key, [...(this.#states.get(key) ?? []), state === "" ? [] : state.split("\n")]);
        }
        this.#answers.set(slot, answers);
      }
      for (const [slot, locations] of locals) {
        if ((this.#locations.get(slot)?.length ?? 0) >= locations.length) continue;
        if (!this.#locations.has(slot)) this.#noteState(slot);
        this.#locations.set(slot, locations);
      }
    }
  }

  #noteState(slot: string): void {
    const [state, key] = slot.split("\u0000") as [string, string];
    this.#states.set(key, [...(this.#states.get(key) ?? []), state === "" ? [] : state.split("\n")]);
  }

  /**
   * The slot answering `key` in the state made of `events`: the exact state when recorded, else
   * the latest recorded state that the current one extends (nothing that matters to this request
   * changed since), else undefined.
   */
  slot(events: readonly string[], key: string): string | undefined {
    const exact = `${events.join("\n")}\u0000${key}`;
    if (this.#answers.has(exact) || this.#locations.has(exact)) return exact;
    let best: string[] | undefined;
    for (const state of this.#states.get(key) ?? []) {
      if (state.length > events.length || (best && state.length <= best.length)) continue;
      if (state.every((e, i) => e === events[i])) best = state;
    }
    return best ? `${best.join("\n")}\u0000${key}` : undefined;
  }

  /** The answers recorded in a slot. */
  answers(slot: string): readonly TapeExchange[] {
    return this.#answers.get(slot) ?? [];
  }

  /** The read-backs of where a VM was, recorded in a slot. */
  locations(slot: string): readonly PlatformLocation[] {
    return this.#locations.get(slot) ?? [];
  }

  /** Number of distinct state/key slots (for tests). */
  get size(): number {
    return this.#answers.size;
  }
}

/** One replay session: walks the book as the client's requests arrive. */
export class ReplaySession {
  readonly timeline = new Timeline();
  readonly #book: ReplayBook;
  readonly #cursor = new Map<string, number>();
  requestCount = 0;

  constructor(book: ReplayBook) {
    this.#book = book;
  }

  /** The recorded answer to a request, or a 501 explaining what was not recorded. */
  answer(method: string, url: string, body: unknown, sent: { ifMatch: boolean; requestId: boolean }): { status: number; body: unknown; etag?: string; lost?: boolean } {
    this.requestCount++;
    const key = this.timeline.key(method, url, body);
    const slot = this.#book.slot(this.timeline.events, key);
    const answers = slot === undefined ? [] : this.#book.answers(slot);
    if (slot === undefined || answers.length === 0) {
      return { status: 501, body: { data: { error: [{ code: "FIXTURE-501", message: `no recorded answer for ${key} after ${this.timeline.events.length} events` }] } } };
    }
    const index = this.#cursor.get(slot) ?? 0;
    this.#cursor.set(slot, index + 1);
    const recorded = answers[Math.min(index, answers.length - 1)]!;
    if (recorded.sent.ifMatch && !sent.ifMatch) return { status: 428, body: { data: { error: [{ code: "VMM-10428", message: "If-Match header is required for this operation" }] } } };
    if (recorded.sent.requestId && !sent.requestId) return { status: 400, body: { data: { error: [{ code: "VMM-10420", message: "the NTNX-Request-Id header is required" }] } } };
    this.timeline.observe(method, url, body, recorded.status, recorded.responseBody);
    return { status: recorded.status, body: recorded.responseBody, ...(recorded.etag ? { etag: recorded.etag } : {}), ...(recorded.lost ? { lost: true } : {}) };
  }

  /** A fault control, replayed as the event it was when recorded. */
  control(name: string, vmId: string): void {
    this.timeline.control(name, vmId);
  }

  /**
   * Where the server had `vmId` when the recorded scenario read it back in this state (the n-th
   * read-back of the state answers with the n-th recorded one, the last repeating); undefined when
   * none was recorded. Not a request: it changes neither the count nor the state.
   */
  locate(vmId: string): PlatformLocation | undefined {
    const slot = this.#book.slot(this.timeline.events, locateKey(vmId));
    const recorded = slot === undefined ? [] : this.#book.locations(slot);
    if (slot === undefined || recorded.length === 0) return undefined;
    const index = this.#cursor.get(slot) ?? 0;
    this.#cursor.set(slot, index + 1);
    return recorded[Math.min(index, recorded.length - 1)];
  }
}
