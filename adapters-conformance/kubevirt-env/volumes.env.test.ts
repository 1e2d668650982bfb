/** Volume (storage live) migration in the environment: KubeVirt's workload-update migration of a VM whose claims changed. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VmshiftClient, isVmshiftError, memoryLogger } from "@vmshift/core";
import { createKubevirtAdapter, destinationClaim, policyName } from "@vmshift/kubevirt";
import { ENV_ADAPTER_TUNING } from "../targets/kubevirt-env.ts";
import { CdiEnvironment } from "./cdi.ts";
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
    expect((env.store.get("virtualmachineinstances", "default", "data-01")!.status as any).migratedVolumes).toEqual([{ volumeName: "rootdisk", sourcePVCInfo: { claimName: "data-src" }, destinationPVCInfo: { claimName: "data-dst" } }]);
    await moveTo("data-src");
    await env.until(() => volumeMigrations().every((m) => m.status?.phase === "Failed"), 5000);
    expect(vmiClaim()).toBe("data-src");
    expect((env.store.get("virtualmachines", "default", "data-01")!.status as any).volumeUpdateState).toBeUndefined();
    // KubeVirt v1.9.0 cancelVolumeMigration: VolumesChange False and no migrated volumes left on the VMI.
    const vmiStatus = env.store.get("virtualmachineinstances", "default", "data-01")!.status as any;
    expect(vmiStatus.migratedVolumes ?? []).toEqual([]);
    expect(vmiStatus.conditions.find((c: any) => c.type === "VolumesChange")).toMatchObject({ status: "False" });
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

describe("DataVolume-backed volumes (user guide volume_migration.md: blank destination DataVolume, template renamed with the volume)", () => {
  let cdi: CdiEnvironment;
  beforeEach(async () => {
    cdi = await CdiEnvironment.start(env, { stepMs: 10 });
  });
  afterEach(async () => {
    await cdi.close();
  });
  const DVS = "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes";
  const blank = (name: string, size: string, storageClassName = "local") => ({ apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", metadata: { name }, spec: { source: { blank: {} }, storage: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: size } } } } });
  const template = (name: string) => ({ metadata: { name }, spec: { storage: { accessModes: ["ReadWriteOnce"], storageClassName: "local", resources: { requests: { storage: "10Gi" } } }, source: { blank: {} } } });
  const dvVolumes = (dv: string) => [{ name: "rootdisk", dataVolume: { name: dv } }, { name: "cloudinit", cloudInitNoCloud: { userData: "#cloud-config" } }];
  const dvs = () => env.store.all("datavolumes" as any, "default") as any[];
  const vmSpec = () => env.store.get("virtualmachines", "default", "dv-01")!.spec as any;
  const vmiDv = () => (env.store.get("virtualmachineinstances", "default", "dv-01")!.spec as any).volumes[0].dataVolume.name;
  const dvMigrations = () => env.store.all("virtualmachineinstancemigrations", "default", { label: "kubevirt.io/volume-update-migration=dv-01" }) as any[];
  const moveDvTo = (dv: string) => call(env, "PATCH", `${VM}/dv-01`, { spec: { updateVolumesStrategy: "Migration", dataVolumeTemplates: [template(dv)], template: { spec: { volumes: dvVolumes(dv) } } } }, "application/merge-patch+json");

  /** A running VM default/dv-01 on the DataVolume `dv-src` (10Gi, from its dataVolumeTemplates entry). */
  async function dvVm(): Promise<void> {
    expect((await call(env, "POST", DVS, blank("dv-src", "10Gi"))).status).toBe(201);
    await env.until(() => dvs().find((d) => d.metadata.name === "dv-src")?.status?.phase === "Succeeded");
    const spec = { domain: { devices: { disks: [{ name: "rootdisk", disk: { bus: "virtio" } }, { name: "cloudinit", disk: { bus: "virtio" } }] }, resources: { requests: { memory: "1Gi" } } }, volumes: dvVolumes("dv-src") };
    expect((await call(env, "POST", VM, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "dv-01" }, spec: { runStrategy: "Always", dataVolumeTemplates: [template("dv-src")], template: { metadata: { labels: { app: "dv" } }, spec } } })).status).toBe(201);
    await env.until(() => (env.store.get("virtualmachineinstances", "default", "dv-01")?.status as any)?.phase === "Running");
  }

  it("KubeVirt's VM validator refuses a renamed DataVolume volume whose template keeps the old name", async () => {
    await dvVm();
    const answer = await call(env, "PATCH", `${VM}/dv-01`, { spec: { updateVolumesStrategy: "Migration", template: { spec: { volumes: dvVolumes("dv-dst") } } } }, "application/merge-patch+json");
    expect(answer.status).toBe(422);
    expect(answer.body.message).toBe(`admission webhook "virtualmachine-validator.kubevirt.io" denied the request: DataVolumeTemplate entry spec.dataVolumeTemplate[0] must be referenced in the VMI template's 'volumes' list`);
    expect(vmSpec().template.spec.volumes[0].dataVolume.name).toBe("dv-src");
  });

  it("a missing destination DataVolume: VolumesChange False with KubeVirt's message and no migration; once it exists (blank, populated) the migration runs", async () => {
    await dvVm();
    expect((await moveDvTo("dv-dst")).status).toBe(200);
    const condition = () => ((env.store.get("virtualmachineinstances", "default", "dv-01")!.status as any).conditions ?? []).find((c: any) => c.type === "VolumesChange");
    await env.until(() => condition()?.status === "False");
    expect(condition().message).toBe("One of the destination volumes doesn't exist: the datavolume dv-dst doesn't exist");
    expect(dvMigrations()).toEqual([]);
    expect((await call(env, "POST", DVS, blank("dv-dst", "10Gi", "fast"))).status).toBe(201);
    await env.until(() => dvMigrations()[0]?.status?.phase === "Succeeded", 5000);
    expect(vmiDv()).toBe("dv-dst");
    // CDI's populator path: the claim names a VolumeImportSource.
    expect((env.store.get("persistentvolumeclaims", "default", "dv-dst")!.spec as any)).toMatchObject({ storageClassName: "fast", dataSourceRef: { kind: "VolumeImportSource", apiGroup: "cdi.kubevirt.io" } });
  });

  it("a destination DataVolume not yet Succeeded whose claim no populator made: RestartRequired with KubeVirt's message, no migration", async () => {
    await dvVm();
    // An upload DataVolume waits for its upload (UploadReady), and its claim has no dataSourceRef.
    expect((await call(env, "POST", DVS, { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", metadata: { name: "dv-upload" }, spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "10Gi" } } } } })).status).toBe(201);
    await env.until(() => dvs().find((d) => d.metadata.name === "dv-upload")?.status?.phase === "UploadReady");
    await moveDvTo("dv-upload");
    const restart = () => ((env.store.get("virtualmachines", "default", "dv-01")!.status as any).conditions ?? []).find((c: any) => c.type === "RestartRequired");
    await env.until(() => restart() !== undefined);
    expect(restart().message).toBe("invalid volumes to update with migration: DV storage class isn't a CSI or not using volume populators: [rootdisk]");
    expect(dvMigrations()).toEqual([]);
  });

  it("@vmshift/kubevirt: creates a blank DataVolume of the StorageClass, swaps volume and template, and follows KubeVirt's migration (was NOT_SUPPORTED)", async () => {
    await dvVm();
    const before = env.requests.length;
    const task = await new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() }, ...ENV_ADAPTER_TUNING })).startMigration({ vmId: "default/dv-01", targetStorageId: "fast", requestId: "dv-move-1" });
    const result = await task.wait();
    expect(result.outcome).toBe("completed");
    const to = destinationClaim("dv-src", "dv-move-1");
    expect(vmiDv()).toBe(to);
    const created = dvs().find((d) => d.metadata.name === to);
    expect(created.metadata.annotations).toEqual({ "cdi.kubevirt.io/storage.usePopulator": "true", "vmshift.io/volume-migration-destination": "default/dv-01" });
    expect(created.spec).toEqual({ source: { blank: {} }, storage: { accessModes: ["ReadWriteOnce"], volumeMode: "Filesystem", storageClassName: "fast", resources: { requests: { storage: "10Gi" } } } });
    expect(vmSpec().dataVolumeTemplates.map((t: any) => [t.metadata.name, t.spec.storage.storageClassName])).toEqual([[to, "fast"]]);
    expect(vmSpec().template.spec.volumes[0]).toEqual({ name: "rootdisk", dataVolume: { name: to } });
    const writes = env.requests.slice(before).filter((r) => !r.startsWith("GET"));
    expect(writes.map((r) => r.split("?")[0])).toEqual(["POST /apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes", "PATCH /apis/kubevirt.io/v1/namespaces/default/virtualmachines/dv-01"]);
  });

  it("@vmshift/kubevirt: when KubeVirt never starts the migration (no CDI: the destination DataVolume gets no claim), the start's TIMEOUT quotes KubeVirt's condition", async () => {
    await dvVm();
    await cdi.close();
    // A clock whose sleeps pass 50 times faster, so the 60 s wait for KubeVirt's VMIM gives up in about a second.
    let offset = 0;
    const clock = { now: () => Date.now() + offset, sleep: async (ms: number) => { offset += ms * 50; await new Promise((r) => setTimeout(r, Math.min(ms, 20))); } };
    const client = new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() }, ...ENV_ADAPTER_TUNING }), { clock, logger: memoryLogger() });
    const error = await client.startMigration({ vmId: "default/dv-01", targetStorageId: "fast", requestId: "dv-move-3" }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "TIMEOUT")).toBe(true);
    expect((error as Error).message).toContain(`KubeVirt says: One of the destination volumes doesn't exist: the pvc ${destinationClaim("dv-src", "dv-move-3")} doesn't exist`);
    expect(dvMigrations()).toEqual([]);
    // Rolled back: the old DataVolume in the volume and the template, the destination DataVolume deleted.
    expect((error as Error).message).toContain("vmshift put the VM's old claims back and deleted the destinations it had created");
    expect(vmSpec().template.spec.volumes[0]).toEqual({ name: "rootdisk", dataVolume: { name: "dv-src" } });
    expect(vmSpec().dataVolumeTemplates).toEqual([template("dv-src")]);
    expect(dvs().map((d) => d.metadata.name)).toEqual(["dv-src"]);
  });

  it("@vmshift/kubevirt: cancel restores the old DataVolume in the volume and the template (name and StorageClass); no retry", async () => {
    await dvVm();
    env.fault("default/dv-01", { slow: true });
    const task = await new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() }, ...ENV_ADAPTER_TUNING })).startMigration({ vmId: "default/dv-01", targetStorageId: "fast", requestId: "dv-move-2" });
    for await (const s of task.events()) if (s.phase === "transferring") break;
    expect((await task.cancel()).outcome).toBe("cancelled");
    expect(vmiDv()).toBe("dv-src");
    expect(vmSpec().template.spec.volumes[0]).toEqual({ name: "rootdisk", dataVolume: { name: "dv-src" } });
    expect(vmSpec().dataVolumeTemplates).toEqual([template("dv-src")]);
    await new Promise((r) => setTimeout(r, 400)); // past the 20 KubeVirt-second backoff
    expect(dvMigrations()).toEqual([]);
  });
});
