import { describe, expect, it } from "vitest";
import { CAPABILITY_NAMES } from "@vmshift/core";
import { NUTANIX_CAPABILITIES, V3_FALLBACK_OVERRIDES } from "./capabilities.ts";
import { livePhase, taskLocation } from "./live.ts";

describe("task status → phase", () => {
  it.each([
    ["QUEUED", 0, "requested"],
    ["RUNNING", 40, "transferring"],
    ["CANCELING", 40, "transferring"],
    ["SUSPENDED", 40, "transferring"],
    ["SUCCEEDED", 100, "completed"],
    ["FAILED", 50, "failed"],
    ["CANCELED", 10, "cancelled"],
    ["$UNKNOWN", 0, "requested"],
    ["$REDACTED", 30, "transferring"],
  ] as const)("%s (%i%%) → %s", (status, progressPercentage, phase) => {
    expect(livePhase({ status, progressPercentage })).toBe(phase);
  });
});

describe("where a finished live migration left the VM (from its task)", () => {
  const ids = { sourceHostId: "h1", targetHostId: "h2" };
  it("succeeded: on the target host, running", () => {
    expect(taskLocation(ids, "completed")).toEqual({ hostId: "h2", side: "target", powerState: "running" });
  });
  it.each(["failed", "cancelled"] as const)("%s: on its source host, running (never the target)", (phase) => {
    expect(taskLocation(ids, phase)).toEqual({ hostId: "h1", side: "source", powerState: "running" });
  });
  it("unknown when the ids do not name the host (cross-cluster without a host; attach by a bare task id): the VM is read instead", () => {
    expect(taskLocation({ sourceHostId: "h1", targetClusterId: "c2" }, "completed")).toBeUndefined();
    expect(taskLocation({ targetHostId: "h2" }, "failed")).toBeUndefined();
  });
});

describe("capability table", () => {
  it("decides every capability, with a note for partial and unsupported", () => {
    expect(Object.keys(NUTANIX_CAPABILITIES).sort()).toEqual([...CAPABILITY_NAMES].sort());
    for (const [name, support] of Object.entries(NUTANIX_CAPABILITIES)) if (support.status !== "supported") expect(support.note, name).toBeTruthy();
  });

  it("the v3 fallback turns off everything that moves a VM", () => {
    for (const c of ["migration.live", "migration.cold", "preflight", "migration.cancel"] as const) expect(V3_FALLBACK_OVERRIDES[c]?.status).toBe("unsupported");
    expect(V3_FALLBACK_OVERRIDES["vm.list"]?.status).toBe("supported");
  });
});
