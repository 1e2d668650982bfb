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

/** Memory the VMI asks for, bytes: requests.memory, else memory.guest. */
export function memoryRequestBytes(spec: KvVmi["spec"] | undefined): number | undefined {
  return parseQuantity(spec?.domain.resources?.requests?.["memory"] as string | undefined) ?? parseQuantity(spec?.domain.memory?.guest as string | undefined);
}

/** CPU the VMI asks for, cores: requests.cpu, else sockets × cores × threads. */
export function cpuRequestCores(spec: KvVmi["spec"] | undefined): number | undefined {
  const requested = parseQuantity(spec?.domain.resources?.requests?.["cpu"] as string | undefined);
  if (requested !== undefined) return requested;
  const cpu = spec?.domain.cpu;
  return cpu ? (cpu.sockets ?? 1) * (cpu.cores ?? 1) * (cpu.threads ?? 1) : undefined;
}

/** The vmshift view of a VM and its (optional) running instance. */
export function toVm(vm: KvVirtualMachine, vmi: KvVmi | undefined): Vm {
  const namespace = vm.metadata?.namespace ?? "default";
  const name = vm.metadata?.name ?? "";
  const spec = vmi?.spec ?? vm.spec.template?.spec;
  const memoryBytes = memoryRequestBytes(spec);
  const cpus = cpuRequestCores(spec);
  const migratable = liveMigratableCondition(vmi);
  const hostId = vmi?.status?.nodeName;
  return {
    id: formatRef({ namespace, name }),
    name,
    powerState: powerStateOf(vm, vmi),
    clusterId: namespace,
    ...(hostId ? { hostId } : {}),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(cpus === undefined ? {} : { cpus }),
    ...(migratable === undefined ? {} : { liveMigratable: migratable.status }),
    ...(vm.metadata?.labels ? { labels: { ...vm.metadata.labels } } : {}),
  };
}
