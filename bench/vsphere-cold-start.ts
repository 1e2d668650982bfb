/**
 * vSphere client cold start: a fresh Node process imports @vmshift/vsphere (soap, axios), loads
 * the WSDL subset, logs in and answers one getVm from vmshift-vcsim. p50 of
 * VMSHIFT_BENCH_ROUNDS (default 10) processes; peer: `govc vm.info` (built from Debian's
 * govmomi 0.24.2 source by adapters-conformance/vcsim/build-govc.sh), same VM, same launcher.
 * `node bench/vsphere-cold-start.ts`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startVcsim, vcsimMissing } from "../adapters-conformance/targets/vsphere-launcher.ts";
import { type BenchRow, percentile, report } from "./lib.ts";

const GOVC = fileURLToPath(new URL("../.cache/vcsim/govc", import.meta.url));

if (process.argv[2] === "--child") {
  const [, , , url, caFile, vmId] = process.argv;
  const t0 = performance.now();
  const { createVsphereAdapter } = await import("@vmshift/vsphere");
  const { createClient } = await import("@vmshift/core");
  const { readFileSync } = await import("node:fs");
  const imported = performance.now();
  const client = createClient(createVsphereAdapter({ url: url!, username: "bench", password: "bench-pw", ca: readFileSync(caFile!, "utf8") }));
  const vm = await client.getVm(vmId!);
  const answered = performance.now();
  await client.close();
  console.log(JSON.stringify({ importMs: imported - t0, firstAnswerMs: answered - imported, name: vm.name }));
  process.exit(0);
}

const missing = vcsimMissing();
if (missing) {
  console.error(`vsphere-cold-start: skipped (${missing})`);
  process.exit(0);
}
const rounds = Number(process.env["VMSHIFT_BENCH_ROUNDS"] ?? 10);
const sim = await startVcsim([]);
const { writeFileSync } = await import("node:fs");
const ca = fileURLToPath(new URL("../.cache/vcsim/bench-ca.pem", import.meta.url));
writeFileSync(ca, sim.caPem);
try {
  const { createVsphereAdapter } = await import("@vmshift/vsphere");
  const { createClient } = await import("@vmshift/core");
  const probe = createClient(createVsphereAdapter({ url: sim.url, username: "bench", password: "bench-pw", ca: sim.caPem }));
  const vmId = (await probe.listVms().all()).find((v) => v.name === "DC0_C0_RP0_VM0")!.id;
  await probe.close();
  const imports: number[] = [];
  const firsts: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", sim.url, ca, vmId], { encoding: "utf8" });
    walls.push(performance.now() - started);
    if (run.status !== 0) throw new Error(`child failed: ${run.stderr}`);
    const r = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { importMs: number; firstAnswerMs: number };
    imports.push(r.importMs);
    firsts.push(r.firstAnswerMs);
  }
  let govc: number | undefined;
  if (existsSync(GOVC)) {
    const times: number[] = [];
    const env = { ...process.env, GOVC_URL: sim.url, GOVC_USERNAME: "bench", GOVC_PASSWORD: "bench-pw", GOVC_INSECURE: "1" };
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const run = spawnSync(GOVC, ["vm.info", "DC0_C0_RP0_VM0"], { env, encoding: "utf8" });
      times.push(performance.now() - started);
      if (run.status !== 0) throw new Error(`govc failed: ${run.stderr}`);
    }
    govc = percentile(times, 50);
  }
  const rows: BenchRow[] = [
    { metric: "import @vmshift/vsphere + core, p50", value: percentile(imports, 50), unit: "ms" },
    { metric: "first answer (WSDL subset load, RetrieveServiceContent, Login, getVm), p50", value: percentile(firsts, 50), unit: "ms" },
    {
      metric: "process start → first VM answered, p50",
      value: percentile(walls, 50),
      unit: "ms",
      ...(govc === undefined ? { note: "govc not built (adapters-conformance/vcsim/build-govc.sh)" } : { peer: { name: "govc vm.info", value: govc } }),
    },
  ];
  report("vsphere-cold-start", rows);
} finally {
  await sim.stop();
}
