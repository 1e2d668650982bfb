/** Volume (storage live) migration in the environment: KubeVirt's workload-update migration of a VM whose claims changed. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
