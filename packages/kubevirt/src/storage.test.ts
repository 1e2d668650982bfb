import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { VOLUME_RECORD_ANNOTATION, destinationClaim, planVolumeMove, planVolumeRestore, volumeRecord } from "./storage.ts";
import type { KvVirtualMachine } from "./types.ts";

const vm = (volumes: unknown[]): KvVirtualMachine => ({ metadata: { name: "a", namespace: "ns" }, spec: { template: { spec: { domain: { devices: {} }, volumes } } } }) as unknown as KvVirtualMachine;

const withTemplates = (volumes: unknown[], dataVolumeTemplates: unknown[]): KvVirtualMachine => ({ ...vm(volumes), spec: { ...vm(volumes).spec, dataVolumeTemplates } }) as unknown as KvVirtualMachine;

describe("planVolumeMove", () => {
  it("swaps every PVC claim for its destination and keeps the other volumes", () => {
    const plan = planVolumeMove(vm([{ name: "root", persistentVolumeClaim: { claimName: "root-pvc" } }, { name: "ci", cloudInitNoCloud: { userData: "x" } }]), "fast", "req-1");
    expect(plan.volumes).toEqual([{ name: "root", persistentVolumeClaim: { claimName: destinationClaim("root-pvc", "req-1") } }, { name: "ci", cloudInitNoCloud: { userData: "x" } }]);
    expect(plan.record).toEqual({ requestId: "req-1", storageClass: "fast", volumes: [{ volume: "root", from: "root-pvc", to: destinationClaim("root-pvc", "req-1") }] });
  });
  it("destination names depend on the request and stay DNS names", () => {
    expect(destinationClaim("root-pvc", "req-1")).toMatch(/^root-pvc-[0-9a-f]{8}$/);
    expect(destinationClaim("root-pvc", "req-1")).not.toBe(destinationClaim("root-pvc", "req-2"));
    expect(destinationClaim("x".repeat(300), "r").length).toBeLessThanOrEqual(253);
  });
  it("swaps DataVolume volumes too, renaming their dataVolumeTemplates entry and pointing it at the new StorageClass", () => {
    const template = { metadata: { name: "root-dv" }, spec: { storage: { storageClassName: "local", resources: { requests: { storage: "2Gi" } } }, source: { registry: { url: "docker://r/i" } } } };
    const other = { metadata: { name: "data-dv" }, spec: { pvc: { resources: { requests: { storage: "1Gi" } } }, source: { blank: {} } } };
    const source = withTemplates([{ name: "root", dataVolume: { name: "root-dv" } }, { name: "data", persistentVolumeClaim: { claimName: "data-dv" } }, { name: "ci", cloudInitNoCloud: { userData: "x" } }], [template, other]);
    const plan = planVolumeMove(source, "fast", "req-1");
    const [rootTo, dataTo] = [destinationClaim("root-dv", "req-1"), destinationClaim("data-dv", "req-1")];
    expect(plan.volumes).toEqual([{ name: "root", dataVolume: { name: rootTo } }, { name: "data", persistentVolumeClaim: { claimName: dataTo } }, { name: "ci", cloudInitNoCloud: { userData: "x" } }]);
    // The DataVolume's template follows its volume; a claim volume's template is left as it is (the claim is no DataVolume move).
    expect(plan.dataVolumeTemplates).toEqual([{ metadata: { name: rootTo }, spec: { storage: { storageClassName: "fast", resources: { requests: { storage: "2Gi" } } }, source: { registry: { url: "docker://r/i" } } } }, other]);
    expect(plan.record).toEqual({ requestId: "req-1", storageClass: "fast", volumes: [{ volume: "root", from: "root-dv", to: rootTo, dataVolume: true }, { volume: "data", from: "data-dv", to: dataTo }], templates: { "root-dv": "local" } });
    // Cancel: the old names and the old StorageClass back.
    const moved = withTemplates(plan.volumes, plan.dataVolumeTemplates!);
    expect(planVolumeRestore(moved, plan.record)).toEqual({ volumes: source.spec.template!.spec!.volumes, dataVolumeTemplates: [template, other] });
  });
  it("a template without a StorageClass gets the target's, and loses it again on restore", () => {
    const source = withTemplates([{ name: "root", dataVolume: { name: "root-dv" } }], [{ metadata: { name: "root-dv" }, spec: { storage: {}, source: { blank: {} } } }]);
    const plan = planVolumeMove(source, "fast", "r");
    expect(plan.dataVolumeTemplates![0]!.spec.storage).toEqual({ storageClassName: "fast" });
    expect(planVolumeRestore(withTemplates(plan.volumes, plan.dataVolumeTemplates!), plan.record).dataVolumeTemplates![0]!.spec.storage).toEqual({});
  });
  it("refuses a VM with neither claims nor DataVolumes", () => {
    const error = (() => { try { planVolumeMove(vm([{ name: "c", containerDisk: { image: "i" } }]), "fast", "r"); } catch (e) { return e; } })();
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    expect((error as Error).message).toMatch(/no PersistentVolumeClaim or DataVolume volumes/);
  });
  it("reads its record back from the VM's annotation; garbage is no record", () => {
    const record = { requestId: "r", storageClass: "fast", volumes: [] };
    expect(volumeRecord({ metadata: { annotations: { [VOLUME_RECORD_ANNOTATION]: JSON.stringify(record) } } } as unknown as KvVirtualMachine)).toEqual(record);
    expect(volumeRecord({ metadata: { annotations: { [VOLUME_RECORD_ANNOTATION]: "{" } } } as unknown as KvVirtualMachine)).toBeUndefined();
  });
});
