/**
 * Cold migrations: shut the guest down (power it off after the grace period), move the
 * persistent definition with `migrate --offline --persistent --undefinesource`, start it on the
 * target. If the target start fails, the definition goes back to the source and the VM starts
 * there again (unless the caller opted out); if even that fails the result says MIGRATION_PARTIAL.
 *
 * Cancel is honoured until the start on the target begins: before the move the guest is started
 * again on the source once it is off (an ACPI shutdown in progress cannot be taken back); after
 * the move the definition comes back from the target first. Outcome `cancelled`, VM on its source.
 */
import {
  type MigrationPhase, type MigrationResult, type MigrationSnapshot, type NormalizedMigrationRequest, type OperationContext, type VmLocation, VmshiftError,
} from "@vmshift/core";
import type { LibvirtMigrationDefaults } from "./config.ts";
import { type MigrationRef, encodeMigrationId } from "./migration-id.ts";
import { domainOn, locate } from "./resources/domains.ts";
import { parseDomstate, powerStateOf } from "./resources/parse.ts";
import { type Virsh, dom } from "./resources/virsh.ts";

interface ColdRun {
  readonly ref: MigrationRef;
  readonly id: string;
  phase: MigrationPhase;
  message: string;
  cancelRequested: boolean;
  snapshot?: MigrationSnapshot;
}

const OP = "migration.cold";
const CANCELLED = { code: "ABORTED", message: "cancelled by the caller" };
const iso = (ms: number) => new Date(ms).toISOString();
const reasonOf = (error: unknown) => (error instanceof VmshiftError ? error.reason : String(error));

/** Cold migration engine. Steps run in the background; `get` reports the current step. */
export class ColdMigrations {
  readonly #virsh: Virsh;
  readonly #defaults: LibvirtMigrationDefaults;
  readonly #runs = new Map<string, ColdRun>();
  readonly #byRequest = new Map<string, string>();

  constructor(virsh: Virsh, defaults: LibvirtMigrationDefaults) {
    this.#virsh = virsh;
    this.#defaults = defaults;
  }

  async start(request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    const known = this.#byRequest.get(request.requestId);
    if (known) return this.get(known, ctx);
    const call = { operation: OP, subject: request.vmId };
    if (request.targetHostId === undefined) throw new VmshiftError("INVALID_ARGUMENT", "libvirt needs targetHostId (it has no scheduler)", { adapter: "libvirt", ...call });
    if (request.targetStorageId !== undefined) throw new VmshiftError("CAPABILITY_UNAVAILABLE", "storage copy is done by live migrations only (--copy-storage-all); move disks separately for a cold move", { adapter: "libvirt", ...call });
    const target = this.#virsh.host(request.targetHostId, OP);
    const source = await locate(this.#virsh, request.vmId, call);
    if (source.hostId === target.id) throw new VmshiftError("INVALID_ARGUMENT", `the VM is already on ${target.id}`, { adapter: "libvirt", ...call });
    if (source.info.persistent === false) throw new VmshiftError("INVALID_STATE", "a transient domain disappears when stopped: it cannot move cold (define it first)", { adapter: "libvirt", ...call });
    const clash = await domainOn(this.#virsh, target.id, source.info.uuid, call).then((p) => p ?? domainOn(this.#virsh, target.id, source.info.name, call));
    if (clash) throw new VmshiftError("CONFLICT", `a domain named ${source.info.name} already exists on ${target.id}`, { adapter: "libvirt", ...call });
    const ref: MigrationRef = { source: source.hostId, target: target.id, domain: source.info.uuid, mode: "cold", startedAt: ctx.clock.now(), requestId: request.requestId };
    const id = encodeMigrationId(ref);
    const run: ColdRun = { ref, id, phase: "preparing", message: "checks passed", cancelRequested: false };
    this.#runs.set(id, run);
    this.#byRequest.set(request.requestId, id);
    const wasRunning = powerStateOf(source.info.state, source.reason) !== "stopped";
    void this.#drive(run, request, wasRunning, ctx).catch((error: unknown) => {
      const e = error instanceof VmshiftError ? error : new VmshiftError("INTERNAL", String(error), { adapter: "libvirt", ...call });
      this.#end(run, "failed", { side: "unknown", powerState: "unknown" }, ctx, { code: e.code, message: e.reason });
    });
    return this.#snap(run, ctx);
  }

