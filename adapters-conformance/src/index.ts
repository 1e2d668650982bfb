/**
 * @vmshift/conformance: one suite of scenarios written against the core interface, run against
 * every target (simulator, local API environments, fixtures, real endpoints), with reports.
 * @packageDocumentation
 */
export { type ReportFormat, formatReport, xmlEscape } from "./report.ts";
export { type ConformanceReport, type RunOptions, type ScenarioResult, runConformance } from "./run.ts";
export { ConformanceFailure, type Scenario, checkSequence, collect, expect, expectError, untilPhase } from "./scenario.ts";
export { SCENARIOS } from "./scenarios/index.ts";
export type { ConformanceControls, ConformanceSession, ConformanceSubjects, ConformanceTarget } from "./target.ts";
export { TARGET_MODULES_ENV, importTargetModule, isConformanceTarget, loadTargetModules, targetModulesFromEnv } from "./target-modules.ts";
export { TARGETS, findTarget } from "./targets/index.ts";
