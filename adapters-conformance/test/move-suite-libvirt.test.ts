/**
 * The move suite for libvirt-local → libvirt-local through `vmshift conformance --suite move`:
 * every scenario runs real moves between the lab's two hosts and the report says each passed,
 * attach included (a child `vmshift move` SIGKILLed mid-transfer, then attached to from the record
 * on host b). Skipped when the lab cannot run here; with CI=true a missing lab is a failure.
 */
import { describe, expect, it } from "vitest";
import { pairAvailable, runSuite, statusOf } from "./move-suite-helpers.ts";

const ok = await pairAvailable("libvirt-local", "libvirt-local");

describe.skipIf(!ok)("vmshift conformance --suite move --from libvirt-local --to libvirt-local", () => {
  it("runs every scenario and they pass: cold and warm byte-identical, cancel, start failure, unmapped network, attach after a kill, idempotent retry", async () => {
    const { code, report, stderr } = await runSuite("libvirt-local", "libvirt-local");
    const failed = report.scenarios.filter((s) => s.status === "failed").map((s) => `${s.id}: ${s.reason}`);
    expect(failed, stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report.target).toBe("libvirt-local → libvirt-local");
    for (const id of ["move.cold", "move.warm", "move.cancel-before-cutover", "move.target-start-failure", "move.unmapped-network", "move.remove-source", "move.attach-after-restart", "move.idempotent-retry"]) {
      expect(statusOf(report, id).status, id).toBe("passed");
    }
    expect(report.summary).toEqual({ passed: 8, failed: 0, skipped: 0 });
  }, 600_000);
});
