/**
 * Inventory at scale: listing 10,000 VMs through the public client
 * (`new VmshiftClient(adapter).listVms({ pageSize }).items()`, so the paginator is measured too),
 * for every local target that can hold that many:
 *
 * - `nutanix`: @vmshift/nutanix against the Prism-like server (adapters-conformance/prism-server),
 *   seeded with 10,000 VMs through its `seed.extraVms` option; `$page`/`$limit` paging.
 * - `kubevirt`: @vmshift/kubevirt against the KubeVirt API environment
 *   (adapters-conformance/kubevirt-env) over HTTPS with a bearer token; `limit`/`continue` paging.
 *   The default seed plus generated VMs (stored through the environment's exported `Store`, shaped as
 *   its controllers leave them) make 10,000 in 12 namespaces; 4 in 5 generated VMs are running, and
 *   the adapter reads each running VM's VMI (one GET per running VM), which is part of the figure.
 *   The environment's controllers are stopped after the seed: their 20 ms reconcile pass over every
 *   object would otherwise load the server with work no listing asks for.
 * - `kubevirt-stopped`: the same with every generated VM stopped: the `limit`/`continue` list calls
 *   alone, to separate them from the per-VM VMI reads.
 * - `simulator`: @vmshift/simulator in memory (context: the client and paginator alone).
 *
 * Servers run in this process; each listing runs in its own child Node process, so peak RSS
 * (`process.resourceUsage().maxRSS`) and peak heap (heapUsed, sampled every 5 ms and after every
 * page) are the client's alone (for the simulator the child also holds the simulated world).
 * Wall time is the listing only (first request to last item), not process start-up.
 * Each listing runs `VMSHIFT_BENCH_ROUNDS` times (default 3, a fresh child each) and the p50 is
 * reported, unless the first run shows that the rounds would take longer than 45 s: then it runs
 * once and the row says so. `VMSHIFT_INVENTORY_KUBEVIRT_PAGE_SIZE` overrides KubeVirt's page size
 * (default 500, the adapter's maximum). `node bench/inventory-scale.ts [nutanix|kubevirt|kubevirt-stopped|simulator…]`.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import { fileURLToPath } from "node:url";
import { type BenchRow, percentile, report } from "./lib.ts";

const EXPECTED = 10_000;
const CHILD_ENV = "VMSHIFT_INVENTORY_SCALE_CHILD";

type TargetName = "nutanix" | "kubevirt" | "simulator";

/** What the parent hands a child (through the environment, so no credential lands in argv). */
type ChildConfig =
  | { readonly target: "nutanix"; readonly pageSize: number; readonly url: string; readonly username: string; readonly password: string; readonly availabilityZoneId: string }
  | { readonly target: "kubevirt"; readonly pageSize: number; readonly kubeconfig: string }
  | { readonly target: "simulator"; readonly pageSize: number; readonly vmCount: number; readonly hostCount: number };

/** What a child reports. */
interface ChildResult {
  readonly count: number;
  readonly pages: number;
  readonly wallMs: number;
  /** Peak RSS of the whole child process, bytes. */
  readonly peakRssBytes: number;
  /** RSS just before listing (modules loaded, adapter built, simulated world built), bytes. */
  readonly baselineRssBytes: number;
  /** Highest sampled heapUsed, bytes. */
  readonly peakHeapBytes: number;
  /** heapUsed after a GC just before listing, bytes. */
  readonly baselineHeapBytes: number;
  readonly heapSamples: number;
  /** CPU time of the child (user + system) during the listing, ms. */
  readonly cpuMs: number;
}

// ------------------------------------------------------------------------------------------- child

