/**
 * The move's journal on the target: what a new process needs to find a move it did not start and
 * decide what to do with it (`Mover.attach`, and a retried `moveVm` with the same `requestId`).
 * A target that keeps one (libvirt: the domain's `<metadata>`; KubeVirt: an annotation on the
 * VirtualMachine) writes the record onto the VM it reserved, so the record lives exactly as long
 * as what the move created there: a rollback removes both.
 */
import type { MigrationPhase } from "@vmshift/core";
import { CONVERT_MODES, type ConvertMode } from "./convert.ts";
import type { Reservation, SpiContext } from "./spi.ts";

/** Version of the record's shape. */
export const MOVE_RECORD_VERSION = 1;

/** What a move keeps on its target. */
export interface MoveRecord {
  /** {@link MOVE_RECORD_VERSION}: a record of another shape is not read. */
  readonly version: typeof MOVE_RECORD_VERSION;
  /** The move's id (`move-<requestId>`). */
  readonly moveId: string;
  /** `MoveRequest.requestId`. */
  readonly requestId: string;
  /** The last phase the moving process recorded. */
  readonly phase: MigrationPhase;
  /** `MoveRequest.mode`. */
  readonly mode: "cold" | "warm";
  /** The source VM: its platform, id and host. */
  readonly source: { readonly platform: string; readonly vmId: string; readonly hostId?: string };
  /** The source ran when the move began (a rollback starts it again). */
  readonly sourceWasRunning: boolean;
  /** The move asked the source to stop. */
  readonly sourceStopAsked: boolean;
  /** What the target reserved (VM and volumes): what a resume writes into and a rollback removes. */
  readonly reservation: Reservation;
  /** When the move started (ISO 8601). */
  readonly startedAt: string;
  /** When the record was last written (ISO 8601). */
  readonly updatedAt: string;
  /**
   * The process running the move (lease.ts): a random id, its host name and pid. Absent in records
   * written before moves had owners (such a record has no live lease).
   */
  readonly owner?: MoveOwner;
  /** When the owner last refreshed the record (ISO 8601, the owner's clock). */
  readonly heartbeatAt?: string;
  /** How long after `heartbeatAt` the owner counts as alive, ms; 0 once it let go (the move ended). */
  readonly leaseMs?: number;
  /**
   * The request's options that change what the rest of the move does (its cutover, its rollback):
   * an attach runs with these, not with defaults. Absent in records written before they were kept
   * (an attach then uses its own request's options, or the defaults).
   */
  readonly options?: RecordedOptions;
}

/**
 * What a move keeps of its request besides the VM and mode. Warm options (`MoveRequest.warm`) are
 * not kept: an attached warm move is rolled back, never resumed.
 */
export interface RecordedOptions {
  /** Guest conversion as the move decided it when it reserved the target. */
  readonly convert?: RecordedConversion;
  /** `MoveRequest.removeSource` (false: the source is kept). */
  readonly removeSource?: boolean;
  /** `MoveRequest.shutdownTimeoutMs`, when the request set one. */
  readonly shutdownTimeoutMs?: number;
  /** `MoveRequest.restartSourceOnFailure`, when the request set one. */
  readonly restartSourceOnFailure?: boolean;
  /** `MoveRequest.cutoverAt` (ISO 8601), when the request set one. */
  readonly cutoverAt?: string;
}

/** The conversion a move decided on (convert.ts) when it reserved the target. */
export interface RecordedConversion {
  /** `MoveRequest.convert.mode` as asked (`auto` when absent). */
  readonly mode: ConvertMode;
  /** Whether the cutover converts the guest: a resumed move converts exactly when this says so. */
  readonly converts: boolean;
  /** Whether the target was reserved with disks and NICs on virtio because the guest is converted. */
  readonly virtio: boolean;
}

/** Who runs a move: what a refused attach names. */
export interface MoveOwner {
  /** Random per run of a move (not per process). */
  readonly id: string;
  /** Host name of the process. */
  readonly host: string;
  /** Its process id. */
  readonly pid: number;
}

/** What a conditional write found instead of what it expected: the record there now, if any. */
export type ReplaceOutcome = { readonly written: true } | { readonly written: false; readonly current: MoveRecord | undefined };

