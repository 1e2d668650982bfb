/**
 * Guest conversion as a step of the mover, over in-memory endpoints and a converter double (or the
 * real virt-v2v-in-place converter over a runner double): preflight checks, ordering (after the
 * last copy, before the target starts), progress, rollback on failure, `never`, KubeVirt-like
 * targets that upload.
 */
import { describe, expect, it } from "vitest";
import { memoryWorld } from "../test/memory-platform.ts";
import type { ConversionEvent } from "./convert-progress.ts";
import { type GuestConverter, conversionChecks } from "./convert.ts";
import { virtV2vInPlace } from "./convert-virt-v2v.ts";
import type { VmDefinition } from "./definition.ts";
import type { ExecOptions } from "./exec.ts";
import { createMover } from "./move.ts";
import type { MoveSource, MoveTarget } from "./spi.ts";

const WINDOWS: VmDefinition = {
  id: "vm-1", name: "win-01", cpus: 2, memoryBytes: 4 * 1024 ** 3, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running", guestOs: "windows2019srv_64Guest",
  disks: [
    { key: "sda", sizeBytes: 4096, format: "vmdk", bus: "scsi", storage: "ds1", device: "disk" },
    { key: "sdb", sizeBytes: 8192, format: "vmdk", bus: "scsi", storage: "ds1", device: "disk" },
  ],
  nics: [],
};
const MAPS = { storageMap: { ds1: "pool-b" } };

/** A converter double: records into the world's call log, says what `events` lists, fails when told. */
function fakeConverter(calls: string[], options: { readonly events?: readonly ConversionEvent[]; readonly fail?: boolean; readonly missing?: boolean } = {}): GuestConverter & { inputs: unknown[] } {
  const inputs: unknown[] = [];
  return {
    program: "fake-v2v",
    inputs,
    async probe() {
      calls.push("converter.probe");
      return options.missing ? { missing: "fake-v2v is not installed where the mover runs" } : { version: "9.9" };
    },
    async convert(input, ctx) {
      calls.push(`convert ${input.name} ${input.volumes.map((v) => v.diskKey).join(",")}`);
      inputs.push(input);
      for (const e of options.events ?? []) ctx.onEvent?.(e);
      if (options.fail) throw new Error("virt-v2v-in-place exited 1: inspection could not detect the source guest");
    },
  };
}

/** The memory world with its source speaking as `platform`. */
function world(definition: VmDefinition, platform: string) {
  const w = memoryWorld(definition);
  const source: MoveSource = { ...w.source, platform };
  return { ...w, source };
}

