/**
 * The passes of a warm move: a full copy while the source runs, delta passes of only the blocks
 * written since the previous pass until the delta is small (or a pass cap), then — after the
 * source stopped — the final delta. The mover (move.ts) drives the phases, cutover and rollback;
 * this file only copies.
 */
import { VmshiftError, pause } from "@vmshift/core";
import type { DiskDefinition, VmDefinition } from "./definition.ts";
import type { DiskCopier, ReservedVolume, SpiContext, WarmPass, WarmSource } from "./spi.ts";

/** How a warm move decides when to cut over. */
export interface WarmOptions {
  /** Delta passes while the source runs, at most (after the full pass). Default 5. */
  readonly maxDeltaPasses?: number;
  /** A delta pass that copied at most this many bytes ends the passes (cutover). Default 16 MiB. */
  readonly convergedBytes?: number;
  /** Pause between passes while the source runs, ms (lets writes accumulate into fewer passes). Default 0. */
  readonly passIntervalMs?: number;
}

/** What one pass did. */
export interface PassReport {
  /** 1-based. */
  readonly pass: number;
  /** `full`: every byte, source running; `delta`: changed blocks, source running; `final`: changed blocks, source stopped. */
  readonly kind: "full" | "delta" | "final";
  /** Bytes copied in this pass (every disk). */
  readonly bytes: number;
  /** Changed ranges copied (delta and final passes). */
  readonly extents?: number;
  /** How long the pass took, ms. */
  readonly durationMs: number;
}

/** Progress inside one pass. */
export interface PassProgress {
  readonly pass: number;
  readonly kind: PassReport["kind"];
  /** Bytes this pass copied so far. */
  readonly bytes: number;
  /** Bytes this pass will copy (known once the changed blocks of every disk are listed). */
  readonly totalBytes: number;
  readonly message: string;
}

/** Everything the passes need. */
export interface WarmCopy {
  readonly source: WarmSource;
  readonly copier: DiskCopier;
  readonly definition: VmDefinition;
  readonly disks: readonly DiskDefinition[];
  readonly volumes: readonly ReservedVolume[];
  readonly moveId: string;
  readonly ctx: SpiContext;
  /** Bytes copied so far per disk key, accumulated over the passes. */
  readonly copied: Record<string, number>;
  readonly onProgress: (p: PassProgress) => void;
  /** Told of every pass that completed, as it completes. */
  readonly onPass?: (r: PassReport) => void;
  /** Told of the pass that is open (to close it on rollback) and `undefined` once it closed. */
  readonly onOpen: (pass: WarmPass | undefined) => void;
}

function volumeOf(w: WarmCopy, key: string): ReservedVolume {
  const v = w.volumes.find((x) => x.diskKey === key);
  if (!v) throw new VmshiftError("INTERNAL", `the target reserved no volume for disk ${key}`, { operation: "move.transfer" });
  return v;
}

/** Runs one pass: full when `since` is absent, else the blocks changed since that checkpoint. */
export async function runPass(w: WarmCopy, pass: number, since: string | undefined, final: boolean): Promise<PassReport & { readonly checkpoint: string }> {
  const kind: PassReport["kind"] = since === undefined ? "full" : final ? "final" : "delta";
  const t0 = performance.now();
  const open = await w.source.beginPass(w.definition, w.disks, { pass, moveId: w.moveId, final, ...(since === undefined ? {} : { since }) }, w.ctx);
  w.onOpen(open);
  try {
    const plans: { key: string; extents?: readonly { offset: number; length: number }[] }[] = [];
    for (const d of w.disks) {
      const disk = open.disks.get(d.key);
      if (!disk) throw new VmshiftError("INTERNAL", `pass ${pass} exported no disk ${d.key}`, { operation: "move.transfer" });
      const extents = await disk.changedExtents(w.ctx);
      plans.push({ key: d.key, ...(extents ? { extents } : {}) });
    }
    const total = plans.reduce((n, p) => n + (p.extents ? p.extents.reduce((m, e) => m + e.length, 0) : volumeOf(w, p.key).sizeBytes), 0);
    let done = 0;
    let extentCount = 0;
    w.onProgress({ pass, kind, bytes: 0, totalBytes: total, message: `pass ${pass} (${kind}): ${total} bytes to copy` });
    for (const p of plans) {
      if (w.ctx.signal.aborted) throw new VmshiftError("ABORTED", "move cancelled", { operation: "move.cancel" });
      const from = open.disks.get(p.key)!;
      const to = volumeOf(w, p.key);
      const before = done;
      const onProgress = (c: { copiedBytes: number }) => w.onProgress({ pass, kind, bytes: before + c.copiedBytes, totalBytes: total, message: `pass ${pass} (${kind}): copying disk ${p.key}` });
      if (!p.extents) {
        await w.copier.copy(from, to, { ...w.ctx, onProgress });
        done += to.sizeBytes;
        w.copied[p.key] = (w.copied[p.key] ?? 0) + to.sizeBytes;
      } else {
        if (!w.copier.copyExtents) throw new VmshiftError("NOT_SUPPORTED", "the disk copier cannot copy changed extents (warm moves need copyExtents)", { operation: "move.transfer" });
        extentCount += p.extents.length;
        const n = p.extents.length === 0 ? 0 : await w.copier.copyExtents(from, to, p.extents, { ...w.ctx, onProgress });
        done += n;
        w.copied[p.key] = (w.copied[p.key] ?? 0) + n;
      }
    }
    w.onProgress({ pass, kind, bytes: done, totalBytes: total, message: `pass ${pass} (${kind}) copied ${done} bytes` });
    return { pass, kind, bytes: done, ...(kind === "full" ? {} : { extents: extentCount }), durationMs: Math.round(performance.now() - t0), checkpoint: open.checkpoint };
  } finally {
    await open.close();
    w.onOpen(undefined);
  }
}

/**
 * The passes while the source runs: the full pass, then delta passes until one copies at most
 * `convergedBytes` or `maxDeltaPasses` ran. Returns every pass and the checkpoint the final
 * pass is incremental against.
 */
export async function copyWhileRunning(w: WarmCopy, options: WarmOptions = {}): Promise<{ readonly passes: PassReport[]; readonly checkpoint: string }> {
  const maxDelta = options.maxDeltaPasses ?? 5;
  const converged = options.convergedBytes ?? 16 * 1024 * 1024;
  if (!Number.isInteger(maxDelta) || maxDelta < 0) throw new VmshiftError("INVALID_ARGUMENT", `warm.maxDeltaPasses must be a whole number ≥ 0, not ${maxDelta}`, { operation: "move.start" });
  const passes: PassReport[] = [];
  const first = await runPass(w, 1, undefined, false);
  passes.push(stripCheckpoint(first));
  w.onPass?.(passes.at(-1)!);
  let checkpoint = first.checkpoint;
  for (let n = 0; n < maxDelta; n++) {
    if (options.passIntervalMs) await pause(options.passIntervalMs, w.ctx.signal);
    const r = await runPass(w, passes.length + 1, checkpoint, false);
    passes.push(stripCheckpoint(r));
    w.onPass?.(passes.at(-1)!);
    checkpoint = r.checkpoint;
    if (r.bytes <= converged) break;
  }
  return { passes, checkpoint };
}

function stripCheckpoint(r: PassReport & { readonly checkpoint: string }): PassReport {
  const { checkpoint: _c, ...rest } = r;
  return rest;
}
