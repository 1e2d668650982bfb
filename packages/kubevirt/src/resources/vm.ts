/** VirtualMachine + VirtualMachineInstance → vmshift `Vm`. */
import type { PowerState, Vm } from "@vmshift/core";
import { formatRef } from "../ids.ts";
import type { KvLiveMigratableReason, KvVirtualMachine, KvVmi } from "../types.ts";
import { parseQuantity } from "./quantity.ts";

/** The VMI's `LiveMigratable` condition, when reported. */
export function liveMigratableCondition(vmi: KvVmi | undefined): { readonly status: boolean; readonly reason?: KvLiveMigratableReason | string; readonly message?: string } | undefined {
  const condition = vmi?.status?.conditions?.find((c) => c.type === "LiveMigratable");
  if (!condition) return undefined;
  return { status: condition.status === "True", ...(condition.reason ? { reason: condition.reason } : {}), ...(condition.message ? { message: condition.message } : {}) };
}

/** Power state from the VMI phase (authoritative when present) and the VM's printable status. */
export function powerStateOf(vm: KvVirtualMachine | undefined, vmi: KvVmi | undefined): PowerState {
  if (vmi?.status?.migrationState && !vmi.status.migrationState.completed && vmi.status.migrationState.startTimestamp) return "migrating";
  const paused = vmi?.status?.conditions?.some((c) => c.type === "Paused" && c.status === "True");
  if (vmi?.status?.phase === "Running") return paused ? "paused" : "running";
  if (!vm && (vmi?.status?.phase === "Succeeded" || vmi?.status?.phase === "Failed")) return "stopped";
  switch (vm?.status?.printableStatus) {
    case "Running":
      return "running";
    case "Migrating":
      return "migrating";
    case "Paused":
      return "paused";
    case "Stopped":
    case "Halted":
      return "stopped";
    default:
      return vmi ? "unknown" : "stopped";
  }
}

/** Memory the VMI asks the scheduler for, bytes (`requests.memory`, else `memory.guest`): node capacity and preflight. */
export function memoryRequestBytes(spec: KvVmi["spec"] | undefined): number | undefined {
  return parseQuantity(spec?.domain.resources?.requests?.["memory"] as string | undefined) ?? parseQuantity(spec?.domain.memory?.guest as string | undefined);
}

/** CPU the VMI asks the scheduler for, cores (`requests.cpu`, else sockets × cores × threads): node capacity and preflight. */
export function cpuRequestCores(spec: KvVmi["spec"] | undefined): number | undefined {
  const requested = parseQuantity(spec?.domain.resources?.requests?.["cpu"] as string | undefined);
  if (requested !== undefined) return requested;
  const cpu = spec?.domain.cpu;
  return cpu ? (cpu.sockets ?? 1) * (cpu.cores ?? 1) * (cpu.threads ?? 1) : undefined;
}

/**
 * Memory the guest has, bytes: `memory.guest`; when that is not set, what KubeVirt gives the guest
 * instead, `resources.requests.memory` (else the limit). Requests are the scheduler's figure and,
 * with overcommit (Harvester's default 150 %), smaller than the guest.
 */
export function configuredMemoryBytes(spec: KvVmi["spec"] | undefined): number | undefined {
  const resources = spec?.domain.resources;
  return (
    parseQuantity(spec?.domain.memory?.guest as string | undefined) ??
    parseQuantity(resources?.requests?.["memory"] as string | undefined) ??
    parseQuantity(resources?.limits?.["memory"] as string | undefined)
  );
}

/**
 * vCPUs of the guest: sockets × cores × threads (each 1 when unset) when a topology is given;
 * without one, as KubeVirt does, the CPU limit rounded up, else the request rounded up, else 1.
 */
export function configuredCpus(spec: KvVmi["spec"] | undefined): number | undefined {
  if (!spec) return undefined;
  const cpu = spec.domain.cpu;
  if (cpu && (cpu.sockets !== undefined || cpu.cores !== undefined || cpu.threads !== undefined)) return (cpu.sockets ?? 1) * (cpu.cores ?? 1) * (cpu.threads ?? 1);
  const resources = spec.domain.resources;
  const fromResources = parseQuantity(resources?.limits?.["cpu"] as string | undefined) ?? parseQuantity(resources?.requests?.["cpu"] as string | undefined);
  return fromResources !== undefined && fromResources > 0 ? Math.ceil(fromResources) : 1;
}

/**
 * True for a VMI that no VirtualMachine owns (created directly, or by a replica set or pool):
 * KubeVirt migrates those too, and the adapter lists and moves them as VMs of their own.
 */
export function isBareVmi(vmi: KvVmi): boolean {
  return !(vmi.metadata?.ownerReferences ?? []).some((o) => o.kind === "VirtualMachine" && o.apiVersion.startsWith("kubevirt.io/"));
}

/** The vmshift view of a VM and its running instance; a bare VMI (no VirtualMachine) is a VM of its own. */
export function toVm(vm: KvVirtualMachine | undefined, vmi: KvVmi | undefined): Vm {
  const meta = vm?.metadata ?? vmi?.metadata;
  const namespace = meta?.namespace ?? "default";
  const name = meta?.name ?? "";
  const spec = vmi?.spec ?? vm?.spec.template?.spec;
  const memoryBytes = configuredMemoryBytes(spec);
  const cpus = configuredCpus(spec);
  const migratable = liveMigratableCondition(vmi);
  const hostId = vmi?.status?.nodeName;
  return {
    id: formatRef({ namespace, name }),
    name,
    powerState: powerStateOf(vm, vmi),
    // No clusterId: a namespace is not a cluster, and nodes carry none. A VM's cluster is the one the
    // adapter talks to; with a namespace here the fleet planner found no host "in its cluster".
    ...(hostId ? { hostId } : {}),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(cpus === undefined ? {} : { cpus }),
    ...(migratable === undefined ? {} : { liveMigratable: migratable.status }),
    ...(meta?.labels ? { labels: { ...meta.labels } } : {}),
  };
}
