/**
 * The move suite from each platform source the repository can run — vsphere-vcsim (ExportVm over a
 * real VMDK), hyperv-transcripts (the stand-in's real VHDX, through node-powershell) and
 * nutanix-server (a v4 image of a real disk file) — into kubevirt-env (CDI upload, then a
 * VirtualMachine), through `vmshift conformance --suite move`, without the libvirt lab. Each pair:
 * cold (hashes equal on the DataVolume's file), cancel, unmapped network and idempotent retry pass;
 * warm passes from vsphere-vcsim and hyperv-transcripts (blank DataVolumes written over NBD through the transfer pod,
 * the writes made during the copy on the target); from a source without warm support it is skipped
 * for the source's reason, never the target's. libvirt-local → kubevirt-env is
 * move-suite-kubevirt.test.ts; the same sources into libvirt-local are move-suite-into-libvirt.test.ts.
 * Skipped when a side cannot run here; with CI=true that is a failure.
 */
import { describe, expect, it } from "vitest";
import { pairAvailable, runSuite, statusOf } from "./move-suite-helpers.ts";

const PASSING = ["move.cold", "move.cancel-before-cutover", "move.unmapped-network", "move.idempotent-retry"];
/** Sources whose warm moves run here (change tracking and writes while the VM runs). */
const WARM_FROM = new Set(["vsphere-vcsim", "hyperv-transcripts"]);

for (const from of ["vsphere-vcsim", "hyperv-transcripts", "nutanix-server"]) {
  const ok = await pairAvailable(from, "kubevirt-env");
  describe.skipIf(!ok)(`vmshift conformance --suite move --from ${from} --to kubevirt-env`, () => {
    it(`passes ${PASSING.join(", ")}; ${WARM_FROM.has(from) ? "passes warm" : "warm passes or is skipped for the source's reason"}`, async () => {
      const { code, report, stderr } = await runSuite(from, "kubevirt-env");
      const failed = report.scenarios.filter((s) => s.status === "failed").map((s) => `${s.id}: ${s.reason}`);
      expect(failed, stderr).toEqual([]);
      expect(code).toBe(0);
      expect(report.target).toBe(`${from} → kubevirt-env`);
      for (const id of PASSING) expect(statusOf(report, id).status, id).toBe("passed");
      const warm = statusOf(report, "move.warm");
      if (WARM_FROM.has(from)) expect(warm.status, warm.reason).toBe("passed");
      else if (warm.status === "skipped") expect(warm.reason).not.toMatch(/kubevirt|CDI|single-stage/i);
    }, 180_000);
  });
}
