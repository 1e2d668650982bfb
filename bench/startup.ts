/**
 * Start-up cost as users pay it, on the built JavaScript as npm installs it (not the workspace's
 * TypeScript sources): every published package is packed (`consumers/packages.ts`), served from a
 * loopback registry for the @vmshift scope (`consumers/registry.ts`) and installed with npm into
 * a scratch directory — the CLI globally, @vmshift/vsphere and @vmshift/core into a project.
 * Then, hyperfine-like, whole processes are timed from spawn to exit, interleaved round by round
 * so that load on a shared machine falls on all of them alike:
 *
 * - `node -e 0`, the floor every Node.js program pays;
 * - `vmshift --help` through the installed bin (its shebang, Node's compile cache in a fresh
 *   TMPDIR, so the first run fills the cache and later ones use it), and again with an empty
 *   compile cache on every run (a new TMPDIR each time);
 * - a vSphere client: a script that imports the installed @vmshift/core and @vmshift/vsphere,
 *   connects to vmshift-vcsim (certificate pinned by thumbprint), answers one `getVm`, logs out
 *   and exits; peer: `govc vm.info` of the same VM on the same launcher (CA-verified TLS). A
 *   library cannot turn Node's compile cache on (process-wide state), so this script runs
 *   without it; `vmshift vms` with a vSphere profile shows the same path through the CLI, which does.
 *
 * Each command runs VMSHIFT_BENCH_ROUNDS + 1 times (default 10 + 1): the first run is reported as
 * cold (empty compile cache, files just installed), the p50 of the others as warm. Targets of the
 * issue: `vmshift --help` ≤ 4× `node -e 0`, vSphere process start → first VM answered ≤ 5× `govc
 * vm.info`. `node bench/startup.ts`; VMSHIFT_BENCH_KEEP=1 keeps the scratch directory.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnv, installCli, npm } from "./installed.ts";
import { type BenchRow, format, percentile, report } from "./lib.ts";

/** The targets: ratio of the warm p50s. */
export const TARGETS = { help: 4, vsphere: 5 } as const;

/** Wall times of one command, in run order (the first is the cold one). */
export interface Series {
  /** The first run: nothing cached yet. */
  readonly cold: number;
  /** p50 of the runs after the first. */
  readonly warm: number;
  /** How many warm runs the p50 is of. */
  readonly runs: number;
}

/** Splits wall times in run order into the cold first run and the p50 of the rest. */
export function series(times: readonly number[]): Series {
  if (times.length < 2) throw new Error(`need at least 2 runs (one cold, one warm), got ${times.length}`);
  const rest = times.slice(1);
  return { cold: times[0]!, warm: percentile(rest, 50), runs: rest.length };
}

/** What the vSphere script reports about itself (medians over the warm runs). */
export interface Phases {
  /** Node.js start-up before the script's first line (performance.now() there). */
  readonly bootMs: number;
  /** import of @vmshift/core and @vmshift/vsphere. */
  readonly importMs: number;
  /** createClient → getVm answered (TLS, RetrieveServiceContent, Login, RetrievePropertiesEx). */
  readonly firstAnswerMs: number;
}

/** Everything one run of the bench measured. */
export interface Measured {
  readonly node: Series;
  readonly help: Series;
  /** `vmshift --help` with an empty compile cache on every run. */
  readonly helpEmptyCache: Series;
  /** Absent when vcsim is not built. */
  readonly vsphere?: { readonly ours: Series; readonly phases: Phases; readonly govc?: Series; readonly cli: Series };
}

const ratioText = (value: number, peer: number) => `${(value / peer).toFixed(1)}×`;

