/** Facts about VMs and hosts that checks and placement need, and the adapter's own host choice. */
import { VmshiftError, isVmshiftError } from "@vmshift/core";
import type { ServiceContent, VimSession } from "../session.ts";
import type { MoRef } from "../xml.ts";
import { bool, moRef, moRefs, num, text } from "./decode.ts";
import { propertySpec, readObject, readObjects, retrieve } from "./properties.ts";
import type { VimFault } from "../errors.ts";
import { el, moref, seq, typed } from "../xml.ts";

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
  /** The VM's resource pool (when read with {@link readStartFacts}). */
  readonly pool?: MoRef;
  /** The compute resource (cluster or standalone host) that owns the VM's pool. */
  readonly compute?: MoRef;
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
  /**
   * Configured memory of the powered-on VMs on the host (the moving VM left out), bytes, when the
   * VMs were read with the host (see {@link readStartFacts}, {@link chooseHost}).
   */
  readonly usedMemoryBytes?: number;
}

type Objects = readonly { readonly ref: MoRef; readonly props: Readonly<Record<string, unknown>> }[];

/** Configured memory of the powered-on VMs among `objects` that `host` lists, except `exceptVm`. */
function usedAmong(objects: Objects, host: HostFacts, exceptVm: string): number {
  const on = new Set(host.vms.filter((v) => v !== exceptVm));
  let sum = 0;
  for (const o of objects) {
    if (o.ref.type !== "VirtualMachine" || !on.has(o.ref.value) || text(o.props["runtime.powerState"]) !== "poweredOn") continue;
    sum += (num(o.props["summary.config.memorySizeMB"]) ?? 0) * MIB;
  }
  return sum;
}

const VM_FACT_PATHS = ["name", "runtime.powerState", "runtime.host", "summary.config.memorySizeMB", "datastore", "network", "guest.toolsRunningStatus"];
const HOST_FACT_PATHS = ["name", "parent", "runtime.connectionState", "runtime.inMaintenanceMode", "summary.hardware.memorySize", "datastore", "network", "vm"];

/** Reads a VM's facts; `NOT_FOUND` when it does not exist. */
export async function readVmFacts(session: VimSession, content: ServiceContent, vmId: string, signal?: AbortSignal): Promise<VmFacts> {
  return vmFacts(vmId, await readObject(session, content, { type: "VirtualMachine", value: vmId }, VM_FACT_PATHS, signal ? { signal } : {}));
}

function vmFacts(vmId: string, p: Readonly<Record<string, unknown>>, compute?: MoRef): VmFacts {
  const host = moRef(p["runtime.host"]);
  const pool = moRef(p["resourcePool"]);
  return {
    id: vmId,
    name: text(p["name"]) ?? vmId,
    power: text(p["runtime.powerState"]) ?? "unknown",
    ...(host ? { hostId: host.value } : {}),
    memoryBytes: (num(p["summary.config.memorySizeMB"]) ?? 0) * MIB,
    datastores: moRefs(p["datastore"]).map((r) => r.value),
    networks: moRefs(p["network"]).map((r) => r.value),
    toolsRunning: text(p["guest.toolsRunningStatus"]) === "guestToolsRunning",
    ...(pool ? { pool } : {}),
    ...(compute ? { compute } : {}),
  };
}

/** What a start needs, read in one RetrievePropertiesEx (see {@link readStartFacts}). */
export interface StartFacts {
  readonly vm: VmFacts;
  /** The named target host. */
  readonly target?: HostFacts;
  /** The root resource pool of the target host's compute resource. */
  readonly targetRootPool?: MoRef;
}

function traverse(type: string, path: string, ...next: ReturnType<typeof typed>[]): ReturnType<typeof typed> {
  return typed("selectSet", "TraversalSpec", [el("type", type), el("path", path), el("skip", false), ...next]);
}

/**
 * Reads the VM (with its resource pool and the pool's owner: the VM's cluster or standalone host)
 * and the target host (with its compute resource's root pool) in one RetrievePropertiesEx: two
 * object specs, each with a traversal one step up. `NOT_FOUND` names whichever does not exist.
 * With `targetVms` the target host's VMs come too (`HostSystem.vm`), for its memory left
 * ({@link HostFacts.usedMemoryBytes}): what preflight's capacity check needs, in the same read.
 */
