/**
 * Replays recorded exchanges (packages/kubevirt/test/fixtures/<scenario>/exchanges.json) through
 * nock, for the `kubevirt-fixtures` conformance target.
 *
 * A session does not know which scenario runs, so every recording starts as a candidate; each
 * request keeps the candidates that recorded the same request (method, path, query without
 * resourceVersion/timeouts, POST body), and each control call keeps those that recorded the same
 * control, and a recording that made a request this session has not made within 1.5 s of when
 * it made it is dropped (1.5 s: slack for a loaded machine). While several fit, the one expecting its next new request latest is
 * preferred (it has the least left to explain). Per candidate,
 * a read (GET) answers with the state recorded last at or before the session's position on the
 * recording's timeline (never from before the session's last write); other requests get their
 * answers in recorded order, and when they run out the last answer repeats (watches: an empty
 * stream that stays open). Watch lines are replayed at their recorded time
 * offsets, each taken from the preferred candidate at the moment it is due, so a stream opened while
 * several recordings fitted follows the one that fits once later requests have told them apart.
 */
import { readRecordings } from "../targets/fixtures.ts";
import type { PlatformLocation } from "../src/target.ts";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import nock from "nock";
import type { Exchange } from "./http.ts";

/** Where fixtures live. */
export const FIXTURES_DIR = fileURLToPath(new URL("../../packages/kubevirt/test/fixtures/", import.meta.url));

/** One fixture file. */
export interface Recording {
  readonly scenario: string;
  readonly source: string;
  readonly controls: readonly { readonly name: string; readonly arg?: string; readonly afterSeq: number }[];
  /** Where the environment had a VM each time the scenario read it back (`locateVm`), in order. */
  readonly locations?: readonly { readonly vmId: string; readonly afterSeq: number; readonly location: PlatformLocation }[];
  readonly exchanges: readonly Exchange[];
}

/** Reads every recording, in scenario order. */
export function loadRecordings(dir = FIXTURES_DIR): Recording[] {
  return readRecordings<Recording>(dir);
}

/** How late a recorded request may come before its recording stops fitting, ms. */
const OVERDUE_MS = 1500;

const VOLATILE_QUERY = new Set(["resourceVersion", "timeoutSeconds", "allowWatchBookmarks"]);

/** The match key of a request. */
export function requestKey(method: string, path: string, query: string, body: unknown): string {
  const params = [...new URLSearchParams(query)].filter(([k]) => !VOLATILE_QUERY.has(k)).sort(([a], [b]) => a.localeCompare(b));
  const q = params.map(([k, v]) => `${k}=${v}`).join("&");
  return `${method} ${path}?${q}${method === "POST" && body !== undefined ? ` ${stable(body)}` : ""}`;
}