/** The result rows: ratios as the issue states them, cold and warm, and the vSphere breakdown (when measured). */
export function startupRows(m: Measured): BenchRow[] {
  const within = (value: number, peer: number, target: number) => (value / peer <= target ? `within the target ≤ ${target}×` : `over the target ≤ ${target}×`);
  const rows: BenchRow[] = [
    { metric: "node -e 0 (the floor), warm p50", value: m.node.warm, unit: "ms", note: `cold (first run): ${format(m.node.cold)} ms; p50 of ${m.node.runs}` },
    {
      metric: "vmshift --help (installed CLI, Node compile cache), warm p50",
      value: m.help.warm,
      unit: "ms",
      peer: { name: "node -e 0", value: m.node.warm },
      note: within(m.help.warm, m.node.warm, TARGETS.help),
    },
    {
      metric: "vmshift --help, cold (first run, empty compile cache)",
      value: m.help.cold,
      unit: "ms",
      peer: { name: "node -e 0, first run", value: m.node.cold },
    },
    {
      metric: "vmshift --help with an empty compile cache on every run, p50",
      value: m.helpEmptyCache.warm,
      unit: "ms",
      peer: { name: "node -e 0", value: m.node.warm },
      note: within(m.helpEmptyCache.warm, m.node.warm, TARGETS.help),
    },
  ];
  if (!m.vsphere) return rows;
  const { ours, phases, govc, cli } = m.vsphere;
  const peerOr = (series: Series | undefined, pick: (s: Series) => number, name: string) =>
    series ? { peer: { name, value: pick(series) } } : { note: "govc not built (adapters-conformance/vcsim/build-govc.sh)" };
  rows.push(
    {
      metric: "vSphere process start → first VM answered (installed @vmshift/vsphere + core, getVm, logout), warm p50",
      value: ours.warm,
      unit: "ms",
      ...peerOr(govc, (s) => s.warm, "govc vm.info"),
      ...(govc ? { note: `${within(ours.warm, govc.warm, TARGETS.vsphere)}; ${ratioText(ours.warm, m.node.warm)} node -e 0` } : {}),
    },
    { metric: "vSphere process start → first VM answered, cold (first run)", value: ours.cold, unit: "ms", ...peerOr(govc, (s) => s.cold, "govc vm.info, first run") },
    { metric: "vmshift vms with a vSphere profile (installed CLI, compile cache, thumbprint), warm p50", value: cli.warm, unit: "ms", ...peerOr(govc, (s) => s.warm, "govc vm.info") },
    { metric: "vSphere script: Node.js start-up before its first line, p50", value: phases.bootMs, unit: "ms" },
    { metric: "vSphere script: import @vmshift/core + @vmshift/vsphere, p50", value: phases.importMs, unit: "ms" },
    { metric: "vSphere script: first answer (TLS, RetrieveServiceContent, Login, RetrievePropertiesEx), p50", value: phases.firstAnswerMs, unit: "ms" },
  );
  return rows;
}

/** The vSphere client, as a user would write it (dynamic imports only to time the phases). */
const VSPHERE_SCRIPT = `const bootMs = performance.now();
const [url, thumbprint, vmId] = process.argv.slice(2);
const { createClient } = await import("@vmshift/core");
const { createVsphereAdapter } = await import("@vmshift/vsphere");
const imported = performance.now();
const client = createClient(createVsphereAdapter({ url, username: "bench", password: "bench-pw", thumbprint }));
const vm = await client.getVm(vmId);
const answered = performance.now();
await client.close();
process.stdout.write(JSON.stringify({ bootMs, importMs: imported - bootMs, firstAnswerMs: answered - imported, name: vm.name }) + "\\n");
`;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GOVC = join(ROOT, ".cache", "vcsim", "govc");
const VM_NAME = "DC0_C0_RP0_VM0";

