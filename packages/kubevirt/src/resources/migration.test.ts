import { describe, expect, it } from "vitest";
import type { KvMigration, KvVmi } from "../types.ts";
import { liveSnapshot } from "./migration.ts";

const UID = "5b0c9a52-3f0e-4c55-9a59-2f1a3c0e8d11";
const ctx = { cancelRequested: false, gone: false, observedAt: "2026-08-01T10:00:20Z" };

function vmim(phase: string, extra: Partial<KvMigration["status"]> = {}, meta: Partial<NonNullable<KvMigration["metadata"]>> = {}): KvMigration {
  return {
    metadata: { name: "m1", namespace: "default", uid: UID, creationTimestamp: "2026-08-01T10:00:00Z", annotations: { "vmshift.io/source-host": "node-1", "vmshift.io/target-host": "node-2" }, ...meta },
    spec: { vmiName: "web-01", addedNodeSelector: { "kubernetes.io/hostname": "node-2" } },
    status: { phase, ...extra },
  };
}

function vmi(node: string, state?: Record<string, unknown>): KvVmi {
  return { metadata: { name: "web-01", namespace: "default" }, spec: { domain: { devices: {} } }, status: { phase: "Running", nodeName: node, runtimeUser: 107, ...(state ? { migrationState: { migrationUid: UID, sourceNode: "node-1", targetNode: "node-2", ...state } } : {}) } };
}

