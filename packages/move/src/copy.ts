/**
 * Disk bytes: `qemu-img convert` from a reader's location into a reserved volume, converting
 * the format on the way (e.g. qcow2 → raw), with its `-p` progress parsed; for warm moves, only
 * the changed extents, each through a `json:` window (the raw driver's `offset`/`size` over the
 * image's own format) on both sides, so every byte lands at its offset in the volume.
 */
import { VmshiftError } from "@vmshift/core";
import { type CommandRunner, spawnRunner } from "./exec.ts";
import type { ChangedExtent, DiskCopier, DiskReader, ReservedVolume } from "./spi.ts";

/** Options of {@link qemuImgCopier}. */
export interface QemuImgCopierOptions {
  /** Runs `qemu-img`. Default: {@link spawnRunner}. */
  readonly runner?: CommandRunner;
  /** The qemu-img binary. Default `qemu-img`. */
  readonly binary?: string;
  /**
   * Extents closer than this are copied as one range (fewer qemu-img runs, a few clean bytes more).
   * Default 256 KiB.
   */
  readonly mergeGapBytes?: number;
  /** At most this many qemu-img runs per disk and pass: the merge gap doubles until the ranges fit. Default 64. */
  readonly maxRangeRuns?: number;
}

/** Ranges for at most `maxRuns` copies: {@link mergeExtents} with a gap doubled until they fit. Pure. */
export function planRanges(extents: readonly ChangedExtent[], gap: number, maxRuns: number): ChangedExtent[] {
  let g = Math.max(0, gap);
  let ranges = mergeExtents(extents, g);
  while (ranges.length > Math.max(1, maxRuns)) {
    g = Math.max(1, g * 2);
    ranges = mergeExtents(ranges, g);
  }
  return ranges;
}

/**
 * The ranges to copy: extents sorted, merged when they touch or are within `gap` bytes. Pure.
 */
export function mergeExtents(extents: readonly ChangedExtent[], gap: number): ChangedExtent[] {
  const sorted = [...extents].filter((e) => e.length > 0).sort((a, b) => a.offset - b.offset);
  const out: { offset: number; length: number }[] = [];
  for (const e of sorted) {
    const last = out.at(-1);
    if (last && e.offset <= last.offset + last.length + gap) last.length = Math.max(last.length, e.offset + e.length - last.offset);
    else out.push({ offset: e.offset, length: e.length });
  }
  return out;
}

/**
 * A `json:` image spec that shows `length` bytes of an image at `offset` as a raw image of its
 * own: the raw driver's offset/size window over the image's format over its location. The one
 * place values reach such a spec (JSON, so no option-string escaping applies).
 */
export function windowSpec(image: Pick<DiskReader, "location" | "format" | "protocol">, offset: number, length: number): string {
  const protocol = image.protocol ?? { driver: "file", filename: image.location };
  return `json:${JSON.stringify({ driver: "raw", offset, size: length, file: { driver: image.format, file: protocol } })}`;
}

/** `qemu-img convert -p -n -f <src> -O <dst> <from> <to>`: writes into the existing volume. */
export function qemuImgCopier(options: QemuImgCopierOptions = {}): DiskCopier {
  const runner = options.runner ?? spawnRunner();
  const binary = options.binary ?? "qemu-img";
  return {
    async copy(from, to, ctx) {
      let last = 0;
      const r = await runner.run(binary, ["convert", "-p", "-n", "-f", from.format, "-O", to.format, from.location, to.location], {
        signal: ctx.signal,
        onStdout: (chunk) => {
          const all = [...chunk.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)];
          const pct = all.at(-1);
          if (!pct) return;
          const copied = Math.round((Number(pct[1]) / 100) * to.sizeBytes);
          if (copied !== last) {
            last = copied;
            ctx.onProgress?.({ copiedBytes: copied, totalBytes: to.sizeBytes });
          }
        },
      });
      if (ctx.signal.aborted) throw new VmshiftError("ABORTED", `copy of disk ${to.diskKey} was cancelled`, { operation: "move.transfer", subject: to.diskKey });
      if (r.code !== 0) throw new VmshiftError("MIGRATION_FAILED", `qemu-img convert of disk ${to.diskKey} failed: ${r.stderr.trim().split("\n").at(-1) ?? ""}`, { operation: "move.transfer", subject: to.diskKey, retryable: false });
      ctx.onProgress?.({ copiedBytes: to.sizeBytes, totalBytes: to.sizeBytes });
    },
    async copyExtents(from: Omit<DiskReader, "close">, to: ReservedVolume, extents: readonly ChangedExtent[], ctx) {
      const ranges = planRanges(extents, options.mergeGapBytes ?? 256 * 1024, options.maxRangeRuns ?? 64);
      const total = ranges.reduce((n, r) => n + r.length, 0);
      let copied = 0;
      for (const r of ranges) {
        if (ctx.signal.aborted) break;
        const res = await runner.run(binary, ["convert", "-n", "-f", "raw", "-O", "raw", windowSpec(from, r.offset, r.length), windowSpec(to, r.offset, r.length)], { signal: ctx.signal });
        if (ctx.signal.aborted) break;
        if (res.code !== 0) throw new VmshiftError("MIGRATION_FAILED", `qemu-img convert of ${r.length} bytes at ${r.offset} of disk ${to.diskKey} failed: ${res.stderr.trim().split("\n").at(-1) ?? ""}`, { operation: "move.transfer", subject: to.diskKey, retryable: false });
        copied += r.length;
        ctx.onProgress?.({ copiedBytes: copied, totalBytes: total });
      }
      if (ctx.signal.aborted) throw new VmshiftError("ABORTED", `delta copy of disk ${to.diskKey} was cancelled`, { operation: "move.transfer", subject: to.diskKey });
      return copied;
    },
  };
}
