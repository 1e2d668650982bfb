/**
 * kubevirt-live reads the tuned, storage and cross-cluster scenarios back with kubectl (the real
 * client, ≥ 1.28: CI has /usr/bin/kubectl 1.32; set KUBECTL to another), here against two paired
 * KubeVirt API environments standing in for the clusters a user points it at. An adapter that drops
 * the bandwidth limit fails on what kubectl reads from the VMIM.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VmshiftClient } from "@vmshift/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubevirtEnv } from "../kubevirt-env/env.ts";
import { KubevirtEnv as Env } from "../kubevirt-env/index.ts";
import type { EnvPairing } from "../kubevirt-env/pairing.ts";
import { runConformance } from "../src/run.ts";
import type { ConformanceTarget } from "../src/target.ts";
import { kubevirtLiveTarget } from "../src/targets/kubevirt-live.ts";
import { STORAGE_SUBJECT, TARGET_CLUSTER, createStorageVm, enableStallDetection, startReceivingCluster } from "../targets/kubevirt-env.ts";
import { dropping } from "./dropping-adapter.ts";

const KUBECTL = process.env["KUBECTL"] ?? (existsSync("/usr/bin/kubectl") ? "/usr/bin/kubectl" : "kubectl");
const saved = { ...process.env };
let west: KubevirtEnv;
let east: KubevirtEnv;
let pairing: EnvPairing;

beforeAll(async () => {
  west = await Env.start();
  enableStallDetection(west);
  await createStorageVm(west);
  ({ east, pairing } = await startReceivingCluster(west));
  const dir = mkdtempSync(join(tmpdir(), "kv-live-readback-"));
  writeFileSync(join(dir, "west"), west.kubeconfig());
  writeFileSync(join(dir, "east"), east.kubeconfig());
  Object.assign(process.env, {
    // kubectl's discovery cache goes to a fresh directory, not the user's home.
    HOME: dir,
    VMSHIFT_KUBECTL: KUBECTL,
    VMSHIFT_KUBECONFIG: join(dir, "west"),
    VMSHIFT_KUBEVIRT_VM: "default/web-01",
    VMSHIFT_KUBEVIRT_STORAGE_VM: STORAGE_SUBJECT.vm,
    VMSHIFT_KUBEVIRT_TARGET_STORAGE: STORAGE_SUBJECT.to,
    VMSHIFT_KUBEVIRT_TARGET_CLUSTER: TARGET_CLUSTER,
    VMSHIFT_KUBEVIRT_TARGET_CLUSTER_KUBECONFIG: join(dir, "east"),
  });
});
afterAll(async () => {
  process.env = saved;
  pairing?.stop();
  await west?.close();
  await east?.close();
});

/** kubevirt-live with its adapter's starts losing the bandwidth limit. */
const droppingBandwidth: ConformanceTarget = {
  ...kubevirtLiveTarget,
  async open() {
    const session = await kubevirtLiveTarget.open();
    return { ...session, client: new VmshiftClient(dropping(session.client.adapter, "bandwidthBytesPerSecond")) };
  },
};

describe("kubevirt-live: tuned, storage and cross-cluster scenarios read back with kubectl", { timeout: 180_000 }, () => {
  it("reads where the VM is with kubectl (a kubectl ≥ 1.28 is needed: set KUBECTL); without one the read-backs are absent, with the reason", async () => {
    const session = await kubevirtLiveTarget.open();
    try {
      expect(session.absent?.migrationTuning, session.absent?.migrationTuning).toBeUndefined();
      expect(await session.controls.locateVm!("default/web-01")).toEqual({ hostId: "node-1", powerState: "running" });
      expect(await session.controls.locateVmInCluster!(TARGET_CLUSTER, "default/web-01")).toEqual({ powerState: "unknown" });
      expect(await session.controls.vmStorage!(STORAGE_SUBJECT.vm)).toEqual({
        running: [{ name: "rootdisk", location: "PersistentVolumeClaim default/data-01-root", storageId: "local" }],
        defined: [{ name: "rootdisk", location: "PersistentVolumeClaim default/data-01-root", storageId: "local" }],
      });
    } finally {
      await session.close();
    }
    process.env["VMSHIFT_KUBECTL"] = join(tmpdir(), "no-such-kubectl");
    try {
      const without = await kubevirtLiveTarget.open();
      await without.close();
      expect(without.controls.migrationTuning).toBeUndefined();
      expect(without.absent?.migrationTuning).toMatch(/no-such-kubectl does not run here .*: set VMSHIFT_KUBECTL to a kubectl$/);
    } finally {
      process.env["VMSHIFT_KUBECTL"] = KUBECTL;
    }
  });

  it("an adapter that drops the bandwidth limit fails on what kubectl reads from the VMIM", async () => {
    const report = await runConformance(droppingBandwidth, { only: ["tuning.bandwidth-limit"] });
    expect(report.scenarios[0]?.status).toBe("failed");
    expect(report.scenarios[0]?.reason).toMatch(/^the platform ran migration default\/\S+ without a bandwidth limit of 2048 MiB\/s \(read back from VMIM default\/\S+ status\.migrationState\.migrationConfiguration, read with kubectl \(no MigrationPolicy: the KubeVirt CR's settings\)\): bandwidth unlimited/);
  });

  it("the adapter passes them all: kubectl sees the MigrationPolicy's values, the new claims in the target StorageClass, the VM on the receiving cluster", async () => {
    const report = await runConformance(kubevirtLiveTarget, { only: ["tuning.", "storage.", "cross-cluster."] });
    const failed = report.scenarios.filter((s) => s.status !== "passed").map((s) => `${s.id}: ${s.status} ${s.reason ?? ""}`);
    expect(failed).toEqual([]);
    expect(report.scenarios.map((s) => s.id)).toEqual(["tuning.bandwidth-limit", "tuning.auto-converge", "tuning.post-copy", "tuning.max-downtime", "storage.live-to-storage", "cross-cluster.live"]);
    // Read with kubectl from the environments, not from the adapter: the VMI runs on east now.
    expect((east.store.get("virtualmachineinstances", "default", "web-01")?.status as { phase?: string } | undefined)?.phase).toBe("Running");
  });
});
