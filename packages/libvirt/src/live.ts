/**
 * Live migrations: `virsh migrate --live --p2p …` runs in a child process; progress, cancel and
 * the post-copy switch go through separate virsh calls against the source (domjobinfo,
 * domjobabort, migrate-postcopy). After a process restart the job is found again on the source
 * by the connection + domain carried in the migration id.
 */
import {
  type MigrationProgress, type MigrationResult, type MigrationSnapshot, type NormalizedMigrationRequest, type OperationContext, type VmLocation, VmshiftError,
} from "@vmshift/core";
import type { VirshArg } from "./argv.ts";
import type { LibvirtMigrationDefaults } from "./config.ts";
import { virshError } from "./errors.ts";
import { type MigrationRef, encodeMigrationId } from "./migration-id.ts";
import { isStalled, progressFromJob } from "./progress.ts";
import { type Placement, locateRunning, stateOn } from "./resources/domains.ts";
import { type JobStats, jobNumber, parseJobStats, powerStateOf } from "./resources/parse.ts";
import { type Virsh, dom } from "./resources/virsh.ts";
import type { VirshProcess, VirshResult } from "./transport.ts";

/** What the adapter remembers about a live migration it started or attached to. */
export interface LiveRun {
  readonly ref: MigrationRef;
  readonly id: string;
  readonly vmName: string;
  proc?: VirshProcess;
  exit?: VirshResult;
  cancelRequested: boolean;
  /** Cancel asked before libvirt showed the job: abort as soon as it appears. */
  abortPending: boolean;
  readonly allowPostCopy: boolean;
  postCopySwitched: boolean;
  readonly maxDowntimeMs?: number;
  downtimeApplied: boolean;
  jobSeen: boolean;
  lastProgress?: MigrationProgress;
  terminal?: MigrationSnapshot;
}

const OP = "migration.live";
const iso = (ms: number) => new Date(ms).toISOString();

/** Builds the `migrate` arguments for a request (pure; tested). */
export function liveMigrateArgs(
  request: NormalizedMigrationRequest,
  domainUuid: string,
  target: { readonly peerUri: string; readonly migrationAddress?: string },
  port: number | undefined,
  defaults: LibvirtMigrationDefaults,
): VirshArg[] {
  const args: VirshArg[] = [{ flag: "--live" }, { flag: "--p2p" }, { flag: "--persistent" }, { flag: "--undefinesource" }, dom(domainUuid), { option: "--desturi", value: target.peerUri }];
  if (target.migrationAddress !== undefined) {
    const host = target.migrationAddress.includes(":") ? `[${target.migrationAddress}]` : target.migrationAddress;
    // Without a port the destination daemon allocates a free one from its migration port range.
    args.push({ option: "--migrateuri", value: port === undefined ? `tcp://${host}` : `tcp://${host}:${port}` });
  }
  if (request.bandwidthBytesPerSecond !== undefined) args.push({ option: "--bandwidth", value: Math.max(1, Math.ceil(request.bandwidthBytesPerSecond / 1024 ** 2)) });
  if (request.allowAutoConverge) {
    args.push({ flag: "--auto-converge" });
    args.push({ option: "--auto-converge-initial", value: defaults.autoConverge?.initialPercent ?? 50 });
    args.push({ option: "--auto-converge-increment", value: defaults.autoConverge?.incrementPercent ?? 20 });
  }
  if (request.allowPostCopy) args.push({ flag: "--postcopy" });
  return args;
}

/** Live migration engine over one {@link Virsh}. */
export class LiveMigrations {
  readonly #virsh: Virsh;
  readonly #defaults: LibvirtMigrationDefaults;
  readonly #runs = new Map<string, LiveRun>();
  readonly #byRequest = new Map<string, string>();
  #nextPort = 0;

  constructor(virsh: Virsh, defaults: LibvirtMigrationDefaults) {
    this.#virsh = virsh;
    this.#defaults = defaults;
  }