/** A target's journal. */
export interface MoveJournal {
  /** Writes (replaces) the record on the reserved VM `record.reservation.vmId`. */
  write(record: MoveRecord, ctx: SpiContext): Promise<void>;
  /** The record of move `moveId` on this target, or undefined when no VM there carries it. */
  find(moveId: string, ctx: SpiContext): Promise<MoveRecord | undefined>;
  /**
   * Writes `next` only while the record on `next.reservation.vmId` is still `expected` (the same
   * write: {@link sameWrite}); otherwise writes nothing and says what is there. Of two processes
   * replacing the same record at once, at most one is told `written`. `settleMs` (a takeover):
   * how long to wait after the write before reading it back, for journals whose store has no
   * compare-and-swap. Absent: the mover reads with `find`, writes, and reads back.
   */
  replace?(expected: MoveRecord, next: MoveRecord, ctx: SpiContext, options?: { readonly settleMs?: number }): Promise<ReplaceOutcome>;
}

/** Whether two records are the same write: the same owner, phase and `updatedAt`. */
export function sameWrite(a: MoveRecord, b: MoveRecord): boolean {
  return a.owner?.id === b.owner?.id && a.phase === b.phase && a.updatedAt === b.updatedAt && a.heartbeatAt === b.heartbeatAt;
}

/** A target that keeps a journal. */
export interface Journaling {
  /** Where the target keeps its moves' records; absent: no attach after a restart. */
  readonly journal?: MoveJournal;
}

/** Parses a stored record; undefined when it is not one (another tool's metadata, an older shape). */
export function parseMoveRecord(text: string): MoveRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = value as Partial<MoveRecord> | null;
  if (!r || r.version !== MOVE_RECORD_VERSION || typeof r.moveId !== "string" || typeof r.requestId !== "string" || typeof r.phase !== "string") return undefined;
  if (!r.reservation || typeof r.reservation.vmId !== "string" || !Array.isArray(r.reservation.volumes)) return undefined;
  if (!r.source || typeof r.source.vmId !== "string" || (r.mode !== "cold" && r.mode !== "warm")) return undefined;
  if (r.owner !== undefined && (typeof r.owner?.id !== "string" || typeof r.owner.host !== "string" || typeof r.owner.pid !== "number")) return undefined;
  if (r.options !== undefined && !recordedOptionsValid(r.options)) return undefined;
  return r as MoveRecord;
}

function recordedOptionsValid(o: unknown): o is RecordedOptions {
  if (typeof o !== "object" || o === null) return false;
  const r = o as Record<string, unknown>;
  const c = r["convert"] as Record<string, unknown> | undefined;
  if (c !== undefined && (typeof c !== "object" || c === null || !CONVERT_MODES.includes(c["mode"] as ConvertMode) || typeof c["converts"] !== "boolean" || typeof c["virtio"] !== "boolean")) return false;
  const typed = (key: string, type: string) => r[key] === undefined || typeof r[key] === type;
  return typed("removeSource", "boolean") && typed("shutdownTimeoutMs", "number") && typed("restartSourceOnFailure", "boolean") && typed("cutoverAt", "string");
}

/**
 * What a new process does with an interrupted move, and why:
 * - `completed`: the record says so, or the target already runs the VM (the cutover started it);
 * - `resume`: a cold move writing through a copier — whole-disk copies are idempotent, so the
 *   transfer starts again from the first disk (the source is stopped first if it runs) and cuts over;
 * - `rollback`: a warm move (its passes and checkpoints lived in the dead process: nothing vouches
 *   for which changed blocks reached the target), or a target that uploads whole disks itself (an
 *   upload cut off midway cannot be continued) — what the target holds is removed and the source
 *   started again if it ran.
 */
export function attachDecision(record: MoveRecord, facts: { readonly targetRunning: boolean; readonly targetUploads: boolean }): { readonly action: "completed" | "resume" | "rollback"; readonly why: string } {
  if (record.phase === "completed") return { action: "completed", why: "the move had completed" };
  if (facts.targetRunning) return { action: "completed", why: `the target already runs ${record.reservation.vmId} (the cutover had started it)` };
  if (record.mode === "warm") return { action: "rollback", why: "a warm move's passes and checkpoints lived in the interrupted process: nothing vouches for which changed blocks reached the target" };
  if (facts.targetUploads) return { action: "rollback", why: "the target uploads whole disks itself and an upload cut off midway cannot be continued" };
  return { action: "resume", why: `a cold move interrupted in ${record.phase}: whole-disk copies are idempotent, so the transfer starts again from the first disk` };
}
