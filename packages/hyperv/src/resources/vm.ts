/** Hyper-V VMs as the scripts print them, and their vmshift form. */
import type { PowerState, Vm } from "@vmshift/core";
import { Reader } from "../psjson.ts";

/** Microsoft.HyperV.PowerShell.VMState by number (Windows PowerShell 5.1 prints numbers). */
export const VM_STATE_NAMES: Readonly<Record<number, string>> = {
  1: "Other", 2: "Running", 3: "Off", 4: "Stopping", 6: "Saved", 9: "Paused", 10: "Starting", 11: "Reset",
  32773: "Saving", 32776: "Pausing", 32777: "Resuming", 32779: "FastSaved", 32780: "FastSaving",
  32781: "ForceShutdown", 32782: "ForceReboot", 32783: "Hibernated", 32784: "ComponentServicing",
  32785: "RunningCritical", 32786: "OffCritical", 32787: "StoppingCritical", 32788: "SavedCritical", 32789: "PausedCritical",
};

/** One VM as printed by the `VmshiftVmShape` snippet. */
export interface HvVm {
  readonly id: string;
  readonly name: string;
  /** VMState name, e.g. `Running`, `Off`. */
  readonly state: string;
  /** The host it is registered on. */
  readonly computerName: string;
  readonly memoryStartupBytes?: number;
  readonly processorCount?: number;
  readonly isClustered: boolean;
  /** Cluster role owner node, where a failover cluster exists. */
  readonly ownerNode?: string;
  /** The VM's failover cluster group (role) name, found by VM id; may differ from the VM's name. */
  readonly clusterGroup?: string;
  readonly generation?: number;
  readonly version?: string;
}

/** Validates one VM object. */
export function parseVm(value: unknown): HvVm {
  const r = new Reader(value, "vm");
  const ownerNode = r.optionalString("ownerNode");
  const clusterGroup = r.optionalString("clusterGroup");
  const memory = r.optionalNumber("memoryStartupBytes");
  const cpus = r.optionalNumber("processorCount");
  const generation = r.optionalNumber("generation");
  const version = r.optionalString("version");
  return {
    id: r.string("id").toLowerCase(),
    name: r.string("name"),
    // A state outside the table stays its number (powerStateOf: unknown); one odd VM never fails a listing.
    state: r.enumNameOrNumber("state", VM_STATE_NAMES),
    computerName: r.string("computerName"),
    isClustered: r.optionalBoolean("isClustered") ?? false,
    ...(ownerNode === undefined ? {} : { ownerNode }),
    ...(clusterGroup === undefined ? {} : { clusterGroup }),
    ...(memory === undefined ? {} : { memoryStartupBytes: memory }),
    ...(cpus === undefined ? {} : { processorCount: cpus }),
    ...(generation === undefined ? {} : { generation }),
    ...(version === undefined ? {} : { version }),
  };
}

/** VMState name → vmshift power state; names and numbers it does not know are `unknown`. */
export function powerStateOf(state: string): PowerState {
  const s = state.replace(/Critical$/, "");
  if (s === "Running") return "running";
  if (s === "Off" || s === "OffCritical") return "stopped";
  if (s === "Paused") return "paused";
  if (s === "Saved" || s === "FastSaved" || s === "Hibernated") return "suspended";
  return "unknown";
}

/** The host a VM runs on: the cluster owner node when known, else the host it is registered on. */
export function hostOf(vm: HvVm): string {
  return vm.ownerNode ?? vm.computerName;
}

/** The vmshift view of a Hyper-V VM. */
export function toVm(vm: HvVm, clusterId?: string): Vm {
  const powerState = powerStateOf(vm.state);
  return {
    id: vm.id,
    name: vm.name,
    powerState,
    hostId: hostOf(vm),
    ...(clusterId === undefined ? {} : { clusterId }),
    ...(vm.memoryStartupBytes === undefined ? {} : { memoryBytes: vm.memoryStartupBytes }),
    ...(vm.processorCount === undefined ? {} : { cpus: vm.processorCount }),
    liveMigratable: powerState === "running",
    labels: {
      "hyperv.state": vm.state,
      "hyperv.clustered": String(vm.isClustered),
      ...(vm.version === undefined ? {} : { "hyperv.version": vm.version }),
      ...(vm.generation === undefined ? {} : { "hyperv.generation": String(vm.generation) }),
    },
  };
}

/** Same host? Case-insensitive; a short name matches an FQDN's first label. */
export function sameHost(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  if (x.includes(".") && y.includes(".")) return false;
  return x.split(".")[0] === y.split(".")[0];
}
