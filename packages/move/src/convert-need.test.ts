import { describe, expect, it } from "vitest";
import { conversionNeed, isWindowsGuest } from "./convert-need.ts";
import type { VmDefinition } from "./definition.ts";

const vm = (over: Partial<VmDefinition> = {}): VmDefinition => ({
  id: "vm-1", name: "web-01", cpus: 2, memoryBytes: 2 * 1024 ** 3, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "stopped", nics: [],
  disks: [{ key: "vda", sizeBytes: 1024, format: "qcow2", bus: "virtio", storage: "ds1", device: "disk" }],
  ...over,
});

describe("which guests auto conversion converts", () => {
  it("recognises Windows in each platform's words and nothing else", () => {
    for (const os of ["windows2019srv_64Guest", "winNetStandardGuest", "Windows Server 2019 Datacenter", "http://microsoft.com/win/10", "Microsoft Windows 11 Pro"]) expect(isWindowsGuest(os), os).toBe(true);
    for (const os of [undefined, "debian11_64Guest", "Ubuntu 22.04", "http://debian.org/debian/12", "otherLinux64Guest", "darwin19_64Guest"]) expect(isWindowsGuest(os), String(os)).toBe(false);
  });

  it("never converts a libvirt guest, whatever its OS or bus", () => {
    const need = conversionNeed(vm({ guestOs: "http://microsoft.com/win/10", disks: [{ key: "sda", sizeBytes: 1, format: "qcow2", bus: "sata", storage: "p", device: "disk" }] }), "libvirt");
    expect(need).toEqual({ needed: false, why: "a libvirt guest already runs on KVM's devices" });
  });

  it("converts Windows guests and guests on non-virtio disks from vSphere, Hyper-V and Nutanix, naming the reason", () => {
    expect(conversionNeed(vm({ guestOs: "windows2019srv_64Guest" }), "vsphere")).toMatchObject({ needed: true, why: expect.stringContaining("Windows guest (windows2019srv_64Guest) from vsphere") });
    const scsi = vm({ guestOs: "debian11_64Guest", disks: [{ key: "sda", sizeBytes: 1, format: "vmdk", bus: "scsi", storage: "ds1", device: "disk" }, { key: "cd", sizeBytes: 0, bus: "ide", storage: "ds1", device: "cdrom" }] });
    const need = conversionNeed(scsi, "vsphere");
    expect(need.needed).toBe(true);
    expect(need.why).toContain("disk sda (scsi)");
    expect(need.why).not.toContain("cd (ide)"); // removable media are not copied
    expect(conversionNeed(vm({ disks: [{ key: "scsi.0", sizeBytes: 1, format: "raw", bus: "scsi", storage: "c1", device: "disk" }] }), "nutanix").needed).toBe(true);
    expect(conversionNeed(vm({ guestOs: "Windows Server 2022" }), "hyperv").needed).toBe(true);
  });

  it("leaves a Linux guest already on virtio as it is, and guests of other sources", () => {
    expect(conversionNeed(vm({ guestOs: "Ubuntu" }), "nutanix")).toMatchObject({ needed: false, why: expect.stringContaining("on virtio") });
    expect(conversionNeed(vm({ guestOs: "windows9_64Guest" }), "memory")).toMatchObject({ needed: false, why: expect.stringContaining("memory source") });
  });
});
