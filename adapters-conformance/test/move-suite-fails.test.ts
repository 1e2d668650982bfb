/**
 * The move suite can fail: a mover whose copier writes one wrong byte into the target volume after
 * a correct copy still reports the move completed, and the suite's cold scenario must fail it on
 * the disk hash read back from the target host. Skipped when the lab cannot run here; with CI=true
 * a missing lab is a failure.
 */
import { openSync, readSync, closeSync, writeSync } from "node:fs";
import { type DiskCopier, createMover, qemuImgCopier } from "@vmshift/move";
import { describe, expect, it } from "vitest";
import { runMoveSuite } from "../src/move/index.ts";
import { pairAvailable } from "./move-suite-helpers.ts";

const ok = await pairAvailable("libvirt-local", "libvirt-local");

/** Copies correctly, then flips one byte of the written volume (a local file on the lab's target host). */
function corruptingCopier(): DiskCopier & { corrupted: string[] } {
  const real = qemuImgCopier();
  const corrupted: string[] = [];
  return {
    corrupted,
    async copy(from, to, ctx) {
      await real.copy(from, to, ctx);
      const fd = openSync(to.location, "r+");
      try {
        const b = Buffer.alloc(1);
        readSync(fd, b, 0, 1, 4096);
        b[0] = b[0]! ^ 0xff;
        writeSync(fd, b, 0, 1, 4096);
      } finally {
        closeSync(fd);
      }
      corrupted.push(to.location);
    },
  };
}

describe.skipIf(!ok)("the move suite fails a mover that lies", () => {
  it("move.cold fails when the mover reports completed but the target disk differs by one byte", async () => {
    const copier = corruptingCopier();
    const report = await runMoveSuite("libvirt-local", "libvirt-local", { only: ["move.cold"], createMover: (o) => createMover({ ...o, copier }) });
    expect(copier.corrupted).toHaveLength(1);
    expect(report.scenarios).toHaveLength(1);
    expect(report.scenarios[0]).toMatchObject({ id: "move.cold", status: "failed", reason: expect.stringMatching(/^disk vdb differs on the target: sha256 [0-9a-f]{64} there, [0-9a-f]{64} at the source$/) });
    expect(report.summary).toEqual({ passed: 0, failed: 1, skipped: 0 });
  }, 120_000);
});
