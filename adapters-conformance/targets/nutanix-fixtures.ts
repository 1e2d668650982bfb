/**
 * The `nutanix-fixtures` target: @vmshift/nutanix against nock replays of the exchanges recorded
 * from the Prism-like server (`packages/nutanix/test/fixtures/<scenario>/exchanges.json`, see
 * SOURCE.md there). Requests are answered by state and request (see `nutanix-tape.ts`), so the
 * replay does not depend on how often the client polls. Missing `If-Match` still gets a 428.
 */
import nock from "nock";
import { VmshiftClient } from "@vmshift/core";
import { createNutanixAdapter } from "@vmshift/nutanix";
import { readRecordings } from "./fixtures.ts";
import type { ConformanceTarget } from "../src/target.ts";
import { FIXTURES_DIR } from "./nutanix-fixtures-record.ts";
import { PRISM_SERVER_BUDGET, PRISM_SERVER_PLATFORM, PRISM_SUBJECTS, prismRequestKind } from "./nutanix-server.ts";
import { ReplayBook, ReplaySession, type Tape } from "./nutanix-tape.ts";

/** Every tape under the fixtures directory, in scenario order. */
export function loadTapes(dir = FIXTURES_DIR): Tape[] {
  return readRecordings<Tape>(dir);
}

let book: ReplayBook | undefined;
let sessions = 0;

export const nutanixFixturesTarget: ConformanceTarget = {
  name: "nutanix-fixtures",
  adapter: "nutanix",
  description: "@vmshift/nutanix against nock replays of exchanges recorded from the Prism-like server",
  platform: { ...PRISM_SERVER_PLATFORM, name: `recorded exchanges of ${PRISM_SERVER_PLATFORM.name}` },
  budget: PRISM_SERVER_BUDGET,
  async available() {
    return loadTapes().length > 0 ? { ok: true } : { ok: false, reason: `no tapes under ${FIXTURES_DIR}: run node adapters-conformance/targets/nutanix-fixtures-record.ts` };
  },
  async open() {
    book ??= new ReplayBook(loadTapes());
    const replay = new ReplaySession(book);
    const kinds: string[] = [];
    const base = `https://s${++sessions}.prism.fixtures.vmshift.invalid:9440`;
    const interceptors = (["GET", "POST", "PUT", "OPTIONS"] as const).map((method) => {
      const interceptor = nock(base).persist().intercept(/.*/, method);
      interceptor.reply(async (request: Request) => {
        const url = new URL(request.url);
        kinds.push(prismRequestKind(method, url.pathname));
        const text = await request.text();
        const answer = replay.answer(method, url.pathname + url.search, text.length > 0 ? (JSON.parse(text) as unknown) : undefined, {
          ifMatch: request.headers.has("if-match"),
          requestId: request.headers.has("ntnx-request-id"),
        });
        if (answer.lost) throw Object.assign(new Error("socket hang up (replayed lost answer)"), { code: "ECONNRESET" });
        return [answer.status, answer.body, { "Content-Type": "application/json", ...(answer.etag ? { ETag: answer.etag } : {}) }];
      });
      return interceptor;
    });
    const clients: VmshiftClient[] = [];
    const connect = () => {
      const adapter = createNutanixAdapter({ baseUrl: base, auth: { username: "admin", password: "fixture-password" }, retryDelayMs: 50, shutdownTimeoutMs: 5_000 });
      const client = new VmshiftClient(adapter, { follow: { poll: { initialDelayMs: 100, maxDelayMs: 500 } } });
      clients.push(client);
      return client;
    };
    const control = (name: string) => async (vmId: string) => replay.control(name, vmId);
    return {
      client: connect(),
      subjects: PRISM_SUBJECTS,
      controls: {
        failDuringTransfer: control("failDuringTransfer"),
        failColdStartOnTarget: control("failColdStartOnTarget"),
        slowDown: control("slowDown"),
        restart: async () => connect(),
        requestCount: () => replay.requestCount,
        requestLog: () => kinds,
        // Where the server had the VM when the recorded scenario read it back at the same point.
        locateVm: async (vmId) => replay.locate(vmId),
        failTransiently: async (where, times) => replay.control(`failTransiently ${where} ${times}`, ""),
        loseNextStartResponse: async () => replay.control("loseNextStartResponse", ""),
        expireSession: async () => replay.control("expireSession", ""),
        migrationCount: async (vmId) => replay.timeline.migrationCount(vmId),
      },
      async close() {
        for (const client of clients) await client.close();
        for (const interceptor of interceptors) nock.removeInterceptor(interceptor);
      },
    };
  },
};
