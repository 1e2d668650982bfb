/** Volume (storage live) migration in the environment: KubeVirt's workload-update migration of a VM whose claims changed. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VmshiftClient, isVmshiftError, memoryLogger } from "@vmshift/core";
import { createKubevirtAdapter, destinationClaim, policyName } from "@vmshift/kubevirt";
import { ENV_ADAPTER_TUNING } from "../targets/kubevirt-env.ts";
import { KubevirtEnv } from "./env.ts";
import { call } from "./testing.ts";

let env: KubevirtEnv;
beforeEach(async () => {
  env = await KubevirtEnv.start({ timing: { transferMs: 200, secondMs: 10 } });
});
afterEach(async () => {
  await env.close();
});

const NS = "/api/v1/namespaces/default/persistentvolumeclaims";
const VM = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";
const pvc = (name: string, size: string) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "local", resources: { requests: { storage: size } } } });
const volumes = (claim: string) => [
  { name: "rootdisk", persistentVolumeClaim: { claimName: claim } },
  { name: "cloudinit", cloudInitNoCloud: { userData: "#cloud-config" } },
];

/** A running VM default/data-01 on the claim `data-src` (10Gi). */
async function dataVm(): Promise<void> {
  expect((await call(env, "POST", NS, pvc("data-src", "10Gi"))).status).toBe(201);
  const spec = { domain: { devices: { disks: [{ name: "rootdisk", disk: { bus: "virtio" } }, { name: "cloudinit", disk: { bus: "virtio" } }] }, resources: { requests: { memory: "1Gi" } } }, volumes: volumes("data-src") };
  expect((await call(env, "POST", VM, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "data-01" }, spec: { runStrategy: "Always", template: { metadata: { labels: { app: "data" } }, spec } } })).status).toBe(201);
  await env.until(() => (env.store.get("virtualmachineinstances", "default", "data-01")?.status as any)?.phase === "Running");
}
const moveTo = (claim: string) => call(env, "PATCH", `${VM}/data-01`, { spec: { updateVolumesStrategy: "Migration", template: { spec: { volumes: volumes(claim) } } } }, "application/merge-patch+json");
const volumeMigrations = () => env.store.all("virtualmachineinstancemigrations", "default", { label: "kubevirt.io/volume-update-migration=data-01" }) as any[];
const vmiClaim = () => (env.store.get("virtualmachineinstances", "default", "data-01")!.spec as any).volumes[0].persistentVolumeClaim.claimName;

describe("volume migration", () => {
  it("new claims with updateVolumesStrategy Migration: a workload-update migration copies the disks, then the VMI runs on the new claim", async () => {
    await dataVm();
    expect((await call(env, "POST", NS, pvc("data-dst", "10Gi"))).status).toBe(201);
    expect((await moveTo("data-dst")).status).toBe(200);
    await env.until(() => volumeMigrations().length === 1);
    const [vmim] = volumeMigrations();
    expect(vmim.metadata.name).toMatch(/^kubevirt-workload-update-/);
    expect(vmim.metadata.annotations).toHaveProperty("kubevirt.io/workloadUpdateMigration");
    expect((env.store.get("virtualmachines", "default", "data-01")!.status as any).volumeUpdateState.volumeMigrationState.migratedVolumes).toEqual([{ volumeName: "rootdisk", sourcePVCInfo: { claimName: "data-src" }, destinationPVCInfo: { claimName: "data-dst" } }]);
    await env.until(() => volumeMigrations()[0]?.status?.phase === "Succeeded");
    expect(vmiClaim()).toBe("data-dst");
    expect((env.store.get("virtualmachines", "default", "data-01")!.status as any).volumeUpdateState).toBeUndefined();
    // Nothing left to move: no second migration.
    await new Promise((r) => setTimeout(r, 200));
    expect(volumeMigrations()).toHaveLength(1);
  });

  it("a destination smaller than the source fails with KubeVirt's message and is retried with backoff", async () => {
    await dataVm();
    expect((await call(env, "POST", NS, pvc("data-small", "5Gi"))).status).toBe(201);
    await moveTo("data-small");
    await env.until(() => volumeMigrations().some((m) => m.status?.phase === "Failed"));
    expect(env.controllers.events.some((e) => e.message.startsWith("Volume migration cannot be performed because the destination volume is smaller than the source volume"))).toBe(true);
    expect(vmiClaim()).toBe("data-src");
    // 20 KubeVirt seconds of 10 ms later, another attempt.
    await env.until(() => volumeMigrations().length >= 2, 3000);
  });

  it("restoring the old claims cancels the volume migration in flight", async () => {
    await dataVm();
    env.fault("default/data-01", { slow: true });
    expect((await call(env, "POST", NS, pvc("data-dst", "10Gi"))).status).toBe(201);
    await moveTo("data-dst");
    await env.until(() => volumeMigrations()[0]?.status?.phase === "Running");
    await moveTo("data-src");
    await env.until(() => volumeMigrations().every((m) => m.status?.phase === "Failed"), 5000);
    expect(vmiClaim()).toBe("data-src");
    expect((env.store.get("virtualmachines", "default", "data-01")!.status as any).volumeUpdateState).toBeUndefined();
  });
});

