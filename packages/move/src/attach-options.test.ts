/**
 * The request options a move keeps in its record, and an attach that goes on with them (in-memory
 * endpoints, test doubles for the platforms; a fake converter stands in for virt-v2v-in-place):
 * guest conversion as decided when the target was reserved, removeSource, the shutdown timeout;
 * an attach option that contradicts the record is INVALID_ARGUMENT naming both values, with
 * nothing changed; a record without options (older shape) leaves the attach's own options.
 */
import { describe, expect, it } from "vitest";
import { SHORT_LEASE, journaled, killAndWaitOut, until } from "../test/journaled-world.ts";
import type { GuestConverter } from "./convert.ts";
import type { VmDefinition } from "./definition.ts";
import type { MappedDefinition } from "./mapping.ts";
import { createMover } from "./move.ts";
import type { DiskCopier, MoveSource, MoveTarget } from "./spi.ts";

/** A Linux guest on a SCSI disk from vSphere: `convert: auto` converts it and reserves the target on virtio. */
const LINUX: VmDefinition = {
  id: "vm-1", name: "vm-1", cpus: 1, memoryBytes: 1024 ** 3, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running", guestOs: "debian11_64Guest",
  disks: [{ key: "sda", sizeBytes: 4096, format: "raw", bus: "scsi", storage: "fast", device: "disk" }],
  nics: [],
} as VmDefinition;
const MAPS = { storageMap: { fast: "pool-b" } };
const holding: DiskCopier = { copy: (_r, _v, o) => new Promise((_, reject) => o.signal.addEventListener("abort", () => reject(new Error("copy aborted")))) };

function world(definition: VmDefinition = LINUX) {
  const j = journaled(definition);
  const converted: string[] = [];
  const converter: GuestConverter = { program: "fake-v2v", probe: async () => ({ version: "1" }), convert: async (i) => void converted.push(i.name) };
  const buses: string[][] = [];
  const firstTarget = { ...j.firstTarget, reserve: (d: MappedDefinition, c: Parameters<MoveTarget["reserve"]>[1]) => (buses.push(d.disks.map((x) => x.bus)), j.firstTarget.reserve(d, c)) } as MoveTarget;
  const removable: MoveSource = { ...j.source, platform: "vsphere", removal: { removeVm: async (id: string) => (j.world.calls.push(`source.remove ${id}`), "removed") } } as MoveSource;
  /** Starts a move in a first process, kills it mid-transfer and waits its lease out. */
  const startAndKill = async (requestId: string, options: Record<string, unknown>) => {
    createMover({ copier: holding, lease: SHORT_LEASE, converter }).moveVm({ from: removable, to: firstTarget, vmId: "vm-1", ...MAPS, requestId, ...options });
    await until(() => j.records.get(`move-${requestId}`)?.phase === "transferring");
    await killAndWaitOut(j.kill, j.records, `move-${requestId}`);
  };
  // A long lease for the attacher: a stall of the test machine must not fence it (lease-fence.test.ts).
  const attacher = () => createMover({ copier: j.copier(), lease: { heartbeatMs: 20, leaseMs: 10_000 }, converter });
  return { ...j, converted, converter, buses, source: removable, startAndKill, attacher };
}

