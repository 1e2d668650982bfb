import { describe, expect, it } from "vitest";
import { ReplayBook, ReplaySession, type Tape, Timeline } from "./nutanix-tape.ts";

const TASK = "ZXJnb24=:7a5c0000-0000-4000-8000-000000000001";
const VM = "/api/vmm/v4.0/ahv/config/vms/vm-1";
const POST = `${VM}/$actions/migrate-to-host`;
const sent = { ifMatch: true, requestId: true };
const ex = (method: string, url: string, status: number, responseBody: unknown, requestBody?: unknown) => ({ method, url, sent: method === "POST" ? sent : { ifMatch: false, requestId: false }, status, responseBody, ...(requestBody === undefined ? {} : { requestBody }) });

const tape: Tape = {
  scenario: "t",
  recordedAgainst: "test",
  entries: [
    ex("GET", VM, 200, { data: { extId: "vm-1", host: { extId: "h1" } } }),
    ex("POST", POST, 202, { data: { extId: TASK } }, { host: { extId: "h2" } }),
    ex("GET", `/api/prism/v4.0/config/tasks/${TASK}`, 200, { data: { extId: TASK, status: "RUNNING", progressPercentage: 10 } }),
    ex("GET", `/api/prism/v4.0/config/tasks/${TASK}`, 200, { data: { extId: TASK, status: "SUCCEEDED", progressPercentage: 100 } }),
    ex("GET", VM, 200, { data: { extId: "vm-1", host: { extId: "h2" } } }),
  ],
};

describe("tape replay", () => {
  it("answers by state: the VM moves only after the task was seen terminal, however often it is polled", () => {
    const s = new ReplaySession(new ReplayBook([tape]));
    const host = () => (s.answer("GET", VM, undefined, { ifMatch: false, requestId: false }).body as { data: { host: { extId: string } } }).data.host.extId;
    expect(host()).toBe("h1");
    expect(host()).toBe("h1");
    expect(s.answer("POST", POST, { host: { extId: "h2" } }, sent).status).toBe(202);
    expect(host()).toBe("h1");
    const poll = () => (s.answer("GET", `/api/prism/v4.0/config/tasks/${TASK}`, undefined, { ifMatch: false, requestId: false }).body as { data: { status: string } }).data.status;
    expect(poll()).toBe("RUNNING");
    expect(host()).toBe("h1");
    expect(poll()).toBe("SUCCEEDED");
    expect(poll()).toBe("SUCCEEDED");
    expect(host()).toBe("h2");
    expect(s.requestCount).toBe(9);
  });

  it("answers 428 to a mutating request without If-Match, and 501 to anything not recorded", () => {
    const s = new ReplaySession(new ReplayBook([tape]));
    s.answer("GET", VM, undefined, { ifMatch: false, requestId: false });
    expect(s.answer("POST", POST, { host: { extId: "h2" } }, { ifMatch: false, requestId: true }).status).toBe(428);
    expect(s.answer("POST", POST, { host: { extId: "h3" } }, sent).status).toBe(501);
    expect(s.timeline.events).toEqual([]);
  });

  it("keys task paths by the request that created them, so task ids from different tapes never mix", () => {
    const t = new Timeline();
    t.observe("POST", POST, { host: { extId: "h2" } }, 202, { data: { extId: TASK } });
    expect(t.key("GET", `/api/prism/v4.0/config/tasks/${TASK}`, undefined)).toBe(`GET /api/prism/v4.0/config/tasks/<task of POST ${POST} {"host":{"extId":"h2"}} @0>`);
    expect(t.key("GET", `/api/prism/v4.0/config/tasks/${TASK}-missing`, undefined)).toBe(`GET /api/prism/v4.0/config/tasks/${TASK}-missing`);
  });
});
