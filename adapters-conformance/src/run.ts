/** Runs the scenarios against a target, one fresh session each, and builds the report. */
import { isVmshiftError } from "@vmshift/core";
import { type Scenario, ConformanceFailure } from "./scenario.ts";
import { SCENARIOS } from "./scenarios/index.ts";
import type { ConformanceSession, ConformanceTarget } from "./target.ts";

/** One scenario's outcome. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly status: "passed" | "failed" | "skipped";
  /** Why it failed or was skipped (skips name the capability, subject or control that rules them out). */
  readonly reason?: string;
  readonly durationMs: number;
}

/** The report of one run. */
export interface ConformanceReport {
  readonly target: string;
  readonly adapter: string;
  readonly scenarios: readonly ScenarioResult[];
  readonly summary: { readonly passed: number; readonly failed: number; readonly skipped: number };
  /** Set when the whole target was unavailable here; every scenario is then skipped with this reason. */
  readonly unavailable?: string;
}

/** Options of {@link runConformance}. */
export interface RunOptions {
  /** Only scenarios whose id starts with one of these. */
  readonly only?: readonly string[];
  /** Called after each scenario (progress output). */
  readonly onResult?: (result: ScenarioResult) => void;
  /** The scenarios to run. Default: the whole suite. */
  readonly scenarios?: readonly Scenario[];
}

function skipReason(scenario: Scenario, session: ConformanceSession): string | undefined {
  const table = session.client.capabilities();
  for (const capability of scenario.requires ?? []) {
    const support = table[capability];
    if (support.status === "unsupported") return `capability ${capability} unsupported: ${support.note}`;
  }
  for (const subject of scenario.subjects ?? []) {
    if (session.subjects[subject] === undefined) return `target offers no ${subject} subject`;
  }
  for (const control of scenario.controls ?? []) {
    if (session.controls[control] === undefined) return `target offers no ${control} control`;
  }
  return undefined;
}

async function withBudget<T>(promise: Promise<T>, ms: number, id: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceFailure(`scenario ${id} exceeded its ${ms} ms budget`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  if (error instanceof ConformanceFailure) return error.message;
  if (isVmshiftError(error)) return `unexpected ${error.code}: ${error.message}`;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

/** Runs the suite against `target`. Never throws for a scenario failure; check `summary.failed`. */
export async function runConformance(target: ConformanceTarget, options: RunOptions = {}): Promise<ConformanceReport> {
  const all = options.scenarios ?? SCENARIOS;
  const selected = options.only?.length ? all.filter((s) => options.only!.some((p) => s.id.startsWith(p))) : all;
  const results: ScenarioResult[] = [];
  const record = (r: ScenarioResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  const availability = (await target.available?.()) ?? { ok: true as const };
  if (!availability.ok) {
    for (const s of selected) record({ id: s.id, title: s.title, status: "skipped", reason: `target unavailable: ${availability.reason}`, durationMs: 0 });
    return finish(target, results, availability.reason);
  }
  try {
    for (const scenario of selected) {
      const started = performance.now();
      let session: ConformanceSession | undefined;
      try {
        session = await target.open();
        const skip = skipReason(scenario, session);
        if (skip) {
          record({ id: scenario.id, title: scenario.title, status: "skipped", reason: skip, durationMs: 0 });
          continue;
        }
        await withBudget(scenario.run(session), (scenario.budgetMs ?? 60_000) * (session.timeScale ?? 1), scenario.id);
        record({ id: scenario.id, title: scenario.title, status: "passed", durationMs: Math.round(performance.now() - started) });
      } catch (error) {
        record({ id: scenario.id, title: scenario.title, status: "failed", reason: describe(error), durationMs: Math.round(performance.now() - started) });
      } finally {
        await session?.close().catch(() => undefined);
      }
    }
  } finally {
    await target.dispose?.();
  }
  return finish(target, results);
}

function finish(target: ConformanceTarget, scenarios: ScenarioResult[], unavailable?: string): ConformanceReport {
  const count = (status: ScenarioResult["status"]) => scenarios.filter((s) => s.status === status).length;
  return {
    target: target.name,
    adapter: target.adapter,
    scenarios,
    summary: { passed: count("passed"), failed: count("failed"), skipped: count("skipped") },
    ...(unavailable === undefined ? {} : { unavailable }),
  };
}