describe("the request options a move keeps in its record", () => {
  it("convert: never is recorded (no conversion, source buses) and a resumed move is not converted", async () => {
    const w = world();
    await w.startAndKill("cv", { convert: { mode: "never" } });
    expect(w.records.get("move-cv")!.options).toEqual({ convert: { mode: "never", converts: false, virtio: false }, removeSource: false });
    expect(w.buses).toEqual([["scsi"]]);
    const result = await (await w.attacher().attach("move-cv", { from: w.source, to: w.target })).wait({ maxWaitMs: 5000 });
    expect(result).toMatchObject({ outcome: "completed", attach: { action: "resume" } });
    expect(w.converted).toEqual([]);
    // The resumed run kept the options in the record it wrote.
    expect(w.records.get("move-cv")).toMatchObject({ phase: "completed", options: { convert: { mode: "never", converts: false } } });
  });

  it("convert: auto on a guest that needs it is recorded as converting on virtio; the resumed move converts once, then starts", async () => {
    const w = world();
    await w.startAndKill("ca", {});
    expect(w.records.get("move-ca")!.options!.convert).toEqual({ mode: "auto", converts: true, virtio: true });
    expect(w.buses).toEqual([["virtio"]]);
    const result = await (await w.attacher().attach("move-ca", { from: w.source, to: w.target })).wait({ maxWaitMs: 5000 });
    expect(result.outcome, result.error?.message).toBe("completed");
    expect(w.converted).toEqual(["vm-1"]);
    expect(w.world.calls.indexOf("target.start vm-1")).toBeGreaterThan(-1);
  });

  it("removeSource and the shutdown timeout are recorded; the resumed move removes the source after the target runs", async () => {
    const w = world();
    await w.startAndKill("rs", { removeSource: true, shutdownTimeoutMs: 1234, convert: { mode: "never" } });
    expect(w.records.get("move-rs")!.options).toMatchObject({ removeSource: true, shutdownTimeoutMs: 1234 });
    const result = await (await w.attacher().attach("move-rs", { from: w.source, to: w.target })).wait({ maxWaitMs: 5000 });
    expect(result).toMatchObject({ outcome: "completed", sourceRemoved: true, sourceRemovedWhat: "removed" });
    expect(w.world.calls.indexOf("source.remove vm-1")).toBeGreaterThan(w.world.calls.indexOf("target.start vm-1"));
  });

  it("an attach option that contradicts the record is INVALID_ARGUMENT naming both values; nothing is changed", async () => {
    const w = world();
    await w.startAndKill("clash", { convert: { mode: "never" } });
    const before = w.records.get("move-clash");
    const calls = w.world.calls.length;
    const convert = await w.attacher().attach("move-clash", { from: w.source, to: w.target, convert: { mode: "always" } }).then(() => undefined, (e: unknown) => e as { code: string; message: string });
    expect(convert?.code).toBe("INVALID_ARGUMENT");
    expect(convert?.message).toContain("move move-clash was started with convert never (not converting the guest), and this attach asks convert always");
    const remove = await w.attacher().attach("move-clash", { from: w.source, to: w.target, removeSource: true }).then(() => undefined, (e: unknown) => e as { code: string; message: string });
    expect(remove?.message).toContain("was started with removeSource false, and this attach asks removeSource true");
    // A retried start with the same request id is held to the record the same way.
    const retried = await w.attacher().moveVm({ from: w.source, to: w.target, vmId: "vm-1", ...MAPS, requestId: "clash", convert: { mode: "always" } }).wait({ maxWaitMs: 5000 });
    expect(retried.error).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("convert never (not converting the guest), and this attach asks convert always") });
    expect(w.records.get("move-clash")).toEqual(before);
    expect(w.world.calls.slice(calls).filter((c) => !c.startsWith("source.read"))).toEqual([]);
    // `auto` asks for the decision made at reservation: accepted, and this guest (which a fresh
    // `auto` would convert) is not converted, as recorded.
    const same = await (await w.attacher().attach("move-clash", { from: w.source, to: w.target, convert: { mode: "auto" } })).wait({ maxWaitMs: 5000 });
    expect(same.outcome, same.error?.message).toBe("completed");
    expect(w.converted).toEqual([]);
  });

  it("a record without options (written before they were kept) resumes with the attach's own options, as before", async () => {
    const w = world();
    await w.startAndKill("old", { convert: { mode: "never" } });
    const { options: _dropped, ...old } = w.records.get("move-old")!;
    w.records.set("move-old", old);
    const result = await (await w.attacher().attach("move-old", { from: w.source, to: w.target })).wait({ maxWaitMs: 5000 });
    expect(result.outcome, result.error?.message).toBe("completed");
    // The attach asked nothing: the default (auto) applies, as it did before records kept options.
    expect(w.converted).toEqual(["vm-1"]);
    expect(result.sourceRemoved).toBeUndefined();
  });
});
