/**
 * Listing 10,000 VMs from vmshift-vcsim (2 clusters and 2 standalone hosts with 2,500 VMs each):
 * `vmshift vms --json --page-size 1000` — the CLI as users run it, packed and installed with npm
 * from a loopback registry (as `bench/startup.ts` does), with a vsphere profile; RetrievePropertiesEx
 * + ContinueRetrievePropertiesEx of name, power state, host, memory, CPUs, pages decoded and their VMs
 * written out as they arrive (a page read ahead is held at the socket) — against govc `object.collect -json` of the same properties (built from Debian's
 * govmomi 0.24.2 source by adapters-conformance/vcsim/build-govc.sh). Wall time and peak RSS of
 * each whole process (GNU time), the two interleaved round by round so that load on a shared
 * machine falls on both alike, p50 of VMSHIFT_BENCH_ROUNDS (default 5). The floor: the same
 * installed CLI listing the 6 hosts (`vmshift hosts --json`), what a process pays before any VM.
 * `node bench/vsphere-list.ts`; VMSHIFT_BENCH_KEEP=1 keeps the scratch directory.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startVcsim, vcsimMissing } from "../adapters-conformance/targets/vsphere-launcher.ts";
import { cleanEnv, installCli } from "./installed.ts";
import { type BenchRow, percentile, report } from "./lib.ts";

const GOVC = fileURLToPath(new URL("../.cache/vcsim/govc", import.meta.url));
const EXPECTED = 10_000;
const PROPERTIES = ["name", "runtime.powerState", "runtime.host", "summary.config.memorySizeMB", "summary.config.numCpu"];

interface Measured {
  readonly wallMs: number;
  readonly rssBytes: number;
  readonly stdout: string;
}

/** Runs a command under GNU time; wall ms and peak RSS bytes. */
function measured(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Measured {
  const started = performance.now();
  const run = spawnSync("/usr/bin/time", ["-f", "VMSHIFT_RSS_KB=%M", cmd, ...args], { env, cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
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
const rounds = Number(process.env["VMSHIFT_BENCH_ROUNDS"] ?? 5);
const work = mkdtempSync(join(tmpdir(), "vmshift-vsphere-list-"));
console.error("vsphere-list: packing and installing the CLI with npm…");
const vmshift = await installCli(work);
const sim = await startVcsim(["-cluster", "2", "-host", "2", "-standalone-host", "2", "-vm", "2500", "-maintenance-host", "0", "-full-host", "0"], { startTimeoutMs: 180_000 });
try {
  const ca = join(work, "ca.pem");
  const config = join(work, "config.yaml");
  writeFileSync(ca, sim.caPem);
  writeFileSync(config, ["defaultProfile: bench", "profiles:", "  bench:", "    platform: vsphere", `    url: ${sim.url}`, "    username: bench", "    password: { env: VMSHIFT_BENCH_VSPHERE_PASSWORD }", `    ca: { file: ${ca} }`, ""].join("\n"));
  const tmp = join(work, "tmp");
  mkdirSync(tmp);
  const cliEnv = cleanEnv({ HOME: join(work, "home"), TMPDIR: tmp, VMSHIFT_CONFIG: config, VMSHIFT_BENCH_VSPHERE_PASSWORD: "bench-pw" });
  const govcEnv = { ...process.env, GOVC_URL: sim.url, GOVC_USERNAME: "bench", GOVC_PASSWORD: "bench-pw", GOVC_INSECURE: "1" };
  const count = (m: Measured, what: string, expected: number, lineStart: string) => {
    const n = m.stdout.split("\n").filter((l) => l.startsWith(lineStart)).length;
    if (n !== expected) throw new Error(`${what} listed ${n}, expected ${expected}`);
    return m;
  };
  // One run to fill the CLI's compile cache, as a user's earlier runs would.
  count(measured(vmshift, ["hosts", "--profile", "bench", "--json"], cliEnv, work), "vmshift hosts", 6, "{");
  const ours: Measured[] = [];
  const floor: Measured[] = [];
  const peer: Measured[] = [];
  const loads: number[] = [];
  for (let i = 0; i < rounds; i++) {
    loads.push(loadavg()[0]!);
    ours.push(count(measured(vmshift, ["vms", "--profile", "bench", "--json", "--page-size", "1000"], cliEnv, work), "vmshift vms", EXPECTED, "{"));
    if (existsSync(GOVC)) peer.push(measured(GOVC, ["object.collect", "-json", "-type", "m", "/", ...PROPERTIES], govcEnv, work));
    floor.push(count(measured(vmshift, ["hosts", "--profile", "bench", "--json"], cliEnv, work), "vmshift hosts", 6, "{"));
  }
  const p50 = (xs: readonly number[]) => percentile(xs, 50);
  const load = `1-min load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${rounds} rounds`;
  const note = peer.length ? load : `govc not built (adapters-conformance/vcsim/build-govc.sh); ${load}`;
  const versus = (pick: (m: Measured) => number, scale: number) => (peer.length ? { peer: { name: "govc object.collect", value: p50(peer.map(pick)) / scale } } : {});
  const rows: BenchRow[] = [
    { metric: "vmshift vms: list 10,000 VMs, installed CLI, whole process, p50", value: p50(ours.map((m) => m.wallMs)), unit: "ms", ...versus((m) => m.wallMs, 1), note },
    { metric: "vmshift vms: list 10,000 VMs, installed CLI, peak RSS, p50", value: p50(ours.map((m) => m.rssBytes)) / 2 ** 20, unit: "MiB", ...versus((m) => m.rssBytes, 2 ** 20), note },
    // The floor has no peer: it is what the CLI pays before any VM, to read the rows above against.
    { metric: "floor: vmshift hosts (6 hosts), installed CLI, whole process, p50", value: p50(floor.map((m) => m.wallMs)), unit: "ms", note },
    { metric: "floor: vmshift hosts (6 hosts), installed CLI, peak RSS, p50", value: p50(floor.map((m) => m.rssBytes)) / 2 ** 20, unit: "MiB", note },
  ];
  report("vsphere-list", rows);
} finally {
  await sim.stop();
  if (process.env["VMSHIFT_BENCH_KEEP"] !== "1") rmSync(work, { recursive: true, force: true });
}
