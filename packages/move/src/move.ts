/**
 * `moveVm`: a VM from one platform's source to another's target, cold or warm. Preparation reads
 * and checks (nothing written); request reserves on the target; transfer copies every disk (cold:
 * after stopping the source; warm: while it runs, a full pass then delta passes, warm.ts); cutover
 * (`finalizing`) stops the source (warm: and copies the last delta) and starts the target. A
 * failure or cancel before the target runs removes what the target holds and leaves (or starts
 * again) the source as it was.
 */
import { VmshiftError, isVmshiftError } from "@vmshift/core";
import type { MovePreflight } from "./checks.ts";
import { qemuImgCopier } from "./copy.ts";
import type { VmDefinition } from "./definition.ts";
import { type MappedDefinition, type NameMap, type StorageMap, applyMaps } from "./mapping.ts";
import type { DiskCopier, MoveSource, MoveTarget, Reservation, SpiContext, WarmPass } from "./spi.ts";
import { type MoveResult, type MoveTask, MoveTaskState } from "./task.ts";
import { type TargetAccepts, definitionChecks, mappingChecks } from "./validate.ts";
import { type PassReport, type WarmCopy, type WarmOptions, copyWhileRunning, runPass } from "./warm.ts";

/** What a caller asks for. */
export interface MoveRequest {
  readonly from: MoveSource;
  readonly to: MoveTarget;
  /** The VM at the source (its id there). */
  readonly vmId: string;
  /**
   * `cold`: stop the source, then copy. `warm`: copy while the source runs (full pass, then delta
   * passes of changed blocks), stop it at cutover and copy the last delta; needs the source's
   * change tracking (`MoveSource.warm`) and a copier with `copyExtents`. Default `cold`.
   */
  readonly mode?: "cold" | "warm";
  /** Warm moves: when to stop passing and cut over. */
  readonly warm?: WarmOptions;
  /** Source network → target network. Every network a NIC uses must be here. */
  readonly networkMap?: NameMap;
  /** Source storage → target storage (and format). Every storage a copied disk lives in must be here. */
  readonly storageMap?: StorageMap;
  /** Name on the target. Default: the source name. */
  readonly targetName?: string;
  /** Graceful shutdown of the source before a forced power-off, ms. Default 30 000. */
  readonly shutdownTimeoutMs?: number;
  /** Start the source again when the target cannot start. Default true. */
  readonly restartSourceOnFailure?: boolean;
  /** Idempotency key: a retried `moveVm` with the same key returns the first task. Generated when absent. */
  readonly requestId?: string;
}

/** Options of {@link createMover}. */
export interface MoverOptions {
  /** Copies disk bytes. Default: `qemu-img convert`. */
  readonly copier?: DiskCopier;
}

/** What the target accepts, asked from the target when it says; a generic default otherwise. */
const DEFAULT_ACCEPTS: TargetAccepts = { buses: ["virtio", "sata", "scsi", "ide"], firmware: ["bios", "uefi"] };

/** Runs moves; holds the tasks of this process by request id (idempotent retries). */
export interface Mover {
  /** Reads the definition, maps it and runs every check. Writes nothing anywhere. */
  preflight(request: MoveRequest, options?: { readonly signal?: AbortSignal }): Promise<MovePreflight & { readonly definition: VmDefinition; readonly mapped: MappedDefinition }>;
  /** Starts a move and returns its task at once (`preparing`); a failed preflight ends it `failed` with the checks in the error's details. */
  moveVm(request: MoveRequest): MoveTask;
  /** The task of a move started by this mover, by task id or request id. */
  find(id: string): MoveTask | undefined;
}

/** A target may say what it accepts. */
interface Accepting {
  readonly accepts?: TargetAccepts;
}

