/**
 * The move suite for libvirt-local → kubevirt-env through `vmshift conformance --suite move`: the
 * lab domain's disk is uploaded through kubevirt-env's CDI upload proxy; cold, cancel, unmapped
 * network and idempotent retry pass; warm is skipped because CDI's upload is single-stage, the
 * target start failure because kubevirt-env has no fault that refuses a start, and attach because
 * kubevirt-env has no CLI profile for the child process the scenario kills (each reason in the
 * report; the KubeVirt journal itself is tested in kubevirt-env/move-journal.env.test.ts). Skipped
 * when the lab cannot run here; with CI=true a missing lab is a failure.
 */
import { describe, expect, it } from "vitest";
import { pairAvailable, runSuite, statusOf } from "./move-suite-helpers.ts";

const ok = await pairAvailable("libvirt-local", "kubevirt-env");

describe.skipIf(!ok)("vmshift conformance --suite move --from libvirt-local --to kubevirt-env", () => {
  it("passes cold, cancel, unmapped network and idempotent retry; skips warm, start failure and attach with their reasons", async () => {
    const { code, report, stderr } = await runSuite("libvirt-local", "kubevirt-env");
    const failed = report.scenarios.filter((s) => s.status === "failed").map((s) => `${s.id}: ${s.reason}`);
    expect(failed, stderr).toEqual([]);
    expect(code).toBe(0);
    for (const id of ["move.cold", "move.cancel-before-cutover", "move.unmapped-network", "move.idempotent-retry"]) expect(statusOf(report, id).status, id).toBe("passed");
    expect(statusOf(report, "move.warm")).toEqual({ status: "skipped", reason: expect.stringContaining("single-stage") });
    expect(statusOf(report, "move.target-start-failure")).toEqual({ status: "skipped", reason: expect.stringContaining("refuses a VirtualMachine's start") });
    expect(statusOf(report, "move.attach-after-restart")).toEqual({ status: "skipped", reason: expect.stringContaining("both sides need a CLI profile") });
  }, 600_000);
});