if (process.argv[2] === "--child") {
  const config = JSON.parse(process.env[CHILD_ENV] ?? "null") as ChildConfig | null;
  if (!config) throw new Error(`${CHILD_ENV} is not set`);
  const { VmshiftClient } = await import("@vmshift/core");
  type Adapter = ConstructorParameters<typeof VmshiftClient>[0];
  let adapter: Adapter;
  if (config.target === "nutanix") {
    const { createNutanixAdapter } = await import("@vmshift/nutanix");
    adapter = createNutanixAdapter({ baseUrl: config.url, auth: { username: config.username, password: config.password }, availabilityZoneId: config.availabilityZoneId, retryDelayMs: 50 });
  } else if (config.target === "kubevirt") {
    const { createKubevirtAdapter } = await import("@vmshift/kubevirt");
    adapter = createKubevirtAdapter({ connection: { kubeconfigYaml: config.kubeconfig } });
  } else {
    const { SimulatorWorld, createSimulatorAdapter, generatedInventory } = await import("@vmshift/simulator");
    adapter = createSimulatorAdapter(new SimulatorWorld({ inventory: generatedInventory(config.hostCount, config.vmCount) }));
  }

  let peakHeap = 0;
  let samples = 0;
  const sample = () => {
    const used = process.memoryUsage().heapUsed;
    samples++;
    if (used > peakHeap) peakHeap = used;
  };

  // Counts pages at the adapter boundary (what the paginator fetched) and samples the heap while a page is held.
  const listVms = adapter.listVms;
  if (!listVms) throw new Error(`${adapter.name} has no listVms`);
  let pages = 0;
  const counted: Adapter = Object.assign(Object.create(adapter) as Adapter, {
    listVms: async (...args: Parameters<NonNullable<Adapter["listVms"]>>) => {
      const page = await listVms.apply(adapter, args);
      pages++;
      sample();
      return page;
    },
  });
  const client = new VmshiftClient(counted);

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const baselineHeapBytes = process.memoryUsage().heapUsed;
  const baselineRssBytes = process.memoryUsage().rss;
  peakHeap = baselineHeapBytes;
  const timer = setInterval(sample, 5);

  let count = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for await (const vm of client.listVms({ pageSize: config.pageSize }).items()) {
    if (vm.id) count++;
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(timer);
  sample();
  await client.close();
  const result: ChildResult = {
    count,
    pages,
    wallMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    baselineRssBytes,
    peakHeapBytes: peakHeap,
    baselineHeapBytes,
    heapSamples: samples,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  console.log(JSON.stringify(result));
  process.exit(0);
}

// ------------------------------------------------------------------------------------------ parent

/** Runs one listing in a fresh child process; the parent's event loop stays free to serve it. */
function runChild(config: ChildConfig): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--child"], {
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(config) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`${config.target} child exited ${code ?? signal}: ${stderr.slice(-1500)}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as ChildResult);
      } catch (error) {
        reject(new Error(`${config.target} child printed no result: ${stdout.slice(-500)} ${stderr.slice(-1000)} (${String(error)})`));
      }
    });
  });
}

/** One measured configuration. */
interface Measured {
  readonly target: TargetName;
  readonly label: string;
  readonly pageSize: number;
  readonly runs: readonly ChildResult[];
  /** Per run, when a server in this process answered: HTTP requests, TCP connections accepted, server CPU ms. */
  readonly server: readonly { readonly requests: number; readonly connections: number; readonly cpuMs: number }[];
  /** Rounds asked for (fewer ran when a listing is slow; see {@link ROUND_BUDGET_MS}). */
  readonly roundsAsked: number;
  readonly detail: string;
}

/** Listings per configuration, p50 reported. Default 3. */
const rounds = Math.max(1, Number(process.env["VMSHIFT_BENCH_ROUNDS"] ?? 3));
/** When the first run shows a configuration's rounds would take longer than this, it runs once (keeps the bench near 3 minutes). */
const ROUND_BUDGET_MS = 45_000;

/** TCP connections accepted by any server in this process (the local targets' servers). */
let accepted = 0;
subscribe("net.server.socket", () => void accepted++);

async function measure(target: TargetName, label: string, config: ChildConfig, requestCount?: () => number): Promise<Omit<Measured, "detail">> {
  const runs: ChildResult[] = [];
  const server: { requests: number; connections: number; cpuMs: number }[] = [];
  let firstMs = 0;
  for (let i = 0; i < rounds && (i === 0 || firstMs * rounds <= ROUND_BUDGET_MS); i++) {
    const roundStarted = performance.now();
    const requestsBefore = requestCount?.() ?? 0;
    const connectionsBefore = accepted;
    const cpuBefore = process.cpuUsage();
    const result = await runChild(config);
    const cpu = process.cpuUsage(cpuBefore);
    if (result.count !== EXPECTED) throw new Error(`${label} listed ${result.count} VMs, expected ${EXPECTED}`);
    runs.push(result);
    if (requestCount) server.push({ requests: requestCount() - requestsBefore, connections: accepted - connectionsBefore, cpuMs: (cpu.user + cpu.system) / 1000 });
    if (i === 0) firstMs = performance.now() - roundStarted;
    console.error(`inventory-scale: ${label} round ${i + 1}/${rounds}: ${result.count} VMs in ${result.pages} pages, ${Math.round(result.wallMs)} ms, peak RSS ${mib(result.peakRssBytes)} MiB`);
  }
  return { target, label, pageSize: config.pageSize, runs, server, roundsAsked: rounds };
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** The Nutanix adapter against the Prism-like server holding 10,000 VMs. */
async function nutanix(): Promise<Measured> {
  const { seedInventory, startPrismServer } = await import("../adapters-conformance/prism-server/src/index.ts");
  const username = "bench";
  const password = randomBytes(12).toString("hex");
  // The default seed has 4 named VMs plus `extraVms` stopped ones; ask for as many as make 10,000.
  const named = seedInventory({ extraVms: 0 }).vms.length;
  const server = await startPrismServer({ username, password, seed: { extraVms: EXPECTED - named } });
  try {
    if (server.inventory.vms.length !== EXPECTED) throw new Error(`the Prism-like server holds ${server.inventory.vms.length} VMs, expected ${EXPECTED}`);
    const pageSize = 100; // the v4 API's (and the adapter's) maximum $limit
    const m = await measure("nutanix", "nutanix (Prism-like server)", { target: "nutanix", pageSize, url: server.url, username, password, availabilityZoneId: server.inventory.availabilityZoneId }, () => server.requestCount);
    return { ...m, detail: `GET /api/vmm/v4.0/ahv/config/vms ?$page&$limit=${pageSize}, plain HTTP, Basic auth then session cookie` };
  } finally {
    await server.close();
  }
}

/**
 * The KubeVirt adapter against the KubeVirt API environment holding 10,000 VMs. `running`: 4 in 5
 * generated VMs run (each has a VMI the adapter reads); otherwise every generated VM is stopped, so
 * the figure is the `limit`/`continue` list calls alone.
 */
async function kubevirt(running: boolean): Promise<Measured> {
  const { KubevirtEnv } = await import("../adapters-conformance/kubevirt-env/index.ts");
  const env = await KubevirtEnv.start();
  try {
    // The seed has run and the controllers have made their first pass; stop them before adding
    // 10,000 objects (see the header). Generated VMs are stored as the controllers would leave them.
    env.controllers.stop();
    const seeded = env.store.all("virtualmachines").length;
    const nodes = env.store.all("nodes").map((n) => n.metadata.name).filter((n) => n !== "node-4");
    let vmis = env.store.all("virtualmachineinstances").length;
    for (let i = 0; i < EXPECTED - seeded; i++) {
      const namespace = `team-${i % 10}`;
      const name = `vm-${String(i).padStart(5, "0")}`;
      const on = running && i % 5 !== 4;
      const labels = { app: `svc-${i % 50}`, "kubevirt.io/vm": name };
      const spec = {
        evictionStrategy: "LiveMigrate",
        domain: {
          cpu: { cores: 1 + (i % 4) },
          resources: { requests: { memory: `${512 * (1 + (i % 4))}Mi` } },
          devices: { disks: [{ name: "rootdisk", disk: { bus: "virtio" } }], interfaces: [{ name: "default", masquerade: {} }] },
        },
        networks: [{ name: "default", pod: {} }],
        volumes: [{ name: "rootdisk", containerDisk: { image: "quay.io/containerdisks/fedora:latest" } }],
      };
      const vm = env.store.create("virtualmachines", "VirtualMachine", {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        metadata: { name, namespace, labels: { app: labels.app } },
        spec: { runStrategy: on ? "Always" : "Halted", template: { metadata: { labels }, spec } },
        status: on ? { printableStatus: "Running", created: true, ready: true } : { printableStatus: "Stopped", created: false, ready: false },
      });
      if (!on) continue;
      const node = nodes[i % nodes.length]!;
      env.store.create("virtualmachineinstances", "VirtualMachineInstance", {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachineInstance",
        metadata: {
          name,
          namespace,
          labels: { ...labels, "kubevirt.io/nodeName": node },
          ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name, uid: vm.metadata.uid, controller: true, blockOwnerDeletion: true }],
          finalizers: ["foregroundDeleteVirtualMachine"],
        },
        spec,
        status: {
          phase: "Running",
          nodeName: node,
          migrationMethod: "BlockMigration",
          migrationTransport: "Unix",
          conditions: [
            { type: "LiveMigratable", status: "True", lastProbeTime: null, lastTransitionTime: null },
            { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2026-08-01T09:55:12Z" },
          ],
        },
      });
      vmis++;
    }
    const total = env.store.all("virtualmachines").length;
    if (total !== EXPECTED) throw new Error(`the KubeVirt API environment holds ${total} VMs, expected ${EXPECTED}`);
    const pageSize = Number(process.env["VMSHIFT_INVENTORY_KUBEVIRT_PAGE_SIZE"] ?? 500); // default: the adapter's maximum page size
    const label = running ? "kubevirt (KubeVirt API environment)" : "kubevirt, VMs stopped (list calls only)";
    const m = await measure("kubevirt", label, { target: "kubevirt", pageSize, kubeconfig: env.kubeconfig() }, () => env.requestCount);
    return { ...m, detail: `GET /apis/kubevirt.io/v1/virtualmachines ?limit=${pageSize}&continue=…, plus one VMI GET per running VM (${vmis} of ${EXPECTED} running), HTTPS + bearer token` };
  } finally {
    await env.close();
  }
}

/** The simulator adapter, in memory. */
async function simulator(): Promise<Measured> {
  const pageSize = 500; // the simulator adapter's maximum page size
  const m = await measure("simulator", "simulator (in memory)", { target: "simulator", pageSize, vmCount: EXPECTED, hostCount: 100 });
  return { ...m, detail: "10,000 generated VMs on 100 hosts in the child process; no network (context: client + paginator + adapter mapping)" };
}

/** `node bench/inventory-scale.ts [name…]` measures only those (nutanix, kubevirt, kubevirt-stopped, simulator). */
const only = process.argv.slice(2).filter((a) => a !== "--");
const results: Measured[] = [];
const skipped: string[] = [];
for (const [name, run] of [
  ["nutanix", nutanix],
  ["kubevirt", () => kubevirt(true)],
  ["kubevirt-stopped", () => kubevirt(false)],
  ["simulator", simulator],
] as const) {
  if (only.length > 0 && !only.includes(name)) continue;
  try {
    results.push(await run());
  } catch (error) {
    // A target that cannot be measured must fail the bench, not vanish from the table.
    console.error(`inventory-scale: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    skipped.push(name);
  }
}

