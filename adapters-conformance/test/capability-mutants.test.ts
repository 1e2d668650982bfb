/**
 * The tuning, storage and cross-cluster scenarios have teeth: an adapter that declares the
 * capability but drops the request field it needs (so the platform runs a plain migration, and the
 * adapter still reports completed) fails the scenario, with a message naming what the platform
 * shows; the honest adapter passes the same scenarios on the same target.
 */
import { type MigrationRequest, VmshiftClient } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { allowed } from "../src/budget.ts";
import { kubevirtBudget } from "../src/budgets.ts";
import { runConformance } from "../src/run.ts";
import type { ConformanceTarget } from "../src/target.ts";
import { simulatorTargetFor } from "../src/targets/simulator.ts";
import { kubevirtEnvTarget } from "../targets/kubevirt-env.ts";
import { dropping } from "./dropping-adapter.ts";

/** kubevirt-env with the session's adapter wrapped by {@link dropping}. */
function kubevirtDropping(field: keyof MigrationRequest): ConformanceTarget {
  return {
    ...kubevirtEnvTarget,
    async open() {
      const session = await kubevirtEnvTarget.open();
      const client = new VmshiftClient(dropping(session.client.adapter, field), { follow: { poll: { initialDelayMs: 50, maxDelayMs: 500 } } });
      return { ...session, client, close: async () => session.close() };
    },
  };
}

const statuses = (report: Awaited<ReturnType<typeof runConformance>>) => Object.fromEntries(report.scenarios.map((s) => [s.id, s.status]));
const reason = (report: Awaited<ReturnType<typeof runConformance>>, id: string) => report.scenarios.find((s) => s.id === id)?.reason ?? "";

describe("an adapter that drops the tuning fails the tuned scenario (simulator)", () => {
  const cases = [
    ["bandwidthBytesPerSecond", "tuning.bandwidth-limit", /without a bandwidth limit of 2048 MiB\/s \(read back from the simulator's record of migration .+\): bandwidth unlimited, asked 2147483648 B\/s$/],
    ["allowAutoConverge", "tuning.auto-converge", /without auto-converge .*: auto-converge not set, asked on$/],
    ["allowPostCopy", "tuning.post-copy", /without post-copy allowed .*: post-copy not set, asked allowed$/],
    ["maxDowntimeMs", "tuning.max-downtime", /without a downtime limit of 250 ms .*: max downtime not set, asked 250 ms$/],
  ] as const;

  it.each(cases)("dropping %s fails %s and only it", async (field, id, message) => {
    const report = await runConformance(simulatorTargetFor(({ api }) => dropping(api, field)), { only: ["tuning."] });
    expect(reason(report, id)).toMatch(message);
    expect(Object.entries(statuses(report)).filter(([, s]) => s === "failed").map(([i]) => i)).toEqual([id]);
  });

  it("the honest simulator adapter passes all four", async () => {
    const report = await runConformance(simulatorTargetFor(({ api }) => api), { only: ["tuning."] });
    expect(statuses(report)).toEqual({ "tuning.bandwidth-limit": "passed", "tuning.auto-converge": "passed", "tuning.post-copy": "passed", "tuning.max-downtime": "passed" });
  });
});

describe("kubevirt-env: the platform's own record catches an adapter that drops the field", { timeout: 120_000 }, () => {
  it("without bandwidthBytesPerSecond the VMIM's migrationConfiguration shows the cluster's unlimited bandwidth", async () => {
    const report = await runConformance(kubevirtDropping("bandwidthBytesPerSecond"), { only: ["tuning.bandwidth-limit"] });
    expect(report.scenarios[0]?.status).toBe("failed");
    expect(report.scenarios[0]?.reason).toMatch(/^the platform ran migration default\/\S+ without a bandwidth limit of 2048 MiB\/s \(read back from VMIM default\/\S+ status\.migrationState\.migrationConfiguration, read from the environment's store \(no MigrationPolicy: the KubeVirt CR's settings\)\): bandwidth unlimited/);
  });

  it("without targetStorageId the VM migrates, but its disk stays on its claim in the old StorageClass", async () => {
    const report = await runConformance(kubevirtDropping("targetStorageId"), { only: ["storage."] });
    expect(report.scenarios[0]?.status).toBe("failed");
    expect(report.scenarios[0]?.reason).toMatch(/^disk rootdisk is not in fast after the storage migration: default\/data-01 runs on rootdisk=PersistentVolumeClaim default\/data-01-root@local/);
  });

  it("without targetClusterId the VM moves within its cluster: nothing runs on the receiving one", async () => {
    const report = await runConformance(kubevirtDropping("targetClusterId"), { only: ["cross-cluster."] });
    expect(report.scenarios[0]?.status).toBe("failed");
    expect(report.scenarios[0]?.reason).toMatch(/^where the VM ended \(read back from cluster east\): default\/web-01 is (nowhere|unknown on no host), expected running there$/);
  });
});

describe("budget kinds of the new scenarios", () => {
  it("a tuned, a storage and a cross-cluster start each count their own budget, and fall back to the live one when a target has none", () => {
    const budget = kubevirtBudget(200, 100);
    expect(allowed(budget, { tuned: 1 }, 0).requests).toBe(6);
    expect(allowed(budget, { storage: 1 }, 0).requests).toBe(9);
    expect(allowed(budget, { crossCluster: 1 }, 1000)).toMatchObject({ requests: 12, polls: 22 });
    const { tunedLiveMigration: _t, storageMigration: _s, crossClusterMigration: _c, ...plain } = budget;
    expect(allowed(plain, { tuned: 1 }, 0).requests).toBe(4);
    expect(allowed(plain, { storage: 1, crossCluster: 1 }, 0).requests).toBe(8);
  });
});
