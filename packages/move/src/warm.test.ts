/**
 * Warm moves over in-memory endpoints: a source double with change tracking (point-in-time
 * exports, dirty ranges since a checkpoint) on top of the memory world, and a copier that copies
 * whole disks or extents between Buffers. Real passes run in adapters-conformance/libvirt-lab/warm-move.test.ts.
 */
import { VmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { memoryWorld } from "../test/memory-platform.ts";
import type { VmDefinition } from "./definition.ts";
import { createMover } from "./move.ts";
import type { ChangedExtent, DiskCopier, MoveSource, WarmSource } from "./spi.ts";

const VM: VmDefinition = {
  id: "vm-1", name: "vm-1", cpus: 1, memoryBytes: 1024 ** 3, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [{ key: "vda", sizeBytes: 1 << 20, format: "qcow2", bus: "virtio", storage: "fast", device: "disk" }],
  nics: [],
};
const MAPS = { storageMap: { fast: { storage: "pool-b", format: "raw" as const } } };

function warmWorld(options: { writesPerPass?: (pass: number) => number; failExtentsAtPass?: number; slowExtentsMs?: number } = {}) {
  const { world, source, target } = memoryWorld(VM);
  const snapshots = new Map<string, Buffer>();
  const dirty: { checkpoint: string; ranges: ChangedExtent[] }[] = [];
  const log: string[] = [];
  let open = 0;
  const write = (offset: number, length: number, byte: number) => {
    world.sourceDisks.get("vda")!.fill(byte, offset, offset + length);
    for (const d of dirty) d.ranges.push({ offset, length });
  };
  const warm: WarmSource = {
    async check() {
      return [];
    },
    async beginPass(_def, disks, o) {
      log.push(`begin ${o.pass}${o.since ? ` since ${o.since}` : ""}${o.final ? " final" : ""}`);
      if (o.final && world.sourcePower !== "stopped") throw new Error("final pass while the source runs");
      if (!o.final && world.sourcePower !== "running") throw new Error("pass while the source is stopped");
      const checkpoint = `ck-${o.pass}`;
      const since = o.since === undefined ? undefined : dirty.find((d) => d.checkpoint === o.since);
      const changed = since ? [...since.ranges] : undefined;
      dirty.push({ checkpoint, ranges: [] });
      open++;
      const map = new Map(disks.map((d) => {
        snapshots.set(`${o.pass}:${d.key}`, Buffer.from(world.sourceDisks.get(d.key)!));
        return [d.key, { location: `${o.pass}:${d.key}`, format: "raw" as const, changedExtents: async () => changed }];
      }));
      // The guest writes after this pass's point in time (recorded for the next pass).
      if (!o.final) for (let i = 0; i < (options.writesPerPass?.(o.pass) ?? 1); i++) write(((o.pass * 13 + i * 7) % 15) * 65536, 65536, 0x40 + o.pass);
      return { pass: o.pass, checkpoint, disks: map, close: async () => void (open--, log.push(`close ${o.pass}`)) };
    },
    async finish() {
      log.push("finish");
      dirty.length = 0;
    },
  };
  const copier: DiskCopier = {
    async copy(from, to, ctx) {
      snapshots.get(from.location)!.copy(world.targetDisks.get(to.diskKey)!);
      ctx.onProgress?.({ copiedBytes: to.sizeBytes, totalBytes: to.sizeBytes });
    },
    async copyExtents(from, to, extents, ctx) {
      const pass = Number(from.location.split(":")[0]);
      if (options.slowExtentsMs) await new Promise((r) => setTimeout(r, options.slowExtentsMs));
      if (ctx.signal.aborted) throw new VmshiftError("ABORTED", "cancelled");
      if (pass === options.failExtentsAtPass) throw new VmshiftError("MIGRATION_FAILED", `export of pass ${pass} vanished`);
      let n = 0;
      for (const e of extents) {
        snapshots.get(from.location)!.copy(world.targetDisks.get(to.diskKey)!, e.offset, e.offset, e.offset + e.length);
        n += e.length;
      }
      return n;
    },
  };
  const from: MoveSource = { ...source, warm };
  return { world, from, target, copier, log, openPasses: () => open };
}

describe("moveVm (warm) over in-memory endpoints", () => {
  it("copies while the source runs (full, then deltas until small), stops it, copies the last delta, starts the target: the target equals the source", async () => {
    const w = warmWorld({ writesPerPass: (p) => (p === 1 ? 4 : 1) });
    const task = createMover({ copier: w.copier }).moveVm({ from: w.from, to: w.target, vmId: "vm-1", mode: "warm", ...MAPS, warm: { convergedBytes: 2 * 65536 } });
    const seen: [string, number | undefined][] = [];
    for await (const s of task.events()) if (seen.at(-1)?.[0] !== s.phase || seen.at(-1)?.[1] !== s.progress.iteration) seen.push([s.phase, s.progress.iteration]);
    const result = await task.wait();
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ outcome: "completed", moveMode: "warm", vmLocation: { side: "target", powerState: "running" } });
    expect(result.passes?.map((p) => [p.kind, p.bytes])).toEqual([["full", 1 << 20], ["delta", 4 * 65536], ["delta", 65536], ["final", 65536]]);
    expect(seen.filter(([p]) => p === "transferring").map(([, i]) => i)).toEqual([1, 2, 3]);
    expect(seen.filter(([p]) => p === "finalizing").map(([, i]) => i)).toContain(4);
    expect(w.world.targetDisks.get("vda")!.equals(w.world.sourceDisks.get("vda")!)).toBe(true);
    expect(w.log).toEqual(["begin 1", "close 1", "begin 2 since ck-1", "close 2", "begin 3 since ck-2", "close 3", "begin 4 since ck-3 final", "close 4", "finish"]);
    expect(w.world.calls.indexOf("source.stop")).toBeGreaterThan(w.world.calls.indexOf("target.reserve vm-1"));
    expect(w.world.sourcePower).toBe("stopped");
    expect(result.copiedBytes).toEqual({ vda: (1 << 20) + 6 * 65536 });
    expect(result.copyDurationMs).toBe(result.passes!.reduce((n, p) => n + p.durationMs, 0));
    expect(result.downtimeMs).toBeGreaterThanOrEqual(0);
  });

  it("stops passing at the pass cap when the delta stays large", async () => {
    const w = warmWorld({ writesPerPass: () => 8 });
    const result = await createMover({ copier: w.copier }).moveVm({ from: w.from, to: w.target, vmId: "vm-1", mode: "warm", ...MAPS, warm: { maxDeltaPasses: 2, convergedBytes: 65536 } }).wait();
    expect(result.outcome).toBe("completed");
    expect(result.passes?.map((p) => p.kind)).toEqual(["full", "delta", "delta", "final"]);
    expect(w.world.targetDisks.get("vda")!.equals(w.world.sourceDisks.get("vda")!)).toBe(true);
  });

  it("a fault mid-pass rolls back: the pass's export ends, the source's checkpoints go, the target is removed, the source keeps running", async () => {
    const w = warmWorld({ failExtentsAtPass: 2 });
    const result = await createMover({ copier: w.copier }).moveVm({ from: w.from, to: w.target, vmId: "vm-1", mode: "warm", ...MAPS }).wait();
    expect(result).toMatchObject({ outcome: "failed", error: { code: "MIGRATION_FAILED" }, vmLocation: { side: "source", powerState: "running" } });
    expect(result.passes?.map((p) => p.kind)).toEqual(["full"]);
    expect(w.openPasses()).toBe(0);
    expect(w.log.at(-1)).toBe("finish");
    expect(w.world.calls).toContain("target.remove vm-1");
    expect(w.world.calls).not.toContain("source.stop");
  });

  it("cancel during a delta pass ends cancelled with the source running and nothing left on either side", async () => {
    const w = warmWorld({ slowExtentsMs: 200 });
    const task = createMover({ copier: w.copier }).moveVm({ from: w.from, to: w.target, vmId: "vm-1", mode: "warm", ...MAPS });
    for await (const s of task.events()) if (s.progress.iteration === 2) break;
    const result = await task.cancel();
    expect(result).toMatchObject({ outcome: "cancelled", error: { code: "ABORTED" }, vmLocation: { side: "source", powerState: "running" } });
    expect(w.openPasses()).toBe(0);
    expect(w.log).toContain("finish");
    expect(w.world.targetDefined).toBe(false);
  });
});
