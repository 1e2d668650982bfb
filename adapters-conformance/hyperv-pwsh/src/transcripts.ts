/** Recording and replaying transcript fixtures through node-powershell and the stand-in. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { VmshiftClient } from "@vmshift/core";
import { NodePowerShellTransport, type NodePowerShellTransportOptions, RecordingTransport, type RecordingTransportOptions, createHypervAdapter, createRunner } from "@vmshift/hyperv";
import { STAND_IN_PWSH, StandInWorld } from "./world.ts";
import { TRANSCRIPT_SCENARIOS, type TranscriptFaults, type TranscriptScenario, type TranscriptSubjects } from "./transcript-scenarios.ts";

/** Where the fixtures live. */
export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "packages", "hyperv", "test", "fixtures");

/** Hosts the stand-in world offers (the adapter's `hosts` option). */
export const WORLD_HOSTS = ["HV-A", "HV-B", "HV-C", "HV-D"];

const client = (transport: NodePowerShellTransport | RecordingTransport, hosts: readonly string[]) =>
  new VmshiftClient(createHypervAdapter({ runner: createRunner(transport), hosts }), { follow: { poll: { initialDelayMs: 100, maxDelayMs: 400 } } });

/** Subjects in the stand-in's conformance world. */
export function worldSubjects(world: StandInWorld): TranscriptSubjects {
  return { liveVm: world.vmId("web-01"), coldVm: world.vmId("app-01"), targetHost: "HV-B", fullHost: "HV-C", incompatibleHost: "HV-D", missingVmId: "00000000-0000-4000-8000-00000000dead" };
}

/** Records one scenario against a transport and writes transcript.json and expected.json. */
export async function recordScenario(
  scenario: TranscriptScenario,
  transportOptions: NodePowerShellTransportOptions,
  subjects: TranscriptSubjects,
  faults: TranscriptFaults,
  options: RecordingTransportOptions & { hosts: readonly string[]; source: string },
): Promise<unknown> {
  const recorder = new RecordingTransport(new NodePowerShellTransport(transportOptions), options);
  const c = client(recorder, options.hosts);
  try {
    const observed = await scenario.run(c, subjects, faults);
    const dir = join(FIXTURES_DIR, scenario.name);
    mkdirSync(dir, { recursive: true });
    const meta = { scenario: scenario.name, description: scenario.description, source: options.source, hosts: options.hosts, subjects };
    writeFileSync(join(dir, "transcript.json"), `${JSON.stringify({ ...meta, exchanges: recorder.exchanges }, null, 2)}\n`);
    writeFileSync(join(dir, "expected.json"), `${JSON.stringify(observed, null, 2)}\n`);
    return observed;
  } finally {
    await c.close();
  }
}

/** Replays one fixture through node-powershell and the stand-in in replay mode; returns what the scenario observed and what was recorded. */
export async function replayScenario(scenario: TranscriptScenario): Promise<{ observed: unknown; expected: unknown }> {
  const dir = join(FIXTURES_DIR, scenario.name);
  const transcript = JSON.parse(readFileSync(join(dir, "transcript.json"), "utf8")) as { hosts: string[]; subjects: TranscriptSubjects };
  const transport = new NodePowerShellTransport({ executable: STAND_IN_PWSH, env: { VMSHIFT_PWSH_TRANSCRIPT: join(dir, "transcript.json"), VMSHIFT_PWSH_NODE: process.execPath }, timeoutMs: 30_000 });
  const c = client(transport, transcript.hosts);
  try {
    const observed = await scenario.run(c, transcript.subjects, {});
    return { observed: JSON.parse(JSON.stringify(observed)), expected: JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) };
  } finally {
    await c.close();
  }
}

/** Records every scenario against a fresh stand-in model world (synthesized transcripts). */
export async function recordSynthesized(only?: readonly string[]): Promise<void> {
  for (const scenario of TRANSCRIPT_SCENARIOS) {
    if (only && only.length > 0 && !only.includes(scenario.name)) continue;
    const world = new StandInWorld();
    try {
      await recordScenario(
        scenario,
        { executable: STAND_IN_PWSH, env: world.env(), timeoutMs: 30_000 },
        worldSubjects(world),
        { failDuringTransfer: (id) => world.failDuringTransfer(id), failColdStartOnTarget: (id) => world.failColdStartOnTarget(id), slowDown: (id) => world.slowDown(id) },
        { hosts: WORLD_HOSTS, source: "synthesized: stand-in Hyper-V model (adapters-conformance/hyperv-pwsh), documented object shapes" },
      );
    } finally {
      world.dispose();
    }
  }
}
