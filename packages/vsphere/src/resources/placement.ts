/** Facts about VMs and hosts that checks and placement need, and the adapter's own host choice. */
import { VmshiftError } from "@vmshift/core";
import type { ServiceContent, VimSession } from "../session.ts";
import type { MoRef } from "../xml.ts";
import { bool, moRef, moRefs, num, text } from "./decode.ts";
import { readObject, readObjects } from "./properties.ts";

const MIB = 1024 * 1024;

/** What checks need to know about a VM. */
export interface VmFacts {
  readonly id: string;
  readonly name: string;
  /** vim power state: `poweredOn`, `poweredOff`, `suspended`. */
  readonly power: string;
  readonly hostId?: string;
  readonly memoryBytes: number;
  readonly datastores: readonly string[];
  readonly networks: readonly string[];
  /** VMware Tools runs in the guest (a guest shutdown is possible). */
  readonly toolsRunning: boolean;
}

/** What checks need to know about a host. */
export interface HostFacts {
  readonly id: string;
  readonly name: string;
  /** The cluster or standalone compute resource. */
  readonly parent?: MoRef;
  readonly connected: boolean;
  readonly maintenance: boolean;
  readonly memoryBytes?: number;
  readonly datastores: readonly string[];
  readonly networks: readonly string[];
  readonly vms: readonly string[];
}

const VM_FACT_PATHS = ["name", "runtime.powerState", "runtime.host", "summary.config.memorySizeMB", "datastore", "network", "guest.toolsRunningStatus"];
const HOST_FACT_PATHS = ["name", "parent", "runtime.connectionState", "runtime.inMaintenanceMode", "summary.hardware.memorySize", "datastore", "network", "vm"];

/** Reads a VM's facts; `NOT_FOUND` when it does not exist. */
export async function readVmFacts(session: VimSession, content: ServiceContent, vmId: string, signal?: AbortSignal): Promise<VmFacts> {
  const p = await readObject(session, content, { type: "VirtualMachine", value: vmId }, VM_FACT_PATHS, signal ? { signal } : {});
  const host = moRef(p["runtime.host"]);
  return {
    id: vmId,
    name: text(p["name"]) ?? vmId,
    power: text(p["runtime.powerState"]) ?? "unknown",
    ...(host ? { hostId: host.value } : {}),
    memoryBytes: (num(p["summary.config.memorySizeMB"]) ?? 0) * MIB,
    datastores: moRefs(p["datastore"]).map((r) => r.value),
    networks: moRefs(p["network"]).map((r) => r.value),
    toolsRunning: text(p["guest.toolsRunningStatus"]) === "guestToolsRunning",
  };
}

function hostFacts(id: string, p: Readonly<Record<string, unknown>>): HostFacts {
  const parent = moRef(p["parent"]);
  const memory = num(p["summary.hardware.memorySize"]);
  return {
    id,
    name: text(p["name"]) ?? id,
    ...(parent ? { parent } : {}),
    connected: text(p["runtime.connectionState"]) === "connected",
    maintenance: bool(p["runtime.inMaintenanceMode"]) ?? false,
    ...(memory === undefined ? {} : { memoryBytes: memory }),
    datastores: moRefs(p["datastore"]).map((r) => r.value),
    networks: moRefs(p["network"]).map((r) => r.value),
    vms: moRefs(p["vm"]).map((r) => r.value),
  };
}

/** Reads a host's facts; `NOT_FOUND` when it does not exist. */
export async function readHostFacts(session: VimSession, content: ServiceContent, hostId: string, signal?: AbortSignal): Promise<HostFacts> {
  return hostFacts(hostId, await readObject(session, content, { type: "HostSystem", value: hostId }, HOST_FACT_PATHS, signal ? { signal } : {}));
}

/** Configured memory of the powered-on VMs on a host (except `exceptVm`), bytes. */
export async function usedMemoryBytes(session: VimSession, content: ServiceContent, host: HostFacts, exceptVm?: string, signal?: AbortSignal): Promise<number> {
  const ids = host.vms.filter((v) => v !== exceptVm);
  const vms = await readObjects(session, content, "VirtualMachine", ids, ["runtime.powerState", "summary.config.memorySizeMB"], signal ? { signal } : {});
  return vms.reduce((sum, o) => (text(o.props["runtime.powerState"]) === "poweredOn" ? sum + (num(o.props["summary.config.memorySizeMB"]) ?? 0) * MIB : sum), 0);
}

/** Memory left for `vm` on `host`, bytes (undefined when the host does not report its memory). */
export async function freeMemoryBytes(session: VimSession, content: ServiceContent, host: HostFacts, vmId: string, signal?: AbortSignal): Promise<number | undefined> {
  if (host.memoryBytes === undefined) return undefined;
  return host.memoryBytes - (await usedMemoryBytes(session, content, host, vmId, signal));
}

/**
 * The resource pool to pass with a move to `target`: undefined inside one compute resource,
 * else the root pool of the target's cluster (a cross-cluster move needs one).
 */
export async function poolFor(session: VimSession, content: ServiceContent, source: HostFacts | undefined, target: HostFacts, signal?: AbortSignal): Promise<MoRef | undefined> {
  if (!target.parent || (source?.parent && source.parent.value === target.parent.value)) return undefined;
  const p = await readObject(session, content, target.parent, ["resourcePool"], signal ? { signal } : {});
  return moRef(p["resourcePool"]);
}

/**
 * The adapter's choice when the caller names no host: among the connected, non-maintenance hosts
 * of the VM's cluster (or `clusterId`), other than its own, the one with the most free memory that
 * still fits the VM. `INSUFFICIENT_RESOURCES` when none does.
 */
export async function chooseHost(session: VimSession, content: ServiceContent, vm: VmFacts, clusterId: string | undefined, signal?: AbortSignal): Promise<HostFacts> {
  let cluster: MoRef | undefined = clusterId === undefined ? undefined : { type: "ClusterComputeResource", value: clusterId };
  if (!cluster && vm.hostId) cluster = (await readHostFacts(session, content, vm.hostId, signal)).parent;
  if (!cluster) throw new VmshiftError("INVALID_ARGUMENT", `VM ${vm.id} has no host; name a target host`, { adapter: "vsphere", subject: vm.id });
  const hostIds = moRefs((await readObject(session, content, cluster, ["host"], signal ? { signal } : {}))["host"]).map((r) => r.value);
  let best: { host: HostFacts; free: number } | undefined;
  for (const id of hostIds) {
    if (id === vm.hostId) continue;
    const host = await readHostFacts(session, content, id, signal);
    if (!host.connected || host.maintenance) continue;
    const free = (await freeMemoryBytes(session, content, host, vm.id, signal)) ?? Number.MAX_SAFE_INTEGER;
    if (free < vm.memoryBytes) continue;
    if (!best || free > best.free) best = { host, free };
  }
  if (!best) throw new VmshiftError("INSUFFICIENT_RESOURCES", `no connected host outside maintenance in ${cluster.value} has room for VM ${vm.id}`, { adapter: "vsphere", subject: vm.id });
  return best.host;
}
