/**
 * Disk bytes: `qemu-img convert` from a reader's location into a reserved volume, converting
 * the format on the way (e.g. qcow2 → raw), with its `-p` progress parsed.
 */
import { VmshiftError } from "@vmshift/core";
import { type CommandRunner, spawnRunner } from "./exec.ts";
import type { DiskCopier } from "./spi.ts";

/** Options of {@link qemuImgCopier}. */
export interface QemuImgCopierOptions {
  readonly runner?: CommandRunner;
  /** The qemu-img binary. Default `qemu-img`. */
  readonly binary?: string;
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
  };
}
