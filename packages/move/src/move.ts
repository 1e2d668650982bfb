/**
 * `moveVm`: a VM from one platform's source to another's target, cold or warm. Preparation reads
 * and checks (nothing written); request reserves on the target; transfer copies every disk (cold:
 * after stopping the source; warm: while it runs, a full pass then delta passes, warm.ts); cutover
 * (`finalizing`) stops the source (warm: and copies the last delta) and starts the target. A
 * failure or cancel before the target runs removes what the target holds and leaves (or starts
 * again) the source as it was.
 */
import { VmshiftError, isVmshiftError, pause } from "@vmshift/core";
import { recordedConversion, recordedOptions, withRecordedOptions } from "./attach-options.ts";
import type { MovePreflight } from "./checks.ts";
import { qemuImgCopier } from "./copy.ts";
import { type ConvertOptions, type GuestConverter, conversionChecks, withConversion } from "./convert.ts";
import { virtV2vInPlace } from "./convert-virt-v2v.ts";
import type { DiskDefinition, VmDefinition } from "./definition.ts";
import { type Journaling, type MoveRecord, MOVE_RECORD_VERSION, type RecordedOptions, attachDecision } from "./journal.ts";
import { type LeaseOptions, MoveLease, isLeaseLive, leaseSettings, liveLeaseError } from "./lease.ts";
import type { Removable } from "./removal.ts";
import { type MappedDefinition, type NameMap, type StorageMap, applyMaps } from "./mapping.ts";
import type { DiskCopier, MoveSource, MoveTarget, Reservation, SpiContext, WarmPass } from "./spi.ts";
import { type MoveResult, type MoveTask, MoveTaskState } from "./task.ts";
import { type TargetAccepts, definitionChecks, mappingChecks } from "./validate.ts";
import { type PassReport, type WarmCopy, type WarmOptions, copyWhileRunning, runPass } from "./warm.ts";

/** What a caller asks for. */
export interface MoveRequest {
  /** The source the VM is on (e.g. `libvirtMoveSource(…)`). */
  readonly from: MoveSource;
  /** The target it moves to (e.g. `kubevirtMoveTarget(…)`). */
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
  /**
   * Idempotency key: a retried `moveVm` with the same key returns the first task; in another
   * process, on a target that keeps a journal, it attaches to the move recorded there (see
   * {@link Mover.attach}). Generated when absent.
   */
  readonly requestId?: string;
  /** Only attach to the move `requestId` names (recorded on the target): `NOT_FOUND` instead of starting a new one. */
  readonly attachOnly?: boolean;
  /**
   * Attach (or a retried start) even while the move's owner still holds its lease. **Dangerous**:
   * if that process still runs, two processes write one target, or a rollback deletes what the
   * other still writes into. Only for an owner known to be gone (its host died) before its lease
   * ends; without it an attach to a live lease is `CONFLICT` (lease.ts).
   */
  readonly force?: boolean;
  /**
   * When to cut over. Cold: the source is stopped at this time (the move waits in `requested`,
   * cancellable, with the volumes reserved). Warm: delta passes go on while the source runs until
   * this time, then the cutover. A time in the past is `INVALID_ARGUMENT`. Default: as soon as possible.
   */
  readonly cutoverAt?: Date | string;
  /**
   * After the target runs and reports healthy (running, read back from the target), remove the
   * source VM's definition (libvirt: the domain is undefined with its NVRAM and snapshot/checkpoint
   * metadata; **its disks are kept**). Default false: the source is kept, powered off. The source
   * must offer removal (`Removable`), else `NOT_SUPPORTED` before anything starts.
   */
  readonly removeSource?: boolean;
  /**
   * Guest conversion at cutover (driver injection with virt-v2v-in-place, after the last disk
   * bytes and before the target starts; convert.ts). Default `{ mode: "auto" }`: vSphere, Hyper-V
   * and Nutanix guests that are Windows or boot from a non-virtio disk; never libvirt guests. A
   * failed conversion rolls back like a target that cannot start.
   */
  readonly convert?: ConvertOptions;
}

