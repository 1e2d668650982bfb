/** Inventory objects in Prism's v4 and v3 wire forms. */
import type { SimHardware, SimImage } from "./disks.ts";
import type { Inventory, SimHost, SimVm } from "./state.ts";

const reserved = { $fv: "v4.r0" };

/** `vmm.v4.ahv.config.Vm` (host and isLiveMigrateCapable absent while OFF, as on AHV). */
export function vmToWire(vm: SimVm): Record<string, unknown> {
  const on = vm.powerState === "ON";
  return {
    $objectType: "vmm.v4.ahv.config.Vm",
    $reserved: reserved,
    extId: vm.extId,
    name: vm.name,
    powerState: vm.powerState,
    ...(on && vm.host ? { host: { extId: vm.host } } : {}),
    cluster: { extId: vm.clusterExtId },
    memorySizeBytes: vm.memorySizeBytes,
    numSockets: vm.numSockets,
    numCoresPerSocket: vm.hardware?.numCoresPerSocket ?? 1,
    numThreadsPerCore: 1,
    ...(on ? { isLiveMigrateCapable: vm.isLiveMigrateCapable } : {}),
    isAgentVm: false,
    isCpuPassthroughEnabled: false,
    isVcpuHardPinningEnabled: false,
    isCrossClusterMigrationInProgress: false,
    categories: vm.categories.map((extId) => ({ extId })),
    guestTools: { isInstalled: vm.ngt, isEnabled: vm.ngt, isReachable: vm.ngt && on, ...(vm.ngt && vm.hardware?.guestOsVersion ? { guestOsVersion: vm.hardware.guestOsVersion } : {}) },
    ...(vm.hardware ? hardwareToWire(vm.hardware) : {}),
  };
}

/** Disks, CD-ROMs, NICs, boot configuration and machine type in `vmm.v4.ahv.config` form (v4.0 field names). */
function hardwareToWire(hw: SimHardware): Record<string, unknown> {
  return {
    machineType: hw.machineType,
    bootConfig:
      hw.boot === "LEGACY"
        ? { $objectType: "vmm.v4.ahv.config.LegacyBoot", bootOrder: ["CDROM", "DISK", "NETWORK"] }
        : { $objectType: "vmm.v4.ahv.config.UefiBoot", isSecureBootEnabled: hw.boot === "SECURE_BOOT" },
    disks: hw.disks.map((d) => ({
      $objectType: "vmm.v4.ahv.config.Disk",
      extId: d.extId,
      diskAddress: { $objectType: "vmm.v4.ahv.config.DiskAddress", busType: d.busType, index: d.index },
      backingInfo: d.volumeGroupExtId
        ? { $objectType: "vmm.v4.ahv.config.ADSFVolumeGroupReference", volumeGroupExtId: d.volumeGroupExtId }
        : { $objectType: "vmm.v4.ahv.config.VmDisk", diskExtId: d.diskExtId, diskSizeBytes: d.sizeBytes, storageContainer: { extId: d.containerExtId } },
    })),
    cdRoms: hw.cdRoms.map((c) => ({ $objectType: "vmm.v4.ahv.config.CdRom", extId: c.extId, diskAddress: { busType: c.busType, index: c.index } })),
    nics: hw.nics.map((n) => ({
      $objectType: "vmm.v4.ahv.config.Nic",
      extId: n.extId,
      backingInfo: { $objectType: "vmm.v4.ahv.config.EmulatedNic", macAddress: n.macAddress, model: n.model, isConnected: true },
      networkInfo: { $objectType: "vmm.v4.ahv.config.NicNetworkInfo", nicType: "NORMAL_NIC", subnet: { extId: n.subnetExtId } },
    })),
  };
}

/** `vmm.v4.content.Image`. */
export function imageToWire(image: SimImage): Record<string, unknown> {
  return {
    $objectType: "vmm.v4.content.Image",
    $reserved: reserved,
    extId: image.extId,
    name: image.name,
    type: image.type,
    sizeBytes: image.sizeBytes,
    ...(image.description ? { description: image.description } : {}),
    source: { $objectType: "vmm.v4.content.VmDiskSource", extId: image.sourceDiskExtId, vmExtId: image.sourceVmExtId },
    clusterLocationExtIds: [image.clusterExtId],
    createTime: image.createTime,
    lastUpdateTime: image.createTime,
  };
}

/** `clustermgmt.v4.config.Host`. */
export function hostToWire(inv: Inventory, h: SimHost): Record<string, unknown> {
  const cluster = inv.clusters.find((c) => c.extId === h.clusterExtId);
  return {
    $objectType: "clustermgmt.v4.config.Host",
    $reserved: reserved,
    extId: h.extId,
    hostName: h.hostName,
    hostType: "HYPER_CONVERGED",
    cluster: { uuid: h.clusterExtId, name: cluster?.name },
    hypervisor: { type: "AHV", state: h.hypervisorState, acropolisConnectionState: h.connection, numberOfVms: inv.vms.filter((v) => v.host === h.extId).length, fullName: "AHV 10.0" },
    maintenanceState: h.maintenanceState,
    nodeStatus: "NORMAL",
    memorySizeBytes: h.memorySizeBytes,
    numberOfCpuCores: 32,
    cpuModel: "Intel(R) Xeon(R) Gold 6338",
  };
}

/** A v3 `vm_intent_resource`. */
export function vmToV3(vm: SimVm): Record<string, unknown> {
  const resources = { power_state: vm.powerState, memory_size_mib: vm.memorySizeBytes / 2 ** 20, num_sockets: vm.numSockets, num_vcpus_per_socket: 1 };
  return {
    api_version: "3.1",
    metadata: { kind: "vm", uuid: vm.extId, spec_version: vm.version },
    spec: { name: vm.name, resources },
    status: { name: vm.name, state: "COMPLETE", resources: { ...resources, ...(vm.host ? { host_reference: { kind: "host", uuid: vm.host } } : {}) }, cluster_reference: { kind: "cluster", uuid: vm.clusterExtId } },
  };
}

/** A v3 `host_intent_resource`. */
export function hostToV3(h: SimHost): Record<string, unknown> {
  return { metadata: { kind: "host", uuid: h.extId }, status: { name: h.hostName, cluster_reference: { kind: "cluster", uuid: h.clusterExtId }, resources: { memory_capacity_mib: h.memorySizeBytes / 2 ** 20 } } };
}

/** The v4 error envelope: `data.error[]` of AppMessage. */
export function v4Error(code: string, message: string, namespace = "vmm"): Record<string, unknown> {
  return {
    $objectType: `${namespace}.v4.error.ErrorResponse`,
    data: {
      $objectType: `${namespace}.v4.error.ErrorResponse`,
      error: [{ $objectType: `${namespace}.v4.error.AppMessage`, code, message, severity: "ERROR", locale: "en_US" }],
    },
  };
}

/** Pagination metadata. */
export function listMetadata(path: string, page: number, limit: number, total: number): Record<string, unknown> {
  const links = [{ href: `${path}?$page=${page}&$limit=${limit}`, rel: "self" }];
  if ((page + 1) * limit < total) links.push({ href: `${path}?$page=${page + 1}&$limit=${limit}`, rel: "next" });
  return {
    totalAvailableResults: total,
    links,
    flags: [
      { name: "hasError", value: false },
      { name: "isPaginated", value: true },
    ],
  };
}
