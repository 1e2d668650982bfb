/**
 * The libvirt warm source's pure parts and its preflight against a scripted runner (outputs shaped
 * like virsh 11.3's and nbdinfo 1.14's, as printed in the lab while building it). The passes
 * themselves run against real daemons in adapters-conformance/libvirt-lab/warm-move.test.ts.
 */
import { describe, expect, it } from "vitest";
import { mergeExtents, planRanges, qemuImgCopier, windowSpec } from "../copy.ts";
import type { VmDefinition } from "../definition.ts";
import type { CommandRunner, ExecResult } from "../exec.ts";
import { checkpointName, libvirtWarmSource, parseDirtyMap, parseVirshVersion, passXml } from "./backup.ts";

const ctx = { signal: new AbortController().signal };
const VM: VmDefinition = {
  id: "web-01", name: "web-01", cpus: 1, memoryBytes: 2 ** 30, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [
    { key: "vda", sizeBytes: 4096, format: "qcow2", bus: "virtio", storage: "default", device: "disk" },
    { key: "sda", sizeBytes: 4096, format: "raw", bus: "sata", storage: "default", device: "cdrom" },
  ],
  nics: [],
};
const VERSION_11 = "Compiled against library: libvirt 11.3.0\nUsing library: libvirt 11.3.0\nUsing API: QEMU 11.3.0\nRunning hypervisor: QEMU 10.0.2\nRunning against daemon: 11.3.0\n";

function runner(answers: Record<string, Partial<ExecResult>>): CommandRunner {
  return {
    async run(file, argv) {
      const words = (file === "virsh" ? argv.slice(3) : [file, ...argv]).join(" ");
      const key = Object.keys(answers).find((k) => words.startsWith(k));
      return { code: 0, stdout: "", stderr: "", ...(key === undefined ? { code: 1, stderr: `unscripted ${words}` } : answers[key]) } as ExecResult;
    },
  };
}

function source(answers: Record<string, Partial<ExecResult>>) {
  const r = runner(answers);
  return libvirtWarmSource({ runner: r, virsh: (args) => r.run("virsh", ["-q", "-c", "qemu:///system", ...args]), rawState: async () => "running" });
}

describe("libvirt warm source", () => {
  it("reads versions from virsh version (daemon, hypervisor)", () => {
    expect(parseVirshVersion(VERSION_11)).toEqual({ libvirt: [11, 3, 0], qemu: [10, 0, 2] });
    expect(parseVirshVersion("Using library: libvirt 7.0.0\n")).toEqual({ libvirt: [7, 0, 0] });
  });

  it("reads dirty ranges from nbdinfo --json --map (type bit 1), skipping clean ones", () => {
    const json = '[\n{ "offset": 0, "length": 3145728, "type": 0, "description": "clean"},\n{ "offset": 3145728, "length": 65536, "type": 1, "description": "dirty"},\n{ "offset": 3211264, "length": 30343168, "type": 0, "description": "clean"}\n]';
    expect(parseDirtyMap(json)).toEqual([{ offset: 3145728, length: 65536 }]);
  });

  it("writes one backup XML (pull, incremental when asked, scratch per copied disk) and one checkpoint XML (bitmap per copied disk)", () => {
    const xml = passXml(VM, [VM.disks[0]!], { socket: "/tmp/x/nbd.sock", scratchDir: "/tmp/x", since: "vmshift-m-1", checkpoint: "vmshift-m-2" });
    expect(xml.backup).toBe("<domainbackup mode='pull'><incremental>vmshift-m-1</incremental><server transport='unix' socket='/tmp/x/nbd.sock'/><disks><disk name='vda' backup='yes' type='file'><scratch file='/tmp/x/vda.scratch.qcow2'/></disk></disks></domainbackup>");
    expect(xml.checkpoint).toBe("<domaincheckpoint><name>vmshift-m-2</name><disks><disk name='vda' checkpoint='bitmap'/></disks></domaincheckpoint>");
    expect(passXml(VM, [VM.disks[0]!], { socket: "/s", scratchDir: "/d", checkpoint: "c" }).backup).not.toContain("<incremental>");
    expect(checkpointName("move-a/b c", 3)).toBe("vmshift-move-a-b-c-3");
  });

  it("preflight passes on libvirt 11.3 / QEMU 10 with qcow2 disks and nbdinfo", async () => {
    expect(await source({ version: { stdout: VERSION_11 }, "nbdinfo --version": { stdout: "nbdinfo 1.14.2\n" } }).check(VM, ctx)).toEqual([]);
  });

  it("preflight refuses old libvirt, old QEMU, non-qcow2 disks, a stopped VM and a missing nbdinfo, each as a typed error naming it", async () => {
    const old = "Using library: libvirt 7.5.0\nRunning hypervisor: QEMU 5.2.0\nRunning against daemon: 7.5.0\n";
    const vm: VmDefinition = { ...VM, powerState: "stopped", disks: [{ ...VM.disks[0]!, key: "vdb", format: "raw" }] };
    const checks = await source({ version: { stdout: old }, "nbdinfo --version": { code: 127, stderr: "not found" } }).check(vm, ctx);
    expect(checks.map((c) => [c.id, c.severity, c.subject])).toEqual([
      ["source.changeTracking", "error", "web-01"],
      ["source.changeTracking", "error", "web-01"],
      ["disk.changeTracking", "error", "vdb"],
      ["vm.state", "error", "web-01"],
      ["source.changeTracking", "error", "nbdinfo"],
    ]);
    expect(checks[0]!.message).toContain("libvirt 7.5.0; warm moves need libvirt ≥ 7.6.0");
    expect(checks[1]!.message).toContain("QEMU 5.2.0; warm moves need QEMU ≥ 6.0.0");
    expect(checks[2]!.message).toContain("disk vdb is raw; warm moves need qcow2 disks");
  });
});

