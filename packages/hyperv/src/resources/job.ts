/** Msvm_MigrationJob as the scripts print it, and what its JobState means for vmshift. */
import type { MigrationPhase } from "@vmshift/core";
import { Reader } from "../psjson.ts";

/** CIM_ConcreteJob JobState values. */
export const JOB_STATE = { New: 2, Starting: 3, Running: 4, Suspended: 5, ShuttingDown: 6, Completed: 7, Terminated: 8, Killed: 9, Exception: 10, Service: 11 } as const;

/** One migration job. */
export interface HvMigrationJob {
  readonly instanceId: string;
  readonly jobState: number;
  /** 0–100. */
  readonly percentComplete: number;
  /** 0 means no error. */
  readonly errorCode: number;
  readonly errorDescription?: string;
  readonly cancellable: boolean;
  readonly destinationHost?: string;
  /** ISO 8601. */
  readonly startTime?: string;
}

/** Validates one job object (or null → undefined). */
export function parseJob(value: unknown): HvMigrationJob | undefined {
  if (value === null || value === undefined) return undefined;
  const r = new Reader(value, "migrationJob");
  const errorDescription = r.optionalString("errorDescription");
  const destinationHost = r.optionalString("destinationHost");
  const startTime = r.optionalString("startTime");
  return {
    instanceId: r.string("instanceId"),
    jobState: r.number("jobState"),
    percentComplete: r.optionalNumber("percentComplete") ?? 0,
    errorCode: r.optionalNumber("errorCode") ?? 0,
    cancellable: r.optionalBoolean("cancellable") ?? false,
    ...(errorDescription === undefined ? {} : { errorDescription }),
    ...(destinationHost === undefined ? {} : { destinationHost }),
    ...(startTime === undefined ? {} : { startTime }),
  };
}

/**
 * The vmshift phase of a job. Hyper-V does not say when the final switch-over starts, so a
 * running job is `transferring` until it completes; `finalizing` is never reported.
 */
export function jobPhase(job: HvMigrationJob): MigrationPhase {
  switch (job.jobState) {
    case JOB_STATE.New:
    case JOB_STATE.Starting:
      return "requested";
    case JOB_STATE.Completed:
      return "completed";
    case JOB_STATE.Terminated:
    case JOB_STATE.Killed:
      return "cancelled";
    case JOB_STATE.Exception:
      return "failed";
    default:
      return "transferring";
  }
}
