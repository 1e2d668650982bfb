import { describe, expect, it } from "vitest";
import { prismPath, prismSegment } from "./path.ts";
import { diskKeys, toDefinition } from "./vm-definition.ts";

const vmDisk = (busType: string, index: number, size = 1024) => ({ extId: `d-${busType}-${index}`, diskAddress: { busType, index }, backingInfo: { $objectType: "vmm.v4.ahv.config.VmDisk", diskExtId: `v-${busType}-${index}`, diskSizeBytes: size, storageContainer: { extId: "ctr-1" } } });

describe("Nutanix VM → move definition", () => {
  it("names disks as a Linux guest sees them: PCI vd*, SCSI then SATA sd*, IDE hd*, by index", () => {
    expect(diskKeys([vmDisk("SATA", 0), vmDisk("SCSI", 1), vmDisk("PCI", 0), vmDisk("SCSI", 0), vmDisk("IDE", 0), vmDisk("SPAPR", 2)])).toEqual(["sdc", "sdb", "vda", "sda", "hda", "spapr.2"]);
    expect(diskKeys(Array.from({ length: 28 }, (_, i) => vmDisk("SCSI", i))).slice(25)).toEqual(["sdz", "sdaa", "sdab"]);
  });

  it("maps CPUs, memory, firmware, buses, volume groups, CD-ROMs, NICs (v4.0 and v4.3 fields), power and guest OS", () => {
    const d = toDefinition("vm-1", {
      name: "db",
      powerState: "OFF",
      numSockets: 3,
      numCoresPerSocket: 4,
      memorySizeBytes: 8 * 2 ** 30,
      machineType: "Q35",
      bootConfig: { $objectType: "vmm.v4.ahv.config.UefiBoot", isSecureBootEnabled: false },
      disks: [vmDisk("PCI", 0, 4096), { extId: "vg-disk", diskAddress: { busType: "SCSI", index: 0 }, backingInfo: { $objectType: "vmm.v4.ahv.config.ADSFVolumeGroupReference", volumeGroupExtId: "vg-9" } }],
      cdRoms: [{ extId: "cd-1", diskAddress: { busType: "SATA", index: 1 } }],
      nics: [
        { extId: "n1", backingInfo: { macAddress: "50:6B:8D:00:00:0A", model: "E1000" }, networkInfo: { subnet: { extId: "sub-a" } } },
        { extId: "n2", nicBackingInfo: { macAddress: "50:6b:8d:00:00:0b", model: "VIRTIO" }, nicNetworkInfo: { subnet: { extId: "sub-b" } } },
        { extId: "n3", backingInfo: { macAddress: "50:6b:8d:00:00:0c" } },
      ],
      guestTools: { guestOsVersion: "Windows Server 2022" },
    });
    expect(d).toMatchObject({ id: "vm-1", name: "db", cpus: 12, memoryBytes: 8 * 2 ** 30, machine: "q35", arch: "x86_64", firmware: { kind: "uefi" }, powerState: "stopped", guestOs: "Windows Server 2022", snapshotCount: 0 });
    expect(d.firmware).toEqual({ kind: "uefi" });
    expect(d.disks[0]).toEqual({ key: "vda", sizeBytes: 4096, bus: "virtio", storage: "ctr-1", device: "disk", format: "raw", native: { diskExtId: "d-PCI-0", address: "pci.0", vmDiskExtId: "v-PCI-0" } });
    expect(d.disks[1]).toMatchObject({ key: "sda", shared: true, rawDevice: true, storage: "volume-group:vg-9" });
    expect(d.disks[1]!.format).toBeUndefined();
    expect(d.disks[2]).toMatchObject({ key: "cdrom.sata.1", device: "cdrom" });
    expect(d.nics).toEqual([
      { key: "n1", network: "sub-a", mac: "50:6b:8d:00:00:0a", model: "e1000" },
      { key: "n2", network: "sub-b", mac: "50:6b:8d:00:00:0b", model: "virtio" },
      { key: "n3", network: "unattached", mac: "50:6b:8d:00:00:0c" },
    ]);
    expect(d.unsupportedDevices).toEqual(["nic n3 (no subnet)"]);
  });

  it("reads legacy boot (or none) as BIOS, Secure Boot as UEFI with secureBoot, ON as running, others as other", () => {
    expect(toDefinition("a", {}).firmware).toEqual({ kind: "bios" });
    expect(toDefinition("a", { bootConfig: { $objectType: "vmm.v4.ahv.config.LegacyBoot" }, powerState: "ON" })).toMatchObject({ firmware: { kind: "bios" }, powerState: "running" });
    expect(toDefinition("a", { bootConfig: { $objectType: "vmm.v4.ahv.config.UefiBoot", isSecureBootEnabled: true }, powerState: "PAUSED" })).toMatchObject({ firmware: { kind: "uefi", secureBoot: true }, powerState: "other" });
  });
});

describe("prismPath", () => {
  it("keeps task ids readable, escapes everything else into one segment, refuses dot segments and empty ids", () => {
    expect(prismPath`/api/prism/v4.0/config/tasks/${"ZXJnb24=:7a5c0000-0000-4000-8000-000000000001"}`).toBe("/api/prism/v4.0/config/tasks/ZXJnb24=:7a5c0000-0000-4000-8000-000000000001");
    expect(prismSegment("a/b?c#d%e f")).toBe("a%2Fb%3Fc%23d%25e%20f");
    expect(prismSegment("é")).toBe("%C3%A9");
    for (const bad of ["", ".", "..", "\ud800"]) expect(() => prismSegment(bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
