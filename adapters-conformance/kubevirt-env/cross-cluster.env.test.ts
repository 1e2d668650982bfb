/**
 * Cross-cluster (decentralized) live migration: @vmshift/kubevirt between two paired KubeVirt API
 * environments (decentralized.ts, pairing.ts), each read back from its own store.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VmshiftClient, isVmshiftError } from "@vmshift/core";
import { HttpKubeTransport, KubevirtApi, type KvMigration, createKubevirtAdapter, loadKubeConfig } from "@vmshift/kubevirt";
import { ENV_ADAPTER_TUNING } from "../targets/kubevirt-env.ts";
import { KubevirtEnv } from "./env.ts";
import { type EnvPairing, pairEnvs } from "./pairing.ts";
import { DECENTRALIZED_GATE, setDecentralizedGate } from "./decentralized.ts";

type Obj = { metadata: { name: string; deletionTimestamp?: string; annotations?: Record<string, string> }; spec: any; status?: any };
let west: KubevirtEnv;
let east: KubevirtEnv;
let sync: EnvPairing | undefined;
let client: VmshiftClient;
const VM = "default/web-01";

/** Removes web-01 from the east environment's seed, so the name is free for the receiving VM. */
async function vacate(env: KubevirtEnv, namespace: string, name: string): Promise<void> {
  for (const resource of ["virtualmachineinstances", "virtualmachines"] as const) {
    env.store.mutate(resource, namespace, name, (o) => void (o.metadata.finalizers = []));
    if (env.store.get(resource, namespace, name)) env.store.delete(resource, namespace, name);
  }
  await env.until(() => !env.store.get("virtualmachineinstances", namespace, name));
}

const makeClient = () => new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: west.kubeconfig() }, ...ENV_ADAPTER_TUNING, crossClusterPollMs: 50, clusters: { east: { connection: { kubeconfigYaml: east.kubeconfig() } } } }), { follow: { poll: { initialDelayMs: 50, maxDelayMs: 300 } } });
const vmi = (env: KubevirtEnv, name = "web-01") => env.store.get("virtualmachineinstances", "default", name) as Obj | undefined;
const vm = (env: KubevirtEnv, name = "web-01") => env.store.get("virtualmachines", "default", name) as Obj | undefined;
const migrations = (env: KubevirtEnv) => env.store.all("virtualmachineinstancemigrations", "default") as Obj[];

beforeEach(async () => {
  west = await KubevirtEnv.start();
  east = await KubevirtEnv.start();
  await vacate(east, "default", "web-01");
  client = makeClient();
});
afterEach(async () => {
  sync?.stop();
  sync = undefined;
  await client.close();
  await west.close();
  await east.close();
});