describe("guest conversion at cutover", () => {
  it("auto converts a Windows guest from vSphere after the last copy and before the target starts, and says so in preflight", async () => {
    const { world: wd, source, target, copier } = world(WINDOWS, "vsphere");
    const converter = fakeConverter(wd.calls);
    const mover = createMover({ copier: copier(), converter });
    const report = await mover.preflight({ from: source, to: target, vmId: "vm-1", ...MAPS });
    expect(report.checks).toContainEqual(expect.objectContaining({ id: "guest.conversion", severity: "info", message: expect.stringContaining("converted at cutover with fake-v2v 9.9 (win-01 is a Windows guest") }));
    wd.calls.length = 0;
    const result = await mover.moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS }).wait();
    expect(result.outcome).toBe("completed");
    const at = (c: string) => wd.calls.indexOf(c);
    expect(at("convert win-01 sda,sdb")).toBeGreaterThan(at("copy sdb"));
    expect(at("convert win-01 sda,sdb")).toBeGreaterThan(at("source.close sdb"));
    expect(at("convert win-01 sda,sdb")).toBeLessThan(at("target.start win-01"));
    expect(wd.calls.filter((c) => c.startsWith("convert "))).toHaveLength(1);
    expect(converter.inputs[0]).toMatchObject({ name: "win-01", definition: { guestOs: "windows2019srv_64Guest", disks: [{ key: "sda", bus: "scsi" }, { key: "sdb", bus: "scsi" }] }, volumes: [{ diskKey: "sda" }, { diskKey: "sdb" }] });
  });

  it("the target is built with disks and NICs on virtio when the converted guest gets virtio drivers, and as at the source otherwise", async () => {
    const withNic: VmDefinition = { ...WINDOWS, nics: [{ key: "net0", network: "vm-net", model: "e1000", mac: "00:50:56:00:00:01" }] };
    const reservedWith = async (platform: string, converter: GuestConverter) => {
      const w = world(withNic, platform);
      let built: { buses: string[]; models: (string | undefined)[] } | undefined;
      const target: MoveTarget = { ...w.target, reserve: async (def, c) => ((built = { buses: def.disks.map((d) => d.bus), models: def.nics.map((n) => n.model) }), w.target.reserve(def, c)) };
      const result = await createMover({ copier: w.copier(), converter }).moveVm({ from: w.source, to: target, vmId: "vm-1", ...MAPS, networkMap: { "vm-net": "default" } }).wait();
      expect(result.outcome).toBe("completed");
      return { built, inputs: (converter as { inputs?: unknown[] }).inputs };
    };
    const converted = await reservedWith("vsphere", fakeConverter([]));
    expect(converted.built).toEqual({ buses: ["virtio", "virtio"], models: ["virtio"] });
    // virt-v2v is told the buses the guest used at the source: it renames the guest's disks from those.
    expect(converted.inputs?.[0]).toMatchObject({ definition: { disks: [{ bus: "scsi" }, { bus: "scsi" }] } });
    const noDrivers = virtV2vInPlace({ exists: () => false, runner: { run: async (_f, argv) => ({ code: 0, stdout: argv[0] === "--version" ? "virt-v2v-in-place 2.2.0\n" : "", stderr: "" }) } });
    const local = { ...fakeConverter([]), givesVirtio: noDrivers.givesVirtio! };
    expect((await reservedWith("vsphere", local)).built).toEqual({ buses: ["scsi", "scsi"], models: ["e1000"] });
    expect((await reservedWith("libvirt", fakeConverter([]))).built).toEqual({ buses: ["scsi", "scsi"], models: ["e1000"] });
  });

  it("the conversion's status and progress reach the move's progress in finalizing", async () => {
    const { world: wd, source, target, copier } = world(WINDOWS, "hyperv");
    const events: ConversionEvent[] = [{ kind: "status", level: "message", text: "Inspecting the source" }, { kind: "progress", done: 50, total: 200 }, { kind: "status", level: "warning", text: "no virtio drivers" }];
    const task = createMover({ copier: copier(), converter: fakeConverter(wd.calls, { events }) }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS });
    const seen: string[] = [];
    for await (const s of task.events()) if (s.phase === "finalizing" && s.progress.message) seen.push(s.progress.message);
    expect(seen).toEqual(expect.arrayContaining(["converting win-01 with fake-v2v: Inspecting the source", "converting win-01 with fake-v2v: 25%", "converting win-01 with fake-v2v: no virtio drivers", expect.stringMatching(/^win-01 converted by fake-v2v in \d+\.\d s; starting it on the target$/)]));
    expect(seen.indexOf("converting win-01 with fake-v2v: Inspecting the source")).toBeLessThan(seen.indexOf("converting win-01 with fake-v2v: 25%"));
  });

  it("a failed conversion rolls back like a target that cannot start: target removed, source started again, never started on the target", async () => {
    const { world: wd, source, target, copier } = world(WINDOWS, "vsphere");
    const result = await createMover({ copier: copier(), converter: fakeConverter(wd.calls, { fail: true }) }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS }).wait();
    expect(result.outcome).toBe("failed");
    expect(result.error?.message).toContain("inspection could not detect the source guest");
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running" });
    expect(wd.calls).not.toContain("target.start win-01");
    expect(wd.calls.indexOf("target.remove win-01")).toBeGreaterThan(wd.calls.indexOf("convert win-01 sda,sdb"));
    expect(wd.calls.at(-1)).toBe("source.start");
    expect(wd.targetDefined).toBe(false);
  });

  it("never converts a libvirt guest under auto (the converter is not even asked), and never converts anything under never", async () => {
    const lv = world(WINDOWS, "libvirt");
    const converter = fakeConverter(lv.world.calls);
    const mover = createMover({ copier: lv.copier(), converter });
    const report = await mover.preflight({ from: lv.source, to: lv.target, vmId: "vm-1", ...MAPS });
    expect(report.checks.filter((c) => c.id.startsWith("guest."))).toEqual([expect.objectContaining({ id: "guest.conversion", severity: "info", message: "the guest is not converted: a libvirt guest already runs on KVM's devices" })]);
    expect((await mover.moveVm({ from: lv.source, to: lv.target, vmId: "vm-1", ...MAPS }).wait()).outcome).toBe("completed");
    expect(lv.world.calls.filter((c) => c.startsWith("convert"))).toEqual([]);

    const vs = world(WINDOWS, "vsphere");
    const never = createMover({ copier: vs.copier(), converter: fakeConverter(vs.world.calls) });
    const checks = (await never.preflight({ from: vs.source, to: vs.target, vmId: "vm-1", ...MAPS, convert: { mode: "never" } })).checks;
    expect(checks).toContainEqual(expect.objectContaining({ id: "guest.conversion", severity: "warning", message: expect.stringContaining("not converted (convert: never) although win-01 is a Windows guest") }));
    expect((await never.moveVm({ from: vs.source, to: vs.target, vmId: "vm-1", ...MAPS, convert: { mode: "never" } }).wait()).outcome).toBe("completed");
    expect(vs.world.calls.filter((c) => c.startsWith("convert"))).toEqual([]);
  });

  it("always converts a libvirt guest too", async () => {
    const { world: wd, source, target, copier } = world(WINDOWS, "libvirt");
    const result = await createMover({ copier: copier(), converter: fakeConverter(wd.calls) }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, convert: { mode: "always" } }).wait();
    expect(result.outcome).toBe("completed");
    expect(wd.calls.indexOf("convert win-01 sda,sdb")).toBeLessThan(wd.calls.indexOf("target.start win-01"));
  });

  it("a conversion that is due with the converter missing is a preflight error naming the Debian package; nothing is reserved, the source keeps running", async () => {
    const { world: wd, source, target, copier } = world(WINDOWS, "nutanix");
    const result = await createMover({ copier: copier(), converter: fakeConverter(wd.calls, { missing: true }) }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS }).wait();
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("INCOMPATIBLE");
    expect(result.error?.message).toContain("fake-v2v is not installed where the mover runs: install Debian's virt-v2v package (apt-get install virt-v2v");
    expect(wd.calls.some((c) => c.startsWith("target.reserve") || c === "source.stop")).toBe(false);
    expect(wd.sourcePower).toBe("running");
  });

  it("a target that uploads the disks (KubeVirt through CDI): always is a preflight error, auto a warning, and the converter is never run", async () => {
    const { world: wd, source, target, copier } = world(WINDOWS, "vsphere");
    const uploads: MoveTarget = { ...target, platform: "kubevirt", writeDisk: async () => undefined };
    const converter = fakeConverter(wd.calls);
    const always = await conversionChecks({ from: source, to: uploads, convert: { mode: "always" } }, WINDOWS, converter, { signal: new AbortController().signal });
    expect(always).toEqual([expect.objectContaining({ id: "guest.conversion", severity: "error", message: expect.stringContaining("convert: always cannot be met: the kubevirt target keeps the disks where the mover cannot open them as files") })]);
    expect(always[0]!.message).toContain("set the target's conversion image — conversion.image, CLI profile conversionImage");
    const auto = await conversionChecks({ from: source, to: uploads }, WINDOWS, converter, { signal: new AbortController().signal });
    expect(auto).toEqual([expect.objectContaining({ id: "guest.conversion", severity: "warning", message: expect.stringContaining("will not be converted although win-01 is a Windows guest") })]);
    // KubeVirt without writeDisk (warm moves write PVCs through a transfer pod): still no local files.
    const pvcs: MoveTarget = { ...target, platform: "kubevirt" };
    expect(await conversionChecks({ from: source, to: pvcs, convert: { mode: "always" } }, WINDOWS, converter, { signal: new AbortController().signal })).toEqual([expect.objectContaining({ severity: "error" })]);
    const result = await createMover({ copier: copier(), converter }).moveVm({ from: source, to: uploads, vmId: "vm-1", ...MAPS }).wait();
    expect(result.outcome).toBe("completed");
    expect(wd.calls.filter((c) => c.startsWith("convert") || c === "converter.probe")).toEqual([]);
  });

  it("a target with its own converter (KubeVirt's conversion pod): its converter runs between the copy and the start, on virtio buses; the local one only never", async () => {
    const { world: wd, source, target, copier } = world(WINDOWS, "vsphere");
    const local = fakeConverter(wd.calls, { missing: true });
    const own = { ...fakeConverter([]), program: "pod-v2v", convert: async (input: { name: string }) => void wd.calls.push(`pod-convert ${input.name}`) };
    let buses: string[] = [];
    const pods: MoveTarget = { ...target, platform: "kubevirt", writeDisk: async () => void wd.calls.push("target.writeDisk"), converter: own, reserve: async (def, c) => ((buses = def.disks.map((d) => d.bus)), target.reserve(def, c)) };
    const checks = await conversionChecks({ from: source, to: pods, convert: { mode: "always" } }, WINDOWS, local, { signal: new AbortController().signal });
    expect(checks).toEqual([expect.objectContaining({ id: "guest.conversion", severity: "info", message: expect.stringContaining("converted at cutover with pod-v2v 9.9") })]);
    const result = await createMover({ copier: copier(), converter: local }).moveVm({ from: source, to: pods, vmId: "vm-1", ...MAPS }).wait();
    expect(result.outcome).toBe("completed");
    expect(buses).toEqual(["virtio", "virtio"]);
    expect(wd.calls.filter((c) => c === "target.writeDisk")).toHaveLength(2);
    const order = (c: string) => wd.calls.findIndex((x) => x.startsWith(c));
    expect(order("pod-convert win-01")).toBeGreaterThan(wd.calls.lastIndexOf("target.writeDisk"));
    expect(order("pod-convert win-01")).toBeLessThan(order("target.start"));
    expect(wd.calls).not.toContain("converter.probe");
  });

  it("an unknown mode is INVALID_ARGUMENT before anything is reserved", async () => {
    const { world: wd, source, target, copier } = world(WINDOWS, "vsphere");
    const result = await createMover({ copier: copier(), converter: fakeConverter(wd.calls) }).moveVm({ from: source, to: target, vmId: "vm-1", ...MAPS, convert: { mode: "sometimes" as "auto" } }).wait();
    expect(result.error).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("convert.mode must be auto, always, never, not sometimes") });
    expect(wd.calls.some((c) => c.startsWith("target.reserve"))).toBe(false);
  });

  it("through the real virt-v2v-in-place converter: the mover runs its argv on the reserved volumes' paths (runner double)", async () => {
    const { world: wd, source, target, copier } = world(WINDOWS, "vsphere");
    const local: MoveTarget = { ...target, reserve: async (def, c) => {
      const r = await target.reserve(def, c);
      return { ...r, volumes: r.volumes.map((v) => ({ ...v, location: `/srv/pool-b/${r.vmId}-${v.diskKey}.qcow2`, format: "qcow2" as const })) };
    } };
    const runs: { file: string; argv: readonly string[]; options: ExecOptions; xml: string }[] = [];
    const { readFileSync } = await import("node:fs");
    const converter = virtV2vInPlace({
      exists: () => true,
      runner: {
        async run(file, argv, options = {}) {
          if (argv[0] === "--version") return { code: 0, stdout: "virt-v2v-in-place 2.2.0\n", stderr: "" };
          wd.calls.push("virt-v2v-in-place");
          runs.push({ file, argv, options, xml: readFileSync(argv.at(-1)!, "utf8") });
          options.onStdout?.('{ "message": "Converting Windows Server 2019 to run on KVM", "timestamp": "2026-12-07T22:51:14+00:00", "type": "message" }\n[  40.0] Converting Windows Server 2019 to run on KVM\n');
          return { code: 0, stdout: "", stderr: "" };
        },
      },
    });
    const task = createMover({ copier: copier(), converter }).moveVm({ from: source, to: local, vmId: "vm-1", ...MAPS });
    const messages: string[] = [];
    for await (const s of task.events()) if (s.progress.message) messages.push(s.progress.message);
    expect((await task.wait()).outcome).toBe("completed");
    expect(runs).toHaveLength(1);
    expect(runs[0]!.argv.slice(0, 3)).toEqual(["-i", "libvirtxml", "--machine-readable"]);
    expect(runs[0]!.xml).toContain("<source file='/srv/pool-b/win-01-sda.qcow2'/><target dev='sda' bus='scsi'/>");
    expect(runs[0]!.xml).toContain("<source file='/srv/pool-b/win-01-sdb.qcow2'/><target dev='sdb' bus='scsi'/>");
    expect(wd.calls.indexOf("virt-v2v-in-place")).toBeLessThan(wd.calls.indexOf("target.start win-01"));
    expect(messages).toContain("converting win-01 with virt-v2v-in-place: Converting Windows Server 2019 to run on KVM");
  });
});
