/** liveSnapshot on objects transcribed from public captures (test/fixtures/real.*, see their SOURCE.md). */
import { describe, expect, it } from "vitest";
import { loadFixture } from "../../test/load-fixture.ts";
import type { KvMigration, KvVmi } from "../types.ts";
import { liveSnapshot } from "./migration.ts";

const observedAt = "2026-12-07T12:00:00Z";
const ctx = { cancelRequested: false, gone: false, observedAt };
const evacuation = () => loadFixture<KvMigration>("real.harvester-evacuation", "vmim.yaml");
const phaseOnly = () => loadFixture<KvMigration>("real.failed-phase-only", "vmim.yaml");
const phaseOnlyVmi = () => loadFixture<KvVmi>("real.failed-phase-only", "vmi.yaml");

describe("liveSnapshot on real objects: end time", () => {
  it("a finished VMIM without an end timestamp has no endedAt and no durationMs (not the time of observation)", () => {
    // The Harvester evacuation VMIM as KubeVirt left it before the end was recorded: creationTimestamp, no endTimestamp.
    const vmim = evacuation();
    delete vmim.status!.migrationState!.endTimestamp;
    const s = liveSnapshot(vmim, undefined, "default/kubevirt-evacuation-z5498", ctx);
    expect(s.phase).toBe("completed");
    expect(s.startedAt).toBe("2026-07-23T09:06:54Z");
    expect(s.endedAt).toBeUndefined();
    expect(s.result?.durationMs).toBeUndefined();
  });

  it("the phase-only Failed VMIM of kubevirt#5503 has neither start nor end", () => {
    const s = liveSnapshot(phaseOnly(), phaseOnlyVmi(), "default/test-5nrcb", ctx);
    expect(s.endedAt).toBeUndefined();
    expect(s.startedAt).toBeUndefined();
    expect(s.result?.durationMs).toBeUndefined();
  });

  it("the recorded endTimestamp gives endedAt and durationMs", () => {
    const s = liveSnapshot(evacuation(), undefined, "default/kubevirt-evacuation-z5498", ctx);
    expect(s.endedAt).toBe("2026-07-23T09:08:09Z");
    expect(s.result?.durationMs).toBe(75_000);
  });
});

describe("liveSnapshot on real objects: where the VM is", () => {
  it("a completed migration whose VMI was not found reports an unknown power state, not stopped", () => {
    const s = liveSnapshot(evacuation(), undefined, "default/kubevirt-evacuation-z5498", ctx);
    expect(s.result?.outcome).toBe("completed");
    expect(s.result?.vmLocation).toEqual({ side: "unknown", powerState: "unknown" });
  });

  it("a VMI that is still there gives its power state", () => {
    const s = liveSnapshot(phaseOnly(), phaseOnlyVmi(), "default/test-5nrcb", ctx);
    expect(s.result?.vmLocation).toMatchObject({ hostId: "n2", powerState: "running" });
  });
});

describe("liveSnapshot on real objects: evacuations", () => {
  it("the kubevirt.io/evacuationMigration annotation names the source node when the status does not", () => {
    const vmi = { metadata: { name: "vm1", namespace: "default" }, spec: { domain: { devices: {} } }, status: { phase: "Running", nodeName: "harvester-node-1" } } as KvVmi;
    const s = liveSnapshot(evacuation(), vmi, "default/kubevirt-evacuation-z5498", ctx);
    expect(s.sourceHostId).toBe("harvester-node-2");
    expect(s.progress.message).toMatch(/evacuation of node harvester-node-2/);
    expect(s.result).toMatchObject({ sourceHostId: "harvester-node-2", vmLocation: { side: "target", hostId: "harvester-node-1", powerState: "running" } });
    expect(s.result?.targetHostId).toBeUndefined();
  });

  it("the status's sourceNode wins over the annotation", () => {
    const vmim = evacuation();
    vmim.status!.migrationState!.sourceNode = "node-from-status";
    expect(liveSnapshot(vmim, undefined, "default/kubevirt-evacuation-z5498", ctx).sourceHostId).toBe("node-from-status");
  });
});

describe("liveSnapshot on real objects: phase-only and older objects", () => {
  it("the phase-only Failed VMIM of kubevirt#5503 (stored as v1alpha3) is failed, with the VM on its source", () => {
    for (const gone of [false, true]) {
      const s = liveSnapshot(phaseOnly(), phaseOnlyVmi(), "default/test-5nrcb", { ...ctx, gone });
      expect(s.phase).toBe("failed");
      expect(s.vmId).toBe("default/test");
      expect(s.result).toMatchObject({ outcome: "failed", vmLocation: { side: "source", hostId: "n2", powerState: "running" }, error: { code: "MIGRATION_FAILED" } });
      expect(s.sourceHostId).toBeUndefined();
      expect(s.targetHostId).toBeUndefined();
    }
  });

  it("served as kubevirt.io/v1alpha3, the same object maps the same", () => {
    const old = { ...phaseOnly(), apiVersion: "kubevirt.io/v1alpha3" };
    const vmi = { ...phaseOnlyVmi(), apiVersion: "kubevirt.io/v1alpha3" };
    expect(liveSnapshot(old, vmi, "default/test-5nrcb", ctx).result).toEqual(liveSnapshot(phaseOnly(), phaseOnlyVmi(), "default/test-5nrcb", ctx).result);
  });

  it("a failed migration whose VMI is now on another node than its known source does not claim the source", () => {
    const vmim = { ...phaseOnly(), metadata: { ...phaseOnly().metadata, annotations: { "vmshift.io/source-host": "n1" } } } as KvMigration;
    expect(liveSnapshot(vmim, phaseOnlyVmi(), "default/test-5nrcb", ctx).result?.vmLocation.side).toBe("unknown");
  });

  it("a phase this version does not know is an in-flight phase that names it, not a broken snapshot", () => {
    const vmim = { ...phaseOnly(), status: { phase: "Unknown" } } as KvMigration;
    const s = liveSnapshot(vmim, phaseOnlyVmi(), "default/test-5nrcb", ctx);
    expect(s.phase).toBe("requested");
    expect(s.progress.message).toMatch(/KubeVirt phase Unknown/);
    expect(s.result).toBeUndefined();
  });
});
