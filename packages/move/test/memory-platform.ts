/**
 * Test doubles: a source and a target that keep disks as Buffers and record every call, and a
 * copier that copies Buffers (optionally slowly, so a test can cancel mid-copy). Test code only.
 */
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "../src/checks.ts";
import type { VmDefinition } from "../src/definition.ts";
import type { DiskCopier, MoveSource, MoveTarget, Reservation } from "../src/spi.ts";

export interface MemoryWorld {
  readonly calls: string[];
  readonly sourceDisks: Map<string, Buffer>;
  readonly targetDisks: Map<string, Buffer>;
  sourcePower: "running" | "stopped";
  targetDefined: boolean;
  targetPower: "running" | "stopped";
  failTargetStart?: boolean;
  failSourceStart?: boolean;
  targetChecks?: MoveCheck[];
}

export function memoryWorld(definition: VmDefinition): { world: MemoryWorld; source: MoveSource; target: MoveTarget; copier: (chunkDelayMs?: number) => DiskCopier } {
  const world: MemoryWorld = { calls: [], sourceDisks: new Map(), targetDisks: new Map(), sourcePower: definition.powerState === "running" ? "running" : "stopped", targetDefined: false, targetPower: "stopped" };
  for (const d of definition.disks) world.sourceDisks.set(d.key, Buffer.alloc(d.sizeBytes, d.key));
  const source: MoveSource = {
    platform: "memory",
    hostId: "src-host",
    async readDefinition(vmId) {
      world.calls.push(`source.read ${vmId}`);
      if (vmId !== definition.id) throw new VmshiftError("NOT_FOUND", `no VM ${vmId}`);
      return { ...definition, powerState: world.sourcePower };
    },
    async openDisk(_def, disk) {
      world.calls.push(`source.open ${disk.key}`);
      if (world.sourcePower !== "stopped") throw new VmshiftError("INVALID_STATE", "source running");
      return { location: disk.key, format: disk.format ?? "raw", close: async () => void world.calls.push(`source.close ${disk.key}`) };
    },
    async stop() {
      world.calls.push("source.stop");
      world.sourcePower = "stopped";
    },
    async start() {
      world.calls.push("source.start");
      if (world.failSourceStart) throw new Error("source host is gone");
      world.sourcePower = "running";
    },
    powerState: async () => world.sourcePower,
  };
  const target: MoveTarget = {
    platform: "memory",
    hostId: "dst-host",
    async check() {
      world.calls.push("target.check");
      return world.targetChecks ?? [];
    },
    async reserve(def) {
      world.calls.push(`target.reserve ${def.targetName}`);
      world.targetDefined = true;
      for (const d of def.disks) world.targetDisks.set(d.key, Buffer.alloc(d.sizeBytes));
      return { vmId: def.targetName, volumes: def.disks.map((d) => ({ diskKey: d.key, storage: d.targetStorage, location: d.key, format: d.targetFormat ?? d.format ?? "raw", sizeBytes: d.sizeBytes })) };
    },
    async start(r: Reservation) {
      world.calls.push(`target.start ${r.vmId}`);
      if (world.failTargetStart) throw new VmshiftError("MIGRATION_FAILED", "target refused to start");
      world.targetPower = "running";
    },
    async remove(r) {
      world.calls.push(`target.remove ${r.vmId}`);
      world.targetDefined = false;
      world.targetPower = "stopped";
      world.targetDisks.clear();
    },
    powerState: async () => world.targetPower,
  };
  const copier = (chunkDelayMs = 0): DiskCopier => ({
    async copy(from, to, ctx) {
      world.calls.push(`copy ${from.location}`);
      const src = world.sourceDisks.get(from.location)!;
      const dst = world.targetDisks.get(to.diskKey)!;
      const chunk = Math.max(1, Math.ceil(src.length / 4));
      for (let off = 0; off < src.length; off += chunk) {
        if (ctx.signal.aborted) throw new VmshiftError("ABORTED", "copy cancelled");
        src.copy(dst, off, off, Math.min(src.length, off + chunk));
        ctx.onProgress?.({ copiedBytes: Math.min(src.length, off + chunk), totalBytes: src.length });
        if (chunkDelayMs) await new Promise((r) => setTimeout(r, chunkDelayMs));
      }
    },
  });
  return { world, source, target, copier };
}
