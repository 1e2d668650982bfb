import { describe, expect, it } from "vitest";
import type { MappedDefinition } from "../mapping.ts";
import { dataVolumeBody, dataVolumeName, virtualMachineBody } from "./manifests.ts";

const VM: MappedDefinition = {
  id: "web-1", name: "web-1", targetName: "web-1", cpus: 2, memoryBytes: 1536 * 1024 * 1024 + 1, firmware: { kind: "uefi", secureBoot: true }, snapshotCount: 0, powerState: "running",
  disks: [
    { key: "vda", sizeBytes: 10 * 1024 ** 3, format: "qcow2", bus: "virtio", storage: "fast", device: "disk", bootOrder: 1, targetStorage: "ssd" },
    { key: "sdb", sizeBytes: 1024 * 1024 + 1, format: "raw", bus: "sata", storage: "slow", device: "disk", targetStorage: "hdd" },
  ],
  nics: [
    { key: "0", network: "default", mac: "52:54:00:aa:bb:01", model: "virtio", targetNetwork: "pod" },
    { key: "1", network: "backup", mac: "52:54:00:aa:bb:02", model: "rtl8139", targetNetwork: "backup-net" },
    { key: "2", network: "old", model: "vmxnet3", targetNetwork: "pod" },
  ],
};

describe("KubeVirt move manifests", () => {
  it("names DataVolumes <vm>-<disk> as DNS-1123 labels", () => {
    expect(dataVolumeName("Web_1", "vda")).toBe("web-1-vda");
    expect(dataVolumeName("a".repeat(70), "vda")).toHaveLength(63);
    expect(dataVolumeName("x", "scsi0:0")).toBe("x-scsi0-0");
  });

  it("sizes each DataVolume to the disk, rounded up to MiB, in the mapped storage class with an upload source", () => {
    expect(dataVolumeBody("ns1", "web-1-sdb", VM.disks[1]!)).toMatchObject({
      apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", metadata: { name: "web-1-sdb", namespace: "ns1" },
      spec: { source: { upload: {} }, storage: { storageClassName: "hdd", resources: { requests: { storage: "2Mi" } } } },
    });
  });

  it("builds a Halted VM with CPU, memory, UEFI secure boot, buses, boot order, MACs, pod and Multus networks", () => {
    const vm = virtualMachineBody("ns1", VM) as any;
    expect(vm.spec.runStrategy).toBe("Halted");
    const spec = vm.spec.template.spec;
    expect(spec.domain.cpu).toEqual({ cores: 2 });
    expect(spec.domain.memory).toEqual({ guest: "1537Mi" });
    expect(spec.domain.firmware).toEqual({ bootloader: { efi: { secureBoot: true } } });
    expect(spec.domain.devices.disks).toEqual([{ name: "disk0", disk: { bus: "virtio" }, bootOrder: 1 }, { name: "disk1", disk: { bus: "sata" } }]);
    expect(spec.volumes).toEqual([{ name: "disk0", dataVolume: { name: "web-1-vda" } }, { name: "disk1", dataVolume: { name: "web-1-sdb" } }]);
    expect(spec.domain.devices.interfaces).toEqual([
      { name: "nic0", model: "virtio", macAddress: "52:54:00:aa:bb:01", masquerade: {} },
      { name: "nic1", model: "rtl8139", macAddress: "52:54:00:aa:bb:02", bridge: {} },
      { name: "nic2", model: "virtio", masquerade: {} },
    ]);
    expect(spec.networks).toEqual([{ name: "nic0", pod: {} }, { name: "nic1", multus: { networkName: "backup-net" } }, { name: "nic2", pod: {} }]);
  });

  it("boots BIOS when the source does", () => {
    expect((virtualMachineBody("ns1", { ...VM, firmware: { kind: "bios" } }) as any).spec.template.spec.domain.firmware).toEqual({ bootloader: { bios: {} } });
  });
});