export async function readStartFacts(session: VimSession, content: ServiceContent, vmId: string, targetHostId: string | undefined, signal?: AbortSignal, targetVms = false): Promise<StartFacts> {
  const vmRef: MoRef = { type: "VirtualMachine", value: vmId };
  const hostRef: MoRef | undefined = targetHostId === undefined ? undefined : { type: "HostSystem", value: targetHostId };
  const specs = seq(
    propertySpec("VirtualMachine", [...VM_FACT_PATHS, "resourcePool"]),
    propertySpec("ResourcePool", ["owner"]),
    ...(hostRef ? [propertySpec("HostSystem", HOST_FACT_PATHS), propertySpec("ComputeResource", ["resourcePool"])] : []),
    el("objectSet", [moref("obj", vmRef), el("skip", false), traverse("VirtualMachine", "resourcePool")]),
    ...(hostRef ? [el("objectSet", [moref("obj", hostRef), el("skip", false), traverse("HostSystem", "parent"), ...(targetVms ? [traverse("HostSystem", "vm")] : [])])] : []),
  );
  let objects;
  try {
    objects = (await retrieve(session, content, specs, 0, signal ? { signal } : {})).objects;
  } catch (error) {
    if (!hostRef || !isVmshiftError(error, "NOT_FOUND")) throw error;
    // One of the two is missing: say which (the fault names it; an error path may read once more).
    const missing = moRef(((error.cause as VimFault | undefined)?.detail as Record<string, unknown> | undefined)?.["obj"]);
    if (missing?.value === hostRef.value || (!missing && (await readObject(session, content, vmRef, ["name"], signal ? { signal } : {})))) {
      throw new VmshiftError("NOT_FOUND", `no host ${hostRef.value}`, { adapter: "vsphere", subject: hostRef.value, cause: error });
    }
    throw error;
  }
  const vmProps = objects.find((o) => o.ref.type === "VirtualMachine" && o.ref.value === vmId);
  if (!vmProps) throw new VmshiftError("NOT_FOUND", `no VirtualMachine ${vmId}`, { adapter: "vsphere", subject: vmId });
  const pool = moRef(vmProps.props["resourcePool"]);
  const poolProps = pool ? objects.find((o) => o.ref.value === pool.value && o.ref.type !== "HostSystem") : undefined;
  const vm = vmFacts(vmId, vmProps.props, moRef(poolProps?.props["owner"]));
  if (!hostRef) return { vm };
  const hostProps = objects.find((o) => o.ref.type === "HostSystem" && o.ref.value === hostRef.value);
  if (!hostProps) throw new VmshiftError("NOT_FOUND", `no host ${hostRef.value}`, { adapter: "vsphere", subject: hostRef.value });
  const facts = hostFacts(hostRef.value, hostProps.props);
  const target = targetVms ? { ...facts, usedMemoryBytes: usedAmong(objects, facts, vmId) } : facts;
  const computeProps = target.parent ? objects.find((o) => o.ref.value === target.parent?.value && o.ref.type !== "HostSystem") : undefined;
  const rootPool = moRef(computeProps?.props["resourcePool"]);
  return { vm, target, ...(rootPool ? { targetRootPool: rootPool } : {}) };
}

/**
 * The pool for a move of `vm` to `target`: none inside the VM's compute resource, else the root
 * pool of the target's (`rootPool` when already read; one read otherwise).
 */
export async function poolForVm(session: VimSession, content: ServiceContent, vm: VmFacts, target: HostFacts, rootPool: MoRef | undefined, signal?: AbortSignal): Promise<MoRef | undefined> {
  if (!target.parent || (vm.compute && vm.compute.value === target.parent.value)) return undefined;
  if (rootPool) return rootPool;
  return moRef((await readObject(session, content, target.parent, ["resourcePool"], signal ? { signal } : {}))["resourcePool"]);
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
  return host.memoryBytes - (host.usedMemoryBytes ?? (await usedMemoryBytes(session, content, host, vmId, signal)));
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
  if (!cluster) cluster = vm.compute;
  if (!cluster && vm.hostId) cluster = (await readHostFacts(session, content, vm.hostId, signal)).parent;
  if (!cluster) throw new VmshiftError("INVALID_ARGUMENT", `VM ${vm.id} has no host; name a target host`, { adapter: "vsphere", subject: vm.id });
  // The cluster's hosts and the VMs on each, in one RetrievePropertiesEx (cluster → host → vm).
  const specs = seq(
    propertySpec("HostSystem", HOST_FACT_PATHS),
    propertySpec("VirtualMachine", ["runtime.powerState", "summary.config.memorySizeMB"]),
    el("objectSet", [moref("obj", cluster), el("skip", true), traverse("ComputeResource", "host", traverse("HostSystem", "vm"))]),
  );
  const { objects } = await retrieve(session, content, specs, 0, signal ? { signal } : {});
  let best: { host: HostFacts; free: number } | undefined;
  for (const o of objects) {
    if (o.ref.type !== "HostSystem" || o.ref.value === vm.hostId) continue;
    const facts = hostFacts(o.ref.value, o.props);
    const host = { ...facts, usedMemoryBytes: usedAmong(objects, facts, vm.id) };
    if (!host.connected || host.maintenance) continue;
    const free = (await freeMemoryBytes(session, content, host, vm.id, signal)) ?? Number.MAX_SAFE_INTEGER;
    if (free < vm.memoryBytes) continue;
    if (!best || free > best.free) best = { host, free };
  }
  if (!best) throw new VmshiftError("INSUFFICIENT_RESOURCES", `no connected host outside maintenance in ${cluster.value} has room for VM ${vm.id}`, { adapter: "vsphere", subject: vm.id });
  return best.host;
}
