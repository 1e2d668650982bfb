/**
 * The move suite: real moves between a source side and a target side of the registry, checked on
 * the platforms. `vmshift conformance --suite move --from <a> --to <b>` runs it through
 * {@link moveSuite}, which the repository's target module re-exports.
 */
import { type MoveSuiteOptions, runMoveSuite } from "./run.ts";
import { MOVE_SIDES, movePairs } from "./sides.ts";

export { MOVE_SCENARIOS, type MoveScenario, type MoveScenarioContext } from "./scenarios.ts";
export type { Availability, MoveSourceSide, MoveTargetSide, SidePowerState, SourceSession, SourceVm, TargetSession } from "./side.ts";
export { MOVE_SIDES, type MoveSideEntry, findMoveSide, movePairs } from "./sides.ts";
export { type MoveSuiteOptions, resolvePair, runMoveSuite } from "./run.ts";

/** What the CLI needs of the move suite (the shape `vmshift conformance --suite move` looks for in a target module). */
export const moveSuite = {
  /** Registry names of the move sources and targets. */
  sides: () => MOVE_SIDES.map((e) => ({ name: e.name, source: e.source !== undefined, target: e.target !== undefined })),
  pairs: movePairs,
  run: (from: string, to: string, options: MoveSuiteOptions = {}) => runMoveSuite(from, to, options),
};
