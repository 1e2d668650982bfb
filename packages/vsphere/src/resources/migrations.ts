/**
 * What only migrations and preflight need (tasks, vMotion, cold moves, placement, checks), in one
 * module that `adapter.ts` imports on first use: a process that lists or reads VMs, or a CLI that
 * loads the adapter for a profile, does not load and compile them at start-up.
 */
export { ColdMigration } from "./cold.ts";
export { TaskFeed } from "./feed.ts";
export { followStarted, liveSnapshot, locationOf, readTaskAndVm, startLive } from "./live.ts";
export { chooseHost, freeMemoryBytes, poolFor, poolForVm, readHostFacts, readStartFacts, readVmFacts } from "./placement.ts";
export { ownChecks, serverChecks, targetFacts } from "./preflight.ts";
export { cancelTask, readTask, watchTask } from "./tasks.ts";
