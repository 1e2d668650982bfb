/** Every scenario of the suite, in report order. */
import type { Scenario } from "../scenario.ts";
import { coldScenarios } from "./cold.ts";
import { faultScenarios } from "./faults.ts";
import { contractScenarios } from "./contract.ts";
import { crossClusterScenarios } from "./cross-cluster.ts";
import { handleScenarios } from "./handles.ts";
import { inventoryScenarios } from "./inventory.ts";
import { liveScenarios } from "./live.ts";
import { preflightScenarios } from "./preflight.ts";
import { storageScenarios } from "./storage.ts";
import { tuningScenarios } from "./tuning.ts";

export const SCENARIOS: readonly Scenario[] = [
  ...inventoryScenarios,
  ...preflightScenarios,
  ...liveScenarios,
  ...tuningScenarios,
  ...storageScenarios,
  ...crossClusterScenarios,
  ...coldScenarios,
  ...handleScenarios,
  ...contractScenarios,
  ...faultScenarios,
];