  /** Starts a live migration (idempotent on requestId) and returns its first snapshot. */
  async start(request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    const known = this.#byRequest.get(request.requestId);
    if (known) return this.get(known, ctx);
    const call = { operation: OP, subject: request.vmId, ...(ctx.signal ? { signal: ctx.signal } : {}) };
    if (request.targetHostId === undefined) throw new VmshiftError("INVALID_ARGUMENT", "libvirt needs targetHostId (it has no scheduler)", { adapter: "libvirt", ...call });
    if (request.targetClusterId !== undefined) throw new VmshiftError("NOT_SUPPORTED", "libvirt has no clusters", { adapter: "libvirt", ...call });
    const target = this.#virsh.host(request.targetHostId, OP);
    // One domstate per host looked at (the domain is named by UUID): what the start needs is where it runs and in which state.
    const source = await locateRunning(this.#virsh, request.vmId, call);
    if (source.hostId === target.id) throw new VmshiftError("INVALID_ARGUMENT", `the VM already runs on ${target.id}`, { adapter: "libvirt", ...call });
    const power = powerStateOf(source.info.state, source.reason);
    if (power === "migrating") throw new VmshiftError("CONFLICT", "the VM is already migrating", { adapter: "libvirt", ...call });
    if (power !== "running") throw new VmshiftError("INVALID_STATE", `a live migration needs a running VM; it is ${power}`, { adapter: "libvirt", ...call });
    const job = await this.#job(source.hostId, source.info.uuid, call);
    if (job?.type === "unbounded" || job?.type === "bounded") throw new VmshiftError("CONFLICT", "the domain already has an active job", { adapter: "libvirt", ...call });

    const first = this.#defaults.migrationPortFirst;
    const port = first === undefined ? undefined : first + (this.#nextPort++ % (this.#defaults.migrationPortCount ?? 100));
    const args = liveMigrateArgs(request, source.info.uuid, { peerUri: target.peerUri ?? target.uri, ...(target.migrationAddress === undefined ? {} : { migrationAddress: target.migrationAddress }) }, port, this.#defaults);
    const ref: MigrationRef = { source: source.hostId, target: target.id, domain: source.info.uuid, mode: "live", startedAt: ctx.clock.now(), requestId: request.requestId };
    const id = encodeMigrationId(ref);
    const proc = this.#virsh.start(source.hostId, "migrate", args, OP);
    const run: LiveRun = {
      ref, id, vmName: source.info.name, proc, cancelRequested: false, abortPending: false, allowPostCopy: request.allowPostCopy === true, postCopySwitched: false,
      ...(request.maxDowntimeMs === undefined ? {} : { maxDowntimeMs: request.maxDowntimeMs }), downtimeApplied: false, jobSeen: false,
    };
    void proc.done.then((r) => (run.exit = r));
    this.#runs.set(id, run);
    this.#byRequest.set(request.requestId, id);
    ctx.logger.log("info", "libvirt live migration started", { migrationId: id, source: source.hostId, target: target.id, domain: source.info.name });
    // Answer once libvirt shows the job (or the child ended, or the wait ran out). If this read
    // fails, the start throws; a retry with the same requestId finds this migration.
    const until = ctx.clock.now() + (this.#defaults.startWaitMs ?? 5000);
    while (!run.exit && ctx.clock.now() < until) {
      const stats = await this.#job(source.hostId, source.info.uuid, call).catch((error: unknown) => {
        if (error instanceof VmshiftError && (error.code === "INVALID_STATE" || error.code === "NOT_FOUND")) return undefined;
        throw error;
      });
      if (stats?.type === "unbounded") return this.get(id, ctx);
      await ctx.clock.sleep(150, ctx.signal);
    }
    if (run.exit) return this.get(id, ctx);
    return this.#snapshot(run, "requested", { phase: "requested", message: "virsh migrate started", observedAt: iso(ctx.clock.now()) });
  }

  /** Remembers (or finds) a run for an id decoded after a restart. */
  adopt(ref: MigrationRef, id: string): LiveRun {
    let run = this.#runs.get(id);
    if (!run) {
      run = { ref, id, vmName: ref.domain, cancelRequested: false, abortPending: false, allowPostCopy: false, postCopySwitched: false, downtimeApplied: true, jobSeen: false };
      this.#runs.set(id, run);
    }
    return run;
  }

  /** The current snapshot. */
  async get(id: string, ctx: OperationContext, ref?: MigrationRef): Promise<MigrationSnapshot> {
    const run = this.#runs.get(id) ?? (ref ? this.adopt(ref, id) : undefined);
    if (!run) throw new VmshiftError("NOT_FOUND", "unknown migration", { adapter: "libvirt", operation: "migration.get", subject: id });
    if (run.terminal) return run.terminal;
    const call = { operation: "migration.get", subject: id, ...(ctx.signal ? { signal: ctx.signal } : {}) };
    const now = iso(ctx.clock.now());
    if (run.exit) return this.#finish(run, run.exit, ctx);

    let stats: JobStats | undefined;
    try {
      stats = await this.#job(run.ref.source, run.ref.domain, call);
    } catch (error) {
      if (!(error instanceof VmshiftError) || (error.code !== "INVALID_STATE" && error.code !== "NOT_FOUND")) throw error;
      // Source paused for switch-over/post-copy ("domain is not running"), or already gone.
      if (run.exit) return this.#finish(run, run.exit, ctx);
      if (!run.proc) return this.#inspect(run, ctx);
      return this.#snapshot(run, "finalizing", { ...(run.lastProgress ?? {}), phase: "finalizing", message: run.postCopySwitched ? "post-copy: running on the target, pulling the remaining pages" : "switching over", observedAt: now });
    }
    if (run.exit) return this.#finish(run, run.exit, ctx);
    if (stats && (stats.type === "unbounded" || stats.type === "bounded")) {
      run.jobSeen = true;
      if (run.abortPending) {
        run.abortPending = false;
        await this.#virsh.run(run.ref.source, "domjobabort", [dom(run.ref.domain)], call);
      }
      await this.#applyDowntime(run, call);
      let message: string | undefined = run.cancelRequested ? "cancelling" : undefined;
      if (!run.cancelRequested && run.allowPostCopy && !run.postCopySwitched && isStalled(stats, { ...this.#defaults.postCopyAfter, ...(run.maxDowntimeMs === undefined ? {} : { maxDowntimeMs: run.maxDowntimeMs }) })) {
        await this.#virsh.run(run.ref.source, "migrate-postcopy", [dom(run.ref.domain)], call);
        run.postCopySwitched = true;
        message = `pre-copy stopped converging after ${jobNumber(stats, "memory_iteration")} rounds: switched to post-copy`;
        ctx.logger.log("info", "libvirt migration switched to post-copy", { migrationId: id });
      }
      const phase = run.postCopySwitched ? "finalizing" : "transferring";
      run.lastProgress = progressFromJob(stats, phase, now, message);
      return this.#snapshot(run, phase, run.lastProgress);
    }
    if (!run.proc) return this.#inspect(run, ctx);
    // The child runs but the job is not (or no longer) visible: starting, or ending right now.
    const phase = run.jobSeen ? "finalizing" : "requested";
    return this.#snapshot(run, phase, { ...(run.lastProgress ?? {}), phase, ...(run.cancelRequested ? { message: "cancelling" } : {}), observedAt: now });
  }

  /** Asks libvirt to abort the job (`domjobabort`); the caller then follows to a terminal phase. */
  async cancel(id: string, ctx: OperationContext, ref: MigrationRef): Promise<void> {
    const run = this.#runs.get(id) ?? this.adopt(ref, id);
    if (run.terminal) return;
    if (run.postCopySwitched) throw new VmshiftError("INVALID_STATE", "the migration is in post-copy: the guest already runs on the target and cannot be pulled back", { adapter: "libvirt", operation: "migration.cancel", subject: id });
    run.cancelRequested = true;
    try {
      await this.#virsh.run(run.ref.source, "domjobabort", [dom(run.ref.domain)], { operation: "migration.cancel", subject: id, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    } catch (error) {
      // No job yet (still starting) or already over: abort when it appears; the follow-up decides the outcome.
      if (!(error instanceof VmshiftError) || (error.code !== "INVALID_STATE" && error.code !== "NOT_FOUND")) throw error;
      if (!run.exit && !run.jobSeen) run.abortPending = true;
    }
  }

  async #applyDowntime(run: LiveRun, call: { operation: string; subject: string }): Promise<void> {
    if (run.downtimeApplied || run.maxDowntimeMs === undefined) return;
    run.downtimeApplied = true;
    await this.#virsh.run(run.ref.source, "migrate-setmaxdowntime", [dom(run.ref.domain), { option: "--downtime", value: Math.max(1, Math.round(run.maxDowntimeMs)) }], call);
  }

  async #job(hostId: string, domain: string, call: { operation: string; subject?: string }): Promise<JobStats | undefined> {
    const out = await this.#virsh.run(hostId, "domjobinfo", [dom(domain), { flag: "--rawstats" }], call);
    return parseJobStats(out);
  }

  /** The child virsh ended: decide the outcome, and where the VM is. */
  async #finish(run: LiveRun, exit: VirshResult, ctx: OperationContext): Promise<MigrationSnapshot> {
    const call = { operation: "migration.get", subject: run.id };
    const now = iso(ctx.clock.now());
    if (exit.code === 0) return this.#completed(run, ctx);
    const error = virshError(exit, { operation: OP, subject: run.id, command: "migrate" });
    const onSource = await this.#placement(run.ref.source, run.ref.domain, call);
    const sourcePower = onSource ? powerStateOf(onSource.info.state, onSource.reason) : undefined;
    if (sourcePower === "migrating" || (sourcePower === "paused" && !run.postCopySwitched)) {
      // libvirt is still resuming the source after the abort/failure: keep following.
      return this.#snapshot(run, "transferring", { ...(run.lastProgress ?? {}), phase: "transferring", message: "waiting for the source to resume", observedAt: now });
    }
    let location: VmLocation;
    if (sourcePower !== undefined && sourcePower !== "stopped") location = { hostId: run.ref.source, side: "source", powerState: sourcePower };
    else {
      const onTarget = await this.#placement(run.ref.target, run.ref.domain, call);
      location = onTarget ? { hostId: run.ref.target, side: "target", powerState: powerStateOf(onTarget.info.state, onTarget.reason) }
        : sourcePower === "stopped" ? { hostId: run.ref.source, side: "source", powerState: "stopped" } : { side: "unknown", powerState: "unknown" };
    }
    const cancelled = error.code === "ABORTED" || run.cancelRequested;
    return this.#end(run, cancelled ? "cancelled" : "failed", location, ctx, { code: cancelled ? "ABORTED" : error.code === "TRANSPORT" ? "MIGRATION_FAILED" : error.code, message: error.reason });
  }

  /** Attached without a child process and no active job: look at both hosts. */
  async #inspect(run: LiveRun, ctx: OperationContext): Promise<MigrationSnapshot> {
    const call = { operation: "migration.get", subject: run.id };
    const onTarget = await this.#placement(run.ref.target, run.ref.domain, call);
    if (onTarget && powerStateOf(onTarget.info.state, onTarget.reason) === "running") return this.#completed(run, ctx);
    const onSource = await this.#placement(run.ref.source, run.ref.domain, call);
    const power = onSource ? powerStateOf(onSource.info.state, onSource.reason) : undefined;
    if (power === "migrating") {
      return this.#snapshot(run, "finalizing", { ...(run.lastProgress ?? {}), phase: "finalizing", observedAt: iso(ctx.clock.now()) });
    }
    const grace = this.#defaults.attachGraceMs ?? 15_000;
    if (power === "running" && !run.jobSeen && ctx.clock.now() - run.ref.startedAt < grace) {
      // Attached right after the start: the job may simply not be visible yet.
      return this.#snapshot(run, "requested", { phase: "requested", message: "waiting for the migration job to appear on the source", observedAt: iso(ctx.clock.now()) });
    }
    let outcome: "failed" | "cancelled" = run.cancelRequested ? "cancelled" : "failed";
    let message = "the migration ended without moving the VM";
    if (onSource) {
      const last = await this.#virsh.run(run.ref.source, "domjobinfo", [dom(run.ref.domain), { flag: "--completed" }, { flag: "--anystats" }, { flag: "--keep-completed" }, { flag: "--rawstats" }], call).then(parseJobStats, () => undefined);
      if (last?.type === "cancelled") outcome = "cancelled";
      const errmsg = last?.fields.errmsg;
      if (typeof errmsg === "string") message = errmsg;
    }
    const location: VmLocation = onSource ? { hostId: run.ref.source, side: "source", powerState: power ?? "unknown" }
      : onTarget ? { hostId: run.ref.target, side: "target", powerState: powerStateOf(onTarget.info.state, onTarget.reason) } : { side: "unknown", powerState: "unknown" };
    return this.#end(run, outcome, location, ctx, { code: outcome === "cancelled" ? "ABORTED" : "MIGRATION_FAILED", message });
  }

