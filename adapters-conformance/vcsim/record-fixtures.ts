/**
 * Records the vSphere fixtures: runs every conformance scenario against a fresh vmshift-vcsim,
 * captures each SOAP exchange, redacts it and writes
 * packages/vsphere/test/fixtures/<scenario>/{exchanges.json,SOURCE.md}. Only scenarios that pass
 * are written. Usage (after .ci/setup.d/30-vsphere.sh):
 *
 *   node --import=./tools/workspace-sources.mjs adapters-conformance/vcsim/record-fixtures.ts [scenario-id-prefix…]
 *
 * (without the preload, `@vmshift/vsphere` resolves to its last build in dist/, not to the sources)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SoapExchange } from "@vmshift/vsphere";
import { runConformance } from "../src/run.ts";
import { SCENARIOS } from "../src/scenarios/index.ts";
import type { ConformanceSubjects, PlatformLocation } from "../src/target.ts";
import { createVcsimTarget } from "../targets/vsphere-vcsim.ts";
import { FIXTURES_DIR, type RecordedExchange, type Recording } from "./fixtures.ts";

/** The password used while recording; the redaction check below proves it is not stored. */
export const RECORDING_PASSWORD = "record-only-Pa55word";

const SOURCE = "vmshift-vcsim (adapters-conformance/vcsim) on govmomi's simulator from Debian 12 golang-github-vmware-govmomi-dev 0.24.2-3, flags -migrate-duration 1s -migrate-steps 4, TLS pinned by thumbprint";

/** Redacts one session's exchanges: password, cookies, session UUIDs, the launcher's port. */
export function redact(exchanges: readonly SoapExchange[], t0: number): RecordedExchange[] {
  const ids = new Map<string, string>();
  const placeholder = (uuid: string) => {
    const k = uuid.toLowerCase();
    if (!ids.has(k)) ids.set(k, `00000000-0000-4000-8000-${String(ids.size + 1).padStart(12, "0")}`);
    return ids.get(k)!;
  };
  const clean = (text: string) =>
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, placeholder)
      .replace(/<password>[^<]*<\/password>/g, "<password>***</password>")
      .replace(/127\.0\.0\.1:\d+/g, "vcsim.fixtures.test");
  // Status 0: the client aborted the request (a wait that ended); nothing to replay.
  return exchanges.filter((x) => x.status !== 0).map((x) => {
    const headers: Record<string, string> = { "content-type": "text/xml; charset=utf-8" };
    const cookie = x.responseHeaders["set-cookie"];
    const first = Array.isArray(cookie) ? cookie[0] : cookie;
    if (typeof first === "string") headers["set-cookie"] = clean(first).replace(/vmware_soap_session=(?!00000000-0000-4000-8000-)[^;]*/, "vmware_soap_session=REDACTED");
    return {
      method: x.method,
      request: clean(x.request),
      status: x.status,
      response: clean(x.response),
      responseHeaders: headers,
      offsetMs: x.startedAt - t0,
      durationMs: x.durationMs,
    };
  });
}

/**
 * Controls the fixtures target does not offer: replays of dropped connections and expired
 * sessions leak into the answers for other scenarios, so those scenarios run live (vsphere-vcsim).
 */
export const LIVE_ONLY_CONTROLS = ["failTransiently", "loseNextStartResponse", "dropProgressStreams", "expireSession", "migrationCount"] as const;

async function main(prefixes: readonly string[]): Promise<void> {
  const recordable = SCENARIOS.filter((s) => !(s.controls ?? []).some((c) => (LIVE_ONLY_CONTROLS as readonly string[]).includes(c)));
  const selected = prefixes.length ? recordable.filter((s) => prefixes.some((p) => s.id.startsWith(p))) : recordable;
  for (const scenario of selected) {
    const exchanges: SoapExchange[] = [];
    const controls: { name: string; arg?: string; result?: number; location?: PlatformLocation; atExchange: number }[] = [];
    let subjects: ConformanceSubjects | undefined;
    const t0 = Date.now();
    const target = createVcsimTarget({
      password: RECORDING_PASSWORD,
      onExchange: (x) => exchanges.push(x),
      onControl: (name, arg, result, location) =>
        controls.push({ name, ...(arg === undefined ? {} : { arg }), ...(result === undefined ? {} : { result }), ...(location === undefined ? {} : { location }), atExchange: exchanges.length }),
      onSubjects: (s) => (subjects = s),
    });
    const report = await runConformance(target, { scenarios: [scenario] });
    const result = report.scenarios[0];
    if (report.summary.passed !== 1 || !subjects) {
      console.error(`skip ${scenario.id}: ${result?.status} ${result?.reason ?? ""}`);
      continue;
    }
    const recording: Recording = { scenario: scenario.id, source: SOURCE, subjects, controls, exchanges: redact(exchanges, t0) };
    const text = JSON.stringify(recording, null, 1);
    if (text.includes(RECORDING_PASSWORD)) throw new Error(`redaction failed for ${scenario.id}`);
    const dir = join(FIXTURES_DIR, scenario.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "exchanges.json"), `${text}\n`);
    writeFileSync(
      join(dir, "SOURCE.md"),
      `# ${scenario.id}\n\n${scenario.title}.\n\nRecorded with \`node --import=./tools/workspace-sources.mjs adapters-conformance/vcsim/record-fixtures.ts ${scenario.id}\` (the adapter from its sources) against ${SOURCE}.\n` +
        `${recording.exchanges.length} SOAP exchanges; controls used: ${[...new Set(controls.filter((c) => c.name !== "locateVm").map((c) => c.name))].join(", ") || "none"}; ` +
        `${controls.filter((c) => c.name === "locateVm").length} read-backs of where the VM was (\`locateVm\` in \`controls\`: the launcher's answer through a connection of its own, not among the exchanges).\n\n` +
        "Redacted when recorded: the Login password (`***`), the session cookie, every UUID (session keys, per-session view morefs) replaced by numbered placeholders, the launcher's address replaced by `vcsim.fixtures.test`.\n",
    );
    console.log(`recorded ${scenario.id}: ${recording.exchanges.length} exchanges`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
