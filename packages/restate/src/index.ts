/**
 * @vmshift/restate: vmshift's fleet execution as durable workflows on Restate. A wave workflow
 * (keyed by plan id) runs a fleet plan — the one `vmshift evacuate|rebalance --dry-run` writes —
 * step by step; per-host and per-cluster limits are keyed virtual objects shared by every worker
 * and every wave; pause, resume, stop, cancel (of the wave or one VM) and a progress query are
 * handlers. Workers are stateless processes that serve the handlers with their platform clients.
 * The in-process executor (`executePlan` in `@vmshift/core`) stays the default; both share one
 * plan format and one outcome model.
 * @packageDocumentation
 */
export { type Registered, registerDeployment } from "./admin.ts";
export type { ControlApi, SlotsApi, SlotsView, StepApi, WaveApi } from "./api.ts";
export { acquire, admits, claimsFor, counts, emptySlots, release, type SlotState, type Waiter, wake } from "./claims.ts";
export { type FollowWaveOptions, type Submitted, WaveClient, type WaveClientOptions, WaveRun } from "./client.ts";
export { INITIAL_CONTROL, controlObject } from "./control.ts";
export { FOLLOW_DEFAULTS, nextPollMs } from "./follow.ts";
export { SERVICE_NAMES, clusterSlotKey, hostSlotKey, isPlanId, planIdOf, stepKey, stepRequestId } from "./ids.ts";
export { slotsObject } from "./slots.ts";
export { type PlatformClients, stepWorkflow } from "./step.ts";
export type { ControlState, EngineFigures, FollowOptions, SlotClaim, StepInput, StepResult, StepStatus, WaveInput, WaveMeta, WaveState, WaveStatus, WaveSummary } from "./types.ts";
export { STATUS_PAGE, waveWorkflow } from "./wave.ts";
export { RETENTION_MS, type ServedWorker, type WorkerOptions, type WorkerRetryPolicy, serveWorker, workerServices } from "./worker.ts";
