import { describe, expect, it } from "vitest";
import { CAPABILITY_NAMES } from "@vmshift/core";
import { NUTANIX_CAPABILITIES, V3_FALLBACK_OVERRIDES } from "./capabilities.ts";
import { livePhase } from "./live.ts";

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
