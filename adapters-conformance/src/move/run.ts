/**
 * Runs the move suite for one (source, target) pair: each scenario with a fresh source session
 * and target session, and the report in the conformance report's shape (so `formatReport` prints
 * it as JSON, Markdown or JUnit).
 */
import { type Mover, type MoverOptions, createMover } from "@vmshift/move";
import type { ConformanceReport, ScenarioResult } from "../run.ts";
import { ConformanceFailure } from "../scenario.ts";
import { MOVE_SCENARIOS, type MoveScenario, type MoveScenarioContext } from "./scenarios.ts";
import type { MoveSourceSide, MoveTargetSide } from "./side.ts";
import { killMidMoveVia } from "./kill-mid-move.ts";
import { findMoveSide } from "./sides.ts";

/** Options of {@link runMoveSuite}. */
export interface MoveSuiteOptions {
  /** Only scenarios whose id starts with one of these. */
  readonly only?: readonly string[];
  /** Called after each scenario. */
  readonly onResult?: (result: ScenarioResult) => void;
  /** Creates the mover under test. Default `createMover`. */
  readonly createMover?: (options?: MoverOptions) => Mover;
  /** Source disk size, bytes. Default 8 MiB. */
  readonly diskBytes?: number;
  /** See {@link MoveScenarioContext.killMidMove}. */
  readonly killMidMove?: MoveScenarioContext["killMidMove"];
  /** The scenarios. Default: the whole move suite. */
  readonly scenarios?: readonly MoveScenario[];
}

/** The sides of a pair by registry name; throws naming what is missing. */
export async function resolvePair(from: string, to: string): Promise<{ readonly source: MoveSourceSide; readonly target: MoveTargetSide }> {
  const s = findMoveSide(from);
  const t = findMoveSide(to);
  if (!s?.source) throw new ConformanceFailure(`${from} is no move source (move sources: ${(await import("./sides.ts")).MOVE_SIDES.filter((e) => e.source).map((e) => e.name).join(", ")})`);
  if (!t?.target) throw new ConformanceFailure(`${to} is no move target (move targets: ${(await import("./sides.ts")).MOVE_SIDES.filter((e) => e.target).map((e) => e.name).join(", ")})`);
  return { source: await s.source(), target: await t.target() };
}

/** Runs the move suite from `from` to `to` (registry names, or sides). */
export async function runMoveSuite(from: string | MoveSourceSide, to: string | MoveTargetSide, options: MoveSuiteOptions = {}): Promise<ConformanceReport> {
  const pair = typeof from === "string" || typeof to === "string"
    ? await resolvePair(typeof from === "string" ? from : from.name, typeof to === "string" ? to : to.name)
    : { source: from, target: to };
  const name = `${pair.source.name} → ${pair.target.name}`;
  const only = options.only ?? [];
  const scenarios = (options.scenarios ?? MOVE_SCENARIOS).filter((s) => only.length === 0 || only.some((p) => s.id.startsWith(p)));
  const results: ScenarioResult[] = [];
  const unavailable = [await pair.source.available(), await pair.target.available()].flatMap((a, i) => (a.ok ? [] : [`${i === 0 ? pair.source.name : pair.target.name}: ${a.reason}`])).join("; ");
  for (const scenario of scenarios) {
    const t0 = Date.now();
    const notes: string[] = [];
    const done = (status: ScenarioResult["status"], reason?: string) => {
      const r: ScenarioResult = { id: scenario.id, title: scenario.title, status, durationMs: Date.now() - t0, ...(reason ? { reason } : {}), ...(notes.length ? { notes } : {}) };
      results.push(r);
      options.onResult?.(r);
    };
    if (unavailable) {
      done("skipped", unavailable);
      continue;
    }
    const source = await pair.source.open();
    let target;
    try {
      target = await pair.target.open();
    } catch (error) {
      await source.close();
      done("failed", `opening ${pair.target.name}: ${(error as Error).message}`);
      continue;
    }
    const context: MoveScenarioContext & { killMidMove?: MoveScenarioContext["killMidMove"] } = {
      source, target,
      createMover: options.createMover ?? createMover,
      diskBytes: options.diskBytes ?? 8 * 1024 * 1024,
      note: (t) => notes.push(t),
    };
    const kill = options.killMidMove ?? killMidMoveVia(source, target);
    if (kill) Object.assign(context, { killMidMove: kill });
    try {
      const skip = scenario.skip?.(context);
      if (skip) done("skipped", skip);
      else {
        await scenario.run(context);
        done("passed");
      }
    } catch (error) {
      done("failed", error instanceof ConformanceFailure ? error.message : `${(error as Error).name}: ${(error as Error).message}`);
    } finally {
      await target.close().catch((e: unknown) => notes.push(`closing the target: ${(e as Error).message}`));
      await source.close().catch((e: unknown) => notes.push(`closing the source: ${(e as Error).message}`));
    }
  }
  const count = (s: ScenarioResult["status"]) => results.filter((r) => r.status === s).length;
  return {
    target: name,
    adapter: "move",
    platform: `${pair.source.name} (source) → ${pair.target.name} (target)`,
    scenarios: results,
    summary: { passed: count("passed"), failed: count("failed"), skipped: count("skipped") },
    ...(unavailable ? { unavailable } : {}),
  };
}
