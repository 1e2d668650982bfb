/**
 * @vmshift/conformance: one suite of scenarios written against the core interface, run against
 * every target (simulator, local API environments, fixtures, real endpoints), with reports. A
 * target declares what its platform offers and the request budget its adapter is held to; the
 * suite fails an adapter that declares unsupported what its platform offers (or the core set), that
 * goes over budget, or that leaves a VM somewhere other than where its result says.
 * @packageDocumentation
 */
export { type ReportFormat, formatReport, xmlEscape } from "./report.ts";
export { type ConformanceReport, type RunOptions, type ScenarioResult, runConformance } from "./run.ts";
export {
  ConformanceFailure,
  type ExpectedLocation,
  type Scenario,
  type ScenarioContext,
  checkSequence,
  collect,
  expect,
  expectError,
  expectVmAt,
  locate,
  platformLocation,
  untilPhase,
} from "./scenario.ts";
export { SCENARIOS } from "./scenarios/index.ts";
export type { ConformanceControls, ConformanceSession, ConformanceSubjects, ConformanceTarget, PlatformDisk, PlatformDisks, PlatformLocation, PlatformTuning } from "./target.ts";
export { type Allowance, type BudgetCheck, type BudgetReport, type OperationBudget, type PollBudget, type RequestBudget, RequestMeter, allowed, describeCheck } from "./budget.ts";
export { DEFAULT_POLL_EVERY_MS, hypervBudget, kubevirtBudget, libvirtBudget, nutanixBudget, vsphereBudget } from "./budgets.ts";
export { CORE_CAPABILITIES, type PlatformDeclaration, type PlatformSupport, coreGaps, isCore, lacking, offered } from "./platform.ts";
export { HYPERV_PLATFORM, KUBEVIRT_PLATFORM, LIBVIRT_PLATFORM, NUTANIX_PLATFORM, SIMULATOR_PLATFORM, VSPHERE_PLATFORM } from "./platforms.ts";
export {
  CONFORMANCE_KIT,
  type ConformanceKit,
  TARGET_MODULES_ENV,
  importTargetModule,
  isConformanceTarget,
  loadAdapterTarget,
  loadTargetModules,
  targetModulesFromEnv,
} from "./target-modules.ts";
export { TARGETS, findTarget } from "./targets/index.ts";
export { SIMULATOR_BUDGET, type SimulatedAdapterFactory, type SimulatedPlatform, type SimulatorTargetOptions, simulatorTargetFor } from "./targets/simulator.ts";