  async get(id: string, ctx: OperationContext, ref?: MigrationRef): Promise<MigrationSnapshot> {
    const run = this.#runs.get(id);
    if (run) return run.snapshot ?? this.#snap(run, ctx);
    if (!ref) throw new VmshiftError("NOT_FOUND", "unknown migration", { adapter: "libvirt", operation: "migration.get", subject: id });
    // Attached after a restart: the steps are gone with the old process; report what is observable.
    const call = { operation: "migration.get", subject: id };
    const adopted: ColdRun = { ref, id, phase: "preparing", message: "attached", cancelRequested: false };
    this.#runs.set(id, adopted);
    const onTarget = await domainOn(this.#virsh, ref.target, ref.domain, call);
    if (onTarget) return this.#end(adopted, "completed", { hostId: ref.target, side: "target", powerState: powerStateOf(onTarget.info.state, onTarget.reason) }, ctx);
    const onSource = await domainOn(this.#virsh, ref.source, ref.domain, call);
    const location: VmLocation = onSource ? { hostId: ref.source, side: "source", powerState: powerStateOf(onSource.info.state, onSource.reason) } : { side: "unknown", powerState: "unknown" };
    return this.#end(adopted, "failed", location, ctx, { code: onSource ? "MIGRATION_FAILED" : "MIGRATION_PARTIAL", message: "the cold migration was interrupted (the process that drove it ended)" });
  }

  /**
   * Asks the run to stop and put the VM back on its source. A run this process does not drive is
   * over already (`get` reports how); one that is starting on the target cannot be pulled back.
   */
  async cancel(id: string, ctx: OperationContext, ref: MigrationRef): Promise<void> {
    const run = this.#runs.get(id);
    if (!run) {
      await this.get(id, ctx, ref);
      return;
    }
    if (run.snapshot) return;
    if (run.phase === "starting") {
      throw new VmshiftError("INVALID_STATE", `the VM is already starting on ${run.ref.target}: a cold migration cannot be cancelled at this step`, { adapter: "libvirt", operation: "migration.cancel", subject: id });
    }
    run.cancelRequested = true;
  }

  async #drive(run: ColdRun, request: NormalizedMigrationRequest, wasRunning: boolean, ctx: OperationContext): Promise<void> {
    const { source, target, domain } = run.ref;
    const call = { operation: OP, subject: run.id };
    const xml = await this.#virsh.run(source, "dumpxml", [dom(domain), { flag: "--inactive" }], call);
    if (run.cancelRequested) {
      this.#end(run, "cancelled", { hostId: source, side: "source", powerState: wasRunning ? "running" : "stopped" }, ctx, CANCELLED);
      return;
    }
    let stoppedAt = ctx.clock.now();
    if (wasRunning) {
      this.#step(run, "stopping", "shutting the guest down");
      await this.#virsh.run(source, "shutdown", [dom(domain)], call).catch(() => undefined);
      const grace = request.shutdownTimeoutMs ?? this.#defaults.shutdownTimeoutMs ?? 60_000;
      const deadline = ctx.clock.now() + grace;
      while (!(await this.#isOff(source, domain, call))) {
        if (ctx.clock.now() >= deadline) {
          this.#step(run, "stopping", `guest did not shut down within ${grace} ms: powering off`);
          await this.#virsh.run(source, "destroy", [dom(domain)], call).catch((e: unknown) => {
            if (!(e instanceof VmshiftError && e.code === "INVALID_STATE")) throw e;
          });
          break;
        }
        await ctx.clock.sleep(250);
      }
      stoppedAt = ctx.clock.now();
    }
    if (run.cancelRequested) {
      await this.#putBack(run, xml, wasRunning, ctx, { restart: true, cancelled: true, reason: CANCELLED.message });
      return;
    }
    this.#step(run, "relocating", `moving the definition to ${target}`);
    const targetHost = this.#virsh.host(target, OP);
    try {
      await this.#virsh.run(source, "migrate", [{ flag: "--offline" }, { flag: "--persistent" }, { flag: "--undefinesource" }, dom(domain), { option: "--desturi", value: targetHost.peerUri ?? targetHost.uri }], call);
    } catch (error) {
      await this.#putBack(run, xml, wasRunning, ctx, { restart: request.restartOnSourceOnFailure ?? true, cancelled: run.cancelRequested, reason: reasonOf(error) });
      return;
    }
    if (run.cancelRequested) {
      await this.#putBack(run, xml, wasRunning, ctx, { restart: true, cancelled: true, reason: CANCELLED.message, fromTarget: true });
      return;
    }
    if (!wasRunning) {
      this.#end(run, "completed", { hostId: target, side: "target", powerState: "stopped" }, ctx);
      return;
    }
    this.#step(run, "starting", `starting on ${target}`);
    try {
      await this.#virsh.run(target, "start", [dom(domain)], call);
    } catch (error) {
      await this.#putBack(run, xml, wasRunning, ctx, { restart: request.restartOnSourceOnFailure ?? true, cancelled: false, reason: reasonOf(error), fromTarget: true });
      return;
    }
    this.#end(run, "completed", { hostId: target, side: "target", powerState: "running" }, ctx, undefined, ctx.clock.now() - stoppedAt);
  }

