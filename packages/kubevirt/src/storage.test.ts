import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { VOLUME_RECORD_ANNOTATION, destinationClaim, planVolumeMove, volumeRecord } from "./storage.ts";
import type { KvVirtualMachine } from "./types.ts";

const vm = (volumes: unknown[]): KvVirtualMachine => ({ metadata: { name: "a", namespace: "ns" }, spec: { template: { spec: { domain: { devices: {} }, volumes } } } }) as unknown as KvVirtualMachine;

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
  it("refuses DataVolume-backed volumes and a VM without claims", () => {
    const dv = (() => { try { planVolumeMove(vm([{ name: "root", dataVolume: { name: "dv" } }]), "fast", "r"); } catch (e) { return e; } })();
    expect(isVmshiftError(dv, "NOT_SUPPORTED")).toBe(true);
    expect(() => planVolumeMove(vm([{ name: "c", containerDisk: { image: "i" } }]), "fast", "r")).toThrow(/no PersistentVolumeClaim/);
  });
  it("reads its record back from the VM's annotation; garbage is no record", () => {
    const record = { requestId: "r", storageClass: "fast", volumes: [] };
    expect(volumeRecord({ metadata: { annotations: { [VOLUME_RECORD_ANNOTATION]: JSON.stringify(record) } } } as unknown as KvVirtualMachine)).toEqual(record);
    expect(volumeRecord({ metadata: { annotations: { [VOLUME_RECORD_ANNOTATION]: "{" } } } as unknown as KvVirtualMachine)).toBeUndefined();
  });
});