  /** The domain's state on one host (one `domstate --reason`); undefined when it is not there. */
  async #placement(hostId: string, domain: string, call: { operation: string; subject: string }): Promise<Placement | undefined> {
    const state = await stateOn(this.#virsh, hostId, domain, call);
    return state ? { hostId, info: { name: domain, uuid: domain, state: state.state }, ...(state.reason === undefined ? {} : { reason: state.reason }) } : undefined;
  }

  async #completed(run: LiveRun, ctx: OperationContext): Promise<MigrationSnapshot> {
    const call = { operation: "migration.get", subject: run.id };
    const onTarget = await this.#placement(run.ref.target, run.ref.domain, call);
    const stats = await this.#virsh.run(run.ref.target, "domjobinfo", [dom(run.ref.domain), { flag: "--completed" }, { flag: "--keep-completed" }, { flag: "--rawstats" }], call).then(parseJobStats, () => undefined);
    const downtime = stats?.type === "completed" ? jobNumber(stats, "downtime") : undefined;
    const location: VmLocation = onTarget ? { hostId: run.ref.target, side: "target", powerState: powerStateOf(onTarget.info.state, onTarget.reason) } : { side: "unknown", powerState: "unknown" };
    return this.#end(run, "completed", location, ctx, undefined, downtime, stats);
  }

  #end(run: LiveRun, outcome: MigrationResult["outcome"], vmLocation: VmLocation, ctx: OperationContext, error?: { code: string; message: string }, downtimeMs?: number, stats?: JobStats): MigrationSnapshot {
    const endedAt = ctx.clock.now();
    const result: MigrationResult = {
      migrationId: run.id, vmId: run.ref.domain, mode: "live", outcome, vmLocation,
      sourceHostId: run.ref.source, targetHostId: run.ref.target,
      durationMs: Math.max(0, endedAt - run.ref.startedAt),
      ...(downtimeMs === undefined ? {} : { downtimeMs }),
      ...(error ? { error } : {}),
    };
    const base = stats && outcome === "completed" ? progressFromJob(stats, "completed", iso(endedAt)) : { ...(run.lastProgress ?? {}), phase: outcome, observedAt: iso(endedAt) };
    const progress: MigrationProgress = { ...base, phase: outcome, ...(outcome === "completed" ? { percent: 100, remainingBytes: 0 } : {}), ...(error ? { message: error.message } : {}) };
    const snap: MigrationSnapshot = { ...this.#snapshot(run, outcome, progress), endedAt: iso(endedAt), result };
    run.terminal = snap;
    return snap;
  }

  #snapshot(run: LiveRun, phase: MigrationSnapshot["phase"], progress: MigrationProgress): MigrationSnapshot {
    return { id: run.id, vmId: run.ref.domain, mode: "live", phase, sourceHostId: run.ref.source, targetHostId: run.ref.target, progress: { ...progress, phase }, startedAt: iso(run.ref.startedAt) };
  }
}
