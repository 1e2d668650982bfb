/** The report in the three formats the CLI prints: JSON, Markdown, JUnit XML. */
import type { ConformanceReport } from "./run.ts";

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

function markdown(report: ConformanceReport): string {
  const icon = { passed: "✅ passed", failed: "❌ failed", skipped: "⏭ skipped" } as const;
  const lines = [
    `# Conformance: ${report.target} (adapter ${report.adapter})`,
    "",
    `${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.skipped} skipped`,
    "",
    "| scenario | status | ms | reason |",
    "| --- | --- | ---: | --- |",
    ...report.scenarios.map((s) => `| \`${s.id}\` | ${icon[s.status]} | ${s.durationMs} | ${(s.reason ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ")} |`),
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
    if (s.status === "passed") return `${open}/>`;
    const inner = s.status === "failed" ? `<failure message="${xmlEscape(s.reason ?? "")}"/>` : `<skipped message="${xmlEscape(s.reason ?? "")}"/>`;
    return `${open}>\n      ${inner}\n    </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites tests="${total}" failures="${report.summary.failed}" skipped="${report.summary.skipped}" time="${seconds(time)}">`,
    `  <testsuite name="${xmlEscape(`vmshift conformance: ${report.target}`)}" tests="${total}" failures="${report.summary.failed}" skipped="${report.summary.skipped}" time="${seconds(time)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
  ].join("\n");
}
