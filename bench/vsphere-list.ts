/**
 * Listing 10,000 VMs from vmshift-vcsim (2 clusters and 2 standalone hosts with 2,500 VMs each):
 * `vmshift vms --json --page-size 1000` (the CLI with a vsphere profile; RetrievePropertiesEx +
 * ContinueRetrievePropertiesEx of name, power state, host, memory, CPUs) against govc
 * `object.collect -json` of the same properties (built from Debian's govmomi 0.24.2 source by
 * adapters-conformance/vcsim/build-govc.sh). Wall time and peak RSS of each whole process
 * (GNU time), p50 of VMSHIFT_BENCH_ROUNDS (default 3). `node bench/vsphere-list.ts`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startVcsim, vcsimMissing } from "../adapters-conformance/targets/vsphere-launcher.ts";
import { type BenchRow, percentile, report } from "./lib.ts";

const GOVC = fileURLToPath(new URL("../.cache/vcsim/govc", import.meta.url));
const CLI = fileURLToPath(new URL("../packages/cli/src/bin.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../.cache/vcsim/bench-config.yaml", import.meta.url));
const EXPECTED = 10_000;

/** Runs a command under GNU time; wall ms and peak RSS bytes. */
function measured(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): { wallMs: number; rssBytes: number; stdout: string } {
  const started = performance.now();
  const run = spawnSync("/usr/bin/time", ["-f", "VMSHIFT_RSS_KB=%M", cmd, ...args], { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`${cmd} failed: ${run.stderr.slice(-800)}`);
  const kb = Number(/VMSHIFT_RSS_KB=(\d+)/.exec(run.stderr)?.[1] ?? Number.NaN);
  return { wallMs, rssBytes: kb * 1024, stdout: run.stdout };
}

const missing = vcsimMissing() ?? (existsSync("/usr/bin/time") ? undefined : "GNU time (/usr/bin/time) is not installed");
if (missing) {
  console.error(`vsphere-list: skipped (${missing})`);
  process.exit(0);
}
const rounds = Number(process.env["VMSHIFT_BENCH_ROUNDS"] ?? 3);
const sim = await startVcsim(["-cluster", "2", "-host", "2", "-standalone-host", "2", "-vm", "2500", "-maintenance-host", "0", "-full-host", "0"], { startTimeoutMs: 180_000 });
const ca = fileURLToPath(new URL("../.cache/vcsim/bench-ca.pem", import.meta.url));
writeFileSync(ca, sim.caPem);
try {
  writeFileSync(
    CONFIG,
    ["defaultProfile: bench", "profiles:", "  bench:", "    platform: vsphere", `    url: ${sim.url}`, "    username: bench", "    password: { env: VMSHIFT_BENCH_VSPHERE_PASSWORD }", `    ca: { file: ${ca} }`, ""].join("\n"),
  );
  const cliEnv = { ...process.env, VMSHIFT_CONFIG: CONFIG, VMSHIFT_BENCH_VSPHERE_PASSWORD: "bench-pw" };
  const ours = [];
  for (let i = 0; i < rounds; i++) {
    const m = measured(process.execPath, [CLI, "vms", "--profile", "bench", "--json", "--page-size", "1000"], cliEnv);
    const count = m.stdout.split("\n").filter((l) => l.startsWith("{")).length;
    if (count !== EXPECTED) throw new Error(`vmshift listed ${count} VMs, expected ${EXPECTED}`);
    ours.push(m);
  }
  const peer = [];
  if (existsSync(GOVC)) {
    const env = { ...process.env, GOVC_URL: sim.url, GOVC_USERNAME: "bench", GOVC_PASSWORD: "bench-pw", GOVC_INSECURE: "1" };
    for (let i = 0; i < rounds; i++) {
      const m = measured(GOVC, ["object.collect", "-json", "-type", "m", "/", "name", "runtime.powerState", "runtime.host", "summary.config.memorySizeMB", "summary.config.numCpu"], env);
      peer.push(m);
    }
  }
  const p50 = (xs: readonly number[]) => percentile(xs, 50);
  const note = peer.length ? undefined : "govc not built (adapters-conformance/vcsim/build-govc.sh)";
  const rows: BenchRow[] = [
    { metric: "vmshift vms: list 10,000 VMs, whole process, p50", value: p50(ours.map((m) => m.wallMs)), unit: "ms", ...(peer.length ? { peer: { name: "govc object.collect", value: p50(peer.map((m) => m.wallMs)) } } : { note: note! }) },
    { metric: "vmshift vms: list 10,000 VMs, peak RSS, p50", value: p50(ours.map((m) => m.rssBytes)) / 2 ** 20, unit: "MiB", ...(peer.length ? { peer: { name: "govc object.collect", value: p50(peer.map((m) => m.rssBytes)) / 2 ** 20 } } : { note: note! }) },
  ];
  report("vsphere-list", rows);
} finally {
  await sim.stop();
}
