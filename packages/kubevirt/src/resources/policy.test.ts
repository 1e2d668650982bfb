import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import type { KvMigrationPolicy } from "../types.ts";
import { POLICY_LABEL, effectiveConfiguration, matchPolicy, policyBody, policyName, scorePolicy, tuningOf, whyPolicyWins } from "./policy.ts";

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
  it("on an equal score the policy NAME that sorts first wins (KubeVirt v1.9.0's code, not the guide's 'matching keys')", () => {
    // Keys would pick "y" (app < tier); the code picks the name "a-tier".
    expect(matchPolicy([p("y", { app: "web" }), p("a-tier", { tier: "front" })], vmi, ns)?.metadata?.name).toBe("a-tier");
    // Identical selectors are admitted; the name decides, in any list order.
    expect(matchPolicy([p("zz", { app: "web" }), p("aa", { app: "web" })], vmi, ns)?.metadata?.name).toBe("aa");
    expect(matchPolicy([p("aa", { app: "web" }), p("zz", { app: "web" })], vmi, ns)?.metadata?.name).toBe("aa");
  });
  it("a policy without selectors matches nothing; a VMI without labels matches every policy with selectors at score 0", () => {
    // The CRD schema requires selectors; KubeVirt's code still refuses to match an object without them.
    expect(matchPolicy([{ metadata: { name: "bare" }, spec: { allowPostCopy: true } } as unknown as KvMigrationPolicy], vmi, ns)).toBeUndefined();
    expect(matchPolicy([p("needs-db", { app: "db" }, { team: "red" })], {}, ns)?.metadata?.name).toBe("needs-db");
    expect(scorePolicy(p("needs-db", { app: "db" }), undefined, ns)).toEqual({ vmiLabels: 0, namespaceLabels: 0 });
    // A Namespace selector on a Namespace without labels does not match.
    expect(matchPolicy([p("ns", undefined, { team: "blue" })], vmi, {})).toBeUndefined();
  });
  it("says why a policy wins", () => {
    const mine = p("vmshift-0123", { [POLICY_LABEL]: "vmshift-0123" });
    const labels = { ...vmi, [POLICY_LABEL]: "vmshift-0123" };
    expect(whyPolicyWins(p("admin", { app: "web", tier: "front" }), mine, labels, ns)).toMatch(/more labels \(2 VMI label\(s\) and 0 Namespace label\(s\) against 1/);
    expect(whyPolicyWins(p("app-web", { app: "web" }), mine, labels, ns)).toMatch(/name sorts first/);
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
  it("a policy setting allowPostCopy but not allowWorkloadDisruption sets both (v1.9.0's applyMigrationPolicySpec)", () => {
    expect(effectiveConfiguration({ allowWorkloadDisruption: false }, p("x", { a: "b" }, undefined, { allowPostCopy: true })).configuration).toMatchObject({ allowPostCopy: true, allowWorkloadDisruption: true });
    expect(effectiveConfiguration({}, p("x", { a: "b" }, undefined, { allowPostCopy: true, allowWorkloadDisruption: false })).configuration).toMatchObject({ allowPostCopy: true, allowWorkloadDisruption: false });
  });
});
