/**
 * The vSphere fixture format and its replay through nock, for the `vsphere-fixtures` target.
 * Fixtures are SOAP exchanges recorded from vmshift-vcsim by `record-fixtures.ts`, redacted
 * (no password, no session cookie, session UUIDs replaced by placeholders) and stored per
 * scenario under packages/vsphere/test/fixtures/<scenario>/exchanges.json.
 *
 * A session does not know which scenario it serves, so every recording starts as a candidate.
 * Each request is matched by its normalised body; candidates that never saw that request drop
 * out, so do candidates that saw it fewer times than the session asks it (while others saw it
 * more), and so do candidates that did not record a control the scenario calls. The n-th ask of
 * one request gets the n-th recorded answer (the last repeats), after its recorded latency, so
 * long polls and timed migrations take as long as they did against vcsim.
 */
import { readRecordings } from "../targets/fixtures.ts";
import { fileURLToPath } from "node:url";
import type { ConformanceSubjects, PlatformLocation } from "../src/target.ts";

/** The control entry of a read-back: where the launcher said the VM was (`ConformanceControls.locateVm`). */
export const READ_BACK = "locateVm";

/** How far (in exchanges) a recorded read-back may sit from where the session asks for it: a replay's waits differ a little from the recording's. */
const READ_BACK_SLACK = 4;

/** Where the fixtures live. */
export const FIXTURES_DIR = fileURLToPath(new URL("../../packages/vsphere/test/fixtures/", import.meta.url));

/** One recorded exchange (redacted). */
export interface RecordedExchange {
  readonly method: string;
  readonly request: string;
  readonly status: number;
  readonly response: string;
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** ms after the session opened. */
  readonly offsetMs: number;
  readonly durationMs: number;
}

/** One scenario's recording. */
export interface Recording {
  readonly scenario: string;
  readonly source: string;
  readonly subjects: ConformanceSubjects;
  /**
   * Control calls in order; `migrationCount` keeps the count the launcher answered, `locateVm` (a
   * read-back through a connection of its own, not among the exchanges) where the VM was.
   */
  readonly controls: readonly { readonly name: string; readonly arg?: string; readonly result?: number; readonly location?: PlatformLocation; readonly atExchange?: number }[];
  readonly exchanges: readonly RecordedExchange[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The match key of a request body: session UUIDs, passwords and vcsim's temp paths blanked. */
export function matchKey(body: string): string {
  return body
    .replace(UUID, "U")
    .replace(/<password>[^<]*<\/password>/g, "<password>*</password>")
    .replace(/govcsim-[A-Za-z0-9_-]+/g, "govcsim-X");
}

/** The comparison key of an answer: like {@link matchKey}, with timestamps blanked too. */
export function answerKey(body: string): string {
  return matchKey(body).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?/g, "T");
}

/** Reads every recording, in scenario order. */
export function loadRecordings(dir = FIXTURES_DIR): Recording[] {
  return readRecordings<Recording>(dir);
}

interface Answer {
  readonly x: RecordedExchange;
  /** Position of the exchange in its recording. */
  readonly index: number;
}

class Candidate {
  readonly recording: Recording;
  readonly answers = new Map<string, Answer[]>();

  constructor(recording: Recording) {
    this.recording = recording;
    recording.exchanges.forEach((x, index) => {
      const key = matchKey(x.request);
      const list = this.answers.get(key) ?? [];
      list.push({ x, index });
      this.answers.set(key, list);
    });
  }

  nth(key: string, n: number): Answer {
    const list = this.answers.get(key)!;
    return list[Math.min(n, list.length - 1)]!;
  }
}

/** The answer to send: status (0: drop the connection, as recorded), body, headers, after `delayMs`. */
export interface ReplayAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly delayMs: number;
}

/** Chooses answers for one session among all recordings. */
export class Replayer {
  #candidates: Candidate[];
  readonly #asked = new Map<string, number>();
  requestCount = 0;

  constructor(recordings: readonly Recording[]) {
    this.#candidates = recordings.map((r) => new Candidate(r));
  }

  /** Recordings still consistent with what the session did. */
  get scenarios(): string[] {
    return this.#candidates.map((c) => c.recording.scenario);
  }

  readonly #controlsAsked = new Map<string, number>();

