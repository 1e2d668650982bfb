import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatReport, xmlEscape } from "../src/report.ts";
import type { ConformanceReport } from "../src/run.ts";
import { SCENARIOS } from "../src/scenarios/index.ts";

const report: ConformanceReport = {
  target: "t<1>",
  adapter: "a",
  scenarios: [
    { id: "one", title: "One", status: "passed", durationMs: 5 },
    { id: "two", title: "Two", status: "failed", reason: 'expected "x" & <y>', durationMs: 7 },
    { id: "three", title: "Three", status: "skipped", reason: "capability migration.cold unsupported: no | pipe", durationMs: 0 },
  ],
  summary: { passed: 1, failed: 1, skipped: 1 },
};

describe("formatReport", () => {
  it("json round-trips the report", () => {
    expect(JSON.parse(formatReport(report, "json"))).toEqual(report);
  });
  it("markdown has one row per scenario and escapes pipes", () => {
    const md = formatReport(report, "markdown");
    expect(md).toContain("1 passed, 1 failed, 1 skipped");
    expect(md.split("\n").filter((l) => l.startsWith("| `"))).toHaveLength(3);
    expect(md).toContain("no \\| pipe");
  });
  it("junit counts failures and skips and escapes XML", () => {
    const xml = formatReport(report, "junit");
    expect(xml).toContain('<testsuites tests="3" failures="1" skipped="1"');
    expect(xml).toContain('<failure message="expected &quot;x&quot; &amp; &lt;y&gt;"/>');
    expect(xml).toContain('name="vmshift conformance: t&lt;1&gt;"');
    expect(xml).not.toMatch(/<y>/);
  });
  it("prints the platform, the budget and, when it is not enforced, its TODO; and each scenario's requests and notes", () => {
    const budgeted: ConformanceReport = {
      ...report,
      platform: "KubeVirt ≥ 1.6",
      budget: { source: "≤ 4 per live migration", enforced: false, todo: "TODO(packages/kubevirt): read once" },
      scenarios: [
        {
          id: "live.explicit-target",
          title: "t",
          status: "passed",
          durationMs: 9,
          requests: { requests: 21, enforced: false, checks: [{ what: "live migration", requests: 19, polls: 3, budget: { requests: 4, polls: 6 }, windowMs: 1145, breakdown: "POST x×1", within: false }] },
          notes: ["over budget, not enforced"],
        },
      ],
      summary: { passed: 1, failed: 0, skipped: 0 },
    };
    const md = formatReport(budgeted, "markdown");
    expect(md).toContain("- Platform: KubeVirt ≥ 1.6.");
    expect(md).toContain("- Request budget NOT ENFORCED on this target: TODO(packages/kubevirt): read once");
    expect(md).toContain("| 21 requests; OVER BUDGET live migration: 19 requests (16 + 3 polls), budget 4 + 6 polls in 1145 ms [POST x×1]; over budget, not enforced |");
    const xml = formatReport(budgeted, "junit");
    expect(xml).toContain('<property name="budget" value="Request budget: ≤ 4 per live migration. Request budget NOT ENFORCED on this target: TODO(packages/kubevirt): read once"/>');
    expect(xml).toContain("<system-out>21 requests; OVER BUDGET live migration");
    expect(formatReport({ ...report, scenarios: [] }, "markdown")).toContain("- Request budget: none declared (requests are counted, not checked).");
  });

  it("xmlEscape drops control characters XML cannot carry", () => {
    expect(xmlEscape("a\u0001b\tc")).toBe("ab\tc");
  });
});

describe("the suite", () => {
  it("has unique scenario ids covering the contract's areas", () => {
    const ids = SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const area of ["inventory.", "preflight.", "live.", "cold.", "wait.", "attach.", "contract.", "faults."]) expect(ids.some((id) => id.startsWith(area)), area).toBe(true);
    expect(ids).toContain("contract.core");
  });

  it("docs/conformance.md lists every scenario (faults.* in one row)", () => {
    const doc = readFileSync(new URL("../../docs/conformance.md", import.meta.url), "utf8");
    for (const id of SCENARIOS.map((s) => s.id)) expect(doc.includes(`| \`${id}\` |`) || (id.startsWith("faults.") && doc.includes("| `faults.*` |")), id).toBe(true);
  });
});
