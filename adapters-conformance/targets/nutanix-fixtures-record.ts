/**
 * Records the `nutanix-fixtures` tapes: runs every conformance scenario against a fresh
 * Prism-like server and writes what the server answered to
 * `packages/nutanix/test/fixtures/<scenario>/exchanges.json`.
 *
 *   node adapters-conformance/targets/nutanix-fixtures-record.ts
 *
 * No credential is written: the server never echoes them, and only the presence of `If-Match`
 * and `NTNX-Request-Id` is kept, not their values.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runConformance } from "../src/run.ts";
import { SCENARIOS } from "../src/scenarios/index.ts";
import type { ConformanceTarget } from "../src/target.ts";
import { startPrismServer } from "../prism-server/src/index.ts";
import { PRISM_SERVER_BUDGET, PRISM_SERVER_PLATFORM, PRISM_SUBJECTS, connectToPrismServer, prismFaultControls, prismLocation } from "./nutanix-server.ts";
import type { Tape, TapeControl, TapeExchange, TapeLocate } from "./nutanix-tape.ts";

/** Where the tapes live. */
export const FIXTURES_DIR = fileURLToPath(new URL("../../packages/nutanix/test/fixtures/", import.meta.url));

/** The server timings used for recording (the replay target polls like the recording client). */
export const RECORD_TIMINGS = { migrationMs: 600, slowMigrationMs: 4_000 } as const;

function recordingTarget(entries: (TapeExchange | TapeControl | TapeLocate)[]): ConformanceTarget {
  return {
    name: "nutanix-record",
    adapter: "nutanix",
    description: "recording run against the Prism-like server",
    platform: PRISM_SERVER_PLATFORM,
    budget: PRISM_SERVER_BUDGET,
    async open() {
      const server = await startPrismServer({ timings: RECORD_TIMINGS, onExchange: (e) => entries.push(e) });
      const faults = prismFaultControls(server);
      const control = (name: string, apply: (vmId: string) => void) => async (vmId: string) => {
        entries.push({ control: name, vmId });
        apply(vmId);
      };
      return {
        client: connectToPrismServer(server),
        subjects: PRISM_SUBJECTS,
        controls: {
          failDuringTransfer: control("failDuringTransfer", (vm) => server.sim.faults.failNextMigration.add(vm)),
          failColdStartOnTarget: control("failColdStartOnTarget", (vm) => server.sim.faults.failNextPowerOn.add(vm)),
          slowDown: control("slowDown", (vm) => server.sim.faults.slowVms.add(vm)),
          restart: async () => connectToPrismServer(server),
          requestCount: () => server.requestCount,
          locateVm: async (vmId) => {
            const location = prismLocation(server, vmId);
            entries.push({ locate: vmId, location });
            return location;
          },
          failTransiently: async (where, times) => {
            entries.push({ control: `failTransiently ${where} ${times}`, vmId: "" });
            await faults.failTransiently(where, times);
          },
          loseNextStartResponse: async () => {
            entries.push({ control: "loseNextStartResponse", vmId: "" });
            await faults.loseNextStartResponse();
          },
          expireSession: async () => {
            entries.push({ control: "expireSession", vmId: "" });
            await faults.expireSession();
          },
          migrationCount: faults.migrationCount,
        },
        close: () => server.close(),
      };
    },
  };
}

function sourceNote(id: string, count: number): string {
  return [
    `# ${id}: recorded exchanges`,
    "",
    `Synthesized, not captured from a real Prism Central: ${count} entries that`,
    "`adapters-conformance/prism-server` (the Prism-like test server: v4 vmm/prism/clustermgmt paths, bodies",
    "shaped after the v4 spec digests in `specs/nutanix/v4-sdk-digest/`, seeded inventory) produced while the",
    `conformance scenario \`${id}\` ran through @vmshift/nutanix: the HTTP exchanges, the fault controls the`,
    "scenario used, and where the server had the VM each time the scenario read it back from the platform",
    "(`locate` entries: the server's own state, not the adapter's answer).",
    "",
    "Recorded with `node adapters-conformance/targets/nutanix-fixtures-record.ts`; replayed by the",
    "`nutanix-fixtures` target. Only the presence of `If-Match` / `NTNX-Request-Id` is kept, never their",
    "values, and no credentials are recorded (`nutanix/test/fixtures.test.ts` checks both, and checks",
    "every body against the digests' field names and required fields).",
    "",
  ].join("\n");
}

/** Records one tape per scenario; returns the scenario ids and how each run went. */
export async function recordNutanixFixtures(dir = FIXTURES_DIR): Promise<{ scenario: string; status: string }[]> {
  const out: { scenario: string; status: string }[] = [];
  for (const scenario of SCENARIOS) {
    const entries: (TapeExchange | TapeControl | TapeLocate)[] = [];
    const report = await runConformance(recordingTarget(entries), { scenarios: [scenario] });
    const status = report.scenarios[0]?.status ?? "missing";
    out.push({ scenario: scenario.id, status });
    if (status !== "passed") continue;
    const tape: Tape = { scenario: scenario.id, recordedAgainst: "adapters-conformance/prism-server (Prism-like server, seeded inventory)", entries };
    mkdirSync(`${dir}${scenario.id}`, { recursive: true });
    writeFileSync(`${dir}${scenario.id}/exchanges.json`, `${JSON.stringify(tape, null, 1)}\n`);
    writeFileSync(`${dir}${scenario.id}/SOURCE.md`, sourceNote(scenario.id, entries.length));
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await recordNutanixFixtures();
  for (const r of results) console.log(`${r.status.padEnd(8)} ${r.scenario}`);
}
