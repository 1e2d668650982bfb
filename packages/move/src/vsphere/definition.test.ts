/**
 * The vSphere definition decoder over property values shaped as the vim25 client decodes them
 * (`xsi:type` in `attributes`, text values, a single device as an object). The shapes follow
 * what vmshift-vcsim answered (adapters-conformance/vcsim/move-source.test.ts reads a live one);
 * the RDM, multi-writer, EFI and NVMe cases are written from the vSphere API reference's types.
 */
import { describe, expect, it } from "vitest";
import { datastoreOf, toVsphereDefinition } from "./definition.ts";

const t = (type: string, fields: Record<string, unknown> = {}) => ({ attributes: { "XMLSchema-instance:type": type }, ...fields });
const disk = (key: number, controllerKey: number, unit: number, backing: Record<string, unknown>, capacityKB = 1024) => t("VirtualDisk", { key: String(key), controllerKey: String(controllerKey), unitNumber: String(unit), capacityInKB: String(capacityKB), backing, deviceInfo: { label: `Hard disk ${key}` } });
const flat = (fileName: string, extra: Record<string, unknown> = {}) => t("VirtualDiskFlatVer2BackingInfo", { fileName, diskMode: "persistent", ...extra });

function props(devices: unknown[], extra: Record<string, unknown> = {}) {
  return {
    name: "web-1",
    "config.hardware.numCPU": "2",
    "config.hardware.memoryMB": "2048",
    "config.hardware.device": t("ArrayOfVirtualDevice", { VirtualDevice: devices.length === 1 ? devices[0] : devices }),
    "config.firmware": "bios",
    "config.guestId": "rhel9_64Guest",
    "runtime.powerState": "poweredOff",
    ...extra,
  };
}

describe("toVsphereDefinition", () => {
  it("reads CPUs, memory, guest OS, power, disks by guest name in controller order with datastore and export key, NICs with network and MAC", () => {
    const d = toVsphereDefinition("vm-7", props([
      t("ParaVirtualSCSIController", { key: "1000", busNumber: "0" }),
      t("VirtualIDEController", { key: "200", busNumber: "0" }),
      disk(2001, 1000, 1, flat("[ds2] web-1/web-1_1.vmdk")),
      disk(2000, 1000, 0, flat("[ds1] web-1/web-1.vmdk"), 2048),
      t("VirtualCdrom", { key: "3000", controllerKey: "200", unitNumber: "0", backing: t("VirtualCdromIsoBackingInfo", { fileName: "[iso] tools.iso" }) }),
      t("VirtualVmxnet3", { key: "4000", macAddress: "00:50:56:AB:CD:EF", backing: t("VirtualEthernetCardNetworkBackingInfo", { deviceName: "VM Network" }) }),
      t("VirtualE1000e", { key: "4001", macAddress: "00:50:56:00:00:01", backing: t("VirtualEthernetCardDistributedVirtualPortBackingInfo", { port: { portgroupKey: "dvportgroup-9" } }) }),
      t("VirtualKeyboard", { key: "600" }),
      t("VirtualSerialPort", { key: "9000", deviceInfo: { label: "Serial port 1" } }),
    ]), { portgroupNames: new Map([["dvportgroup-9", "prod-pg"]]) });
    expect(d).toMatchObject({ id: "vm-7", name: "web-1", cpus: 2, memoryBytes: 2048 * 2 ** 20, guestOs: "rhel9_64Guest", powerState: "stopped", firmware: { kind: "bios" }, snapshotCount: 0 });
    const disks = d.disks.filter((x) => x.device === "disk");
    expect(disks.map((x) => [x.key, x.storage, x.sizeBytes, x.bus, x.format, x.native?.["exportKey"]])).toEqual([
      ["sdb", "ds2", 1024 * 1024, "scsi", "vmdk", "/vm-7/ParaVirtualSCSIController0:1"],
      ["sda", "ds1", 2048 * 1024, "scsi", "vmdk", "/vm-7/ParaVirtualSCSIController0:0"],
    ]);
    expect(d.disks.find((x) => x.device === "cdrom")).toMatchObject({ key: "hda", bus: "ide", storage: "iso" });
    expect(d.nics).toEqual([
      { key: "4000", network: "VM Network", mac: "00:50:56:ab:cd:ef", model: "vmxnet3" },
      { key: "4001", network: "prod-pg", mac: "00:50:56:00:00:01", model: "e1000e" },
    ]);
    expect(d.unsupportedDevices).toEqual(["Serial port 1"]);
  });

  it("marks raw device mappings and multi-writer disks (Forklift refuses both), reads EFI with Secure Boot and counts the snapshot tree", () => {
    const d = toVsphereDefinition("vm-8", props([
      t("VirtualLsiLogicController", { key: "1000", busNumber: "0" }),
      t("VirtualNVMEController", { key: "31000", busNumber: "0" }),
      disk(2000, 1000, 0, t("VirtualDiskRawDiskMappingVer1BackingInfo", { fileName: "[ds1] db/db_rdm.vmdk", compatibilityMode: "physicalMode" })),
      disk(2001, 1000, 1, flat("[ds1] db/db_1.vmdk", { sharing: "sharingMultiWriter" })),
      disk(2002, 31000, 0, flat("[ds1] db/db_2.vmdk")),
    ], {
      "config.firmware": "efi",
      "config.bootOptions.efiSecureBootEnabled": "true",
      "runtime.powerState": "poweredOn",
      snapshot: { rootSnapshotList: { name: "s1", childSnapshotList: [{ name: "s2" }, { name: "s3" }] } },
    }));
    const [rdm, shared, nvme] = d.disks;
    expect(rdm).toMatchObject({ key: "sda", rawDevice: true });
    expect(rdm!.format).toBeUndefined();
    expect(shared).toMatchObject({ key: "sdb", shared: true, format: "vmdk" });
    expect(nvme).toMatchObject({ key: "nvme0n1", bus: "nvme" });
    expect(d.firmware).toEqual({ kind: "uefi", secureBoot: true });
    expect(d.snapshotCount).toBe(3);
    expect(d.powerState).toBe("running");
  });

  it("reads a datastore name out of a datastore path, and nothing out of anything else", () => {
    expect(datastoreOf("[LocalDS_0] DC0_H0_VM0/disk1.vmdk")).toBe("LocalDS_0");
    expect(datastoreOf("/vmfs/volumes/x/disk.vmdk")).toBeUndefined();
  });
});