/** Options of {@link createMover}. */
export interface MoverOptions {
  /** Copies disk bytes. Default: `qemu-img convert`. */
  readonly copier?: DiskCopier;
  /** Heartbeat and lease of the moves this mover runs on journaling targets (lease.ts). Default: a heartbeat every 5 s, a 20 s lease. */
  readonly lease?: LeaseOptions;
  /** Converts guests at cutover (`MoveRequest.convert`). Default: Debian's `virt-v2v-in-place`. */
  readonly converter?: GuestConverter;
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
  /**
   * Attaches to move `moveId` started by another process (one that ended, e.g. killed): finds its
   * record in the target's journal and, by what the record and the platforms say, reports it
   * completed, resumes it (cold moves: the disks are copied again from the first, then cutover) or
   * rolls it back (warm moves, targets that upload whole disks); the task's first message and the
   * result's `attach` say which and why. `NOT_FOUND` when no VM on the target carries the move,
   * `NOT_SUPPORTED` when the target keeps no journal. A move of this mover is returned as is.
   * `CONFLICT`, with nothing changed, while the process that runs the move still holds its lease
   * (its heartbeat in the record is younger than the lease; lease.ts), naming it and when the lease
   * ends; `request.force` takes over anyway (dangerous). Once attached, this process is the owner.
   */
  attach(moveId: string, request: AttachRequest): Promise<MoveTask>;
}

/**
 * What {@link Mover.attach} needs: the two sides. The VM, mode and request id come from the record,
 * and so do `convert`, `removeSource`, `shutdownTimeoutMs`, `restartSourceOnFailure` and `cutoverAt`
 * when the record keeps them (attach-options.ts): set here, they must match it (else
 * `INVALID_ARGUMENT` naming both values); a record written before it kept them uses these.
 */
export type AttachRequest = Omit<MoveRequest, "vmId" | "mode" | "requestId"> & { readonly vmId?: string };

/** A target may say what it accepts. */
interface Accepting {
  readonly accepts?: TargetAccepts;
}

