/**
 * The `vsphere-fixtures` target: the vSphere adapter against nock replays of SOAP exchanges
 * recorded from vmshift-vcsim (packages/vsphere/test/fixtures/<scenario>/, see each SOURCE.md).
 * No Go and no server: each session gets its own fake host, and the controls only tell the
 * replay which recordings still fit.
 */
import { VmshiftClient } from "@vmshift/core";
import { createVsphereAdapter } from "@vmshift/vsphere";
import nock from "nock";
import { Replayer, loadRecordings } from "../vcsim/fixtures.ts";
import { VCSIM_BUDGET, VCSIM_PLATFORM, discoverSubjects } from "./vsphere-vcsim.ts";
import { replayControls } from "./fixtures.ts";
import type { ConformanceTarget } from "../src/target.ts";

let sessions = 0;

export const vsphereFixturesTarget: ConformanceTarget = {
  name: "vsphere-fixtures",
  adapter: "vsphere",
  description: "@vmshift/vsphere against nock replays of SOAP exchanges recorded from vmshift-vcsim",
  platform: { ...VCSIM_PLATFORM, name: `recorded exchanges of ${VCSIM_PLATFORM.name}` },
  budget: VCSIM_BUDGET,
  async available() {
    return loadRecordings().length > 0 ? { ok: true } : { ok: false, reason: "no fixtures under packages/vsphere/test/fixtures (run node adapters-conformance/vcsim/record-fixtures.ts)" };
  },
  async open() {
    const recordings = loadRecordings();
    const host = `vsphere-fixtures-${++sessions}.test`;
    const replay = new Replayer(recordings);
    const interceptor = nock(`https://${host}`).persist().post("/sdk");
    // nock 15 hands the reply function the request (a fetch Request).
    interceptor.reply(async (request: Request) => {
        const answer = replay.answer(await request.text());
        if (answer.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
        if (answer.status === 0) throw Object.assign(new Error("socket hang up (connection dropped when recorded)"), { code: "ECONNRESET" });
        return [answer.status, answer.body, answer.headers];
    });
    let requests = 0;
    const clients: VmshiftClient[] = [];
    const connect = () => {
      // The password is a placeholder: fixtures carry `***`, and the replay ignores it.
      const client = new VmshiftClient(createVsphereAdapter({ url: `https://${host}/sdk`, username: "vmshift", password: "fixture-placeholder", onRequest: () => requests++, waitMaxSeconds: 5 }));
      clients.push(client);
      return client;
    };
    const client = connect();
    // The recordings start with the same discovery: doing it keeps the replay aligned with them.
    const subjects = await discoverSubjects(client);
    return {
      client,
      subjects,
      controls: {
        ...replayControls(replay, connect, () => requests),
        // Where the launcher said the VM was when the scenario was recorded (its read-backs).
        locateVm: async (vmId) => replay.readBack(vmId),
      },
      async close() {
        await Promise.allSettled(clients.map((c) => c.close()));
        nock.removeInterceptor(interceptor);
      },
    };
  },
};
