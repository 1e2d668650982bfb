/**
 * The move suite from nutanix-server (the Prism-like server with a VM whose disk is a real file,
 * through @vmshift/move's Nutanix source: a v4 image from the VM disk, its file downloaded) to
 * kubevirt-env, through `vmshift conformance --suite move`: cold (image → CDI upload, hashes
 * equal), cancel, unmapped network and idempotent retry pass; warm is skipped (no changed-block
 * tracking in the v4 VMM API, nor multi-stage CDI uploads), the start failure because kubevirt-env
 * cannot refuse a start. (Into libvirt-local the same source is proven by
 * libvirt-lab/nutanix-move.test.ts.) With CI=true a missing side is a failure.
 */
import { describe, expect, it } from "vitest";
import { pairAvailable, runSuite, statusOf } from "./move-suite-helpers.ts";

const ok = await pairAvailable("nutanix-server", "kubevirt-env");

describe.skipIf(!ok)("vmshift conformance --suite move --from nutanix-server --to kubevirt-env", () => {
  it("passes cold, cancel, unmapped network and idempotent retry; skips warm", async () => {
    const { code, report, stderr } = await runSuite("nutanix-server", "kubevirt-env");
    const failed = report.scenarios.filter((s) => s.status === "failed").map((s) => `${s.id}: ${s.reason}`);
    expect(failed, stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report.target).toBe("nutanix-server → kubevirt-env");
    for (const id of ["move.cold", "move.cancel-before-cutover", "move.unmapped-network", "move.idempotent-retry"]) expect(statusOf(report, id).status, id).toBe("passed");
    expect(statusOf(report, "move.warm").status).toBe("skipped");
  }, 120_000);
});
