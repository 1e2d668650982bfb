import type { FleetLimits, PlannedMigration } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { acquire, claimsFor, counts, emptySlots, release, wake } from "./claims.ts";

const limits: FleetLimits = { perSourceHost: 2, perTargetHost: 1, perCluster: 3, maxInFlight: 20, perHost: { "host-1": 4, "host-9": 2 }, source: "test" };
function migration(over: Partial<PlannedMigration> = {}): PlannedMigration {
  return {
    order: 0,
    vmId: "vm-1",
    vmName: "vm-1",
    sourceHostId: "host-9",
    targetHostId: "host-1",
    clusterId: "c-b",
    targetClusterId: "c-a",
    mode: "live",
    strategy: "live",
    reservedBytes: 1,
    powerState: "running",
    reason: "test",
    request: { vmId: "vm-1", targetHostId: "host-1", requestId: "r", mode: "live" },
    ...over,
  };
}

describe("claimsFor", () => {
  it("claims the source (out), the target (in) and each cluster touched, with the caps that apply, sorted by key", () => {
    expect(claimsFor(migration(), limits, "prod")).toEqual([
      { key: "prod/cluster/c-a", role: "any", caps: { total: 3 } },
      { key: "prod/cluster/c-b", role: "any", caps: { total: 3 } },
      { key: "prod/host/host-1", role: "in", caps: { in: 1, total: 4 } },
      { key: "prod/host/host-9", role: "out", caps: { out: 2, total: 2 } },
    ]);
  });

  it("leaves out what has no cap at all, and a cluster counted twice", () => {
    const open: FleetLimits = { perHost: {}, source: "none", maxInFlight: 5 };
    expect(claimsFor(migration(), open, "s")).toEqual([]);
    expect(claimsFor(migration({ targetClusterId: "c-b" }), { ...open, perCluster: 1 }, "s")).toEqual([{ key: "s/cluster/c-b", role: "any", caps: { total: 1 } }]);
  });
});

describe("slot bookkeeping", () => {
  it("grants within the caps, queues beyond them and lets waiters in, in arrival order, as slots come back", () => {
    const s = emptySlots();
    expect(acquire(s, "a", "out", { out: 2, total: 3 })).toBe("granted");
    expect(acquire(s, "b", "out", { out: 2, total: 3 })).toBe("granted");
    expect(acquire(s, "c", "out", { out: 2, total: 3 })).toBe("queued");
    expect(acquire(s, "d", "in", { in: 1, total: 3 })).toBe("granted"); // another role still fits
    expect(acquire(s, "e", "in", { in: 1, total: 3 })).toBe("queued");
    expect(counts(s)).toEqual({ out: 2, in: 1, total: 3 });
    expect(wake(s, "c", "awk-c")).toBe("waiting");
    const letIn = release(s, "a");
    expect(letIn.map((w) => [w.holder, w.awakeableId])).toEqual([["c", "awk-c"]]);
    expect(counts(s)).toEqual({ out: 2, in: 1, total: 3 });
    expect(release(s, "d").map((w) => w.holder)).toEqual(["e"]);
    expect(wake(s, "e", "awk-e")).toBe("granted"); // let in before it asked to be woken
  });

  it("is idempotent per holder, and a release withdraws a queued claim", () => {
    const s = emptySlots();
    expect(acquire(s, "a", "any", { total: 1 })).toBe("granted");
    expect(acquire(s, "a", "any", { total: 1 })).toBe("granted");
    expect(acquire(s, "b", "any", { total: 1 })).toBe("queued");
    expect(acquire(s, "b", "any", { total: 1 })).toBe("queued");
    expect(release(s, "b")).toEqual([]);
    expect(wake(s, "b", "x")).toBe("unknown");
    expect(release(s, "a")).toEqual([]);
    expect(counts(s)).toEqual({ out: 0, in: 0, total: 0 });
  });

  it("checks each claim against the caps it carries (waves of one scope with different limits)", () => {
    const s = emptySlots();
    expect(acquire(s, "w1", "out", { out: 3 })).toBe("granted");
    expect(acquire(s, "w1b", "out", { out: 3 })).toBe("granted");
    expect(acquire(s, "w2", "out", { out: 1 })).toBe("queued"); // two out already: over this wave's cap of 1
    expect(acquire(s, "w1c", "out", { out: 3 })).toBe("granted");
  });
});
