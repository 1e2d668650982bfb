import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import type { KvMigrationPolicy } from "../types.ts";
import { POLICY_LABEL, effectiveConfiguration, matchPolicy, policyBody, policyName, tuningOf } from "./policy.ts";

const p = (name: string, vmi?: Record<string, string>, ns?: Record<string, string>, extra: Record<string, unknown> = {}): KvMigrationPolicy => ({
  metadata: { name },
  spec: { ...extra, selectors: { ...(vmi ? { virtualMachineInstanceSelector: vmi } : {}), ...(ns ? { namespaceSelector: ns } : {}) } },
});

describe("matchPolicy (KubeVirt's precedence)", () => {
  const vmi = { app: "web", tier: "front" };
  const ns = { team: "blue", env: "prod" };
  it("every selector label must match, on the VMI and on the Namespace", () => {
    expect(matchPolicy([p("a", { app: "db" }), p("b", { app: "web" }, { team: "red" })], vmi, ns)).toBeUndefined();
    expect(matchPolicy([p("a", { app: "web" })], vmi, ns)?.metadata?.name).toBe("a");
  });
  it("the most labels matched wins, VMI and Namespace labels together", () => {
    expect(matchPolicy([p("one", { app: "web" }), p("two", { app: "web" }, { team: "blue" })], vmi, ns)?.metadata?.name).toBe("two");
  });
  it("on equal counts VMI labels count before Namespace labels", () => {
    expect(matchPolicy([p("by-ns", undefined, { team: "blue", env: "prod" }), p("by-vmi", { app: "web" }, { team: "blue" })], vmi, ns)?.metadata?.name).toBe("by-vmi");
  });
  it("then the lexicographic order of the matching keys", () => {
    expect(matchPolicy([p("z", { tier: "front" }), p("y", { app: "web" })], vmi, ns)?.metadata?.name).toBe("y");
  });
});

describe("tuningOf and the policy body", () => {
  it("nothing asked: no policy; cold: no policy", () => {
    expect(tuningOf({ mode: "live" }, { completionTimeoutPerGiB: 10 })).toBeUndefined();
    expect(tuningOf({ mode: "cold", allowPostCopy: true })).toBeUndefined();
  });
  it("bandwidth in whole MiB/s, rounded down; under 1 MiB/s and out-of-range downtime refused", () => {
    expect(tuningOf({ mode: "live", bandwidthBytesPerSecond: 100 * 2 ** 20 + 5 })).toEqual({ bandwidthPerMigration: "100Mi" });
    expect(isVmshiftError((() => { try { tuningOf({ mode: "live", bandwidthBytesPerSecond: 1_000_000 }); } catch (e) { return e; } })(), "INVALID_ARGUMENT")).toBe(true);
    expect(() => tuningOf({ mode: "live", maxDowntimeMs: 0 })).toThrow(/range/);
    expect(tuningOf({ mode: "live", maxDowntimeMs: 300, allowAutoConverge: true }, { completionTimeoutPerGiB: 40 })).toEqual({ maxDowntimeMs: 300, allowAutoConverge: true, completionTimeoutPerGiB: 40 });
  });
  it("the name depends on the settings only, not their order; the body selects its own label", () => {
    expect(policyName({ allowPostCopy: true, bandwidthPerMigration: "1Mi" })).toBe(policyName({ bandwidthPerMigration: "1Mi", allowPostCopy: true }));
    expect(policyName({ allowPostCopy: true })).not.toBe(policyName({ allowAutoConverge: true }));
    expect(policyName({ allowPostCopy: true })).toMatch(/^vmshift-[0-9a-f]{16}$/);
    const body = policyBody({ allowPostCopy: true });
    expect(body.spec).toEqual({ allowPostCopy: true, selectors: { virtualMachineInstanceSelector: { [POLICY_LABEL]: body.metadata?.name } } });
  });
});

describe("effectiveConfiguration", () => {
  it("KubeVirt's defaults, the KubeVirt CR over them, the policy over both", () => {
    expect(effectiveConfiguration(undefined, undefined)).toEqual({ source: "cluster", configuration: expect.objectContaining({ bandwidthPerMigration: "0Mi", completionTimeoutPerGiB: 150 }) });
    expect(effectiveConfiguration({ completionTimeoutPerGiB: 80, allowPostCopy: true }, p("x", { a: "b" }, undefined, { allowPostCopy: false, bandwidthPerMigration: "5Mi" }))).toEqual({
      source: "policy",
      policyName: "x",
      configuration: expect.objectContaining({ completionTimeoutPerGiB: 80, allowPostCopy: false, bandwidthPerMigration: "5Mi" }),
    });
  });
});