  #controlCalls(name: string): number {
    let n = 0;
    for (const [key, count] of this.#controlsAsked) if (key.startsWith(`${name} `)) n += count;
    return n;
  }

  /** Keeps the recordings that recorded this control call; returns its recorded result, if any. */
  control(name: string, arg?: string): number | undefined {
    const key = `${name} ${arg ?? ""}`;
    const n = this.#controlsAsked.get(key) ?? 0;
    this.#controlsAsked.set(key, n + 1);
    const calls = (c: Candidate) => c.recording.controls.filter((k) => k.name === name && (arg === undefined || k.arg === arg));
    this.#candidates = this.#candidates.filter((c) => calls(c).length > 0);
    const first = this.#candidates[0];
    if (!first) return undefined;
    const recorded = calls(first);
    return recorded[Math.min(n, recorded.length - 1)]?.result;
  }

  /**
   * Where the recording's launcher said the VM was at this session's n-th read-back of it
   * (`locateVm`, recorded with the scenario): from the recordings still fitting whose n-th read-back
   * of it came at about this point of the session (within {@link READ_BACK_SLACK} exchanges), when
   * they all say the same; undefined otherwise (this replay cannot tell).
   */
  readBack(vmId: string): PlatformLocation | undefined {
    const key = `${READ_BACK} ${vmId}`;
    const n = this.#readBacks.get(key) ?? 0;
    this.#readBacks.set(key, n + 1);
    const nth = (c: Candidate) => c.recording.controls.filter((k) => k.name === READ_BACK && k.arg === vmId && k.location !== undefined)[n];
    const fitting = this.#candidates.filter((c) => {
      const k = nth(c);
      return k !== undefined && Math.abs((k.atExchange ?? 0) - this.requestCount) <= READ_BACK_SLACK;
    });
    const said = new Set(fitting.map((c) => JSON.stringify(nth(c)!.location)));
    if (said.size !== 1) return undefined;
    this.#candidates = fitting;
    return nth(fitting[0]!)!.location;
  }

  readonly #readBacks = new Map<string, number>();

  /** The answer to a request body; a SOAP fault naming the problem when no recording has it. */
  answer(body: string, maxDelayMs = 10_000): ReplayAnswer {
    const position = this.requestCount++;
    const key = matchKey(body);
    const n = this.#asked.get(key) ?? 0;
    this.#asked.set(key, n + 1);
    // Keep the recordings that saw this request; prefer those that saw it at least n+1 times.
    // A recording that made a control call well before this point, which this session has not
    // made, recorded another scenario.
    // (Read-backs change nothing on the platform: they do not tell recordings apart here.)
    const plausible = (c: Candidate) =>
      c.recording.controls.every((k, i) => k.name === READ_BACK || (k.atExchange ?? 0) + 2 >= position || this.#controlCalls(k.name) > c.recording.controls.slice(0, i).filter((p) => p.name === k.name).length);
    const knowing = this.#candidates.filter((c) => c.answers.has(key) && plausible(c));
    const often = knowing.filter((c) => c.answers.get(key)!.length > n);
    const pool = often.length > 0 ? often : knowing;
    if (pool.length === 0) return this.#miss(body);
    // Answer from the recording where this request sat closest to where the session is now,
    // then keep only the recordings that would have answered the same.
    const distance = (c: Candidate) => Math.abs(c.nth(key, n).index - position);
    const chosen = pool.reduce((best, c) => (distance(c) < distance(best) ? c : best));
    const x = chosen.nth(key, n).x;
    const same = answerKey(x.response);
    this.#candidates = pool.filter((c) => answerKey(c.nth(key, n).x.response) === same);
    const delayMs = Math.min(maxDelayMs, x.durationMs);
    if (x.status === 0) return { status: 0, body: "", headers: {}, delayMs };
    return { status: x.status, body: x.response, headers: x.responseHeaders, delayMs };
  }

  #miss(body: string): ReplayAnswer {
    const method = /<vim25:([A-Za-z_]+)/.exec(body)?.[1] ?? "request";
    return {
      status: 500,
      delayMs: 0,
      headers: { "content-type": "text/xml; charset=utf-8" },
      body: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>no vSphere fixture recorded this ${method} (candidates: ${this.scenarios.join(", ") || "none"})</faultstring><detail><InvalidRequestFault xmlns="urn:vim25" xsi:type="InvalidRequest"></InvalidRequestFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
    };
  }
}
