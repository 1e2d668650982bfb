/**
 * The move suite for libvirt-local → kubevirt-env through `vmshift conformance --suite move`: the
 * lab domain's disk is uploaded through kubevirt-env's CDI upload proxy; cold, cancel, unmapped
 * network, idempotent retry and attach (a child `vmshift move` killed mid-transfer, found through
 * the VirtualMachine's annotation and rolled back) pass; warm passes (blank DataVolumes written over
 * NBD through the transfer pod while the lab guest's disk is written, the writes on the target); the
 * target start failure is skipped because kubevirt-env has no fault that refuses a start
 * (each reason in the report). Skipped when the lab cannot run here; with CI=true a missing lab is
 * a failure.
 */
import { describe, expect, it } from "vitest";
import { pairAvailable, runSuite, statusOf } from "./move-suite-helpers.ts";

const ok = await pairAvailable("libvirt-local", "kubevirt-env");

describe.skipIf(!ok)("vmshift conformance --suite move --from libvirt-local --to kubevirt-env", () => {
  it("passes cold, warm, cancel, unmapped network, idempotent retry and attach (rolled back); skips start failure with its reason", async () => {
    const { code, report, stderr } = await runSuite("libvirt-local", "kubevirt-env");
    const failed = report.scenarios.filter((s) => s.status === "failed").map((s) => `${s.id}: ${s.reason}`);
    expect(failed, stderr).toEqual([]);
    expect(code).toBe(0);
    for (const id of ["move.cold", "move.cancel-before-cutover", "move.unmapped-network", "move.idempotent-retry"]) expect(statusOf(report, id).status, id).toBe("passed");
    expect(statusOf(report, "move.warm").status, statusOf(report, "move.warm").reason).toBe("passed");
    expect(statusOf(report, "move.target-start-failure")).toEqual({ status: "skipped", reason: expect.stringContaining("refuses a VirtualMachine's start") });
    // Killed mid-transfer, the move is found through the VirtualMachine's annotation and rolled back (a CDI upload cannot be continued).
    expect(statusOf(report, "move.attach-after-restart").status).toBe("passed");
    expect(report.scenarios.find((s) => s.id === "move.attach-after-restart")?.notes?.join(" ")).toContain("rollback (the target uploads whole disks itself");
  }, 600_000);
});