describe("liveSnapshot: KubeVirt phase → vmshift phase", () => {
  it.each([
    ["", "preparing"],
    ["Pending", "requested"],
    ["Scheduling", "requested"],
    ["Scheduled", "requested"],
    ["PreparingTarget", "requested"],
    ["TargetReady", "requested"],
    ["Running", "transferring"],
  ])("%j → %s", (kv, ours) => {
    const s = liveSnapshot(vmim(kv), vmi("node-1", { startTimestamp: "2026-08-01T10:00:11Z" }), "default/m1", ctx);
    expect(s.phase).toBe(ours);
    expect(s.result).toBeUndefined();
    expect(s.progress).toEqual({ phase: ours, message: expect.stringContaining("KubeVirt phase"), observedAt: ctx.observedAt });
  });

  it("Running with the source's completed flag is finalizing", () => {
    expect(liveSnapshot(vmim("Running"), vmi("node-2", { completed: true }), "default/m1", ctx).phase).toBe("finalizing");
  });

  it("Succeeded is completed on the target, with duration", () => {
    const final = { completed: true, endTimestamp: "2026-08-01T10:00:19Z", migrationUid: UID, sourceNode: "node-1", targetNode: "node-2" };
    const s = liveSnapshot(vmim("Succeeded", { migrationState: final }), vmi("node-2"), "default/m1", ctx);
    expect(s.phase).toBe("completed");
    expect(s.result).toMatchObject({ outcome: "completed", vmLocation: { side: "target", hostId: "node-2", powerState: "running" }, sourceHostId: "node-1", targetHostId: "node-2", durationMs: 19_000 });
  });

  it("a completed VMIM puts the VM on its migrationState.targetNode even when the VMI read with it is stale (still on the source)", () => {
    // Under load the VMI can be read before KubeVirt moved it: no migrationState of this migration yet, nodeName the source.
    const final = { completed: true, endTimestamp: "2026-08-01T10:00:19Z", migrationUid: UID, sourceNode: "node-1", targetNode: "node-2" };
    const stale = vmi("node-1");
    const s = liveSnapshot(vmim("Succeeded", { migrationState: final }), stale, "default/m1", ctx);
    expect(s.result).toMatchObject({ outcome: "completed", vmLocation: { side: "target", hostId: "node-2" }, targetHostId: "node-2" });
    // Also when the stale VMI carries this migration's state from before the source reported completion.
    const running = vmi("node-1", { startTimestamp: "2026-08-01T10:00:11Z" });
    expect(liveSnapshot(vmim("Succeeded", { migrationState: final }), running, "default/m1", ctx).result?.vmLocation).toMatchObject({ side: "target", hostId: "node-2" });
  });

  it("a failed or aborted VMIM puts the VM on its migrationState.sourceNode", () => {
    const final = { completed: true, failed: true, abortRequested: true, abortStatus: "Succeeded", migrationUid: UID, sourceNode: "node-1", targetNode: "node-2" };
    const s = liveSnapshot(vmim("Failed", { migrationState: final }, { deletionTimestamp: "2026-08-01T10:00:15Z" }), undefined, "default/m1", ctx);
    expect(s.result).toMatchObject({ outcome: "cancelled", vmLocation: { side: "source", hostId: "node-1", powerState: "unknown" } });
  });

  it("from the VMIM alone (a watch reads no VMI): the target domain ready means running on the target; a failure before hand-off leaves it on the source it named", () => {
    const final = { completed: true, endTimestamp: "2026-08-01T10:00:19Z", migrationUid: UID, sourceNode: "node-1", targetNode: "node-2", targetNodeDomainDetected: true, targetNodeDomainReadyTimestamp: "2026-08-01T10:00:18Z" };
    expect(liveSnapshot(vmim("Succeeded", { migrationState: final }), undefined, "default/m1", ctx).result?.vmLocation).toEqual({ side: "target", hostId: "node-2", powerState: "running" });
    // Unschedulable target: the VMIM fails with only the source pod recorded (no state of this migration).
    const unschedulable = liveSnapshot(vmim("Failed", { migrationState: { sourcePod: "virt-launcher-web-01-abcde" } }), undefined, "default/m1", ctx);
    expect(unschedulable.result).toMatchObject({ outcome: "failed", vmLocation: { side: "source", hostId: "node-1", powerState: "unknown" } });
  });

  it("Failed without an abort is failed on the source, with the failure reason", () => {
    const final = { completed: true, failed: true, failureReason: "Live migration failed: operation failed", migrationUid: UID };
    const s = liveSnapshot(vmim("Failed", { migrationState: final }), vmi("node-1"), "default/m1", ctx);
    expect(s.result).toMatchObject({ outcome: "failed", vmLocation: { side: "source", hostId: "node-1" }, error: { code: "MIGRATION_FAILED", message: "Live migration failed: operation failed" } });
  });

  it("a timeout abort (failed, not requested) says so", () => {
    const final = { completed: true, failed: true, failureReason: "Live migration has been aborted", migrationUid: UID };
    const s = liveSnapshot(vmim("Failed", { migrationState: final }), vmi("node-1"), "default/m1", ctx);
    expect(s.phase).toBe("failed");
    expect(s.result?.error?.message).toMatch(/progressTimeout or completionTimeoutPerGiB/);
  });

  it("Failed after a delete is cancelled, with abortStatus", () => {
    const final = { completed: true, failed: true, abortRequested: true, abortStatus: "Succeeded", failureReason: "Live migration has been aborted", migrationUid: UID };
    const s = liveSnapshot(vmim("Failed", { migrationState: final }, { deletionTimestamp: "2026-08-01T10:00:15Z" }), vmi("node-1"), "default/m1", ctx);
    expect(s.result).toMatchObject({ outcome: "cancelled", vmLocation: { side: "source" }, error: { code: "ABORTED", message: "cancelled (abortStatus Succeeded)" } });
  });

  it("a cancel that lost the race ends completed (abortStatus Failed)", () => {
    const final = { completed: true, abortRequested: true, abortStatus: "Failed", migrationUid: UID };
    const s = liveSnapshot(vmim("Succeeded", { migrationState: final }, { deletionTimestamp: "2026-08-01T10:00:15Z" }), vmi("node-2"), "default/m1", { ...ctx, cancelRequested: true });
    expect(s.result?.outcome).toBe("completed");
  });

  it("a vanished VMIM is read from the VMI's migrationState when the uid matches", () => {
    const done = liveSnapshot(undefined, vmi("node-2", { completed: true }), "default/m1", { ...ctx, gone: true, uid: UID });
    expect(done.phase).toBe("completed");
    const aborted = liveSnapshot(undefined, vmi("node-1", { completed: true, failed: true, abortRequested: true }), "default/m1", { ...ctx, gone: true, uid: UID });
    expect(aborted.phase).toBe("cancelled");
    const unknown = liveSnapshot(undefined, vmi("node-1", { migrationUid: "someone-else" }), "default/m1", { ...ctx, gone: true, uid: UID, cancelRequested: true });
    expect(unknown.phase).toBe("cancelled");
  });

  it("ignores a VMI migrationState that belongs to another migration", () => {
    const other = { ...vmi("node-1"), status: { phase: "Running", nodeName: "node-1", runtimeUser: 107, migrationState: { migrationUid: "other", completed: true, targetNode: "node-3" } } } as KvVmi;
    const s = liveSnapshot(vmim("Running"), other, "default/m1", ctx);
    expect(s.phase).toBe("transferring");
    expect(s.targetHostId).toBe("node-2");
  });
});
