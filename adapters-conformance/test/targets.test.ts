/**
 * Runs the whole suite against every registered target. A target that is unavailable here is
 * reported with its reason; under CI (CI=true) the targets CI sets up must be available. Every
 * target declares its platform (each capability a scenario needs, with a source) and a request
 * budget; a budget a target does not enforce yet says why.
 */
import { describe, expect, it } from "vitest";
import { runConformance } from "../src/run.ts";
import { SCENARIOS } from "../src/scenarios/index.ts";
import { ALL_TARGETS as TARGETS } from "../targets/index.ts";

/** Targets that need an endpoint or a Docker engine this machine does not have; their unavailability is expected. */
const OPTIONAL = /-(live|kind)$/;

const NEEDED = [...new Set(SCENARIOS.flatMap((s) => s.requires ?? []))];

describe.each(TARGETS.map((t) => [t.name, t] as const))("conformance target %s", (name, target) => {
  it("declares its platform's capabilities, each with a source, and a request budget", () => {
    expect(target.platform, "platform").toBeDefined();
    for (const capability of NEEDED) {
      const declared = target.platform!.capabilities[capability];
      expect(declared, capability).toBeDefined();
      expect(declared!.source.length, capability).toBeGreaterThan(10);
    }
    expect(target.budget, "budget").toBeDefined();
    if (target.budget!.budgetEnforced === false) expect(target.budget!.todo, "a budget not enforced says why").toMatch(/^TODO/);
  });

  it("passes every scenario it does not skip, within its budget, and every skip names what rules it out", { timeout: 15 * 60_000 }, async () => {
    const report = await runConformance(target);
    if (report.unavailable !== undefined) {
      if (process.env["CI"] === "true" && !OPTIONAL.test(name)) throw new Error(`target ${name} is unavailable in CI: ${report.unavailable}`);
      expect(report.summary.passed).toBe(0);
      return;
    }
    const failures = report.scenarios.filter((s) => s.status === "failed").map((s) => `${s.id}: ${s.reason}`);
    expect(failures).toEqual([]);
    for (const s of report.scenarios.filter((x) => x.status === "skipped")) {
      expect(s.reason, s.id).toMatch(/^(capability [\w.]+ unsupported: .+ \(.+ lacks it: .+\)|target withholds [\w.]+: .+|target offers no \w+ (subject|control)(: .+)?)$/);
    }
    if (report.budget?.enforced) {
      const over = report.scenarios.flatMap((s) => (s.requests?.checks ?? []).filter((c) => !c.within).map((c) => `${s.id}: ${c.what}`));
      expect(over).toEqual([]);
    }
    expect(report.summary.passed).toBeGreaterThan(0);
  });
});
