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
  it("xmlEscape drops control characters XML cannot carry", () => {
    expect(xmlEscape("a\u0001b\tc")).toBe("ab\tc");
  });
});

describe("the suite", () => {
  it("has unique scenario ids covering the contract's areas", () => {
    const ids = SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const area of ["inventory.", "preflight.", "live.", "cold.", "wait.", "attach.", "contract."]) expect(ids.some((id) => id.startsWith(area)), area).toBe(true);
  });
});