  /**
   * Puts the VM back on its source after a failed or cancelled step: its definition (undefined on
   * the target first when it got there, `fromTarget`; from the saved XML, if the source lost it)
   * and, when it was running and `restart` allows, the guest itself.
   */
  async #putBack(run: ColdRun, xml: string, wasRunning: boolean, ctx: OperationContext, how: { restart: boolean; cancelled: boolean; reason: string; fromTarget?: boolean }): Promise<void> {
    const { source, target, domain } = run.ref;
    const call = { operation: OP, subject: run.id };
    if (how.fromTarget) await this.#virsh.run(target, "undefine", [dom(domain)], call).catch(() => undefined);
    try {
      if (!(await domainOn(this.#virsh, source, domain, call))) await this.#virsh.run(source, "define", [{ inputFile: true }], { ...call, input: xml });
      if (wasRunning && how.restart) {
        this.#step(run, "starting", how.cancelled ? `cancelled; starting again on ${source}` : `target failed (${how.reason}); starting again on ${source}`);
        await this.#virsh.run(source, "start", [dom(domain)], call);
      }
    } catch (error) {
      this.#end(run, "failed", { side: "unknown", powerState: "unknown" }, ctx, { code: "MIGRATION_PARTIAL", message: `${how.reason}; restoring on the source failed too: ${reasonOf(error)}` });
      return;
    }
    const power = wasRunning && how.restart ? "running" : "stopped";
    const location: VmLocation = { hostId: source, side: "source", powerState: power };
    if (how.cancelled) this.#end(run, "cancelled", location, ctx, CANCELLED);
    else this.#end(run, "failed", location, ctx, { code: wasRunning && !how.restart ? "MIGRATION_PARTIAL" : "MIGRATION_FAILED", message: how.reason });
  }

  async #isOff(hostId: string, domain: string, call: { operation: string; subject: string }): Promise<boolean> {
    const state = parseDomstate(await this.#virsh.run(hostId, "domstate", [dom(domain)], call));
    return state.state === "shut off";
  }

  #step(run: ColdRun, phase: MigrationPhase, message: string): void {
    run.phase = phase;
    run.message = message;
  }

  #end(run: ColdRun, outcome: MigrationResult["outcome"], vmLocation: VmLocation, ctx: OperationContext, error?: { code: string; message: string }, downtimeMs?: number): MigrationSnapshot {
    const endedAt = ctx.clock.now();
    run.phase = outcome;
    run.message = error?.message ?? "done";
    const result: MigrationResult = {
      migrationId: run.id, vmId: run.ref.domain, mode: "cold", outcome, vmLocation, sourceHostId: run.ref.source, targetHostId: run.ref.target,
      durationMs: Math.max(0, endedAt - run.ref.startedAt), ...(downtimeMs === undefined ? {} : { downtimeMs }), ...(error ? { error } : {}),
    };
    run.snapshot = { ...this.#snap(run, ctx), endedAt: iso(endedAt), result };
    return run.snapshot;
  }

  #snap(run: ColdRun, ctx: OperationContext): MigrationSnapshot {
    return {
      id: run.id, vmId: run.ref.domain, mode: "cold", phase: run.phase, sourceHostId: run.ref.source, targetHostId: run.ref.target,
      progress: { phase: run.phase, message: run.message, observedAt: iso(ctx.clock.now()) }, startedAt: iso(run.ref.startedAt),
    };
  }
}
