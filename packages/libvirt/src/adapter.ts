/**
 * The libvirt adapter: each configured connection (URI) is a host; domains are VMs, identified
 * by UUID (stable across hosts). virsh runs as a subprocess through an injectable runner.
 */
import type { Host, HypervisorAdapter, MigrationLimits, OperationContext, Page, ProbeResult, Vm } from "@vmshift/core";
import { VmshiftError } from "@vmshift/core";
import { LIBVIRT_CAPABILITIES } from "./capabilities.ts";
import { ColdMigrations } from "./cold.ts";
import { type LibvirtHostConfig, type LibvirtMigrationDefaults, validateHosts } from "./config.ts";
import { LiveMigrations } from "./live.ts";
import { decodeMigrationId } from "./migration-id.ts";
import { preflightChecks } from "./preflight.ts";
import { domainOn, listOn, locate, disksOf, toVm } from "./resources/domains.ts";
import { parseKeyValue, parseNodeinfo, parseNodememstats } from "./resources/parse.ts";
import { Virsh, type VirshRetry } from "./resources/virsh.ts";
import { type VirshRunner, spawnVirshRunner } from "./transport.ts";

/** Options of {@link createLibvirtAdapter}. */
export interface LibvirtAdapterOptions {
  /** The libvirt connections; each is a host. */
  readonly hosts: readonly LibvirtHostConfig[];
  /** How virsh runs. Default: {@link spawnVirshRunner} (virsh from PATH). */
  readonly runner?: VirshRunner;
  readonly defaults?: LibvirtMigrationDefaults;
  /** Retries of idempotent virsh commands on transient faults (connection reset, state lock). Default 2 retries, 200 ms doubling, system clock. */
  readonly retry?: VirshRetry;
}

const LIMITS: MigrationLimits = {
  perSourceHost: 1,
  perTargetHost: 1,
  source: "libvirt runs one migration job per domain; QEMU migrations share the host's bandwidth, so vmshift defaults to one per host",
};

