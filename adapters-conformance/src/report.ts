/** The report in the three formats the CLI prints: JSON, Markdown, JUnit XML. */
import { describeCheck } from "./budget.ts";
import type { ConformanceReport, ScenarioResult } from "./run.ts";

/** Output formats. */
export type ReportFormat = "json" | "markdown" | "junit";

/** Renders a report. */
export function formatReport(report: ConformanceReport, format: ReportFormat): string {
  switch (format) {
    case "json":
      return JSON.stringify(report, null, 2);
    case "markdown":
      return markdown(report);
    case "junit":
      return junit(report);
  }
}

/** The report's lines about the target's request budget: where it comes from, and its TODO when it is not enforced. */
export function budgetLines(report: ConformanceReport): string[] {
  const b = report.budget;
  if (!b) return ["Request budget: none declared (requests are counted, not checked)."];
  return [`Request budget: ${b.source}.`, ...(b.enforced ? [] : [`Request budget NOT ENFORCED on this target: ${b.todo ?? "no reason given"}`])];
}

/** One scenario's requests and notes, as a line: `14 requests; live migration: …; note`. */
export function scenarioDetails(s: ScenarioResult): string {
  const parts = [
    ...(s.requests ? [`${s.requests.requests} requests`, ...s.requests.checks.map((c) => `${c.within ? "" : "OVER BUDGET "}${describeCheck(c)}`)] : []),
    ...(s.notes ?? []),
  ];
  return parts.join("; ");
}

function markdown(report: ConformanceReport): string {
  const icon = { passed: "✅ passed", failed: "❌ failed", skipped: "⏭ skipped" } as const;
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    `# Conformance: ${report.target} (adapter ${report.adapter})`,
    "",
    ...[...(report.platform ? [`Platform: ${report.platform}.`] : []), ...budgetLines(report)].map((line) => `- ${line}`),
    "",
    `${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.skipped} skipped`,
    "",
    "| scenario | status | ms | reason | requests and notes |",
    "| --- | --- | ---: | --- | --- |",
    ...report.scenarios.map((s) => `| \`${s.id}\` | ${icon[s.status]} | ${s.durationMs} | ${cell(s.reason ?? "")} | ${cell(scenarioDetails(s))} |`),
  ];
  return lines.join("\n");
}

/** Escapes text for an XML attribute or text node. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

function junit(report: ConformanceReport): string {
  const total = report.scenarios.length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const time = report.scenarios.reduce((t, s) => t + s.durationMs, 0);
  const cases = report.scenarios.map((s) => {
    const open = `    <testcase classname="${xmlEscape(`conformance.${report.target}`)}" name="${xmlEscape(s.id)}" time="${seconds(s.durationMs)}"`;
    const details = scenarioDetails(s);
    const out = details ? `\n      <system-out>${xmlEscape(details)}</system-out>` : "";
    if (s.status === "passed") return details ? `${open}>${out}\n    </testcase>` : `${open}/>`;
    const inner = s.status === "failed" ? `<failure message="${xmlEscape(s.reason ?? "")}"/>` : `<skipped message="${xmlEscape(s.reason ?? "")}"/>`;
    return `${open}>\n      ${inner}${out}\n    </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites tests="${total}" failures="${report.summary.failed}" skipped="${report.summary.skipped}" time="${seconds(time)}">`,
    `  <testsuite name="${xmlEscape(`vmshift conformance: ${report.target}`)}" tests="${total}" failures="${report.summary.failed}" skipped="${report.summary.skipped}" time="${seconds(time)}">`,
    `    <properties>${[...(report.platform ? [["platform", report.platform]] : []), ["budget", budgetLines(report).join(" ")]].map(([k, v]) => `<property name="${k}" value="${xmlEscape(v!)}"/>`).join("")}</properties>`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
  ].join("\n");
}
