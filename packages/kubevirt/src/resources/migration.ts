/**
 * VirtualMachineInstanceMigration (+ its VMI) → vmshift `MigrationSnapshot`.
 *
 * KubeVirt phase → vmshift phase:
 * | KubeVirt | vmshift |
 * | --- | --- |
 * | unset | preparing |
 * | Pending, Scheduling, Scheduled, PreparingTarget, TargetReady (and WaitingForSync, Synchronizing) | requested |
 * | Running | transferring; finalizing once the VMI's migrationState says `completed` |
 * | Succeeded | completed |
 * | Failed | cancelled when an abort was requested (VMIM deleted), else failed |
 *
 * The VMI's `status.migrationState` is trusted only when its `migrationUid` is the VMIM's uid.
 * Where the VM ended comes from the migration state first (the VMIM's final copy), the VMI only
 * when that does not say (see `finalLocation`).
 */
import type { MigrationPhase, MigrationResult, MigrationSnapshot, PowerState, VmLocation } from "@vmshift/core";
import { formatRef } from "../ids.ts";
import { type KvMigration, type KvMigrationPhase, type KvMigrationState, type KvVmi, LABELS } from "../types.ts";

/** Annotations vmshift puts on the VMIMs it creates. */
export const ANNOTATIONS = {
  requestId: "vmshift.io/request-id",
  sourceHost: "vmshift.io/source-host",
  targetHost: "vmshift.io/target-host",
} as const;

/** What the adapter knows beyond the objects. */
export interface LiveContext {
  /** This process asked to cancel it. */
  readonly cancelRequested: boolean;
  /** The VMIM is gone (404 or DELETED). */
  readonly gone: boolean;
  /** The VMIM's uid, remembered from an earlier look (needed once the object is gone). */
  readonly uid?: string;
  /** ISO time of this observation. */
  readonly observedAt: string;
}

/** The KubeVirt phase of a VMIM. */
export function kvPhase(vmim: KvMigration | undefined): KvMigrationPhase {
  return (vmim?.status?.phase ?? "") as KvMigrationPhase;
}

/** The migration state that belongs to this VMIM: the final copy on the VMIM, else the VMI's live one when the uid matches. */
export function migrationStateOf(vmim: KvMigration | undefined, vmi: KvVmi | undefined, uid: string | undefined): KvMigrationState | undefined {
  const own = vmim?.status?.migrationState;
  if (own?.migrationUid && own.migrationUid === uid && (own.completed || own.failed)) return own;
  const live = vmi?.status?.migrationState;
  if (live && uid && live.migrationUid === uid) return live;
  return own?.migrationUid === uid ? own : undefined;
}

function abortRequested(vmim: KvMigration | undefined, state: KvMigrationState | undefined, ctx: LiveContext): boolean {
  return (
    ctx.cancelRequested ||
    Boolean(state?.abortRequested) ||
    Boolean(vmim?.metadata?.deletionTimestamp) ||
    Boolean(vmim?.status?.conditions?.some((c) => c.type === "migrationAbortRequested" && c.status === "True"))
  );
}

function phaseOf(vmim: KvMigration | undefined, state: KvMigrationState | undefined, ctx: LiveContext): MigrationPhase {
  if (ctx.gone || vmim === undefined) {
    if (state?.completed && !state.failed) return "completed";
    if (state?.failed) return abortRequested(vmim, state, ctx) ? "cancelled" : "failed";
    return ctx.cancelRequested ? "cancelled" : "failed";
  }
  switch (kvPhase(vmim)) {
    case "":
      return "preparing";
    case "Pending":
    case "Scheduling":
    case "Scheduled":
    case "PreparingTarget":
    case "TargetReady":
    case "WaitingForSync":
    case "Synchronizing":
      return "requested";
    case "Running":
      return state?.completed && !state.failed ? "finalizing" : "transferring";
    case "Succeeded":
      return "completed";
    case "Failed":
      return abortRequested(vmim, state, ctx) && !(state?.completed && !state.failed) ? "cancelled" : "failed";
    default:
      // A phase of a newer (or older) KubeVirt than this adapter knows: still in flight, named in the message.
      return "requested";
  }
}