/** Creates a mover. */
export function createMover(options: MoverOptions = {}): Mover {
  const copier = options.copier ?? qemuImgCopier();
  const tasks = new Map<string, MoveTaskState>();

  async function preflight(request: MoveRequest, opts: { readonly signal?: AbortSignal } = {}) {
    const ctx: SpiContext = { signal: opts.signal ?? new AbortController().signal };
    const definition = await request.from.readDefinition(request.vmId, ctx);
    const networkMap = request.networkMap ?? {};
    const storageMap = request.storageMap ?? {};
    const mapped = applyMaps(definition, { networkMap, storageMap, ...(request.targetName === undefined ? {} : { targetName: request.targetName }) });
    const accepts = (request.to as MoveTarget & Accepting).accepts ?? DEFAULT_ACCEPTS;
    const checks = [...mappingChecks(definition, networkMap, storageMap), ...definitionChecks(definition, accepts), ...((await request.from.check?.(definition, ctx)) ?? []), ...(await request.to.check({ definition: mapped }, ctx))];
    if (request.mode === "warm") {
      if (!request.from.warm) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: request.vmId, message: `the ${request.from.platform} source has no change tracking: warm moves are not possible from it; move cold` });
      else checks.push(...(await request.from.warm.check(definition, ctx)));
      if (request.to.writeDisk) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: request.vmId, message: `the ${request.to.platform} target writes whole disks itself (writeDisk): warm moves need extent writes` });
      if (!copier.copyExtents) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: request.vmId, message: "the disk copier cannot copy changed extents (copyExtents): warm moves need it" });
    }
    return { ok: !checks.some((c) => c.severity === "error"), vmId: request.vmId, checks, definition, mapped };
  }

  function moveVm(request: MoveRequest): MoveTask {
    const requestId = request.requestId ?? crypto.randomUUID();
    const existing = tasks.get(requestId);
    if (existing) return existing;
    if (request.mode !== undefined && request.mode !== "cold" && request.mode !== "warm") throw new VmshiftError("INVALID_ARGUMENT", `mode must be cold or warm, not ${String(request.mode)}`, { operation: "move.start", subject: request.vmId });
    const id = `move-${requestId}`;
    const cancel = new AbortController();
    const task = new MoveTaskState(
      {
        id, vmId: request.vmId, mode: "cold", moveMode: request.mode ?? "cold", phase: "preparing", startedAt: new Date().toISOString(),
        ...(request.from.hostId ? { sourceHostId: request.from.hostId } : {}), ...(request.to.hostId ? { targetHostId: request.to.hostId } : {}),
        progress: { phase: "preparing", observedAt: new Date().toISOString() },
      },
      cancel,
    );
    tasks.set(requestId, task);
    tasks.set(id, task);
    void run(request, task, cancel.signal);
    return task;
  }

  async function run(request: MoveRequest, task: MoveTaskState, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    const ctx: SpiContext = { signal };
    const { from, to } = request;
    let reservation: Reservation | undefined;
    let stoppedAt: number | undefined;
    let stopAsked = false;
    let wasRunning = false;
    const copied: Record<string, number> = {};
    let copyMs = 0;
    const warm = request.mode === "warm";
    const passes: PassReport[] = [];
    let openPass: WarmPass | undefined;
    let warmDefinition: import("./definition.ts").VmDefinition | undefined;
    const base = { migrationId: task.id, vmId: request.vmId, mode: "cold" as const, moveMode: warm ? ("warm" as const) : ("cold" as const), ...(from.hostId ? { sourceHostId: from.hostId } : {}), ...(to.hostId ? { targetHostId: to.hostId } : {}) };
    const end = (outcome: MoveResult["outcome"], where: MoveResult["vmLocation"], error?: VmshiftError, extra: Partial<MoveResult> = {}) =>
      task.update(outcome, { ...(error ? { message: error.message } : {}) }, {
        ...base, outcome, vmLocation: where, durationMs: Date.now() - started, copiedBytes: { ...copied }, ...(copyMs > 0 ? { copyDurationMs: Math.round(copyMs) } : {}),
        ...(stoppedAt === undefined ? {} : { downtimeMs: Date.now() - stoppedAt }),
        ...(warm ? { passes: [...passes] } : {}),
        ...(error ? { error: { code: error.code, message: error.message } } : {}), ...extra,
      });
    const sourceSide = async (): Promise<MoveResult["vmLocation"]> => ({ side: "source", powerState: await from.powerState(request.vmId, { signal: new AbortController().signal }).then((p) => (p === "other" ? "unknown" : p)).catch(() => "unknown" as const), ...(from.hostId ? { hostId: from.hostId } : {}) });
    try {
      const report = await preflight(request, { signal });
      if (!report.ok) {
        const errors = report.checks.filter((c) => c.severity === "error");
        throw new VmshiftError("INCOMPATIBLE", `preflight: ${errors.map((c) => c.message).join("; ")}`, { adapter: "move", operation: "move.preflight", subject: request.vmId, retryable: false, details: { checks: report.checks } });
      }
      wasRunning = report.definition.powerState === "running";
      throwIfAborted(signal);
      const total = report.mapped.disks.reduce((n, d) => n + d.sizeBytes, 0);
      task.update("requested", { totalBytes: total, message: `reserving ${report.mapped.disks.length} volume(s) and defining ${report.mapped.targetName} on the target` });
      reservation = await to.reserve(report.mapped, ctx);
      throwIfAborted(signal);
      if (warm) {
        warmDefinition = report.definition;
        const w: WarmCopy = {
          source: from.warm!, copier, definition: report.definition, disks: report.mapped.disks, volumes: reservation.volumes, moveId: task.id, ctx, copied,
          onOpen: (p) => (openPass = p),
          onPass: (p) => passes.push(p),
          onProgress: (p) => {
            const phase = p.kind === "final" ? "finalizing" : "transferring";
            task.update(phase, { iteration: p.pass, totalBytes: p.totalBytes, transferredBytes: p.bytes, remainingBytes: Math.max(0, p.totalBytes - p.bytes), percent: p.totalBytes === 0 ? 100 : Math.min(100, (100 * p.bytes) / p.totalBytes), message: p.message });
          },
        };
        task.update("transferring", { iteration: 1, totalBytes: total, transferredBytes: 0, percent: 0, message: "pass 1 (full) while the source runs" });
        const running = await copyWhileRunning(w, request.warm);
        throwIfAborted(signal);
        task.update("finalizing", { iteration: passes.length + 1, message: "stopping the source for the final delta" });
        stopAsked = true;
        await from.stop(request.vmId, { shutdownTimeoutMs: request.shutdownTimeoutMs ?? 30_000 }, ctx);
        stoppedAt = Date.now();
        const last = await runPass({ ...w, ctx: { signal: new AbortController().signal } }, passes.length + 1, running.checkpoint, true);
        const { checkpoint: _final, ...lastReport } = last;
        passes.push(lastReport);
        copyMs = passes.reduce((n, p) => n + p.durationMs, 0);
        task.update("finalizing", { iteration: last.pass, totalBytes: total, transferredBytes: total, percent: 100, message: `starting ${report.mapped.targetName} on the target` });
        try {
          await to.start(reservation, { signal: new AbortController().signal });
        } catch (error) {
          throw asError(error, "move.cutover", `the target could not start ${report.mapped.targetName}`);
        }
        const downtimeMs = Date.now() - stoppedAt;
        // The target runs: the source's cleanup (checkpoints, a VM brought up paused) is off the downtime; a failure there is a warning.
        const cleanup = await from.warm!.finish(report.definition, { moveId: task.id }, { signal: new AbortController().signal }).then(() => undefined, (e: unknown) => (e as Error).message);
        end("completed", { side: "target", powerState: "running", ...(to.hostId ? { hostId: to.hostId } : {}) }, undefined, { targetVmId: reservation.vmId, downtimeMs, ...(cleanup ? { warnings: [`source cleanup after cutover: ${cleanup}`] } : {}) });
        return;
      }
      task.update("transferring", { totalBytes: total, transferredBytes: 0, percent: 0, message: wasRunning ? "stopping the source" : "source already stopped" });
      if (wasRunning) {
        stopAsked = true;
        await from.stop(request.vmId, { shutdownTimeoutMs: request.shutdownTimeoutMs ?? 30_000 }, ctx);
        stoppedAt = Date.now();
      }
      let done = 0;
      const t0 = Date.now();
      for (const disk of report.mapped.disks) {
        throwIfAborted(signal);
        const volume = reservation.volumes.find((v) => v.diskKey === disk.key);
        if (!volume) throw new VmshiftError("INTERNAL", `the target reserved no volume for disk ${disk.key}`, { operation: "move.transfer" });
        const reader = await from.openDisk(report.definition, disk, ctx);
        const c0 = performance.now();
        try {
          const write = to.writeDisk ? to.writeDisk.bind(to) : copier.copy.bind(copier);
          await write(reader, volume, {
            signal,
            onProgress: (p) => {
              copied[disk.key] = p.copiedBytes;
              const sent = done + p.copiedBytes;
              const secs = (Date.now() - t0) / 1000;
              task.update("transferring", { totalBytes: total, transferredBytes: sent, remainingBytes: total - sent, percent: total === 0 ? 100 : Math.min(100, (100 * sent) / total), ...(secs > 0 ? { bandwidthBytesPerSecond: Math.round(sent / secs) } : {}), message: `copying disk ${disk.key}` });
            },
          });
        } finally {
          copyMs += performance.now() - c0;
          await reader.close();
        }
        copied[disk.key] = volume.sizeBytes;
        done += volume.sizeBytes;
      }
      throwIfAborted(signal);
      task.update("finalizing", { totalBytes: total, transferredBytes: done, percent: 100, message: `starting ${report.mapped.targetName} on the target` });
      try {
        await to.start(reservation, { signal: new AbortController().signal });
      } catch (error) {
        throw asError(error, "move.cutover", `the target could not start ${report.mapped.targetName}`);
      }
      end("completed", { side: "target", powerState: "running", ...(to.hostId ? { hostId: to.hostId } : {}) }, undefined, { targetVmId: reservation.vmId });
    } catch (error) {
      const cancelled = signal.aborted;
      const err = cancelled ? new VmshiftError("ABORTED", "move cancelled before cutover", { operation: "move.cancel", subject: request.vmId }) : asError(error, "move", "move failed");
      const quiet = { signal: new AbortController().signal };
      const problems: string[] = [];
      if (openPass) await openPass.close().catch((e: unknown) => problems.push(`ending the source's export failed: ${(e as Error).message}`));
      if (warm && warmDefinition && from.warm) await from.warm.finish(warmDefinition, { moveId: task.id }, quiet).catch((e: unknown) => problems.push(`source cleanup failed: ${(e as Error).message}`));
      if (reservation) await to.remove(reservation, quiet).catch((e: unknown) => problems.push(`target cleanup failed: ${(e as Error).message}`));
      // Also when the stop itself was interrupted: the source may be down already (start is a no-op on a running VM).
      if (wasRunning && stopAsked && request.restartSourceOnFailure !== false) {
        await from.start(request.vmId, quiet).catch((e: unknown) => problems.push(`restarting the source failed: ${(e as Error).message}`));
      }
      const where = await sourceSide();
      const partial = problems.length > 0 || (wasRunning && where.powerState !== "running" && request.restartSourceOnFailure !== false);
      const final = partial
        ? new VmshiftError("MIGRATION_PARTIAL", `${err.message}; ${problems.join("; ") || `the source is ${where.powerState}`}: manual action is needed`, { operation: "move", subject: request.vmId, cause: err })
        : err;
      end(cancelled ? "cancelled" : "failed", where, final);
    }
  }

  return {
    preflight,
    moveVm,
    find: (id) => tasks.get(id),
  };
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new VmshiftError("ABORTED", "move cancelled", { operation: "move.cancel" });
}

function asError(error: unknown, operation: string, message: string): VmshiftError {
  if (isVmshiftError(error)) return error;
  return new VmshiftError("MIGRATION_FAILED", `${message}: ${(error as Error)?.message ?? String(error)}`, { operation, cause: error, retryable: false });
}