/** Packs, serves and installs: the global CLI and a project with the vSphere client script. */
async function install(work: string): Promise<{ vmshift: string; project: string }> {
  const project = join(work, "project");
  const vmshift = await installCli(work, async (registry) => {
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "startup-bench", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`);
    await npm(["install", "@vmshift/vsphere", "@vmshift/core"], project, registry);
  });
  writeFileSync(join(project, "first-vm.mjs"), VSPHERE_SCRIPT);
  return { vmshift, project };
}

interface Command {
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Throws when the run did not do its job. */
  readonly check: (stdout: string) => void;
  readonly times: number[];
  readonly outputs: string[];
}

/** Runs every command `rounds` times, round by round; wall time from spawn to exit. */
function runInterleaved(commands: readonly Command[], rounds: number): void {
  for (let round = 0; round < rounds; round++) {
    for (const c of commands) {
      const started = performance.now();
      const run = spawnSync(c.file, c.args, { cwd: c.cwd, env: c.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
      const wall = performance.now() - started;
      if (run.status !== 0) throw new Error(`${c.name} failed (exit ${run.status ?? run.signal}): ${(run.stderr || run.stdout).slice(-800)}`);
      c.check(run.stdout);
      c.times.push(wall);
      c.outputs.push(run.stdout);
    }
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.env["VMSHIFT_BENCH_ROUNDS"] ?? 10) + 1;
  const work = mkdtempSync(join(tmpdir(), "vmshift-startup-"));
  const { startVcsim, vcsimMissing } = await import("../adapters-conformance/targets/vsphere-launcher.ts");
  const missing = vcsimMissing();
  let sim: Awaited<ReturnType<typeof startVcsim>> | undefined;
  try {
    console.error("startup: packing and installing the published packages with npm…");
    const { vmshift, project } = await install(work);
    // A fresh TMPDIR: the CLI's compile cache (os.tmpdir()/node-compile-cache) starts empty.
    const tmp = join(work, "tmp");
    mkdirSync(tmp);
    const env = cleanEnv({ HOME: join(work, "home"), TMPDIR: tmp });
    const command = (name: string, file: string, args: readonly string[], check: (stdout: string) => void, extra: NodeJS.ProcessEnv = env): Command => ({ name, file, args, cwd: project, env: extra, check, times: [], outputs: [] });
    const node = command("node -e 0", process.execPath, ["-e", "0"], () => {});
    const usage = (out: string) => {
      if (!/usage: vmshift/.test(out)) throw new Error(`vmshift --help printed no usage: ${out.slice(0, 200)}`);
    };
    const help = command("vmshift --help", vmshift, ["--help"], usage);
    // A new, empty TMPDIR (so compile cache) for every run.
    let emptyCaches = 0;
    const helpEmptyCache: Command = {
      ...command("vmshift --help (empty compile cache)", vmshift, ["--help"], usage),
      get env() {
        const dir = join(work, `tmp-empty-${++emptyCaches}`);
        mkdirSync(dir);
        return { ...env, TMPDIR: dir };
      },
    };
    const commands = [node, help, helpEmptyCache];
    let ours: Command | undefined;
    let govc: Command | undefined;
    let cli: Command | undefined;
    if (!missing) {
      sim = await startVcsim([]);
      const caFile = join(work, "vcsim-ca.pem");
      writeFileSync(caFile, sim.caPem);
      const { createClient } = await import("@vmshift/core");
      const { createVsphereAdapter } = await import("@vmshift/vsphere");
      const probe = createClient(createVsphereAdapter({ url: sim.url, username: "bench", password: "bench-pw", ca: sim.caPem }));
      const vmId = (await probe.listVms().all()).find((v) => v.name === VM_NAME)?.id;
      await probe.close();
      if (!vmId) throw new Error(`vcsim has no ${VM_NAME}`);
      ours = command("vSphere client", process.execPath, [join(project, "first-vm.mjs"), sim.url, sim.thumbprint, vmId], (out) => {
        if ((JSON.parse(out.trim().split("\n").at(-1)!) as { name?: string }).name !== VM_NAME) throw new Error(`the vSphere script answered ${out}`);
      });
      commands.push(ours);
      const config = join(work, "vsphere-profile.yaml");
      const profile = ["defaultProfile: bench", "profiles:", "  bench:", "    platform: vsphere", `    url: ${sim.url}`, "    username: bench", "    password: { env: VMSHIFT_BENCH_VSPHERE_PASSWORD }", `    thumbprint: "${sim.thumbprint}"`, ""];
      writeFileSync(config, profile.join("\n"));
      cli = command("vmshift vms (vSphere profile)", vmshift, ["vms", "--config", config, "--json"], (out) => {
        if (!out.includes(VM_NAME)) throw new Error(`vmshift vms did not list ${VM_NAME}: ${out.slice(0, 300)}`);
      }, { ...env, VMSHIFT_BENCH_VSPHERE_PASSWORD: "bench-pw" });
      commands.push(cli);
      if (existsSync(GOVC)) {
        govc = command("govc vm.info", GOVC, ["vm.info", VM_NAME], (out) => {
          if (!out.includes(VM_NAME)) throw new Error(`govc answered ${out.slice(0, 200)}`);
        }, { ...env, GOVC_URL: sim.url, GOVC_USERNAME: "bench", GOVC_PASSWORD: "bench-pw", GOVC_TLS_CA_CERTS: caFile });
        commands.push(govc);
      }
    }
    console.error(`startup: ${rounds} rounds of ${commands.map((c) => c.name).join(", ")}…`);
    runInterleaved(commands, rounds);
    const p50 = (xs: readonly number[]) => percentile(xs, 50);
    const phasesOf = (c: Command): Phases => {
      const warm = c.outputs.slice(1).map((o) => JSON.parse(o.trim().split("\n").at(-1)!) as Phases);
      return { bootMs: p50(warm.map((p) => p.bootMs)), importMs: p50(warm.map((p) => p.importMs)), firstAnswerMs: p50(warm.map((p) => p.firstAnswerMs)) };
    };
    const measured: Measured = {
      node: series(node.times),
      help: series(help.times),
      helpEmptyCache: series(helpEmptyCache.times),
      ...(ours && cli ? { vsphere: { ours: series(ours.times), phases: phasesOf(ours), cli: series(cli.times), ...(govc ? { govc: series(govc.times) } : {}) } } : {}),
    };
    if (missing) console.error(`startup: vSphere rows skipped (${missing})`);
    report("startup", startupRows(measured));
  } finally {
    await sim?.stop();
    if (process.env["VMSHIFT_BENCH_KEEP"] === "1") console.error(`startup: kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
