import { describe, expect, it } from "vitest";
import type { VmDefinition } from "./definition.ts";
import { applyMaps, parsePairs, parseStorageMap } from "./mapping.ts";
import { definitionChecks, mappingChecks } from "./validate.ts";

const ACCEPTS = { buses: ["virtio", "sata"], firmware: ["bios", "uefi"] as ("bios" | "uefi")[] };

const VM: VmDefinition = {
  id: "vm-1", name: "vm-1", cpus: 1, memoryBytes: 1024 ** 3, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [
    { key: "vda", sizeBytes: 1, format: "qcow2", bus: "virtio", storage: "fast", device: "disk" },
    { key: "vdb", sizeBytes: 1, format: "raw", bus: "virtio", storage: "slow", device: "disk" },
    { key: "sdb", sizeBytes: 0, format: "raw", bus: "sata", storage: "iso", device: "cdrom" },
  ],
  nics: [
    { key: "net0", network: "prod", mac: "52:54:00:00:00:01" },
    { key: "net1", network: "backup", mac: "52:54:00:00:00:02" },
  ],
};

describe("mapping checks", () => {
  it("names every unmapped network and storage, one error each", () => {
    const checks = mappingChecks(VM, { prod: "prod-b" }, { fast: "pool-b" });
    expect(checks.filter((c) => c.severity === "error").map((c) => [c.id, c.subject])).toEqual([["network.unmapped", "backup"], ["storage.unmapped", "slow"]]);
    expect(checks.find((c) => c.subject === "backup")!.message).toBe("network backup (used by NIC 52:54:00:00:00:02) is not in the network map");
  });

  it("passes when everything is mapped; removable media need no storage", () => {
    expect(mappingChecks(VM, { prod: "a", backup: "b" }, { fast: "x", slow: "y" }).filter((c) => c.severity === "error")).toEqual([]);
  });

  it("says which map entries the VM does not use (info)", () => {
    expect(mappingChecks(VM, { prod: "a", backup: "b", dmz: "c" }, { fast: "x", slow: "y" })).toEqual([expect.objectContaining({ id: "network.unmapped", severity: "info", subject: "dmz" })]);
  });

  it("maps disks and NICs, carrying formats; removable media are not copied", () => {
    const m = applyMaps(VM, { networkMap: { prod: "a", backup: "b" }, storageMap: { fast: { storage: "x", format: "raw" }, slow: "y" } });
    expect(m.disks.map((d) => [d.key, d.targetStorage, d.targetFormat])).toEqual([["vda", "x", "raw"], ["vdb", "y", undefined]]);
    expect(m.nics.map((n) => [n.mac, n.targetNetwork])).toEqual([["52:54:00:00:00:01", "a"], ["52:54:00:00:00:02", "b"]]);
    expect(m.targetName).toBe("vm-1");
  });
});

describe("definition checks (Forklift's rules as far as the definition shows them)", () => {
  const ids = (d: VmDefinition) => definitionChecks(d, ACCEPTS).map((c) => `${c.severity}:${c.id}:${c.subject}`);

  it("accepts a plain VM (the cdrom is a warning: not carried)", () => {
    expect(ids(VM)).toEqual(["warning:disk.removableSkipped:sdb"]);
  });

  it("refuses shared and raw-device disks, snapshots, unsupported buses and firmware, odd power states", () => {
    const bad: VmDefinition = {
      ...VM,
      snapshotCount: 2,
      firmware: { kind: "kernel", kernel: "/k" },
      powerState: "other",
      disks: [
        { key: "vda", sizeBytes: 1, format: "raw", bus: "virtio", storage: "s", device: "disk", shared: true },
        { key: "vdb", sizeBytes: 1, format: "raw", bus: "virtio", storage: "s", device: "disk", rawDevice: true },
        { key: "hda", sizeBytes: 1, format: "raw", bus: "ide", storage: "s", device: "disk" },
        { key: "vdc", sizeBytes: 1, bus: "virtio", storage: "s", device: "disk" },
      ],
      unsupportedDevices: ["hostdev"],
    };
    expect(ids(bad)).toEqual([
      "error:disk.shared:vda",
      "error:disk.rawDevice:vdb",
      "error:device.unsupportedBus:hda",
      "error:disk.noFormat:vdc",
      "error:source.snapshots:vm-1",
      "error:firmware.unsupported:kernel",
      "warning:device.unsupported:hostdev",
      "error:vm.state:vm-1",
    ]);
  });

  it("warns that direct kernel boot needs the kernel on the target when the target accepts it", () => {
    expect(definitionChecks({ ...VM, disks: [], firmware: { kind: "kernel", kernel: "/k", initrd: "/i" } }, { buses: [], firmware: ["kernel"] })).toEqual([
      expect.objectContaining({ id: "firmware.kernelBoot", severity: "warning", message: expect.stringContaining("/k and /i must exist") }),
    ]);
  });
});

describe("map parsing (CLI form)", () => {
  it("parses a=b pairs and x=y:format storage entries", () => {
    expect(parsePairs(["prod=prod-b", "bridge:br0=bridge:br1"], "network")).toEqual({ prod: "prod-b", "bridge:br0": "bridge:br1" });
    expect(parseStorageMap(["fast=pool-b:raw", "slow=pool-c"])).toEqual({ fast: { storage: "pool-b", format: "raw" }, slow: { storage: "pool-c" } });
  });

  it("refuses malformed and duplicate entries, naming them", () => {
    expect(() => parsePairs(["prod"], "network")).toThrow(/network map entry "prod" is not <source>=<target>/);
    expect(() => parsePairs(["prod=", "x=y"], "network")).toThrow(/"prod="/);
    expect(() => parsePairs(["a=b", "a=c"], "storage")).toThrow(/storage map names a twice/);
    expect(() => parsePairs([" VM Network=pod"], "network")).toThrow(/is not <source>=<target>/);
    expect(() => parsePairs(["VM\u0007Net=pod"], "network")).toThrow(/is not <source>=<target>/);
  });

  it("takes source names as the platforms show them: spaces and parentheses inside", () => {
    expect(parsePairs(["VM Network=pod", "Default Switch=br0"], "network")).toEqual({ "VM Network": "pod", "Default Switch": "br0" });
    expect(parseStorageMap(["datastore1 (1)=fast:raw"])).toEqual({ "datastore1 (1)": { storage: "fast", format: "raw" } });
  });
});