function message(vmim: KvMigration | undefined, state: KvMigrationState | undefined, phase: MigrationPhase): string {
  const parts: string[] = [vmim ? `KubeVirt phase ${kvPhase(vmim) || "(unset)"}` : "migration object gone"];
  const evacuated = vmim?.metadata?.annotations?.[LABELS.evacuationMigration];
  if (evacuated) parts.push(`evacuation of node ${evacuated}`);
  if (state?.migrationPolicyName) parts.push(`MigrationPolicy ${state.migrationPolicyName}`);
  if (state?.mode) parts.push(`mode ${state.mode}`);
  if (state?.abortStatus) parts.push(`abortStatus ${state.abortStatus}`);
  if (phase === "failed" && state?.failureReason) parts.push(state.failureReason);
  return parts.join(", ");
}

function transitionTime(vmim: KvMigration | undefined, phase: KvMigrationPhase): string | undefined {
  return vmim?.status?.phaseTransitionTimestamps?.find((t) => t.phase === phase)?.phaseTransitionTimestamp ?? undefined;
}

/** The VMI's power state; `unknown` when it was not found (it may have been stopped, deleted, or be unreadable). */
function vmiPower(vmi: KvVmi | undefined): PowerState {
  if (!vmi) return "unknown";
  if (vmi.status?.phase === "Running") return vmi.status.conditions?.some((c) => c.type === "Paused" && c.status === "True") ? "paused" : "running";
  return vmi.status?.phase === "Succeeded" || vmi.status?.phase === "Failed" ? "stopped" : "unknown";
}

/**
 * Where the VM is once the migration ended. The migration's own final state says it first: a
 * completed migration (`migrationState.completed`, not `failed`) left it on `targetNode`, a failed
 * or aborted one on `sourceNode` (KubeVirt moves a VMI only when its migration completes). Only
 * when that state does not say is the VMI read, and without a VMI the node the VMIM names
 * (`addedNodeSelector` or vmshift's annotations) stands for it. A VMI read at some other time may
 * be stale (it still names the source while the VMIM has already completed), so it never
 * overrides what the migration state says.
 */
function finalLocation(phase: MigrationPhase, state: KvMigrationState | undefined, vmi: KvVmi | undefined, sourceHostId: string | undefined, targetHostId: string | undefined): { node: string | undefined; side: VmLocation["side"] } {
  if (state?.completed && !state.failed && state.targetNode) return { node: state.targetNode, side: "target" };
  if (phase !== "completed" && state?.sourceNode && (state.failed || !state.completed)) return { node: state.sourceNode, side: "source" };
  const node = vmi?.status?.nodeName;
  if (vmi === undefined) {
    // Nothing read but the VMIM: a completed one moved the VM to the node it named, a failed or cancelled one never moved it.
    if (phase === "completed") return targetHostId ? { node: targetHostId, side: "target" } : { node: undefined, side: "unknown" };
    return { node: sourceHostId, side: "source" };
  }
  const side: VmLocation["side"] =
    node === undefined ? "unknown"
    : node === targetHostId && phase === "completed" ? "target"
    : node === sourceHostId ? "source"
    : node === targetHostId ? "target"
    // Completed and no longer on the known source: it is on the target, even when the status never named it.
    : phase === "completed" && sourceHostId !== undefined ? "target"
    // Failed or cancelled, no source known (a phase-only VMIM): KubeVirt never moves the VMI of a migration that did not complete.
    : phase !== "completed" && sourceHostId === undefined ? "source"
    : "unknown";
  return { node, side };
}

