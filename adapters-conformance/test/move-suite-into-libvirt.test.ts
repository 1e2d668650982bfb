/**
 * The move suite from each platform source the repository can run — vsphere-vcsim (ExportVm over a
 * real VMDK), hyperv-transcripts (the stand-in's real VHDX, through node-powershell) and
 * nutanix-server (a v4 image of a real disk file) — into libvirt-local (the lab's host b), through
 * `vmshift conformance --suite move`. Each pair: cold (hashes equal on the target host), cancel
 * before cutover, target start failure (rollback, source running), unmapped network and idempotent
 * retry pass; warm passes where the source tracks changes (vSphere CBT over the launcher's frozen
 * snapshots, Hyper-V RCT) and is skipped with the source's reason elsewhere; attach is skipped where the side has no CLI profile for the killed
 * child. Skipped when a side cannot run here; with CI=true that is a failure.
 */
import { describe, expect, it } from "vitest";
import { pairAvailable, runSuite, statusOf } from "./move-suite-helpers.ts";

const ALWAYS = ["move.cold", "move.cancel-before-cutover", "move.target-start-failure", "move.unmapped-network", "move.idempotent-retry"];

const PAIRS: readonly { readonly from: string; readonly warm: "passed" | "skipped" }[] = [
  { from: "vsphere-vcsim", warm: "passed" },
  { from: "hyperv-transcripts", warm: "passed" },
  { from: "nutanix-server", warm: "skipped" },
];

for (const { from, warm } of PAIRS) {
  const ok = await pairAvailable(from, "libvirt-local");
  describe.skipIf(!ok)(`vmshift conformance --suite move --from ${from} --to libvirt-local`, () => {
    it(`passes ${ALWAYS.join(", ")}; warm ${warm}`, async () => {
      const { code, report, stderr } = await runSuite(from, "libvirt-local");
      const failed = report.scenarios.filter((s) => s.status === "failed").map((s) => `${s.id}: ${s.reason}`);
      expect(failed, stderr).toEqual([]);
      expect(code).toBe(0);
      expect(report.target).toBe(`${from} → libvirt-local`);
      for (const id of ALWAYS) expect(statusOf(report, id).status, id).toBe("passed");
      const w = statusOf(report, "move.warm");
      expect(w.status, w.reason).toBe(warm);
      if (warm === "skipped") expect(w.reason).toMatch(/\S/);
    }, 600_000);
  });
}
