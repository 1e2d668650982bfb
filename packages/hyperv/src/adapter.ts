/**
 * The Hyper-V adapter: maps the vmshift contract onto PowerShell scripts run through a
 * {@link PowerShellRunner} (node-powershell by default, local or over PowerShell remoting).
 */
import {
  type Host,
  type HypervisorAdapter,
  type ListHostsOptions,
  type ListVmsOptions,
  type MigrationSnapshot,
  type NormalizedMigrationRequest,
  type OperationContext,
  type Page,
  type PreflightCheck,
  type ProbeResult,
  type Vm,
  VmshiftError,
  isTerminalPhase,
} from "@vmshift/core";
import { HYPERV_CAPABILITIES, HYPERV_LIMITS } from "./capabilities.ts";
import { ColdMigration, orphanColdSnapshot } from "./cold.ts";
import { cancelLive, jobActive, liveSnapshot, liveStatus, startLive, uniqueHosts } from "./live.ts";
import { type MigrationRef, decodeMigrationId, encodeMigrationId } from "./migration-id.ts";
import { pageOf } from "./paging.ts";
import { coldRefusal, parsePreflight, preflightChecks } from "./preflight.ts";
import { Reader, asArray } from "./psjson.ts";
import { parseHost, toHost } from "./resources/host.ts";
import { parseVm, toVm } from "./resources/vm.ts";
import type { PowerShellRunner } from "./runner.ts";
import { SCRIPTS } from "./scripts/index.ts";

/** Options of {@link createHypervAdapter}. */
export interface HypervAdapterOptions {
  /** Runs the scripts; see `createNodePowerShellRunner`. */
  readonly runner: PowerShellRunner;
  /**
   * Hyper-V hosts to inventory and move between (names as `Get-VM -ComputerName` takes them).
   * Empty (default): the host the runner is connected to, or its failover cluster's nodes.
   */
  readonly hosts?: readonly string[];
  /** Largest page `listVms`/`listHosts` return. Default 500. */
  readonly maxPageSize?: number;
}

const DEFAULT_PAGE_SIZE = 100;

