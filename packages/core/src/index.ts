/**
 * @vmshift/core: the contract every adapter honours, the client applications use, and the
 * shared engines (wait, paginate, watch), planner and errors.
 * @packageDocumentation
 */
import "./runtime.ts"; // first: stops older Node.js with one clear line
export { ADAPTER_OPERATIONS, type AdapterOperation, bindOperations, type HypervisorAdapter, type MigrationLimits, type NormalizedMigrationRequest, type OperationContext, type ProbeResult } from "./adapter.ts";
export { CAPABILITIES, CAPABILITY_NAMES, PROGRESS_FIELD_CAPABILITY, type Capability, type CapabilityTable, type Support, capabilitiesFor, isAvailable, narrow, partial, supported, unsupported } from "./capabilities.ts";
export { type CallOptions, type ClientOptions, VmshiftClient, createClient } from "./client.ts";
export { type Clock, VirtualClock, type VirtualClockOptions, abortError, pause, systemClock, throwIfAborted } from "./clock.ts";
export { ERROR_CODES, ERROR_CODE_DESCRIPTIONS, type ErrorCode, VmshiftError, type VmshiftErrorOptions, encodedForms, isVmshiftError, redact, vmshiftError } from "./errors.ts";
export { type LogLevel, type LogRecord, type Logger, memoryLogger, redactingLogger, silentLogger } from "./logger.ts";
export * from "./model.ts";
export { type PageFetcher, type PageIterator, type PaginateOptions, paginate } from "./paginate.ts";
export { type PrecopyInput, type PrecopyPlan, type PrecopyRound, type Recommendation, type Strategy, type StrategyOptions, modelPrecopy, recommend } from "./planner.ts";
export { type CancelOptions, type FollowOptions, type MigrationTask, type WaitOptions } from "./task.ts";
export { requireId, validateMigrationRequest } from "./validate.ts";
export { type BackoffOptions, type PollOptions, type RetryOptions, backoffDelay, pollUntil, withRetry } from "./wait.ts";
export { type ListResult, type ListWatchEvent, type ListWatchOptions, type ListWatchSource, type WatchEvent, listWatch } from "./watch.ts";
export * from "./fleet/index.ts";
export { MINIMUM_NODE, nodeIsSupported, unsupportedNodeMessage } from "./runtime.ts";
export { quietAgent, socketOptions } from "./quiet-agent.ts";
