import { describe, expect, it } from "vitest";
import { host } from "../../test/fake-fleet.ts";
import { MigrationLimiter } from "./limiter.ts";
import { FALLBACK_LIMITS, resolveLimits } from "./limits.ts";
import type { FleetLimits } from "./types.ts";

const limits = (l: Partial<FleetLimits>): FleetLimits => ({ perHost: {}, source: "test", ...l });

describe("MigrationLimiter", () => {
  it("admits up to perSourceHost migrations leaving one host, and again after a release", () => {
    const l = new MigrationLimiter(limits({ perSourceHost: 2 }));
    const a = { sourceHostId: "h1", targetHostId: "h2", clusterIds: [] };
    expect(l.tryAcquire(a)).toBe(true);
    expect(l.tryAcquire(a)).toBe(true);
    expect(l.tryAcquire(a)).toBe(false);
    expect(l.blockedBy(a)).toBe("source h1 limit 2");
    expect(l.tryAcquire({ sourceHostId: "h3", targetHostId: "h2", clusterIds: [] })).toBe(true);
    l.release(a);
    expect(l.tryAcquire(a)).toBe(true);
    expect(l.inFlight).toBe(3);
  });

  it("counts arrivals per target host separately from departures", () => {
    const l = new MigrationLimiter(limits({ perTargetHost: 1 }));
    expect(l.tryAcquire({ sourceHostId: "h1", targetHostId: "h9", clusterIds: [] })).toBe(true);
    expect(l.blockedBy({ sourceHostId: "h2", targetHostId: "h9", clusterIds: [] })).toBe("target h9 limit 1");
    expect(l.tryAcquire({ sourceHostId: "h9", targetHostId: "h3", clusterIds: [] })).toBe(true);
  });

  it("caps in + out together per host from what the host reports", () => {
    const l = new MigrationLimiter(limits({ perHost: { h1: 2 } }));
    expect(l.tryAcquire({ sourceHostId: "h1", targetHostId: "h2", clusterIds: [] })).toBe(true);
    expect(l.tryAcquire({ sourceHostId: "h3", targetHostId: "h1", clusterIds: [] })).toBe(true);
    expect(l.blockedBy({ sourceHostId: "h4", targetHostId: "h1", clusterIds: [] })).toBe("host h1 limit 2");
  });

  it("applies the cluster limit and the plan limit", () => {
    const l = new MigrationLimiter(limits({ perCluster: 1, maxInFlight: 2 }));
    expect(l.tryAcquire({ sourceHostId: "a", targetHostId: "b", clusterIds: ["c1"] })).toBe(true);
    expect(l.blockedBy({ sourceHostId: "c", targetHostId: "d", clusterIds: ["c1"] })).toBe("cluster c1 limit 1");
    expect(l.tryAcquire({ sourceHostId: "c", targetHostId: "d", clusterIds: ["c2"] })).toBe(true);
    expect(l.blockedBy({ sourceHostId: "e", targetHostId: "f", clusterIds: ["c3"] })).toBe("plan limit 2");
  });
});

describe("resolveLimits", () => {
  const hosts = [host("h1", 64, { maxConcurrentMigrations: 4 }), host("h2", 64)];

  it("takes the adapter's documented limits, and hosts' own caps", () => {
    const r = resolveLimits("kubevirt", { perSourceHost: 2, perCluster: 5, source: "KubeVirt defaults" }, undefined, hosts);
    expect(r).toMatchObject({ perSourceHost: 2, perCluster: 5, maxInFlight: 20, perHost: { h1: 4 } });
    expect(r.perTargetHost).toBeUndefined();
    expect(r.source).toContain("KubeVirt defaults");
  });

  it("lets caller overrides win, including perHost for every host", () => {
    const r = resolveLimits("kubevirt", { perSourceHost: 2, perCluster: 5 }, { perSourceHost: 6, perHost: 3, maxInFlight: 7 }, hosts);
    expect(r).toMatchObject({ perSourceHost: 6, perCluster: 5, maxInFlight: 7, perHost: { h1: 3, h2: 3 } });
    expect(r.source).toMatch(/^caller overrides/);
  });

  it("falls back to 2 out / 2 in per host when the adapter documents nothing", () => {
    const r = resolveLimits("nutanix", { source: "none documented" }, undefined, []);
    expect(r.perSourceHost).toBe(FALLBACK_LIMITS.perSourceHost);
    expect(r.perTargetHost).toBe(FALLBACK_LIMITS.perTargetHost);
    expect(r.source).toContain("documents no limit");
  });
});