/**
 * The power state when no VMI was read: running once the target's domain was reported ready
 * (`targetNodeDomainReadyTimestamp` / `targetNodeDomainDetected` on a completed migration), else
 * unknown (a failed migration leaves the source as it was, which the VMIM does not record).
 */
function statePower(phase: MigrationPhase, state: KvMigrationState | undefined): PowerState {
  return phase === "completed" && state?.completed && !state.failed && (state.targetNodeDomainReadyTimestamp || state.targetNodeDomainDetected) ? "running" : "unknown";
}

/** Builds the snapshot of one live migration. */
export function liveSnapshot(vmim: KvMigration | undefined, vmi: KvVmi | undefined, id: string, ctx: LiveContext): MigrationSnapshot {
  const uid = vmim?.metadata?.uid ?? ctx.uid;
  const state = migrationStateOf(vmim, vmi, uid);
  const phase = phaseOf(vmim, state, ctx);
  const namespace = vmim?.metadata?.namespace ?? id.split("/")[0] ?? "default";
  const vmiName = vmim?.spec.vmiName ?? vmim?.metadata?.labels?.[LABELS.vmiName] ?? vmi?.metadata?.name ?? "";
  const annotations = vmim?.metadata?.annotations ?? {};
  // The evacuation controller's annotation names the drained node, the source, when the status does not (yet).
  const sourceHostId = state?.sourceNode ?? annotations[ANNOTATIONS.sourceHost] ?? annotations[LABELS.evacuationMigration];
  const targetHostId = state?.targetNode ?? vmim?.spec.addedNodeSelector?.[LABELS.hostname] ?? annotations[ANNOTATIONS.targetHost];
  const startedAt = vmim?.metadata?.creationTimestamp ?? undefined;
  const terminal = phase === "completed" || phase === "failed" || phase === "cancelled";
  // Only a time KubeVirt recorded: without one, endedAt (and so durationMs) stays absent rather than becoming the time of observation.
  const endedAt = terminal ? (state?.endTimestamp ?? transitionTime(vmim, kvPhase(vmim) as KvMigrationPhase) ?? undefined) : undefined;
  const base = {
    id,
    vmId: formatRef({ namespace, name: vmiName }),
    mode: "live" as const,
    phase,
    progress: { phase, message: message(vmim, state, phase), observedAt: ctx.observedAt },
    ...(sourceHostId ? { sourceHostId } : {}),
    ...(targetHostId ? { targetHostId } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt ? { endedAt } : {}),
  };
  if (!terminal) return base;
  const { node, side } = finalLocation(phase, state, vmi, sourceHostId, targetHostId);
  const durationMs = startedAt && endedAt ? Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) : undefined;
  const result: MigrationResult = {
    migrationId: id,
    vmId: base.vmId,
    mode: "live",
    outcome: phase,
    vmLocation: { side, powerState: vmi ? vmiPower(vmi) : statePower(phase, state), ...(node ? { hostId: node } : {}) },
    ...(sourceHostId ? { sourceHostId } : {}),
    ...(targetHostId ? { targetHostId } : {}),
    ...(durationMs === undefined || Number.isNaN(durationMs) ? {} : { durationMs }),
    ...(phase === "failed" ? { error: { code: "MIGRATION_FAILED", message: failureText(state) } } : {}),
    ...(phase === "cancelled" ? { error: { code: "ABORTED", message: `cancelled${state?.abortStatus ? ` (abortStatus ${state.abortStatus})` : ""}` } } : {}),
  };
  return { ...base, result };
}

function failureText(state: KvMigrationState | undefined): string {
  const reason = state?.failureReason;
  if (!reason) return "the migration failed (KubeVirt reports the cause only in Events on the migration)";
  if (reason.includes("Live migration has been aborted") && !state?.abortRequested) {
    return `${reason} (not requested by a user: most likely the progressTimeout or completionTimeoutPerGiB abort)`;
  }
  return reason;
}
