import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyMaps } from "../mapping.ts";
import { buildDomainXml, parseDomainXml, toDefinition } from "./domain.ts";
import { parseXml } from "./xml.ts";

const XML = readFileSync(new URL("../../test/fixtures/libvirt/web-01.xml", import.meta.url), "utf8");

describe("libvirt domain XML → definition", () => {
  const parsed = parseDomainXml(XML);

  it("reads CPU, memory, machine, UEFI firmware with secure boot, guest OS", () => {
    expect(parsed).toMatchObject({ name: "web-01", domainType: "kvm", cpus: 2, memoryBytes: 2 * 1024 ** 3, machine: "pc-q35-10.0", arch: "x86_64", firmware: { kind: "uefi", secureBoot: true }, guestOs: "http://debian.org/debian/12" });
  });

  it("reads every disk with its bus, format, source, sharing and boot order", () => {
    expect(parsed.disks.map((d) => [d.key, d.device, d.type, d.bus, d.format, d.source, d.shared, d.bootOrder])).toEqual([
      ["vda", "disk", "file", "virtio", "qcow2", "/var/lib/libvirt/images/web-01.qcow2", false, 1],
      ["vdb", "disk", "block", "virtio", "raw", "/dev/mapper/san-lun7", false, undefined],
      ["sda", "disk", "file", "scsi", "raw", "/srv/shared/quorum.img", true, undefined],
      ["sdb", "cdrom", "file", "sata", "raw", undefined, false, undefined],
      ["vdc", "disk", "volume", "virtio", "qcow2", "fast/web-01-data.qcow2", false, undefined],
    ]);
    expect(parsed.disks[4]!.pool).toBe("fast");
  });

  it("reads NICs with networks (bridges prefixed) and lower-cased MACs, and the devices it does not carry", () => {
    expect(parsed.nics).toEqual([
      { key: "net0", network: "prod", mac: "52:54:00:ab:cd:01", model: "virtio" },
      { key: "net1", network: "bridge:br-mgmt", mac: "52:54:00:ab:cd:02", model: "e1000e" },
    ]);
    expect(parsed.unsupportedDevices).toEqual(["hostdev"]);
  });

  it("marks block devices as raw devices and keeps sizes and storage from the provider", () => {
    const def = toDefinition("web-01", parsed, { sizes: new Map([["vda", 10 * 1024 ** 3]]), storage: new Map([["vda", "default"]]), snapshotCount: 1, powerState: "running" });
    expect(def.disks[0]).toMatchObject({ key: "vda", sizeBytes: 10 * 1024 ** 3, storage: "default", format: "qcow2" });
    expect(def.disks[1]).toMatchObject({ key: "vdb", rawDevice: true });
    expect(def.disks[2]).toMatchObject({ key: "sda", shared: true });
    expect(def.snapshotCount).toBe(1);
  });

  it("reads direct kernel boot", () => {
    const k = parseDomainXml("<domain type='qemu'><name>k</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><kernel>/g/vmlinuz</kernel><initrd>/g/i.gz</initrd><cmdline>console=ttyS0 a=&apos;b&apos;</cmdline></os><devices/></domain>");
    expect(k.firmware).toEqual({ kind: "kernel", kernel: "/g/vmlinuz", initrd: "/g/i.gz", cmdline: "console=ttyS0 a='b'" });
    expect(k.memoryBytes).toBe(64 * 1024 ** 2);
  });
});

describe("definition → libvirt domain XML", () => {
  it("defines the mapped VM: mapped networks with the same MACs, reserved volumes in their formats, firmware, boot order", () => {
    const def = toDefinition("web-01", parseDomainXml(XML), { sizes: new Map([["vda", 1024], ["vdc", 2048]]), storage: new Map([["vda", "default"], ["vdc", "fast"]]), snapshotCount: 0, powerState: "stopped" });
    const mapped = applyMaps(def, { networkMap: { prod: "prod-b", "bridge:br-mgmt": "bridge:br0" }, storageMap: { default: { storage: "pool-b", format: "raw" }, fast: "pool-b" }, targetName: "web-01-moved" });
    const xml = buildDomainXml(mapped, [
      { diskKey: "vda", storage: "pool-b", location: "/p/web-01-moved-vda.img", format: "raw", sizeBytes: 1024 },
      { diskKey: "vdc", storage: "pool-b", location: "/p/web-01-moved-vdc.qcow2", format: "qcow2", sizeBytes: 2048 },
    ], { domainType: "qemu" });
    const back = parseDomainXml(xml);
    expect(back).toMatchObject({ name: "web-01-moved", domainType: "qemu", cpus: 2, memoryBytes: 2 * 1024 ** 3, machine: "pc-q35-10.0", firmware: { kind: "uefi" } });
    expect(back.disks.map((d) => [d.key, d.bus, d.format, d.source, d.bootOrder])).toEqual([
      ["vda", "virtio", "raw", "/p/web-01-moved-vda.img", 1],
      ["vdc", "virtio", "qcow2", "/p/web-01-moved-vdc.qcow2", undefined],
    ]);
    expect(back.nics).toEqual([
      { key: "net0", network: "prod-b", mac: "52:54:00:ab:cd:01", model: "virtio" },
      { key: "net1", network: "bridge:br0", mac: "52:54:00:ab:cd:02", model: "e1000e" },
    ]);
  });

  it("escapes names so a hostile name cannot inject XML", () => {
    const def = toDefinition("x", parseDomainXml("<domain><name>x</name><memory>1024</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices/></domain>"), { sizes: new Map(), storage: new Map(), snapshotCount: 0, powerState: "stopped" });
    const xml = buildDomainXml(applyMaps(def, { networkMap: {}, storageMap: {}, targetName: "a'/><evil/>" }), [], { domainType: "kvm" });
    expect(parseXml(xml).children.find((c) => c.name === "evil")).toBeUndefined();
    expect(parseDomainXml(xml).name).toBe("a'/><evil/>");
  });
});

describe("the XML reader", () => {
  it("refuses malformed XML", () => {
    expect(() => parseXml("<a><b></a>")).toThrow(/closes/);
    expect(() => parseXml("<a>")).toThrow(/unexpected end/);
  });
});
