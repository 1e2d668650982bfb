/**
 * Shared by the move-suite tests: runs `vmshift conformance --suite move` through the CLI
 * (in-process, with the repository's target module) and parses its JSON report; says whether a
 * pair's sides can run here (with CI=true a missing side is a failure, not a skip).
 */
import type { ConformanceReport } from "@vmshift/conformance";
import { runCli } from "../../test-support/run-cli.ts";
import { findMoveSide } from "../src/move/sides.ts";

/** Whether both sides of a pair can run here; throws under CI when one cannot. */
export async function pairAvailable(from: string, to: string): Promise<boolean> {
  const source = await findMoveSide(from)!.source!();
  const target = await findMoveSide(to)!.target!();
  const reasons = [await source.available(), await target.available()].flatMap((a) => (a.ok ? [] : [a.reason]));
  if (reasons.length > 0 && process.env.CI === "true") throw new Error(`move pair ${from} → ${to} must run in CI: ${reasons.join("; ")}`);
  return reasons.length === 0;
}

/** Runs the move suite for a pair through the CLI; returns the exit code, the report and stderr. */
export async function runSuite(from: string, to: string, extra: readonly string[] = []): Promise<{ code: number; report: ConformanceReport; stderr: string }> {
  const r = await runCli(["conformance", "--suite", "move", "--from", from, "--to", to, "--format", "json", ...extra]);
  let report: ConformanceReport;
  try {
    report = JSON.parse(r.stdout) as ConformanceReport;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 2000)}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

/** The status of one scenario in a report (fails the lookup loudly when it is absent). */
export function statusOf(report: ConformanceReport, id: string): { status: string; reason?: string } {
  const s = report.scenarios.find((x) => x.id === id);
  if (!s) throw new Error(`scenario ${id} is not in the report (${report.scenarios.map((x) => x.id).join(", ")})`);
  return { status: s.status, ...(s.reason ? { reason: s.reason } : {}) };
}