function stable(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

class Candidate {
  readonly recording: Recording;
  readonly #queues = new Map<string, Exchange[]>();
  readonly #used = new Map<string, number>();
  readonly #timelines = new Map<string, { readonly atMs: number; readonly line: string }[]>();
  /** When each request key was first made in the recording. */
  readonly firstAt = new Map<string, number>();

  constructor(recording: Recording) {
    this.recording = recording;
    for (const e of recording.exchanges) {
      const key = requestKey(e.method, e.path, e.query, e.requestBody);
      if (!this.firstAt.has(key)) this.firstAt.set(key, e.atMs);
      const queue = this.#queues.get(key) ?? [];
      queue.push(e);
      this.#queues.set(key, queue);
      if (e.watchLines) {
        const timeline = this.#timelines.get(key) ?? [];
        for (const l of e.watchLines) timeline.push({ atMs: e.atMs + l.atMs, line: l.line });
        this.#timelines.set(key, timeline.sort((a, b) => a.atMs - b.atMs));
      }
    }
  }

  has(key: string): boolean {
    return this.#queues.has(key);
  }

  /**
   * The answer for `key` at session time `nowMs`: writes get their answers in recorded order (the
   * last one repeats). A read (GET) gets the state recorded last at or before that time, but never
   * one recorded before the session's last write (`lastWriteAtMs`, its recorded time): then the
   * first one recorded after it. So a read reflects the writes made, and reads of different
   * objects agree: a session that polls more often than the recording does not run ahead into one
   * object's future while another's answer is still from the past.
   */
  answer(key: string, method: string, nowMs: number, lastWriteAtMs: number): Exchange {
    const queue = this.#queues.get(key)!;
    const i = this.#used.get(key) ?? 0;
    const inOrder = queue[Math.min(i, queue.length - 1)]!;
    const byTime = method === "GET" ? queue.filter((e) => e.atMs <= nowMs).at(-1) : undefined;
    const chosen = method !== "GET" ? inOrder : byTime && byTime.atMs >= lastWriteAtMs ? byTime : (queue.find((e) => e.atMs >= lastWriteAtMs) ?? byTime ?? queue[0]!);
    this.#used.set(key, Math.max(i, queue.indexOf(chosen)) + 1);
    return chosen;
  }

  /** Every watch line recorded for `key`, on the session's timeline. */
  timeline(key: string): readonly { readonly atMs: number; readonly line: string }[] {
    return this.#timelines.get(key) ?? [];
  }
}

/** A replay over one nock host, for one session. */
export class Replayer {
  #candidates: Candidate[];
  #count = 0;
  /**
   * The wall-clock instant that is time 0 of the recordings. Set at the first request, and moved
   * at every write (POST, PUT, PATCH, DELETE) so that the write happens when it was recorded: what
   * the recording did after a write then follows this session's write, however slow the machine.
   */
  #anchor: number | undefined;
  /** The recorded time of the last write this session made (reads never answer from before it). */
  #lastWriteAt = -Infinity;

  /** The session's position on the recordings' timeline, ms. */
  #now(): number {
    return this.#anchor === undefined ? 0 : Date.now() - this.#anchor;
  }
  readonly #called: { name: string; arg?: string }[] = [];
  readonly #requested = new Set<string>();
  /** Recorded time of the answer last served per key (a watch continues from its list's). */
  readonly #servedAt = new Map<string, number>();

  /** When `candidate` first made a request this session has not made yet (Infinity: none left). */
  #nextNew(candidate: Candidate): number {
    let next = Infinity;
    for (const [key, at] of candidate.firstAt) if (!this.#requested.has(key) && at < next) next = at;
    return next;
  }

  /** Drops overdue candidates (unless that would drop all) and puts the preferred one first. */
  #rank(): void {
    const now = this.#now();
    const timely = this.#candidates.filter((c) => this.#nextNew(c) + OVERDUE_MS >= now);
    const kept = timely.length > 0 ? timely : this.#candidates;
    this.#candidates = kept.map((c, i) => ({ c, i, next: this.#nextNew(c) })).sort((a, b) => b.next - a.next || a.i - b.i).map((x) => x.c);
  }
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #interceptors: nock.Interceptor[] = [];
  /** Requests that found no recorded answer. */
  readonly misses: string[] = [];

  constructor(baseUrl: string, recordings: readonly Recording[]) {
    this.#candidates = recordings.map((r) => new Candidate(r));
    const scope = nock(baseUrl).persist();
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const) {
      const interceptor = scope.intercept(/.*/, method);
      // nock 15 hands a one-argument reply function the fetch Request (two arguments would mean callback style).
      interceptor.reply((async (request: Request) => this.#answer(method, request.url, await request.text())) as never);
      this.#interceptors.push(interceptor);
    }
  }

  /** Requests answered so far. */
  get requestCount(): number {
    return this.#count;
  }

  /** Scenarios still consistent with what this session did. */
  get candidates(): string[] {
    return this.#candidates.map((c) => c.recording.scenario);
  }

  readonly #located = new Map<string, number>();

  /**
   * Where the recorded environment had `vmId` at the n-th read-back of it in this session: the
   * n-th recorded read-back of the preferred recording that made that many (the last repeating
   * when a session reads back more often); undefined when no recording read it back. Not a
   * request: it changes neither the count nor the candidates.
   */
  locate(vmId: string): PlatformLocation | undefined {
    const n = this.#located.get(vmId) ?? 0;
    this.#located.set(vmId, n + 1);
    this.#rank();
    const recorded = (c: Candidate) => (c.recording.locations ?? []).filter((l) => l.vmId === vmId);
    const enough = this.#candidates.map(recorded).find((l) => l.length > n);
    if (enough) return enough[n]!.location;
    return this.#candidates.map(recorded).find((l) => l.length > 0)?.at(-1)?.location;
  }

  /** A control was called: keep the recordings that called it too. */
  control(name: string, arg?: string): void {
    this.#called.push({ name, ...(arg === undefined ? {} : { arg }) });
    const next = this.#candidates.filter((c) => c.recording.controls.some((x) => x.name === name && x.arg === arg));
    if (next.length === 0) throw new Error(`no fixture recorded a session that called ${name}(${arg ?? ""}); re-record the fixtures`);
    this.#candidates = next;
  }

  close(): void {
    for (const t of this.#timers) clearInterval(t);
    for (const interceptor of this.#interceptors) nock.removeInterceptor(interceptor);
  }

  #answer(method: string, uri: string, rawBody: string): readonly [number, unknown, Record<string, string>] {
    this.#count++;
    const url = new URL(uri, "http://x");
    const body = rawBody ? safeParse(rawBody) : undefined;
    const key = requestKey(method, url.pathname, url.search, body);
    // A recording that called a control by this point of its session, when this session has not, does not fit.
    const alive = this.#candidates.filter((c) => c.has(key) && c.recording.controls.every((x) => x.afterSeq >= this.#count - 1 || this.#called.some((y) => y.name === x.name && y.arg === x.arg)));
    if (alive.length === 0) {
      this.misses.push(key);
      return [500, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "InternalError", code: 500, message: `kubevirt-fixtures: no recorded answer for ${key} (candidates: ${this.candidates.join(", ")})` }, { "Content-Type": "application/json" }];
    }
    this.#candidates = alive;
    this.#requested.add(key);
    if (this.#anchor === undefined) this.#anchor = Date.now() - Math.min(...alive.map((c) => c.firstAt.get(key) ?? 0));
    this.#rank();
    const now = this.#now();
    if (url.searchParams.get("watch") === "true") {
      const list = new URLSearchParams(url.search);
      list.delete("watch");
      const listedAt = this.#servedAt.get(requestKey(method, url.pathname, `?${list.toString()}`, body));
      return [200, this.#stream(key, listedAt ?? now - 100), { "Content-Type": "application/json" }];
    }
    const chosen = this.#candidates.map((c) => c.answer(key, method, now, this.#lastWriteAt))[0]!;
    this.#servedAt.set(key, chosen.atMs);
    if (method !== "GET") {
      this.#anchor = Date.now() - chosen.atMs;
      this.#lastWriteAt = Math.max(this.#lastWriteAt, chosen.atMs);
    }
    if (typeof chosen.responseBody === "string") return [chosen.status, chosen.responseBody, { "Content-Type": "text/plain" }];
    return [chosen.status, chosen.responseBody === undefined ? "" : JSON.stringify(chosen.responseBody), { "Content-Type": "application/json" }];
  }

  /**
   * A watch body: from the preferred candidate's timeline of that watch, the lines recorded after
   * the state its list answered with (`sinceMs`), each pushed when due (at once when already past).
   * Stays open afterwards, as a live watch would.
   */
  #stream(key: string, sinceMs: number): Readable {
    let last = sinceMs;
    const tick = () => {
      this.#rank();
      const now = this.#now();
      for (const { atMs, line } of this.#candidates[0]?.timeline(key) ?? []) {
        if (atMs > last && atMs <= now) stream.push(`${line}\n`);
      }
      last = Math.max(last, now);
    };
    const timer = setInterval(tick, 5);
    this.#timers.add(timer);
    const timers = this.#timers;
    const stream = new Readable({
      read() {},
      destroy(error, callback) {
        clearInterval(timer);
        timers.delete(timer);
        callback(error);
      },
    });
    return stream;
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