/** Creates a mover. */
export function createMover(options: MoverOptions = {}): Mover {
  const copier = options.copier ?? qemuImgCopier();
  const leaseTiming = leaseSettings(options.lease);
  const converter = options.converter ?? virtV2vInPlace();
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
      if (request.to.checkWarm) checks.push(...(await request.to.checkWarm({ definition: mapped }, ctx)));
      else if (request.to.writeDisk) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: request.vmId, message: `the ${request.to.platform} target writes whole disks itself (writeDisk): warm moves need extent writes` });
      if (!copier.copyExtents) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: request.vmId, message: "the disk copier cannot copy changed extents (copyExtents): warm moves need it" });
    }
    checks.push(...(await conversionChecks(request, definition, converter, ctx)));
    return { ok: !checks.some((c) => c.severity === "error"), vmId: request.vmId, checks, definition, mapped };
  }

  function moveVm(request: MoveRequest): MoveTask {
    const requestId = request.requestId ?? crypto.randomUUID();
    const existing = tasks.get(requestId);
    if (existing) return existing;
    if (request.attachOnly && request.requestId === undefined) throw new VmshiftError("INVALID_ARGUMENT", "attachOnly needs the requestId of the move to attach to", { operation: "move.attach" });
    cutoverTime(request.cutoverAt);
    if (request.removeSource && !(request.from as MoveSource & Removable).removal) throw new VmshiftError("NOT_SUPPORTED", `the ${request.from.platform} source cannot remove a VM: move without removeSource and remove it yourself`, { operation: "move.start", subject: request.vmId });
    if (request.mode !== undefined && request.mode !== "cold" && request.mode !== "warm") throw new VmshiftError("INVALID_ARGUMENT", `mode must be cold or warm, not ${String(request.mode)}`, { operation: "move.start", subject: request.vmId });
    const { task, signal } = newTask(requestId, request);
    // A retry of a move another process started (same request id) finds its record on the target and
    // attaches to it; a generated request id is new, so no target is searched for it.
    void run({ ...request, requestId }, task, signal, request.requestId === undefined ? undefined : "look up");
    return task;
  }

  async function attach(moveId: string, request: AttachRequest): Promise<MoveTask> {
    const known = tasks.get(moveId);
    if (known) return known;
    const journal = (request.to as MoveTarget & Journaling).journal;
    if (!journal) throw new VmshiftError("NOT_SUPPORTED", `the ${request.to.platform} target keeps no move journal: a move cannot be attached to after a restart`, { operation: "move.attach", subject: moveId });
    const record = await journal.find(moveId, { signal: new AbortController().signal });
    if (!record) throw new VmshiftError("NOT_FOUND", `no move ${moveId} on the ${request.to.platform} target: it never reserved anything there, or it was rolled back`, { operation: "move.attach", subject: moveId });
    if (request.vmId !== undefined && request.vmId !== record.source.vmId) throw new VmshiftError("INVALID_ARGUMENT", `move ${moveId} moves ${record.source.vmId}, not ${request.vmId}`, { operation: "move.attach", subject: moveId });
    // An option contradicting the record is refused here, before any task (run applies the record's options).
    withRecordedOptions(request, record);
    if (record.phase !== "completed" && request.force !== true && isLeaseLive(record)) throw liveLeaseError(record);
    const full: MoveRequest = { ...request, vmId: record.source.vmId, mode: record.mode, requestId: record.requestId };
    const { task, signal } = newTask(record.requestId, full, record.startedAt);
    void run(full, task, signal, record);
    return task;
  }

  function newTask(requestId: string, request: MoveRequest, startedAt = new Date().toISOString()): { task: MoveTaskState; signal: AbortSignal } {
    const id = `move-${requestId}`;
    const cancel = new AbortController();
    const task = new MoveTaskState(
      {
        id, vmId: request.vmId, mode: "cold", moveMode: request.mode ?? "cold", phase: "preparing", startedAt,
        ...(request.from.hostId ? { sourceHostId: request.from.hostId } : {}), ...(request.to.hostId ? { targetHostId: request.to.hostId } : {}),
        progress: { phase: "preparing", observedAt: new Date().toISOString() },
      },
      cancel,
    );
    tasks.set(requestId, task);
    tasks.set(id, task);
    return { task, signal: cancel.signal };
  }

  /**
   * Runs a move: a new one, or (`resumeFrom`, or a record the target's journal holds for this
   * move's id when `"look up"`) one another process started.
   */
  async function run(request: MoveRequest, task: MoveTaskState, signal: AbortSignal, resumeFrom: MoveRecord | "look up" | undefined): Promise<void> {
    const started = Date.now();
    // Guest conversion, when the move converts, runs in the target's start: after the last bytes, before it starts.
    const plainTo = request.to;
    const converting = (r: MoveRequest): MoveTarget => withConversion(plainTo, { from: r.from, ...(r.convert ? { convert: r.convert } : {}), converter, vmId: () => request.vmId, say: (message) => task.update("finalizing", { message }) });
    request = { ...request, to: converting(request) };
    const journal = (request.to as MoveTarget & Journaling).journal;
    // This run's hold on the record; losing it to another process aborts the run (no cleanup: the move is theirs).
    const lease = journal ? new MoveLease(journal, leaseTiming) : undefined;
    if (lease) signal = AbortSignal.any([signal, lease.signal]);
    const ctx: SpiContext = { signal };
    const { from } = request;
    let { to } = request;
    /** The request's options kept in the record (attach-options.ts). */
    let recorded: RecordedOptions | undefined;
    let attached: MoveResult["attach"] | undefined;
    let reservation: Reservation | undefined;
    let stoppedAt: number | undefined;
    let stopAsked = false;
    let wasRunning = false;
    const copied: Record<string, number> = {};
    let copyMs = 0;
    let warm = request.mode === "warm";
    const passes: PassReport[] = [];
    let openPass: WarmPass | undefined;
    let warmDefinition: import("./definition.ts").VmDefinition | undefined;
    let base = { migrationId: task.id, vmId: request.vmId, mode: "cold" as const, moveMode: warm ? ("warm" as const) : ("cold" as const), ...(from.hostId ? { sourceHostId: from.hostId } : {}), ...(to.hostId ? { targetHostId: to.hostId } : {}) };
    const end = (outcome: MoveResult["outcome"], where: MoveResult["vmLocation"], error?: VmshiftError, extra: Partial<MoveResult> = {}) =>
      task.update(outcome, { ...(error ? { message: error.message } : {}) }, {
        ...base, vmId: request.vmId, outcome, vmLocation: where, durationMs: Date.now() - started, copiedBytes: { ...copied }, ...(copyMs > 0 ? { copyDurationMs: Math.round(copyMs) } : {}),
        ...(stoppedAt === undefined ? {} : { downtimeMs: Date.now() - stoppedAt }),
        ...(warm ? { passes: [...passes] } : {}),
        ...(error ? { error: { code: error.code, message: error.message } } : {}), ...(attached ? { attach: attached } : {}), ...extra,
      });
    /** Writes the move's record onto the reserved VM (a no-op on targets without a journal). */
    const record = async (phase: MoveRecord["phase"]): Promise<void> => {
      if (!lease || !reservation) return;
      const now = new Date().toISOString();
      await lease.write({
        version: MOVE_RECORD_VERSION, moveId: task.id, requestId: request.requestId ?? task.id.replace(/^move-/, ""), phase, mode: warm ? "warm" : "cold",
        source: { platform: from.platform, vmId: request.vmId, ...(from.hostId ? { hostId: from.hostId } : {}) },
        sourceWasRunning: wasRunning, sourceStopAsked: stopAsked, reservation, startedAt: task.snapshot().startedAt ?? now, updatedAt: now,
        ...(recorded ? { options: recorded } : {}),
      }, { signal: new AbortController().signal }, phase === "completed");
    };
    const warnings: string[] = [];
    /** Later records are best effort: a failed write is a warning (an attach then sees the earlier phase). */
    const recordLater = (phase: MoveRecord["phase"]) =>
      record(phase).catch((e: unknown) => {
        // Another process took the move over: stop here (before a cutover), whatever the phase.
        if (lease?.lost) throw lease.lost;
        warnings.push(`recording ${phase} on the target failed: ${(e as Error).message}`);
      });
    /** Cold transfer from the stopped (or stopping) source into `reservation`, then the cutover. */
    const coldTransfer = async (definition: VmDefinition, disks: readonly (DiskDefinition & { readonly sizeBytes: number })[], targetName: string, total: number): Promise<void> => {
      await waitForCutover("requested");
      task.update("transferring", { totalBytes: total, transferredBytes: 0, percent: 0, message: wasRunning ? "stopping the source" : "source already stopped" });
      if (wasRunning) {
        stopAsked = true;
        await recordLater("transferring");
        await from.stop(request.vmId, { shutdownTimeoutMs: request.shutdownTimeoutMs ?? 30_000 }, ctx);
        stoppedAt = Date.now();
      }
      let done = 0;
      const t0 = Date.now();
      for (const disk of disks) {
        throwIfAborted(signal);
        const volume = reservation!.volumes.find((v) => v.diskKey === disk.key);
        if (!volume) throw new VmshiftError("INTERNAL", `the target reserved no volume for disk ${disk.key}`, { operation: "move.transfer" });
        const reader = await from.openDisk(definition, disk, ctx);
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
      task.update("finalizing", { totalBytes: total, transferredBytes: done, percent: 100, message: `starting ${targetName} on the target` });
      await recordLater("finalizing");
      try {
        await to.start(reservation!, { signal: new AbortController().signal });
      } catch (error) {
        throw asError(error, "move.cutover", `the target could not start ${targetName}`);
      }
      await recordLater("completed");
      const removed = await removeSourceAfter();
      end("completed", { side: "target", powerState: "running", ...(to.hostId ? { hostId: to.hostId } : {}) }, undefined, { targetVmId: reservation!.vmId, ...removed, ...(warnings.length ? { warnings: [...warnings] } : {}) });
    };
    /** Waits (cancellable) until `cutoverAt`, when the request names one. */
    const waitForCutover = async (phase: "requested" | "transferring"): Promise<void> => {
      const at = cutoverTime(request.cutoverAt, false);
      if (at === undefined || Date.now() >= at) return;
      task.update(phase, { message: `waiting for the cutover time ${new Date(at).toISOString()}` });
      await sleepUntil(at, signal);
      throwIfAborted(signal);
    };
    /** `removeSource`: once the target reports the VM running, the source's definition is removed (a failure is a warning). */
    const removeSourceAfter = async (): Promise<Partial<MoveResult>> => {
      const removal = (from as MoveSource & Removable).removal;
      if (!request.removeSource || !removal) return {};
      const quiet = { signal: new AbortController().signal };
      const state = await to.powerState(reservation!, quiet).catch(() => "other");
      if (state !== "running") {
        warnings.push(`the source was kept: the target reports ${reservation!.vmId} ${state}, not running`);
        return { sourceRemoved: false };
      }
      try {
        const what = await removal.removeVm(request.vmId, quiet);
        return { sourceRemoved: true, sourceRemovedWhat: what };
      } catch (error) {
        warnings.push(`removing the source failed (it is kept, powered off): ${(error as Error).message}`);
        return { sourceRemoved: false };
      }
    };
    const sourceSide = async (): Promise<MoveResult["vmLocation"]> => ({ side: "source", powerState: await from.powerState(request.vmId, { signal: new AbortController().signal }).then((p) => (p === "other" ? "unknown" : p)).catch(() => "unknown" as const), ...(from.hostId ? { hostId: from.hostId } : {}) });
    try {
      const found = resumeFrom === "look up" ? (journal ? await journal.find(task.id, ctx) : undefined) : resumeFrom;
      if (!found && request.attachOnly) {
        throw new VmshiftError("NOT_FOUND", journal ? `no move ${task.id} on the ${to.platform} target: it never reserved anything there, or it was rolled back` : `the ${to.platform} target keeps no move journal: a move cannot be attached to after a restart`, { operation: "move.attach", subject: task.id });
      }
      if (found && request.vmId !== found.source.vmId) {
        if (request.vmId !== "") throw new VmshiftError("INVALID_ARGUMENT", `move ${task.id} moves ${found.source.vmId}, not ${request.vmId}`, { operation: "move.attach", subject: task.id });
        request = { ...request, vmId: found.source.vmId };
      }
      if (found) {
        // The move goes on with the options it was started with (an option contradicting them: INVALID_ARGUMENT, nothing changed).
        request = withRecordedOptions(request, found);
        if (found.options?.convert) {
          request = { ...request, to: converting(request) };
          to = request.to;
        }
        recorded = found.options;
        // Refused (CONFLICT, nothing changed) while its owner's lease is live, unless forced; then this run owns the record.
        if (found.phase !== "completed") await lease?.takeOver(found, request.force === true, ctx);
        // Another process started this move: decide from its record and the platforms what is left to do.
        // Its mode is the record's, whatever this request says (a CLI --attach asks cold by default).
        warm = found.mode === "warm";
        base = { ...base, moveMode: found.mode };
        reservation = found.reservation;
        wasRunning = found.sourceWasRunning;
        stopAsked = found.sourceStopAsked;
        const targetRunning = (await to.powerState(found.reservation, ctx).catch(() => "other")) === "running";
        const decision = attachDecision(found, { targetRunning, targetUploads: to.writeDisk !== undefined });
        attached = { recordedPhase: found.phase, action: decision.action, why: decision.why };
        task.update(found.phase === "completed" ? "finalizing" : found.phase, { message: `attached to ${task.id} (recorded in ${found.phase}): ${decision.action} — ${decision.why}` });
        if (decision.action === "completed") {
          if (found.phase !== "completed") await recordLater("completed");
          end("completed", { side: "target", powerState: targetRunning ? "running" : "unknown", ...(to.hostId ? { hostId: to.hostId } : {}) }, undefined, { targetVmId: found.reservation.vmId });
          return;
        }
        const definition = await from.readDefinition(request.vmId, ctx);
        if (decision.action === "rollback") {
          if (warm) warmDefinition = definition;
          if (wasRunning && definition.powerState !== "running") stopAsked = true;
          throw new VmshiftError("MIGRATION_FAILED", `move ${task.id} was interrupted in ${found.phase} and is rolled back: ${decision.why}`, { operation: "move.attach", subject: request.vmId, retryable: true });
        }
        const disks = definition.disks.filter((d) => found.reservation.volumes.some((v) => v.diskKey === d.key)).map((d) => ({ ...d, sizeBytes: found.reservation.volumes.find((v) => v.diskKey === d.key)!.sizeBytes }));
        wasRunning = found.sourceWasRunning;
        if (definition.powerState === "running") {
          // The source runs (never stopped, or started by someone): stop it again before copying.
          wasRunning = true;
        } else if (found.sourceWasRunning) stoppedAt = Date.now();
        const total = disks.reduce((n, d) => n + d.sizeBytes, 0);
        await coldTransfer(definition, disks, found.reservation.vmId, total);
        return;
      }
      const report = await preflight(request, { signal });
      if (!report.ok) {
        const errors = report.checks.filter((c) => c.severity === "error");
        throw new VmshiftError("INCOMPATIBLE", `preflight: ${errors.map((c) => c.message).join("; ")}`, { adapter: "move", operation: "move.preflight", subject: request.vmId, retryable: false, details: { checks: report.checks } });
      }
      wasRunning = report.definition.powerState === "running";
      recorded = recordedOptions(request, recordedConversion(request, report.mapped, converter));
      throwIfAborted(signal);
      const total = report.mapped.disks.reduce((n, d) => n + d.sizeBytes, 0);
      task.update("requested", { totalBytes: total, message: `reserving ${report.mapped.disks.length} volume(s) and defining ${report.mapped.targetName} on the target` });
      reservation = await to.reserve(report.mapped, { ...ctx, mode: warm ? "warm" : "cold" });
      await record("requested");
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
        const running: { checkpoint: string } = { ...(await copyWhileRunning(w, request.warm)) };
        throwIfAborted(signal);
        for (const at = cutoverTime(request.cutoverAt, false); at !== undefined && Date.now() < at; ) {
          // Until the cutover time: more delta passes while the source runs, one every passIntervalMs (default 2 s).
          await sleepUntil(Math.min(at, Date.now() + (request.warm?.passIntervalMs ?? 2000)), signal);
          throwIfAborted(signal);
          const { checkpoint, ...delta } = await runPass(w, passes.length + 1, running.checkpoint, false);
          w.onPass?.(delta);
          running.checkpoint = checkpoint;
        }
        task.update("finalizing", { iteration: passes.length + 1, message: "stopping the source for the final delta" });
        stopAsked = true;
        await recordLater("finalizing");
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
        await recordLater("completed");
        // The target runs: the source's cleanup (checkpoints, a VM brought up paused) is off the downtime; a failure there is a warning.
        const cleanup = await from.warm!.finish(report.definition, { moveId: task.id }, { signal: new AbortController().signal }).then(() => undefined, (e: unknown) => (e as Error).message);
        const removed = await removeSourceAfter();
        end("completed", { side: "target", powerState: "running", ...(to.hostId ? { hostId: to.hostId } : {}) }, undefined, { targetVmId: reservation.vmId, downtimeMs, ...removed, ...(cleanup || warnings.length ? { warnings: [...warnings, ...(cleanup ? [`source cleanup after cutover: ${cleanup}`] : [])] } : {}) });
        return;
      }
      await coldTransfer(report.definition, report.mapped.disks, report.mapped.targetName, total);
    } catch (error) {
      const lost = lease?.lost;
      const cancelled = signal.aborted && !lost;
      const err = lost ? lost : cancelled ? new VmshiftError("ABORTED", "move cancelled before cutover", { operation: "move.cancel", subject: request.vmId }) : asError(error, "move", "move failed");
      const quiet = { signal: new AbortController().signal };
      const problems: string[] = [];
      if (openPass) await openPass.close().catch((e: unknown) => problems.push(`ending the source's export failed: ${(e as Error).message}`));
      if (!lost && warm && warmDefinition && from.warm) await from.warm.finish(warmDefinition, { moveId: task.id }, quiet).catch((e: unknown) => problems.push(`source cleanup failed: ${(e as Error).message}`));
      if (reservation && !lost) await to.remove(reservation, quiet).catch((e: unknown) => problems.push(`target cleanup failed: ${(e as Error).message}`));
      // Also when the stop itself was interrupted: the source may be down already (start is a no-op on a running VM).
      if (wasRunning && stopAsked && request.restartSourceOnFailure !== false && !lost) {
        await from.start(request.vmId, quiet).catch((e: unknown) => problems.push(`restarting the source failed: ${(e as Error).message}`));
      }
      const where = await sourceSide();
      const partial = problems.length > 0 || (!lost && wasRunning && where.powerState !== "running" && request.restartSourceOnFailure !== false);
      const final = partial
        ? new VmshiftError("MIGRATION_PARTIAL", `${err.message}; ${problems.join("; ") || `the source is ${where.powerState}`}: manual action is needed`, { operation: "move", subject: request.vmId, cause: err })
        : err;
      end(cancelled ? "cancelled" : "failed", where, final);
    } finally {
      lease?.stop();
    }
  }

  return {
    preflight,
    moveVm,
    find: (id) => tasks.get(id),
    attach,
  };
}

