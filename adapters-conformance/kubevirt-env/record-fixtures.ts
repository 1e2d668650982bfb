/**
 * Records the fixtures of the `kubevirt-fixtures` target: runs each conformance scenario against
 * the KubeVirt API environment, as the `kubevirt-env` target does (its platform, its request budget,
 * enforced), and writes every HTTP exchange (request and answer bodies, watch lines with their time
 * offsets), every control call and every read-back of where the environment had a VM (the
 * `locateVm` control: `locations`, the store's state, not the adapter's answer) to
 * packages/kubevirt/test/fixtures/<scenario>/exchanges.json. A scenario that fails (over budget
 * included) is not recorded. No credentials are recorded (headers are not kept; the environment's
 * token is random per run).
 *
 * Run: node --import=./tools/workspace-sources.mjs adapters-conformance/kubevirt-env/record-fixtures.ts [scenario-prefix...]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VmshiftClient } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";
import { runConformance } from "../src/run.ts";
import { SCENARIOS } from "../src/scenarios/index.ts";
import type { ConformanceTarget } from "../src/target.ts";
import { ENV_ADAPTER_TUNING, KUBEVIRT_ENV_BUDGET, KUBEVIRT_ENV_PLATFORM, envSubjects, kubevirtStoreLocation } from "../targets/kubevirt-env.ts";
import { KubevirtEnv } from "./env.ts";
import type { Exchange } from "./http.ts";
import { FIXTURES_DIR, type Recording } from "./replay.ts";
import { SEED } from "./seed.ts";

/** Request ids the fixtures target also uses, so recorded and replayed requests match. */
export function fixtureRequestIds(): () => string {
  let n = 0;
  return () => `fixture-request-${++n}`;
}

/** Follow options shared by recording and replay. */
export const FIXTURE_FOLLOW = { poll: { initialDelayMs: 50, maxDelayMs: 500 } } as const;

const SOURCE =
  "synthesized: recorded from adapters-conformance/kubevirt-env (KubeVirt v1.9.0 API conventions and behaviour as written in shared/reference/kubevirt.md), not from a live cluster";

async function record(id: string): Promise<Recording | undefined> {
  const scenario = SCENARIOS.find((s) => s.id === id)!;
  const exchanges: Exchange[] = [];
  const controls: Recording["controls"][number][] = [];
  const locations: NonNullable<Recording["locations"]>[number][] = [];
  let env: KubevirtEnv | undefined;
  const target: ConformanceTarget = {
    name: "kubevirt-env (recording)",
    adapter: "kubevirt",
    description: "recording",
    platform: KUBEVIRT_ENV_PLATFORM,
    budget: KUBEVIRT_ENV_BUDGET,
    async open() {
      env = await KubevirtEnv.start({ onExchange: (e) => exchanges.push(e) });
      const started = env;
      const ids = fixtureRequestIds();
      const connect = () => new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: started.kubeconfig() }, ...ENV_ADAPTER_TUNING }), { requestIdGenerator: ids, follow: FIXTURE_FOLLOW });
      const log = (name: string, arg?: string) => controls.push({ name, ...(arg === undefined ? {} : { arg }), afterSeq: started.requestCount });
      return {
        client: connect(),
        subjects: envSubjects(),
        controls: {
          async failDuringTransfer(vmId) {
            log("failDuringTransfer", vmId);
            started.fault(vmId, { failTransfer: true });
          },
          async failColdStartOnTarget(vmId) {
            log("failColdStartOnTarget", vmId);
            started.fault(vmId, { refuseStartOn: SEED.targetHost });
          },
          async slowDown(vmId) {
            log("slowDown", vmId);
            started.fault(vmId, { slow: true });
          },
          async restart() {
            log("restart");
            return connect();
          },
          requestCount: () => started.requestCount,
          requestLog: () => started.requestKinds(),
          async locateVm(vmId) {
            const location = kubevirtStoreLocation(started.store, vmId);
            locations.push({ vmId, afterSeq: started.requestCount, location });
            return location;
          },
        },
        async close() {
          await started.close();
        },
      };
    },
  };
  const report = await runConformance(target, { scenarios: [scenario] });
  // Watch exchanges are recorded when their streams close, which can come a moment after the session closed.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const result = report.scenarios[0]!;
  if (result.status !== "passed") {
    console.error(`${id}: ${result.status} ${result.reason ?? ""}; not recorded`);
    return undefined;
  }
  exchanges.sort((a, b) => a.seq - b.seq);
  return { scenario: id, source: SOURCE, controls, locations, exchanges };
}

async function main(): Promise<void> {
  const prefixes = process.argv.slice(2);
  for (const scenario of SCENARIOS) {
    if (prefixes.length && !prefixes.some((p) => scenario.id.startsWith(p))) continue;
    const recording = await record(scenario.id);
    if (!recording) continue;
    const dir = join(FIXTURES_DIR, scenario.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "exchanges.json"), `${JSON.stringify(recording, null, 1)}\n`);
    console.log(`${scenario.id}: ${recording.exchanges.length} exchanges`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