describe("cross-cluster live migration", () => {
  it("moves a running VM to the paired cluster: the source VMI ends, the receiving VM runs there", async () => {
    sync = pairEnvs({ west, east });
    const phases = (env: KubevirtEnv) => {
      const seen: string[] = [];
      env.store.subscribe((e) => {
        const phase = (e.object as Obj).status?.phase;
        if (e.resource === "virtualmachineinstancemigrations" && phase && seen.at(-1) !== phase) seen.push(phase);
      });
      return seen;
    };
    const [westPhases, eastPhases] = [phases(west), phases(east)];
    const sourceNode = vmi(west)!.status.nodeName;
    const [w0, e0] = [west.requests.length, east.requests.length];
    const task = await client.startMigration({ vmId: VM, targetClusterId: "east" });
    const startRequests = west.requests.length - w0 + (east.requests.length - e0);
    expect(task.id).toMatch(/^xc:east:default\/vmshift-web-01-[0-9a-f]{16}:default\/vmshift-web-01-[0-9a-f]{16}$/);
    // 9 in the usual case (GET VM, VMI, the request's VMIM, both KubeVirt CRs; POST the receiving VM; GET its VMI; POST both VMIMs), one more per extra VMI read.
    expect(startRequests).toBeGreaterThanOrEqual(9);
    expect(startRequests).toBeLessThanOrEqual(10);
    const writes = [...west.requests.slice(w0), ...east.requests.slice(e0)].filter((r) => !r.startsWith("GET ")).map((r) => r.replace(/\?.*$/, ""));
    expect(writes.sort()).toEqual(["POST /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations", "POST /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations", "POST /apis/kubevirt.io/v1/namespaces/default/virtualmachines"]);
    const result = await task.wait({ maxWaitMs: 20_000 });
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation.side).toBe("target");

    // West: the source VMI is gone, its VM halted, its sendTo migration Succeeded.
    await west.until(() => !vmi(west));
    expect(vm(west)!.spec.runStrategy).toBe("Halted");
    const sent = migrations(west).find((m) => m.spec.sendTo)!;
    expect(sent.status.phase).toBe("Succeeded");
    expect(sent.spec.sendTo.connectURL).toBe(sync.address("east"));
    // East: the receiving VM took the source's run strategy and its VMI runs on an east node.
    const received = vmi(east)!;
    expect(received.status.phase).toBe("Running");
    expect(east.store.all("nodes").map((n) => n.metadata.name)).toContain(received.status.nodeName);
    expect(result.vmLocation.hostId).toBe(received.status.nodeName);
    expect(vm(east)!.spec.runStrategy).toBe("Always");
    expect(vm(east)!.metadata.annotations?.["kubevirt.io/restore-run-strategy"]).toBe("Always");
    expect(migrations(east).find((m) => m.spec.receive)!.status.phase).toBe("Succeeded");
    expect(result.sourceHostId).toBe(sourceNode);
    // KubeVirt's decentralized phases: the source synchronizes, the target waits for sync, then both walk the usual ones.
    expect(westPhases).toEqual(["Synchronizing", "Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running", "Succeeded"]);
    expect(eastPhases).toEqual(["WaitingForSync", "Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running", "Succeeded"]);

    // Attach after a restart: a new adapter reads both clusters from the id alone.
    const again = makeClient();
    try {
      const attached = (await again.attachMigration(task.id)).snapshot();
      expect(attached.phase).toBe("completed");
      expect(attached.result?.vmLocation).toMatchObject({ side: "target", hostId: received.status.nodeName, powerState: "running" });
    } finally {
      await again.close();
    }
  });

  it("a failure on the receiving side fails both migrations and leaves the source running", async () => {
    sync = pairEnvs({ west, east });
    const before = vmi(west)!.status.nodeName;
    east.controllers.faults.set("default/web-01", { failTransfer: true });
    const task = await client.startMigration({ vmId: VM, targetClusterId: "east" });
    const result = await task.wait({ maxWaitMs: 20_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.message).toMatch(/receiving side/);
    expect(vmi(west)!.status.phase).toBe("Running");
    expect(vmi(west)!.status.nodeName).toBe(before);
    expect(vm(west)!.spec.runStrategy).toBe("Always");
    expect(migrations(east).find((m) => m.spec.receive)!.status.phase).toBe("Failed");
    expect(vmi(east)!.status.phase).toBe("Failed");
  });

  it("cancel deletes both migrations and the receiving VM; the source keeps running", async () => {
    sync = pairEnvs({ west, east }, { timing: { transferMs: 10_000 } });
    const task = await client.startMigration({ vmId: VM, targetClusterId: "east" });
    await east.until(() => migrations(east).some((m) => m.status?.phase === "Running"), 10_000);
    const result = await task.cancel();
    expect(result.outcome).toBe("cancelled");
    await west.until(() => migrations(west).every((m) => !m.spec.sendTo));
    await east.until(() => migrations(east).length === 0 && !vm(east));
    expect(vmi(west)!.status.phase).toBe("Running");
    expect(vm(west)!.spec.runStrategy).toBe("Always");
  });

  it("with the feature gate off on the target, the start is refused and nothing is written", async () => {
    sync = pairEnvs({ west, east });
    setDecentralizedGate(east.store, false);
    const error = await client.startMigration({ vmId: VM, targetClusterId: "east" }).then(() => undefined, (e: unknown) => e);
    expect(isVmshiftError(error, "NOT_SUPPORTED")).toBe(true);
    expect((error as Error).message).toContain(DECENTRALIZED_GATE);
    expect((error as { details?: Record<string, unknown> }).details?.["featureGate"]).toBe(DECENTRALIZED_GATE);
    // The adapter read the target cluster's KubeVirt CR to find out, and wrote nothing anywhere.
    expect(east.requests.some((r) => r.startsWith("GET /apis/kubevirt.io/v1/kubevirts"))).toBe(true);
    expect(east.requests.filter((r) => !r.startsWith("GET "))).toEqual([]);
    expect(west.requests.filter((r) => !r.startsWith("GET "))).toEqual([]);
    expect(vm(east)).toBeUndefined();
    expect(migrations(west)).toEqual([]);
  });

  it("the environment's admission refuses sendTo/receive VMIMs and WaitAsReceiver VMs while the gate is off, as KubeVirt words it", async () => {
    const api = new KubevirtApi(new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: west.kubeconfig() }) }));
    const body = { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "x" }, spec: { vmiName: "web-01", sendTo: { migrationID: "x", connectURL: "https://east:9185" } } } as KvMigration;
    try {
      const error = await api.createMigration("default", body).then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).toMatch(/DecentralizedLiveMigration feature gate is not enabled in kubevirt resource/);
      expect(migrations(west)).toEqual([]);
      const receiver = { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "receiver" }, spec: { runStrategy: "WaitAsReceiver", template: { spec: { domain: { devices: {} } } } } } as never;
      const vmError = await api.createVm("default", receiver).then(() => undefined, (e: unknown) => e);
      expect((vmError as Error).message).toMatch(/Invalid RunStrategy \(WaitAsReceiver\), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource/);
      expect(vm(west, "receiver")).toBeUndefined();
      setDecentralizedGate(west.store, true);
      await api.createVm("default", receiver);
      expect(vm(west, "receiver")!.spec.runStrategy).toBe("WaitAsReceiver");
      expect((await api.createMigration("default", body)).spec.sendTo?.migrationID).toBe("x");
    } finally {
      api.transport.close?.();
    }
  });

  it("an unknown target cluster is NOT_FOUND before any request", async () => {
    const before = west.requests.length + east.requests.length;
    const error = await client.startMigration({ vmId: VM, targetClusterId: "nowhere" }).then(() => undefined, (e: unknown) => e);
    expect(isVmshiftError(error, "NOT_FOUND")).toBe(true);
    expect((error as Error).message).toContain("nowhere");
    expect(west.requests.length + east.requests.length).toBe(before);
  });
});
