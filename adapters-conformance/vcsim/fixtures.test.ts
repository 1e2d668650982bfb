/** The recorded vSphere fixtures hold no secret, each has its SOURCE.md, and the replay matcher behaves. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, Replayer, loadRecordings, matchKey } from "./fixtures.ts";
import { RECORDING_PASSWORD, redact } from "./record-fixtures.ts";

const recordings = loadRecordings();

describe("vSphere fixtures", () => {
  it("exist for the scenarios the vcsim target runs", () => {
    expect(recordings.map((r) => r.scenario)).toEqual(expect.arrayContaining(["inventory.list-paged", "live.explicit-target", "live.cancel-during-transfer", "cold.target-start-fails"]));
  });

  it.each(recordings.map((r) => [r.scenario, r] as const))("%s: redacted, with a SOURCE.md", (scenario, recording) => {
    const text = readFileSync(join(FIXTURES_DIR, scenario, "exchanges.json"), "utf8");
    expect(text).not.toContain(RECORDING_PASSWORD);
    expect(text).not.toMatch(/127\.0\.0\.1:\d+/);
    for (const uuid of text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? []) expect(uuid).toMatch(/^00000000-0000-4000-8000-\d{12}$/);
    for (const x of recording.exchanges) {
      expect(x.request).not.toMatch(/<password>(?!\*\*\*<)/);
      const cookie = x.responseHeaders["set-cookie"];
      if (cookie !== undefined) expect(cookie).toMatch(/^vmware_soap_session=(00000000-0000-4000-8000-\d{12}|REDACTED)[;]/);
    }
    expect(existsSync(join(FIXTURES_DIR, scenario, "SOURCE.md"))).toBe(true);
  });
});

describe("redaction", () => {
  it("removes the password, the cookie and session ids, consistently within a session", () => {
    const session = "3f2b1c4d-1111-4222-8333-944455556666";
    const out = redact(
      [
        { method: "Login", request: `<vim25:Login><userName>u</userName><password>${RECORDING_PASSWORD}</password></vim25:Login>`, status: 200, response: `<key>${session}</key>`, responseHeaders: { "set-cookie": [`vmware_soap_session=${session}; Path=/`] }, startedAt: 10, durationMs: 3 },
        { method: "CreateContainerView", request: `<x>session[${session}]</x> 127.0.0.1:4431`, status: 200, response: "", responseHeaders: {}, startedAt: 20, durationMs: 1 },
      ],
      0,
    );
    const text = JSON.stringify(out);
    expect(text).not.toContain(RECORDING_PASSWORD);
    expect(text).not.toContain(session);
    expect(out[0]!.responseHeaders["set-cookie"]).toBe("vmware_soap_session=00000000-0000-4000-8000-000000000001; Path=/");
    expect(out[1]!.request).toBe("<x>session[00000000-0000-4000-8000-000000000001]</x> vcsim.fixtures.test");
    expect(out[1]!.offsetMs).toBe(20);
  });
});

describe("replay matcher", () => {
  const rec = (scenario: string, controls: { name: string; arg?: string }[], answers: string[]) => ({
    scenario, source: "test", controls,
    subjects: { liveVm: "vm-1", targetHost: "host-2", minVmCount: 1, pageSize: 1, missingVmId: "x" },
    exchanges: answers.map((response, i) => ({ method: "M", request: "<vim25:M>q</vim25:M>", status: 200, response, responseHeaders: {}, offsetMs: i, durationMs: 0 })),
  });

  it("gives the n-th recorded answer to the n-th ask, and drops recordings that disagree", () => {
    const replay = new Replayer([rec("a", [], ["one", "two"]), rec("b", [], ["one", "other"])]);
    expect(replay.answer("<vim25:M>q</vim25:M>").body).toBe("one");
    expect(["two", "other"]).toContain(replay.answer("<vim25:M>q</vim25:M>").body);
    expect(replay.scenarios).toHaveLength(1);
  });

  it("narrows by control calls and answers an unknown request with a fault that says so", () => {
    const replay = new Replayer([rec("a", [{ name: "slowDown", arg: "vm-1" }], ["slow"]), rec("b", [], ["fast"])]);
    replay.control("slowDown", "vm-1");
    expect(replay.answer("<vim25:M>q</vim25:M>").body).toBe("slow");
    const miss = replay.answer("<vim25:Other/>");
    expect(miss.status).toBe(500);
    expect(miss.body).toContain("no vSphere fixture recorded this Other");
  });

  it("matches requests regardless of session ids and passwords", () => {
    expect(matchKey("<a>session[3f2b1c4d-1111-4222-8333-944455556666]</a><password>x</password>")).toBe(matchKey("<a>session[00000000-0000-4000-8000-000000000001]</a><password>***</password>"));
  });
});
