/**
 * QEMU's own account of a migration, from the trace events the lab guest was started with
 * (`GuestOptions.traceEvents`): QEMU's "log" trace backend writes `pid@seconds.micros:event args`
 * lines to stderr, which libvirt appends to the domain's log on the host that ran it.
 * Test infrastructure only (the bench reads QEMU's switch-over decision from it).
 */
import { join } from "node:path";
import { LAB_DIR, type LabHost, fileSize, readFrom } from "./lab.ts";

/** The trace events the switch-over analysis needs. */
export const SWITCHOVER_TRACE_EVENTS = ["migrate_pending_exact", "migration_thread_low_pending", "vmstate_downtime_checkpoint"] as const;

/** The domain's QEMU log on a lab host. */
export function qemuLogPath(host: LabHost, name: string): string {
  return join(LAB_DIR, "hosts", host, "log/qemu", `${name}.log`);
}

/** Current size of the domain's QEMU log on `host` (read from there on after a migration). */
export function qemuLogOffset(host: LabHost, name: string): number {
  return fileSize(qemuLogPath(host, name));
}

/** One trace event. */
export interface TraceEvent {
  /** Wall clock, ms since the epoch (microsecond resolution). */
  readonly atMs: number;
  readonly event: string;
  readonly args: string;
}

/** Parses the trace lines of a QEMU log (other lines are skipped). */
export function parseTrace(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (const match of text.matchAll(/^\d+@(\d+\.\d+):(\w+) ?(.*)$/gm)) events.push({ atMs: Number(match[1]) * 1000, event: match[2]!, args: match[3]!.trim() });
  return events;
}

/** What the source QEMU decided and did at the switch-over of one migration. */
export interface SwitchoverTrace {
  /** Dirty-bitmap syncs before the pause (each `migrate_pending_exact`). */
  readonly syncs: number;
  /** Bytes pending when QEMU decided to switch over (`migration_thread_low_pending`). */
  readonly remainderBytes: number;
  /** Source-side pause, ms (`src-downtime-start` → `src-downtime-end`). */
  readonly sourceDowntimeMs: number;
  /** RAM copy while paused, ms (`src-vm-stopped` → `src-iterable-saved`). */
  readonly ramCopyMs: number;
}

/** Reads the switch-over of the last migration in `text` (the source's log since the migration began). */
export function switchoverOf(events: readonly TraceEvent[]): SwitchoverTrace | undefined {
  const low = events.findLast((e) => e.event === "migration_thread_low_pending");
  const at = (checkpoint: string) => events.findLast((e) => e.event === "vmstate_downtime_checkpoint" && e.args === checkpoint)?.atMs;
  const start = at("src-downtime-start");
  const end = at("src-downtime-end");
  const stopped = at("src-vm-stopped");
  const saved = at("src-iterable-saved");
  if (!low || start === undefined || end === undefined || stopped === undefined || saved === undefined) return undefined;
  return {
    syncs: events.filter((e) => e.event === "migrate_pending_exact").length,
    remainderBytes: Number(low.args),
    sourceDowntimeMs: end - start,
    ramCopyMs: saved - stopped,
  };
}

/** The switch-over of the migration that left `host`, from its QEMU log after byte `fromOffset`. */
export function readSwitchover(host: LabHost, name: string, fromOffset: number): SwitchoverTrace | undefined {
  return switchoverOf(parseTrace(readFrom(qemuLogPath(host, name), fromOffset)));
}