/** Creates the adapter. Throws `INVALID_ARGUMENT` for a bad host list (nothing is contacted). */
export function createLibvirtAdapter(options: LibvirtAdapterOptions): HypervisorAdapter {
  validateHosts(options.hosts);
  const virsh = new Virsh(options.runner ?? spawnVirshRunner(), options.hosts, options.retry);
  const defaults = options.defaults ?? {};
  const live = new LiveMigrations(virsh, defaults);
  const cold = new ColdMigrations(virsh, defaults);
  const call = (operation: string, ctx: OperationContext, subject?: string) => ({ operation, ...(subject === undefined ? {} : { subject }), ...(ctx.signal ? { signal: ctx.signal } : {}) });

  return {
    name: "libvirt",
    capabilities: LIBVIRT_CAPABILITIES,
    limits: LIMITS,

    async probe(ctx): Promise<ProbeResult> {
      const notes: string[] = [];
      let server: string | undefined;
      for (const host of virsh.hosts()) {
        const kv = parseKeyValue(await virsh.run(host.id, "version", [], call("probe", ctx, host.id)));
        const hv = kv.get("Running hypervisor");
        server ??= `libvirt ${kv.get("Using library")?.replace(/^libvirt\s*/, "") ?? "?"}${hv ? `, ${hv}` : ""}`;
        notes.push(`${host.id}: ${hv ?? "hypervisor unknown"}, ${kv.get("Using library") ?? "library unknown"}`);
      }
      return { ...(server ? { server } : {}), notes };
    },

    async listVms(opts, ctx): Promise<Page<Vm>> {
      const byUuid = new Map<string, Vm>();
      const warnings: string[] = [];
      for (const host of virsh.hosts()) {
        let domains: { uuid: string; name: string }[];
        try {
          domains = await listOn(virsh, host.id, call("vm.list", ctx, host.id));
        } catch (error) {
          if (!(error instanceof VmshiftError) || error.code !== "TRANSPORT") throw error;
          warnings.push(`host ${host.id} is unreachable; its VMs are missing from this listing: ${error.reason}`);
          continue;
        }
        for (const d of domains) {
          const p = await domainOn(virsh, host.id, d.uuid, call("vm.list", ctx, d.uuid));
          if (!p) continue;
          const vm = toVm(p);
          const prev = byUuid.get(vm.id);
          if (!prev || (prev.powerState !== "running" && vm.powerState === "running")) byUuid.set(vm.id, vm);
        }
      }
      const all = [...byUuid.values()].filter((vm) => opts.hostId === undefined || vm.hostId === opts.hostId).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      const offset = opts.cursor === undefined ? 0 : Number(opts.cursor);
      if (!Number.isSafeInteger(offset) || offset < 0) throw new VmshiftError("INVALID_ARGUMENT", "cursor is not one this adapter issued", { adapter: "libvirt", operation: "vm.list" });
      const size = Math.min(opts.pageSize ?? 100, 500);
      const items = all.slice(offset, offset + size);
      return { items, ...(offset + size < all.length ? { nextCursor: String(offset + size) } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
    },

    async getVm(vmId, ctx): Promise<Vm> {
      const p = await locate(virsh, vmId, call("vm.get", ctx, vmId));
      return toVm(p, await disksOf(virsh, p.hostId, p.info.uuid, call("vm.get", ctx, vmId)));
    },

    async listHosts(opts, ctx): Promise<Page<Host>> {
      if (opts.clusterId !== undefined) return { items: [] };
      const items: Host[] = [];
      for (const host of virsh.hosts()) {
        const c = call("host.list", ctx, host.id);
        try {
          const node = parseNodeinfo(await virsh.run(host.id, "nodeinfo", [], c));
          const mem = parseNodememstats(await virsh.run(host.id, "nodememstats", [], c));
          items.push({
            id: host.id, name: host.name ?? host.id, connectionState: "connected", maintenance: false, schedulable: true,
            ...(node.cpus === undefined ? {} : { cpuCores: node.cpus }),
            ...(mem.totalBytes ?? node.memoryBytes) === undefined ? {} : { memoryBytes: (mem.totalBytes ?? node.memoryBytes)! },
            ...(mem.freeBytes === undefined ? {} : { freeMemoryBytes: mem.freeBytes }),
            maxConcurrentMigrations: 1,
            labels: { ...host.labels, ...(node.cpuModel ? { "libvirt.cpuModel": node.cpuModel } : {}) },
          });
        } catch (error) {
          if (!(error instanceof VmshiftError) || error.code !== "TRANSPORT") throw error;
          items.push({ id: host.id, name: host.name ?? host.id, connectionState: "disconnected", maintenance: false, schedulable: false, labels: { ...host.labels, "libvirt.error": error.reason } });
        }
      }
      return { items };
    },

    preflight: (request, ctx) => preflightChecks(virsh, request, ctx),

    startMigration: (request, ctx) => (request.mode === "cold" ? cold.start(request, ctx) : live.start(request, ctx)),

    async getMigration(migrationId, ctx) {
      const ref = decodeMigrationId(migrationId);
      virsh.host(ref.source, "migration.get");
      virsh.host(ref.target, "migration.get");
      return ref.mode === "cold" ? cold.get(migrationId, ctx, ref) : live.get(migrationId, ctx, ref);
    },

    async cancelMigration(migrationId, ctx) {
      const ref = decodeMigrationId(migrationId);
      await (ref.mode === "cold" ? cold.cancel(migrationId, ctx, ref) : live.cancel(migrationId, ctx, ref));
    },

    async attachMigration(migrationId, ctx) {
      const ref = decodeMigrationId(migrationId);
      virsh.host(ref.source, "migration.attach");
      virsh.host(ref.target, "migration.attach");
      return ref.mode === "cold" ? cold.get(migrationId, ctx, ref) : live.get(migrationId, ctx, ref);
    },
  };
}