describe("@vmshift/kubevirt: storage live migration (targetStorageId is a StorageClass)", () => {
  const client = () => new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() }, ...ENV_ADAPTER_TUNING }), { logger: memoryLogger() });

  it("creates the destination claim, swaps it in with updateVolumesStrategy Migration, and follows KubeVirt's migration to the end", async () => {
    await dataVm();
    const from = (env.store.get("virtualmachineinstances", "default", "data-01")!.status as any).nodeName as string;
    const task = await client().startMigration({ vmId: "default/data-01", targetStorageId: "fast", requestId: "move-1" });
    expect(task.id).toMatch(/^default\/kubevirt-workload-update-/);
    const result = await task.wait();
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { side: "target" } });
    expect(result.vmLocation.hostId).not.toBe(from);
    const claim = destinationClaim("data-src", "move-1");
    expect(vmiClaim()).toBe(claim);
    expect((env.store.get("persistentvolumeclaims", "default", claim)!.spec as any)).toMatchObject({ storageClassName: "fast", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } });
    const vm = env.store.get("virtualmachines", "default", "data-01")!;
    expect((vm.spec as any).updateVolumesStrategy).toBe("Migration");
    expect(JSON.parse(vm.metadata.annotations!["vmshift.io/volume-migration"]!)).toEqual({ requestId: "move-1", storageClass: "fast", volumes: [{ volume: "rootdisk", from: "data-src", to: claim }] });
  });

  it("cancel restores the old claims: KubeVirt's migration ends and is not retried", async () => {
    await dataVm();
    env.fault("default/data-01", { slow: true });
    const task = await client().startMigration({ vmId: "default/data-01", targetStorageId: "fast", requestId: "move-2" });
    for await (const s of task.events()) if (s.phase === "transferring") break;
    const result = await task.cancel();
    expect(result.outcome).toBe("cancelled");
    expect(vmiClaim()).toBe("data-src");
    expect(((env.store.get("virtualmachines", "default", "data-01")!.spec as any).template.spec.volumes[0]).persistentVolumeClaim.claimName).toBe("data-src");
    await new Promise((r) => setTimeout(r, 400)); // past the 20 KubeVirt-second backoff
    expect(env.migrationsCreated.get("default/data-01")).toBe(1);
    expect(volumeMigrations()).toEqual([]); // the cancelled one is deleted, no retry was made
  });

  it("refuses, before writing anything, a named target node, a cold move, and a VM without claims", async () => {
    await dataVm();
    const c = client();
    const before = env.requests.length;
    for (const [request, code] of [
      [{ vmId: "default/data-01", targetStorageId: "fast", targetHostId: "node-2" }, "INVALID_ARGUMENT"],
      [{ vmId: "default/data-01", targetStorageId: "fast", mode: "cold" }, "NOT_SUPPORTED"],
      [{ vmId: "default/web-01", targetStorageId: "fast" }, "INVALID_ARGUMENT"],
    ] as const) {
      const error = await c.startMigration(request).catch((e: unknown) => e);
      expect(isVmshiftError(error, code)).toBe(true);
    }
    expect(env.requests.slice(before).filter((r) => !r.startsWith("GET"))).toEqual([]);
  });
});

describe("@vmshift/kubevirt: a tuned storage migration", () => {
  it("gets its MigrationPolicy like a live migration: KubeVirt applies it to the volume migration", async () => {
    await dataVm();
    const task = await new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() }, ...ENV_ADAPTER_TUNING })).startMigration({ vmId: "default/data-01", targetStorageId: "fast", allowAutoConverge: true });
    expect((await task.wait()).outcome).toBe("completed");
    const vmim = env.store.get("virtualmachineinstancemigrations", "default", task.id.split("/")[1]!) as any;
    expect(vmim.status.migrationState.migrationPolicyName).toBe(policyName({ allowAutoConverge: true }));
    expect(vmim.status.migrationState.migrationConfiguration.allowAutoConverge).toBe(true);
  });
});
