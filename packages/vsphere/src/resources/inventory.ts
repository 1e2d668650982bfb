/**
 * Inventory: VMs and hosts as vmshift reports them, asking only for the properties it reports:
 * listings through `listing.ts` (paged retrievals decoded as they arrive), one VM or host through
 * one RetrievePropertiesEx.
 */
import { type Host, type ListHostsOptions, type ListVmsOptions, type Page, type PowerState, type Vm, VmshiftError } from "@vmshift/core";
import type { ServiceContent, VimSession } from "../session.ts";
import type { VimCallOptions } from "../transport.ts";
import type { MoRef } from "../xml.ts";
import { type ObjectProps, bool, moRef, num, text } from "./decode.ts";
import { type InventoryLister, type ListingKind } from "./listing.ts";
import { readObject } from "./properties.ts";

export { DEFAULT_PAGE_SIZE, InventoryLister } from "./listing.ts";

/** Properties read for a VM. */
export const VM_PATHS = ["name", "runtime.powerState", "runtime.host", "summary.config.memorySizeMB", "summary.config.numCpu"] as const;
/** Properties read for a host. */
export const HOST_PATHS = [
  "name", "parent", "runtime.connectionState", "runtime.inMaintenanceMode",
  "summary.hardware.memorySize", "summary.hardware.numCpuCores", "summary.quickStats.overallMemoryUsage",
] as const;

/** Concurrent vMotions per host (vSphere 6.x/7.x documented maximum). */
export const VMOTIONS_PER_HOST = 8;
const MIB = 1024 * 1024;

const POWER: Readonly<Record<string, PowerState>> = { poweredOn: "running", poweredOff: "stopped", suspended: "suspended" };

/** vim VM properties → {@link Vm}. */
export function toVm(o: ObjectProps): Vm {
  const p = o.props;
  const power = POWER[text(p["runtime.powerState"]) ?? ""] ?? "unknown";
  const host = moRef(p["runtime.host"]);
  const mem = num(p["summary.config.memorySizeMB"]);
  const cpus = num(p["summary.config.numCpu"]);
  return {
    id: o.ref.value,
    name: text(p["name"]) ?? o.ref.value,
    powerState: power,
    ...(host ? { hostId: host.value } : {}),
    ...(mem === undefined ? {} : { memoryBytes: mem * MIB }),
    ...(cpus === undefined ? {} : { cpus }),
    liveMigratable: power === "running",
  };
}

/** vim host properties → {@link Host}. */
export function toHost(o: ObjectProps): Host {
  const p = o.props;
  const state = text(p["runtime.connectionState"]);
  const connectionState = state === "connected" ? "connected" : state === undefined ? "unknown" : "disconnected";
  const maintenance = bool(p["runtime.inMaintenanceMode"]) ?? false;
  const parent = moRef(p["parent"]);
  const memory = num(p["summary.hardware.memorySize"]);
  const usedMib = num(p["summary.quickStats.overallMemoryUsage"]);
  const cores = num(p["summary.hardware.numCpuCores"]);
  return {
    id: o.ref.value,
    name: text(p["name"]) ?? o.ref.value,
    ...(parent?.type === "ClusterComputeResource" ? { clusterId: parent.value } : {}),
    connectionState,
    maintenance,
    schedulable: connectionState === "connected" && !maintenance,
    ...(cores === undefined ? {} : { cpuCores: cores }),
    ...(memory === undefined ? {} : { memoryBytes: memory }),
    ...(memory !== undefined && usedMib !== undefined && usedMib > 0 ? { freeMemoryBytes: Math.max(0, memory - usedMib * MIB) } : {}),
    maxConcurrentMigrations: VMOTIONS_PER_HOST,
  };
}

const VM_LISTING: ListingKind<Vm> = { type: "VirtualMachine", paths: VM_PATHS, map: (ref, props) => toVm({ ref, props }) };
const HOST_LISTING: ListingKind<Host> = { type: "HostSystem", paths: HOST_PATHS, map: (ref, props) => toHost({ ref, props }) };

/** `listVms`: VMs under the root folder (or the datacenter/cluster/folder moref given as `scope`, `Type:value`). */
export async function listVms(lister: InventoryLister, options: ListVmsOptions): Promise<Page<Vm>> {
  const page = await lister.page(VM_LISTING, options.pageSize, options.cursor, scopeRef(options.scope), options.signal ? { signal: options.signal } : {});
  return options.hostId === undefined ? page : { ...page, items: page.items.filter((vm) => vm.hostId === options.hostId) };
}

/** `listHosts`: hosts of the whole inventory or of one cluster. */
export async function listHosts(lister: InventoryLister, options: ListHostsOptions): Promise<Page<Host>> {
  const container = options.clusterId === undefined ? undefined : { type: "ClusterComputeResource", value: options.clusterId };
  return lister.page(HOST_LISTING, options.pageSize, options.cursor, container, options.signal ? { signal: options.signal } : {});
}

/** `getVm`. */
export async function getVm(session: VimSession, content: ServiceContent, vmId: string, options: VimCallOptions = {}): Promise<Vm> {
  const props = await readObject(session, content, { type: "VirtualMachine", value: vmId }, VM_PATHS, options);
  return toVm({ ref: { type: "VirtualMachine", value: vmId }, props });
}

/** One host; `NOT_FOUND` when missing. */
export async function getHost(session: VimSession, content: ServiceContent, hostId: string, options: VimCallOptions = {}): Promise<Host> {
  const props = await readObject(session, content, { type: "HostSystem", value: hostId }, HOST_PATHS, options);
  return toHost({ ref: { type: "HostSystem", value: hostId }, props });
}

function scopeRef(scope: string | undefined): MoRef | undefined {
  if (scope === undefined) return undefined;
  const m = /^(Datacenter|Folder|ClusterComputeResource|ComputeResource|ResourcePool|HostSystem):(.+)$/.exec(scope);
  if (!m) throw new VmshiftError("INVALID_ARGUMENT", "scope must be `Type:moref`, e.g. `Datacenter:datacenter-2`", { adapter: "vsphere" });
  return { type: m[1]!, value: m[2]! };
}
