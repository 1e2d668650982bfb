/**
 * The move suite from vsphere-vcsim (the project's vcsim launcher with a VM whose disk backing file
 * is a real VMDK, through @vmshift/move's vSphere source: ExportVm → HttpNfcLease) to kubevirt-env,
 * through `vmshift conformance --suite move`: cold (VMDK → CDI upload, hashes equal), cancel,
 * unmapped network and idempotent retry pass; warm is skipped (no change tracking in the launcher
 * yet, nor multi-stage CDI uploads). (Into the libvirt lab the same source is proven by
 * vcsim/move-source.test.ts.) With CI=true a missing side is a failure.
 */
import { describe, expect, it } from "vitest";
import { pairAvailable, runSuite, statusOf } from "./move-suite-helpers.ts";

const ok = await pairAvailable("vsphere-vcsim", "kubevirt-env");

describe.skipIf(!ok)("vmshift conformance --suite move --from vsphere-vcsim --to kubevirt-env", () => {
  it("passes cold, cancel, unmapped network and idempotent retry; skips warm", async () => {
    const { code, report, stderr } = await runSuite("vsphere-vcsim", "kubevirt-env");
    const failed = report.scenarios.filter((s) => s.status === "failed").map((s) => `${s.id}: ${s.reason}`);
    expect(failed, stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report.target).toBe("vsphere-vcsim → kubevirt-env");
    for (const id of ["move.cold", "move.cancel-before-cutover", "move.unmapped-network", "move.idempotent-retry"]) expect(statusOf(report, id).status, id).toBe("passed");
    expect(statusOf(report, "move.warm").status).toBe("skipped");
  }, 120_000);
});
