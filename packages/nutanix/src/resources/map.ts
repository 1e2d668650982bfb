/** Prism objects → vmshift's vocabulary. `$UNKNOWN` and `$REDACTED` become `unknown`. */
import type { Host, PowerState, Vm } from "@vmshift/core";
import type { V4Host, V4PowerState, V4Vm } from "./v4-types.ts";

/** AHV power state → vmshift power state. */
export function powerState(state: V4PowerState | undefined): PowerState {
  switch (state) {
    case "ON":
      return "running";
    case "OFF":
      return "stopped";
    case "PAUSED":
      return "paused";
    default:
      return "unknown";
  }
}

/** A v4 VM as a vmshift {@link Vm}. */
export function toVm(vm: V4Vm): Vm {
  const sockets = vm.numSockets;
  const cpus = sockets === undefined ? undefined : sockets * (vm.numCoresPerSocket ?? 1) * (vm.numThreadsPerCore ?? 1);
  const hostId = vm.host?.extId ?? undefined;
  const clusterId = vm.cluster?.extId ?? undefined;
  return {
    id: vm.extId ?? "",
    name: vm.name ?? vm.extId ?? "",
    powerState: powerState(vm.powerState),
    ...(hostId ? { hostId } : {}),
    ...(clusterId ? { clusterId } : {}),
    ...(typeof vm.memorySizeBytes === "number" ? { memoryBytes: vm.memorySizeBytes } : {}),
    ...(cpus === undefined ? {} : { cpus }),
    ...(typeof vm.isLiveMigrateCapable === "boolean" ? { liveMigratable: vm.isLiveMigrateCapable && vm.powerState === "ON" } : {}),
  };
}

/** Hypervisor states in which a host is in, or entering, maintenance. */
const MAINTENANCE_STATES = new Set(["ENTERING_MAINTENANCE_MODE", "ENTERED_MAINTENANCE_MODE", "ENTERING_MAINTENANCE_MODE_FROM_HA_FAILOVER"]);

/** True when the host is in or entering maintenance (hypervisor state, or `maintenanceState` other than `normal`). */
export function inMaintenance(host: V4Host): boolean {
  const state = host.hypervisor?.state;
  if (state !== undefined && MAINTENANCE_STATES.has(state)) return true;
  const m = host.maintenanceState;
  return typeof m === "string" && m !== "" && m.toLowerCase() !== "normal" && !m.startsWith("$");
}

/** A clustermgmt host as a vmshift {@link Host}. Only `ACROPOLIS_NORMAL`, connected hosts are schedulable. */
export function toHost(host: V4Host): Host {
  const conn = host.hypervisor?.acropolisConnectionState;
  const connectionState = conn === "CONNECTED" ? "connected" : conn === "DISCONNECTED" ? "disconnected" : "unknown";
  const maintenance = inMaintenance(host);
  return {
    id: host.extId ?? "",
    name: host.hostName ?? host.extId ?? "",
    ...(host.cluster?.uuid ? { clusterId: host.cluster.uuid } : {}),
    connectionState,
    maintenance,
    schedulable: !maintenance && host.hypervisor?.state === "ACROPOLIS_NORMAL" && connectionState !== "disconnected",
    ...(typeof host.numberOfCpuCores === "number" ? { cpuCores: host.numberOfCpuCores } : {}),
    ...(typeof host.memorySizeBytes === "number" ? { memoryBytes: host.memorySizeBytes } : {}),
    labels: {
      ...(host.hypervisor?.state ? { "nutanix.hypervisorState": host.hypervisor.state } : {}),
      ...(host.maintenanceState ? { "nutanix.maintenanceState": host.maintenanceState } : {}),
      ...(host.hypervisor?.type ? { "nutanix.hypervisorType": host.hypervisor.type } : {}),
    },
  };
}
