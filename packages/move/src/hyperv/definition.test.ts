/** Reading moveSourceDefinition's data: generation → firmware, controller order → keys, 5.1 numbers, pass-through and shared disks, MACs. */
import { describe, expect, it } from "vitest";
import { macOf, storageOf, toDefinition } from "./definition.ts";

const vm = (over: Record<string, unknown> = {}) => ({ id: "x", name: "db-01", state: "Off", computerName: "HV-A", generation: 1, version: "9.0", processorCount: 4, memoryStartupBytes: 2147483648, dynamicMemoryEnabled: true, memoryMinimumBytes: 536870912, memoryMaximumBytes: 4294967296, ...over });
const vhd = (over: Record<string, unknown> = {}) => ({ vhdFormat: "VHDX", vhdType: "Dynamic", size: 1048576, fileSize: 4194304, parentPath: "", ...over });

describe("toDefinition", () => {
  it("generation 1: BIOS, IDE keys by position (hda, hdb, hdc), a pass-through disk as a raw device, legacy NIC reported", () => {
    const { definition, facts } = toDefinition("id-1", {
      vm: vm(),
      firmware: null,
      disks: [
        { controllerType: "IDE", controllerNumber: 0, controllerLocation: 1, path: "D:\\b.vhd", diskNumber: null, supportPersistentReservations: false, vhd: vhd({ vhdFormat: "VHD" }) },
        { controllerType: "IDE", controllerNumber: 0, controllerLocation: 0, path: "D:\\a.vhdx", diskNumber: null, supportPersistentReservations: false, vhd: vhd() },
        { controllerType: "SCSI", controllerNumber: 0, controllerLocation: 0, path: "Disk 3", diskNumber: 3, supportPersistentReservations: false, vhd: null },
      ],
      dvds: [{ controllerType: "IDE", controllerNumber: 1, controllerLocation: 0, path: "" }],
      nics: [{ name: "Legacy Network Adapter", switchName: "", macAddress: "000000000000", dynamicMacAddressEnabled: true, isLegacy: true }],
      checkpointCount: 0,
      guestOs: null,
    });
    expect(definition.firmware).toEqual({ kind: "bios" });
    expect(definition.disks.map((d) => [d.key, d.bus, d.format, d.device, d.rawDevice ?? false])).toEqual([
      ["hdb", "ide", "vpc", "disk", false],
      ["hda", "ide", "vhdx", "disk", false],
      ["sda", "scsi", undefined, "disk", true],
      ["hdc", "ide", undefined, "cdrom", false],
    ]);
    expect(definition.nics).toEqual([{ key: "0", network: "(not connected)" }]);
    expect(definition.unsupportedDevices?.[0]).toMatch(/legacy network adapter/);
    expect(definition).toMatchObject({ cpus: 4, memoryBytes: 2147483648, powerState: "stopped" });
    expect(facts.host).toBe("HV-A");
    expect(facts.dynamicMemory).toEqual({ minimumBytes: 536870912, maximumBytes: 4294967296 });
  });

  it("reads Windows PowerShell 5.1's numbers: VHDSet is shared, Differencing is recorded with its parent, Secure Boot On with its template", () => {
    const { definition, facts } = toDefinition("id-2", {
      vm: vm({ generation: 2, state: 2 }),
      firmware: { secureBoot: 0, secureBootTemplate: "MicrosoftWindows" },
      disks: [
        { controllerType: 1, controllerNumber: 0, controllerLocation: 0, path: "C:\\a.avhdx", diskNumber: null, supportPersistentReservations: false, vhd: vhd({ vhdFormat: 3, vhdType: 4, parentPath: "C:\\a.vhdx" }) },
        { controllerType: 1, controllerNumber: 0, controllerLocation: 1, path: "C:\\q.vhds", diskNumber: null, supportPersistentReservations: false, vhd: vhd({ vhdFormat: 4, vhdType: 3 }) },
      ],
      dvds: null,
      nics: [],
      checkpointCount: 2,
    });
    expect(definition.firmware).toEqual({ kind: "uefi", secureBoot: true });
    expect(definition.powerState).toBe("running");
    expect(definition.disks.map((d) => [d.key, d.format, d.shared ?? false])).toEqual([["sda", "vhdx", false], ["sdb", undefined, true]]);
    expect([...facts.differencing]).toEqual([["sda", "C:\\a.vhdx"]]);
    expect(facts.secureBootTemplate).toBe("MicrosoftWindows");
    expect(definition.snapshotCount).toBe(2);
    expect(facts.dynamicMemory).toEqual({ minimumBytes: 536870912, maximumBytes: 4294967296 });
  });

  it("names the field of a wrong shape", () => {
    expect(() => toDefinition("id-3", { vm: vm({ processorCount: "four" }), disks: [], nics: [] })).toThrow(/vm\.processorCount should be a number/);
  });
});

describe("storageOf and macOf", () => {
  it("a CSV volume, an SMB share, else the drive", () => {
    expect(storageOf("C:\\ClusterStorage\\Volume2\\vm\\a.vhdx")).toBe("C:\\ClusterStorage\\Volume2");
    expect(storageOf("\\\\fs01\\vms\\vm\\a.vhdx")).toBe("\\\\fs01\\vms");
    expect(storageOf("d:\\VMs\\a.vhdx")).toBe("D:");
  });
  it("a Hyper-V MAC with colons, lower case; none for an unassigned dynamic MAC", () => {
    expect(macOf("00155D0A0B0C")).toBe("00:15:5d:0a:0b:0c");
    expect(macOf("000000000000")).toBeUndefined();
  });
});
