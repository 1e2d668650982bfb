import { describe, expect, it } from "vitest";
import { fixture } from "../../test/fake-virsh.ts";
import {
  domainVirtType, jobNumber, parseCpuCompare, parseDirtyRate, parseMigrateSpeed, parseDomblklist, parseDominfo, parseDomstate, parseJobStats, parseNodeinfo, parseNodememstats, parseSize, parseUuidNameList, powerStateOf,
} from "./parse.ts";

describe("virsh output parsers (recorded in the libvirt lab)", () => {
  it("dominfo", () => {
    expect(parseDominfo(fixture("lab-inventory", "dominfo-running.txt"))).toEqual({
      name: "vmshift-lab-x", uuid: "69e278fe-d622-4530-be40-48fc3d033484", state: "running", cpus: 1, maxMemoryBytes: 131072 * 1024, persistent: true,
    });
    expect(() => parseDominfo("garbage")).toThrowError(/INTERNAL/);
  });

  it("domstate --reason and the power-state mapping", () => {
    expect(parseDomstate(fixture("lab-inventory", "domstate-running.txt"))).toEqual({ state: "running", reason: "booted" });
    const paused = parseDomstate(fixture("lab-inventory", "domstate-paused-migrating.txt"));
    expect(paused).toEqual({ state: "paused", reason: "migrating" });
    expect(powerStateOf(paused.state, paused.reason)).toBe("migrating");
    expect(powerStateOf("paused", "user")).toBe("paused");
    expect(powerStateOf("shut off")).toBe("stopped");
    expect(powerStateOf("in shutdown")).toBe("running");
    expect(powerStateOf("pmsuspended")).toBe("suspended");
    expect(powerStateOf("no state")).toBe("unknown");
    expect(parseDomstate("shut off\n")).toEqual({ state: "shut off" });
  });

  it("list --uuid --name", () => {
    expect(parseUuidNameList(fixture("lab-inventory", "list-uuid-name.txt"))).toEqual([{ uuid: "69e278fe-d622-4530-be40-48fc3d033484", name: "vmshift-lab-x" }]);
    expect(parseUuidNameList("\n")).toEqual([]);
    expect(() => parseUuidNameList("not-a-uuid name")).toThrowError(/INTERNAL/);
  });

  it("domblklist --details, with and without disks", () => {
    expect(parseDomblklist(fixture("lab-inventory", "domblklist-empty.txt"))).toEqual([]);
    expect(parseDomblklist(" file   disk     vda      /var/lib/libvirt/images/a b.qcow2\n file   cdrom    sda      -\n")).toEqual([
      { type: "file", device: "disk", target: "vda", source: "/var/lib/libvirt/images/a b.qcow2" },
      { type: "file", device: "cdrom", target: "sda" },
    ]);
  });

  it("nodeinfo and nodememstats", () => {
    expect(parseNodeinfo(fixture("lab-inventory", "nodeinfo.txt"))).toEqual({ cpuModel: "x86_64", cpus: 2, memoryBytes: 7039188 * 1024 });
    expect(parseNodememstats(fixture("lab-inventory", "nodememstats.txt"))).toEqual({ totalBytes: 24684092 * 1024, freeBytes: (22897212 + 30636 + 1013344) * 1024 });
  });

  it("domjobinfo --rawstats: active, completed, cancelled, none", () => {
    const active = parseJobStats(fixture("live-precopy", "domjobinfo-active.txt"));
    expect(active.type).toBe("unbounded");
    expect(jobNumber(active, "data_processed")).toBe(29032507);
    expect(jobNumber(active, "memory_page_size")).toBe(4096);
    expect(parseJobStats(fixture("live-precopy", "domjobinfo-completed-dest.txt")).type).toBe("completed");
    expect(parseJobStats(fixture("live-cancel", "domjobinfo-cancelled.txt")).type).toBe("cancelled");
    expect(parseJobStats(fixture("live-precopy", "domjobinfo-none.txt")).type).toBe("none");
    expect(() => parseJobStats("Job type: 9\n")).toThrowError(/INTERNAL/);
    expect(() => parseJobStats("Job type:         Unbounded\n")).toThrowError(/INTERNAL/);
  });

  it("hypervisor-cpu-compare verdicts and the domain type", () => {
    expect(parseCpuCompare(fixture("lab-inventory", "cpu-compare-superset.txt"))).toBe("superset");
    expect(parseCpuCompare(fixture("lab-inventory", "cpu-compare-incompatible.txt"))).toBe("incompatible");
    expect(parseCpuCompare("CPU described in x is identical to the CPU provided by hypervisor on the host")).toBe("identical");
    expect(parseCpuCompare("")).toBeUndefined();
    expect(domainVirtType("<domain type='qemu' id='2'>\n<name>x</name>")).toBe("qemu");
    expect(domainVirtType('<domain type="kvm">')).toBe("kvm");
  });

  it("domstats --dirtyrate and migrate-getspeed", () => {
    expect(parseDirtyRate(fixture("lab-inventory", "domstats-dirtyrate.txt"))).toEqual({ done: true, mibPerSecond: 22 });
    expect(parseDirtyRate("Domain: 'x'\n  dirtyrate.calc_status=1\n")).toEqual({ done: false });
    expect(parseMigrateSpeed(fixture("lab-inventory", "migrate-getspeed-unlimited.txt"))).toBeUndefined();
    expect(parseMigrateSpeed("64\n")).toBe(64);
    expect(parseMigrateSpeed("0\n")).toBeUndefined();
  });

  it("sizes", () => {
    expect(parseSize("131072 KiB")).toBe(134217728);
    expect(parseSize("1.5 MiB")).toBe(1572864);
    expect(parseSize("12")).toBe(12);
    expect(parseSize("lots")).toBeUndefined();
  });
});