/**
 * `cutoverAt` as ms since the epoch; undefined when absent. A value that is no time, or (with
 * `refusePast`, at the start) a time in the past, is `INVALID_ARGUMENT`.
 */
export function cutoverTime(value: Date | string | undefined, refusePast = true): number | undefined {
  if (value === undefined) return undefined;
  const at = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(at)) throw new VmshiftError("INVALID_ARGUMENT", `cutoverAt ${String(value)} is not a time (use ISO 8601, e.g. 2026-12-07T22:00:00Z)`, { operation: "move.start" });
  if (refusePast && at < Date.now()) throw new VmshiftError("INVALID_ARGUMENT", `cutoverAt ${new Date(at).toISOString()} is in the past (now ${new Date().toISOString()})`, { operation: "move.start" });
  return at;
}

/**
 * Resolves at `at` (ms since the epoch) or when `signal` aborts, whichever comes first. Waits in
 * steps a timer can hold (setTimeout fires at once past 2^31−1 ms, about 24.8 days).
 */
async function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && Date.now() < at) await pause(Math.min(at - Date.now(), MAX_TIMER_MS), signal);
}

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new VmshiftError("ABORTED", "move cancelled", { operation: "move.cancel" });
}

function asError(error: unknown, operation: string, message: string): VmshiftError {
  if (isVmshiftError(error)) return error;
  return new VmshiftError("MIGRATION_FAILED", `${message}: ${(error as Error)?.message ?? String(error)}`, { operation, cause: error, retryable: false });
}