describe("delta copies", () => {
  it("merges extents that touch or lie within the gap, in offset order", () => {
    const e = [{ offset: 1048576, length: 65536 }, { offset: 0, length: 65536 }, { offset: 65536, length: 65536 }, { offset: 200_000, length: 10 }, { offset: 5, length: 0 }];
    expect(mergeExtents(e, 0)).toEqual([{ offset: 0, length: 131072 }, { offset: 200_000, length: 10 }, { offset: 1048576, length: 65536 }]);
    expect(mergeExtents(e, 100_000)).toEqual([{ offset: 0, length: 200_010 }, { offset: 1048576, length: 65536 }]);
  });

  it("copies each merged range with one qemu-img convert -n between two windows at the same offset; a failed run is MIGRATION_FAILED naming the range", async () => {
    const argvs: string[][] = [];
    const copier = qemuImgCopier({ runner: { run: async (_f, argv) => (argvs.push([...argv]), { code: argvs.length === 3 ? 1 : 0, stdout: "", stderr: "qemu-img: Could not open 'x': gone" }) } });
    const from = { location: "nbd+unix:///vdb?socket=/s", format: "raw" as const, protocol: { driver: "nbd", server: { type: "unix", path: "/s" }, export: "vdb" } };
    const to = { diskKey: "vdb", storage: "p", location: "/p/t.img", format: "raw" as const, sizeBytes: 1 << 24 };
    const progress: number[] = [];
    const n = await copier.copyExtents!(from, to, [{ offset: 0, length: 65536 }, { offset: 8 << 20, length: 131072 }], { signal: new AbortController().signal, onProgress: (p) => progress.push(p.copiedBytes) });
    expect(n).toBe(196608);
    expect(progress).toEqual([65536, 196608]);
    expect(argvs[1]!.slice(0, 6)).toEqual(["convert", "-n", "-f", "raw", "-O", "raw"]);
    expect(JSON.parse(argvs[1]![6]!.slice(5))).toMatchObject({ offset: 8 << 20, size: 131072, file: { file: { driver: "nbd", export: "vdb" } } });
    expect(JSON.parse(argvs[1]![7]!.slice(5))).toMatchObject({ offset: 8 << 20, size: 131072, file: { driver: "raw", file: { driver: "file", filename: "/p/t.img" } } });
    await expect(copier.copyExtents!(from, to, [{ offset: 4096, length: 512 }], { signal: new AbortController().signal })).rejects.toThrow(/MIGRATION_FAILED: qemu-img convert of 512 bytes at 4096 of disk vdb failed: .*gone/);
  });

  it("caps the qemu-img runs per disk by doubling the merge gap until the ranges fit", () => {
    const scattered = Array.from({ length: 100 }, (_, i) => ({ offset: i * 1024 * 1024, length: 65536 }));
    expect(planRanges(scattered, 256 * 1024, 1000)).toHaveLength(100);
    const capped = planRanges(scattered, 256 * 1024, 10);
    expect(capped.length).toBeLessThanOrEqual(10);
    expect(capped[0]!.offset).toBe(0);
    expect(capped.at(-1)!.offset + capped.at(-1)!.length).toBe(99 * 1024 * 1024 + 65536);
    for (const e of scattered) expect(capped.some((r) => r.offset <= e.offset && e.offset + e.length <= r.offset + r.length)).toBe(true);
  });

  it("windows an image as raw at an offset: a local file, or the protocol node of an NBD export (JSON-escaped)", () => {
    expect(JSON.parse(windowSpec({ location: "/v/a,b\".img", format: "qcow2" }, 4096, 512).slice(5))).toEqual({ driver: "raw", offset: 4096, size: 512, file: { driver: "qcow2", file: { driver: "file", filename: "/v/a,b\".img" } } });
    const nbd = { driver: "nbd", server: { type: "unix", path: "/tmp/s" }, export: "vdb" };
    expect(JSON.parse(windowSpec({ location: "nbd+unix:///vdb?socket=/tmp/s", format: "raw", protocol: nbd }, 0, 65536).slice(5))).toEqual({ driver: "raw", offset: 0, size: 65536, file: { driver: "raw", file: nbd } });
  });
});
