/** Runs the scenarios against a target, one fresh session each, and builds the report. */
import { type Capability, isVmshiftError } from "@vmshift/core";
import { type BudgetReport, RequestMeter, describeCheck } from "./budget.ts";
import { isCore } from "./platform.ts";
import { type Scenario, type ScenarioContext, ConformanceFailure } from "./scenario.ts";
import { SCENARIOS } from "./scenarios/index.ts";
import type { ConformanceSession, ConformanceTarget } from "./target.ts";

/** One scenario's outcome. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly status: "passed" | "failed" | "skipped";
  /**
   * Why it failed or was skipped. Skips name what rules them out: a capability the platform lacks
   * (with the platform's source), one the target withholds, or a subject or control it cannot offer.
   */
  readonly reason?: string;
  readonly durationMs: number;
  /** Requests the scenario sent, and its measured windows against the target's budget (absent when the target cannot count requests). */
  readonly requests?: BudgetReport;
  /** What the scenario could not observe here, and other remarks. */
  readonly notes?: readonly string[];
}

/** The report of one run. */
export interface ConformanceReport {
  readonly target: string;
  readonly adapter: string;
  /** The platform the target declares (`platform.name`). */
  readonly platform?: string;
  /** The target's request budget: where it comes from, and whether going over fails (with the TODO when it does not). */
  readonly budget?: { readonly source: string; readonly enforced: boolean; readonly todo?: string };
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

type Gate = { readonly skip: string } | { readonly fail: string } | undefined;

/**
 * Whether a scenario runs on this session: a capability it needs that the adapter declares
 * unsupported fails it when the capability is in the core set, when the platform offers it, or when
 * the target does not say; it is skipped when the target withholds it or the platform lacks it. A
 * missing subject or control skips it.
 */
function gate(scenario: Scenario, session: ConformanceSession, target: ConformanceTarget): Gate {
  const table = session.client.capabilities();
  const platform = target.platform;
  for (const capability of scenario.requires ?? []) {
    const support = table[capability];
    if (support.status !== "unsupported") continue;
    const withheld = session.withheld?.[capability];
    if (withheld !== undefined) return { skip: `target withholds ${capability}: ${withheld}` };
    if (isCore(capability, table)) return { fail: coreMessage(capability, support.note) };
    const declared = platform?.capabilities[capability];
    if (platform === undefined || declared === undefined) return { fail: `capability ${capability} is declared unsupported by the adapter (${support.note}), and target ${target.name} does not declare whether ${platform?.name ?? "its platform"} offers it` };
    if (declared.offered) return { fail: `capability ${capability} is declared unsupported by the adapter (${support.note}), but ${platform.name} offers it: ${declared.source}` };
    return { skip: `capability ${capability} unsupported: ${support.note} (${platform.name} lacks it: ${declared.source})` };
  }
  const absent: NonNullable<ConformanceSession["absent"]> = session.absent ?? {};
  const why = (name: keyof typeof absent) => (absent[name] === undefined ? "" : `: ${absent[name]}`);
  for (const subject of scenario.subjects ?? []) {
    if (session.subjects[subject] === undefined) return { skip: `target offers no ${subject} subject${why(subject)}` };
  }
  for (const control of scenario.controls ?? []) {
    if (session.controls[control] === undefined) return { skip: `target offers no ${control} control${why(control)}` };
  }
  return undefined;
}

function coreMessage(capability: Capability, note: string): string {
  const what = capability === "migration.live" || capability === "migration.cold" ? "starting a live or a cold migration" : capability;
  return `core set: capability ${capability} is declared unsupported by the adapter (${note}), but every migration adapter must offer ${what} (list, get, preflight, live or cold start, follow to a terminal state, attach)`;
}

async function withTimeLimit<T>(promise: Promise<T>, ms: number, id: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceFailure(`scenario ${id} exceeded its ${ms} ms time limit`)), ms);
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

function enforced(target: ConformanceTarget): boolean {
  return target.budget !== undefined && target.budget.budgetEnforced !== false;
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
    for (const scenario of selected) record(await runOne(target, scenario));
  } finally {
    await target.dispose?.();
  }
  return finish(target, results);
}

async function runOne(target: ConformanceTarget, scenario: Scenario): Promise<ScenarioResult> {
  const started = performance.now();
  const base = { id: scenario.id, title: scenario.title };
  const elapsed = () => Math.round(performance.now() - started);
  let session: ConformanceSession | undefined;
  try {
    session = await target.open();
    const verdict = gate(scenario, session, target);
    if (verdict && "skip" in verdict) return { ...base, status: "skipped", reason: verdict.skip, durationMs: 0 };
    if (verdict) return { ...base, status: "failed", reason: verdict.fail, durationMs: 0 };
    const meter = new RequestMeter(target.budget, session);
    const notes: string[] = [];
    const context: ScenarioContext = { ...session, target, meter, note: (text) => void notes.push(text), located: { count: 0 } };
    const before = session.controls.requestCount?.();
    let failure: string | undefined;
    try {
      await withTimeLimit(scenario.run(context), (scenario.budgetMs ?? 60_000) * (session.timeScale ?? 1), scenario.id);
      if (context.located.count === 0) failure = `scenario ${scenario.id} did not check where its VM ended (read back from the platform)`;
    } catch (error) {
      failure = describe(error);
    }
    const sent = before === undefined ? undefined : session.controls.requestCount!() - before;
    const requests: BudgetReport | undefined =
      sent === undefined ? undefined : { requests: sent, checks: meter.checks, enforced: enforced(target), ...(target.budget?.todo ? { todo: target.budget.todo } : {}) };
    const over = meter.checks.filter((c) => !c.within);
    // Windows of work the budget leaves unenforced (`unenforced`) are reported like an unenforced budget.
    const failing = enforced(target) ? over.filter((c) => c.enforced !== false) : [];
    const reported = over.filter((c) => !failing.includes(c));
    if (failing.length > 0) {
      const line = `request budget exceeded on ${target.name}: ${failing.map(describeCheck).join("; ")} (the budget: ${target.budget?.source ?? "none"})`;
      failure = failure === undefined ? line : `${failure}; also ${line}`;
    }
    if (reported.length > 0) notes.push(`over budget, not enforced (TODO: ${target.budget?.todo ?? "no reason given"}): ${reported.map(describeCheck).join("; ")}`);
    return {
      ...base,
      status: failure === undefined ? "passed" : "failed",
      ...(failure === undefined ? {} : { reason: failure }),
      durationMs: elapsed(),
      ...(requests ? { requests } : {}),
      ...(notes.length > 0 ? { notes } : {}),
    };
  } catch (error) {
    return { ...base, status: "failed", reason: describe(error), durationMs: elapsed() };
  } finally {
    await session?.close().catch(() => undefined);
  }
}

function finish(target: ConformanceTarget, scenarios: ScenarioResult[], unavailable?: string): ConformanceReport {
  const count = (status: ScenarioResult["status"]) => scenarios.filter((s) => s.status === status).length;
  const budget = target.budget;
  return {
    target: target.name,
    adapter: target.adapter,
    ...(target.platform?.name ? { platform: target.platform.name } : {}),
    ...(budget ? { budget: { source: budget.source, enforced: enforced(target), ...(budget.todo ? { todo: budget.todo } : {}) } } : {}),
    scenarios,
    summary: { passed: count("passed"), failed: count("failed"), skipped: count("skipped") },
    ...(unavailable === undefined ? {} : { unavailable }),
  };
}