/** Creates the adapter. */
export function createHypervAdapter(options: HypervAdapterOptions): HypervisorAdapter {
  const runner = options.runner;
  const hosts = [...(options.hosts ?? [])];
  const maxPage = options.maxPageSize ?? 500;
  for (const host of hosts) {
    if (typeof host !== "string" || host.trim() === "" || /[\u0000-\u001f\u007f]/.test(host)) {
      throw new VmshiftError("INVALID_ARGUMENT", `hosts must be non-empty host names without control characters, got ${JSON.stringify(host)}`, { adapter: "hyperv", operation: "adapter.create" });
    }
  }
  if (!Number.isInteger(maxPage) || maxPage < 1) throw new VmshiftError("INVALID_ARGUMENT", `maxPageSize must be a positive integer, got ${maxPage}`, { adapter: "hyperv", operation: "adapter.create" });
  const cold = new Map<string, ColdMigration>();
  /** requestId → migration id, or the first start while it is in flight. */
  const byRequest = new Map<string, string | Promise<MigrationSnapshot>>();
  /** requestIds whose start failed in a way that may have reached the host: a retry adopts the running job. */
  const maybeStarted = new Set<string>();
  const cancelled = new Set<string>();
  const signalOf = (ctx: OperationContext) => (ctx.signal ? { signal: ctx.signal } : {});
  /** Without a host list: the endpoint's host names (and FQDNs), read once. */
  let discovered: Promise<readonly string[]> | undefined;

  async function knownHosts(ctx: OperationContext, operation: string): Promise<readonly string[]> {
    if (hosts.length > 0) return hosts;
    discovered ??= runner
      .run(SCRIPTS.listHosts, { hostList: [] }, { operation, ...signalOf(ctx) })
      .then((data) => asArray(data).flatMap((h) => {
        const host = parseHost(h);
        return host.fqdn === undefined ? [host.name] : [host.name, host.fqdn];
      }))
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  }

  /**
   * The target host as the adapter knows it, or NOT_FOUND before any script is sent: an unknown
   * (or hostile) name never reaches Move-VM, where it would fail as a retryable transport error.
   */
  async function requireKnownHost(target: string, ctx: OperationContext, operation: string, subject: string): Promise<string> {
    const known = matchKnownHost(await knownHosts(ctx, operation), target);
    if (known === undefined) {
      throw new VmshiftError("NOT_FOUND", `no Hyper-V host ${JSON.stringify(target)} among the adapter's hosts`, { adapter: "hyperv", operation, subject, details: { targetHostId: target } });
    }
    return known;
  }

  async function findVm(vmId: string, ctx: OperationContext, operation: string) {
    const data = await runner.run(SCRIPTS.getVm, { vmId, hostList: hosts }, { operation, subject: vmId, ...signalOf(ctx) });
    if (data === null) throw new VmshiftError("NOT_FOUND", "no Hyper-V VM with this id", { adapter: "hyperv", operation, subject: vmId });
    return parseVm(data);
  }

  async function snapshotOf(ref: MigrationRef, id: string, ctx: OperationContext, operation: string): Promise<MigrationSnapshot> {
    if (ref.mode === "cold") {
      const driven = cold.get(id);
      if (driven) return driven.snapshot();
      const data = await runner.run(SCRIPTS.getVm, { vmId: ref.vmId, hostList: uniqueHosts([...hosts, ref.sourceHost, ref.targetHost]) }, { operation, subject: id, ...signalOf(ctx) });
      return orphanColdSnapshot(ref, data === null ? undefined : parseVm(data), ctx.clock.now());
    }
    const { job, vm } = await liveStatus(runner, hosts, ref, operation, ctx.signal);
    return liveSnapshot(ref, job, vm, ctx.clock.now(), cancelled.has(id));
  }

  async function start(request: NormalizedMigrationRequest, ctx: OperationContext): Promise<MigrationSnapshot> {
    if (request.targetHostId === undefined) throw new VmshiftError("NOT_SUPPORTED", "Hyper-V needs a target host", { adapter: "hyperv", operation: "migration.start", subject: request.vmId });
    const target = await requireKnownHost(request.targetHostId, ctx, "migration.start", request.vmId);
    if (target !== request.targetHostId) request = { ...request, targetHostId: target };
    const now = new Date(ctx.clock.now()).toISOString();
    if (request.mode === "cold") {
      // Nothing is stopped unless the move can happen: the same checks as preflight first.
      const report = parsePreflight(
        await runner.run(SCRIPTS.preflight, { vmId: request.vmId, hostList: hosts, targetHost: target, storagePath: request.targetStorageId ?? "" }, { operation: "migration.start", subject: request.vmId, ...signalOf(ctx) }),
      );
      if (!report) throw new VmshiftError("NOT_FOUND", "no Hyper-V VM with this id", { adapter: "hyperv", operation: "migration.start", subject: request.vmId });
      const checks = preflightChecks({ report, targetHost: target, mode: "cold", remote: runner.remote, ...(request.targetStorageId === undefined ? {} : { storagePath: request.targetStorageId }) });
      const refusal = coldRefusal(checks);
      if (refusal) {
        throw new VmshiftError(refusal.code, `refused before stopping the VM: ${refusal.check.message}`, { adapter: "hyperv", operation: "migration.start", subject: request.vmId, details: { check: refusal.check.id } });
      }
      const vm = report.vm;
      const ref: MigrationRef = {
        vmId: vm.id,
        mode: "cold",
        sourceHost: vm.ownerNode ?? vm.computerName,
        targetHost: target,
        startedAt: now,
        nonce: request.requestId.slice(0, 64),
        ...(request.targetStorageId === undefined ? {} : { storagePath: request.targetStorageId }),
      };
      const running = [...cold.values()].find((m) => m.ref.vmId === vm.id && !isTerminalPhase(m.snapshot().phase));
      if (running) throw new VmshiftError("CONFLICT", `a cold migration of this VM is already running (${running.id})`, { adapter: "hyperv", operation: "migration.start", subject: request.vmId });
      const migration = new ColdMigration(runner, uniqueHosts([...hosts, ref.sourceHost, target]), request, ref, { clock: ctx.clock, logger: ctx.logger });
      cold.set(migration.id, migration);
      return migration.snapshot();
    }
    const started = await startLive(runner, hosts, request, now, ctx.signal);
    const id = encodeMigrationId(started.ref);
    // An earlier attempt with this request id (found by the script, running or finished) is this
    // start's migration; another request's running migration is a conflict.
    if (started.reused && !started.adopted && !maybeStarted.has(request.requestId)) {
      throw new VmshiftError("CONFLICT", `a migration of this VM is already running (job ${started.job?.instanceId ?? started.ref.jobId})`, { adapter: "hyperv", operation: "migration.start", subject: request.vmId, details: { migrationId: id } });
    }
    return liveSnapshot(started.ref, started.job, started.vm, ctx.clock.now(), false);
  }

  return {
    name: "hyperv",
    capabilities: HYPERV_CAPABILITIES,
    limits: HYPERV_LIMITS,

    async probe(ctx): Promise<ProbeResult> {
      const data = await runner.run(SCRIPTS.probe, {}, { operation: "probe", ...signalOf(ctx) });
      const r = new Reader(data, "probe");
      const module = r.optionalString("hyperVModule");
      const notes = [`PowerShell ${r.optionalString("psEdition") ?? ""} ${r.string("psVersion")}`.replace(/\s+/g, " "), `computer ${r.optionalString("computerName") ?? "?"}`];
      if (runner.remote) notes.push(`remoting over ${runner.remote.via} to ${runner.remote.host}`);
      return {
        server: `Hyper-V on ${r.optionalString("os") ?? "Windows"}${module ? ` (Hyper-V module ${module})` : ""}`,
        notes,
        ...(module === undefined ? { capabilities: { "migration.live": { status: "unsupported", note: "the Hyper-V PowerShell module is not installed on the endpoint" } as const, "migration.cold": { status: "unsupported", note: "the Hyper-V PowerShell module is not installed on the endpoint" } as const } } : {}),
      };
    },

    async listVms(opts: ListVmsOptions, ctx): Promise<Page<Vm>> {
      const data = await runner.run(SCRIPTS.listVms, { hostList: hosts }, { operation: "vm.list", ...signalOf(ctx) });
      let vms = asArray(data).map((v) => toVm(parseVm(v)));
      if (opts.hostId !== undefined) vms = vms.filter((v) => v.hostId?.toLowerCase() === opts.hostId!.toLowerCase());
      return pageOf(vms, opts, { defaultSize: DEFAULT_PAGE_SIZE, maxSize: maxPage, operation: "vm.list" });
    },

    async getVm(vmId, ctx): Promise<Vm> {
      return toVm(await findVm(vmId, ctx, "vm.get"));
    },

    async listHosts(opts: ListHostsOptions, ctx): Promise<Page<Host>> {
      const data = await runner.run(SCRIPTS.listHosts, { hostList: hosts }, { operation: "host.list", ...signalOf(ctx) });
      let list = asArray(data).map((h) => toHost(parseHost(h)));
      if (opts.clusterId !== undefined) list = list.filter((h) => h.clusterId === opts.clusterId);
      return pageOf(list, opts, { defaultSize: DEFAULT_PAGE_SIZE, maxSize: maxPage, operation: "host.list" });
    },

    async preflight(request, ctx): Promise<readonly PreflightCheck[]> {
      if (request.targetHostId === undefined) throw new VmshiftError("NOT_SUPPORTED", "Hyper-V needs a target host", { adapter: "hyperv", operation: "migration.preflight", subject: request.vmId });
      const target = await requireKnownHost(request.targetHostId, ctx, "migration.preflight", request.vmId);
      const data = await runner.run(
        SCRIPTS.preflight,
        { vmId: request.vmId, hostList: hosts, targetHost: target, storagePath: request.targetStorageId ?? "" },
        { operation: "migration.preflight", subject: request.vmId, ...signalOf(ctx) },
      );
      const report = parsePreflight(data);
      if (!report) throw new VmshiftError("NOT_FOUND", "no Hyper-V VM with this id", { adapter: "hyperv", operation: "migration.preflight", subject: request.vmId });
      return preflightChecks({ report, targetHost: target, mode: request.mode, remote: runner.remote, ...(request.targetStorageId === undefined ? {} : { storagePath: request.targetStorageId }) });
    },

    async startMigration(request, ctx): Promise<MigrationSnapshot> {
      const known = byRequest.get(request.requestId);
      if (typeof known === "string") return snapshotOf(decodeMigrationId(known, "migration.start"), known, ctx, "migration.start");
      if (known) return known;
      const pending = start(request, ctx);
      byRequest.set(request.requestId, pending);
      try {
        const first = await pending;
        byRequest.set(request.requestId, first.id);
        maybeStarted.delete(request.requestId);
        return first;
      } catch (error) {
        byRequest.delete(request.requestId);
        // A retryable failure (transport, timeout) may have reached the host: a retry then adopts what it started.
        if (error instanceof VmshiftError && error.retryable) maybeStarted.add(request.requestId);
        throw error;
      }
    },

    async getMigration(migrationId, ctx): Promise<MigrationSnapshot> {
      return snapshotOf(decodeMigrationId(migrationId, "migration.get"), migrationId, ctx, "migration.get");
    },

    async attachMigration(migrationId, ctx): Promise<MigrationSnapshot> {
      const ref = decodeMigrationId(migrationId, "migration.attach");
      const snapshot = await snapshotOf(ref, migrationId, ctx, "migration.attach");
      if (ref.mode === "live" && snapshot.phase === "failed" && snapshot.result?.vmLocation.side === "unknown") {
        throw new VmshiftError("NOT_FOUND", "neither the migration job nor the VM exist any more", { adapter: "hyperv", operation: "migration.attach", subject: migrationId });
      }
      return snapshot;
    },

    async cancelMigration(migrationId, ctx): Promise<void> {
      const ref = decodeMigrationId(migrationId, "migration.cancel");
      if (ref.mode === "cold") {
        throw new VmshiftError("INVALID_STATE", "a cold migration cannot be cancelled once started; it runs to its end (and restarts the VM on its source on failure)", { adapter: "hyperv", operation: "migration.cancel", subject: migrationId });
      }
      cancelled.add(migrationId);
      const { job } = await liveStatus(runner, hosts, ref, "migration.cancel", ctx.signal);
      if (job && !jobActive(job)) return;
      await cancelLive(runner, ref, ctx.signal);
    },

    async close(): Promise<void> {
      await Promise.all([...cold.values()].map((m) => m.done));
      await runner.close();
    },
  };
}

/**
 * The known host a target names: the same name in any case, or a short name for a known FQDN
 * (`hv-02` for `hv-02.lab.example`). A longer name for a known short name (`hv-02.evil.example`
 * for `hv-02`) is another host, not a match.
 */
export function matchKnownHost(known: readonly string[], target: string): string | undefined {
  const t = target.toLowerCase();
  const exact = known.find((h) => h.toLowerCase() === t);
  if (exact !== undefined) return target;
  if (t.includes(".") || t === "") return undefined;
  return known.find((h) => h.includes(".") && h.toLowerCase().split(".")[0] === t);
}
