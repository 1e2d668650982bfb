/** The optional `MoveTarget.writeDisk`: cold moves hand it the disks instead of the copier; warm moves are refused. */
import { describe, expect, it } from "vitest";
import { memoryWorld } from "../test/memory-platform.ts";
import type { VmDefinition } from "./definition.ts";
import { createMover } from "./move.ts";
import type { DiskCopier, MoveTarget } from "./spi.ts";

const VM: VmDefinition = {
  id: "vm-w", name: "vm-w", cpus: 1, memoryBytes: 1 << 20, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [{ key: "vda", sizeBytes: 4096, format: "raw", bus: "virtio", storage: "s", device: "disk" }],
  nics: [],
};

function writingTarget() {
  const { world, source, target, copier } = memoryWorld(VM);
  const written: string[] = [];
  const to: MoveTarget = {
    ...target,
    async writeDisk(from, volume, ctx) {
      written.push(`${from.location}->${volume.diskKey}`);
      world.targetDisks.set(volume.diskKey, world.sourceDisks.get(from.location)!);
      ctx.onProgress?.({ copiedBytes: volume.sizeBytes, totalBytes: volume.sizeBytes });
    },
  };
  const copyCalls: string[] = [];
  const inner = copier();
  const counting: DiskCopier = {
    async copy(f, t, c) {
      copyCalls.push(t.diskKey);
      await inner.copy(f, t, c);
    },
    copyExtents: async () => 0,
  };
  return { world, source, to, written, copyCalls, counting };
}

describe("MoveTarget.writeDisk", () => {
  it("is used by cold moves instead of the disk copier", async () => {
    const { world, source, to, written, copyCalls, counting } = writingTarget();
    const result = await createMover({ copier: counting }).moveVm({ from: source, to, vmId: "vm-w", storageMap: { s: "t" }, shutdownTimeoutMs: 10 }).wait({ maxWaitMs: 5000 });
    expect(result.outcome).toBe("completed");
    expect(written).toEqual(["vda->vda"]);
    expect(copyCalls).toEqual([]);
    expect(world.targetDisks.get("vda")?.equals(world.sourceDisks.get("vda")!)).toBe(true);
  });

  it("makes warm moves fail preflight, naming the target", async () => {
    const { source, to, counting } = writingTarget();
    const report = await createMover({ copier: counting }).preflight({ from: { ...source, warm: { check: async () => [], beginPass: async () => { throw new Error("unused"); }, finish: async () => undefined } }, to, vmId: "vm-w", mode: "warm", storageMap: { s: "t" } });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.message)).toContain(`the ${to.platform} target writes whole disks itself (writeDisk): warm moves need extent writes`);
  });
});
