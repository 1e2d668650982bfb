/**
 * Runs the whole suite against every registered target. A target that is unavailable here is
 * reported with its reason; under CI (CI=true) the targets CI sets up must be available.
 */
import { describe, expect, it } from "vitest";
import { runConformance } from "../src/run.ts";
import { ALL_TARGETS as TARGETS } from "../targets/index.ts";

/** Targets that need an endpoint or a Docker engine this machine does not have; their unavailability is expected. */
const OPTIONAL = /-(live|kind)$/;

describe.each(TARGETS.map((t) => [t.name, t] as const))("conformance target %s", (name, target) => {
  it("passes every scenario it does not skip, and every skip names what rules it out", { timeout: 15 * 60_000 }, async () => {
    const report = await runConformance(target);
    if (report.unavailable !== undefined) {
      if (process.env["CI"] === "true" && !OPTIONAL.test(name)) throw new Error(`target ${name} is unavailable in CI: ${report.unavailable}`);
      expect(report.summary.passed).toBe(0);
      return;
    }
    const failures = report.scenarios.filter((s) => s.status === "failed").map((s) => `${s.id}: ${s.reason}`);
    expect(failures).toEqual([]);
    for (const s of report.scenarios.filter((x) => x.status === "skipped")) {
      expect(s.reason, s.id).toMatch(/^(capability [\w.]+ unsupported: .+|target offers no \w+ (subject|control))$/);
    }
    expect(report.summary.passed).toBeGreaterThan(0);
  });
});