const rows: BenchRow[] = [];
for (const r of results) {
  const p50 = (f: (c: ChildResult) => number) => percentile(r.runs.map(f), 50);
  const s50 = (f: (c: Measured["server"][number]) => number) => percentile(r.server.map(f), 50);
  const wall = p50((c) => c.wallMs);
  const of = r.runs.length > 1 ? `p50 of ${r.runs.length} runs` : r.roundsAsked > 1 ? `one run (of ${r.roundsAsked} asked: a listing this slow gets one round to keep the bench near 3 minutes)` : "one run";
  const server = r.server.length ? `; server (in the parent process): ${s50((x) => x.requests)} HTTP requests over ${s50((x) => x.connections)} TCP connections, ${Math.round(s50((x) => x.cpuMs))} ms CPU` : "";
  rows.push({ metric: `${r.label}: VMs listed (asserted = 10,000)`, value: p50((c) => c.count), unit: "VMs", note: r.detail });
  rows.push({ metric: `${r.label}: pages`, value: p50((c) => c.pages), unit: "pages", note: `page size ${r.pageSize}${server}` });
  rows.push({ metric: `${r.label}: list 10,000 VMs, wall`, value: wall, unit: "ms", note: `listing only (first request to last item), page size ${r.pageSize}, ${of}; client CPU ${Math.round(p50((c) => c.cpuMs))} ms` });
  rows.push({ metric: `${r.label}: throughput`, value: EXPECTED / (wall / 1000), unit: "VMs/s", note: `page size ${r.pageSize}` });
  rows.push({
    metric: `${r.label}: peak RSS of the listing process`,
    value: p50((c) => c.peakRssBytes) / 2 ** 20,
    unit: "MiB",
    note: `RSS before listing ${mib(p50((c) => c.baselineRssBytes))} MiB (Node + modules${r.target === "simulator" ? " + simulated world" : ""}); process.resourceUsage().maxRSS`,
  });
  rows.push({
    metric: `${r.label}: peak heap used while listing`,
    value: p50((c) => c.peakHeapBytes) / 2 ** 20,
    unit: "MiB",
    note: `heap before listing ${mib(p50((c) => c.baselineHeapBytes))} MiB after GC; heapUsed sampled every 5 ms and after each page (${p50((c) => c.heapSamples)} samples)`,
  });
}
report("inventory-scale", rows);
if (skipped.length > 0) {
  console.error(`inventory-scale: not measured: ${skipped.join(", ")}`);
  process.exitCode = 1;
}
