/**
 * Recorder: writes the transcript fixtures under packages/hyperv/test/fixtures/<scenario>/.
 *
 *   VMSHIFT_RECORD=1 node adapters-conformance/hyperv-pwsh/record.ts [scenario…]
 *
 * Without VMSHIFT_HYPERV_HOST the answers come from the stand-in's model (synthesized). With it
 * (and the VMSHIFT_HYPERV_* settings of the hyperv-live target), they are recorded against the
 * real host: the password is masked, and host names, VM names and ids listed in
 * VMSHIFT_RECORD_REPLACE (`from=to,from=to`) are replaced before anything is written. Faults
 * cannot be injected on a real host, so only the fault-free scenarios are recorded there.
 */
import { TRANSCRIPT_SCENARIOS } from "./src/transcript-scenarios.ts";
import { recordScenario, recordSynthesized } from "./src/transcripts.ts";

if (process.env["VMSHIFT_RECORD"] !== "1") {
  console.error("set VMSHIFT_RECORD=1 to (re)write the transcript fixtures");
  process.exit(2);
}
const only = process.argv.slice(2);
const host = process.env["VMSHIFT_HYPERV_HOST"];
if (!host) {
  await recordSynthesized(only);
} else {
  const env = (n: string) => process.env[n] || undefined;
  const password = env("VMSHIFT_HYPERV_PASSWORD");
  const user = env("VMSHIFT_HYPERV_USER");
  const replace = Object.fromEntries((env("VMSHIFT_RECORD_REPLACE") ?? "").split(",").filter(Boolean).map((pair) => pair.split("=") as [string, string]));
  const hosts = (env("VMSHIFT_HYPERV_HOSTS") ?? "").split(",").filter(Boolean);
  const subjects = {
    liveVm: env("VMSHIFT_HYPERV_LIVE_VM")!,
    coldVm: env("VMSHIFT_HYPERV_COLD_VM") ?? env("VMSHIFT_HYPERV_LIVE_VM")!,
    targetHost: env("VMSHIFT_HYPERV_TARGET_HOST")!,
    fullHost: env("VMSHIFT_HYPERV_FULL_HOST") ?? env("VMSHIFT_HYPERV_TARGET_HOST")!,
    incompatibleHost: env("VMSHIFT_HYPERV_INCOMPATIBLE_HOST") ?? env("VMSHIFT_HYPERV_TARGET_HOST")!,
    missingVmId: "00000000-0000-4000-8000-00000000dead",
  };
  const faultFree = new Set(["inventory", "preflight", "live-migrate", "cold-migrate"]);
  for (const scenario of TRANSCRIPT_SCENARIOS) {
    if (!faultFree.has(scenario.name) || (only.length > 0 && !only.includes(scenario.name))) continue;
    const remote = { computerName: host, ...(user ? { userName: user } : {}), ...(password ? { password } : {}) };
    await recordScenario(scenario, { remote, ...(env("VMSHIFT_HYPERV_PWSH") ? { executable: env("VMSHIFT_HYPERV_PWSH")! } : {}) }, subjects, {}, {
      hosts,
      source: `recorded against ${replace[host] ?? "a real Hyper-V host"} on ${new Date().toISOString().slice(0, 10)}`,
      secrets: password ? [password] : [],
      replace,
    });
  }
}
console.log("transcripts written");
