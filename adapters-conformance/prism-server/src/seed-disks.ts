/** Adds the seed's VMs with real disks to an inventory (files in the server's {@link DiskStore}). */
import type { DiskStore, SeedVmWithDisks, SimDisk } from "./disks.ts";
import { type Inventory, type SimVm, schedulable, simId } from "./state.ts";

/** The storage container every seeded disk lives in. */
export const DEFAULT_CONTAINER = simId("5c000000", 1);

/**
 * Appends one VM per seed entry (ids `simId("0e000000", 200 + i)`), disks `simId("d15c0000", n)`
 * (VmDisk `diskExtId` `simId("d15cd000", n)`), NICs `simId("41c00000", n)`; a VM seeded ON runs
 * on the first schedulable host of cluster A.
 */
export function addVmsWithDisks(inv: Inventory, store: DiskStore, seeds: readonly SeedVmWithDisks[]): SimVm[] {
  let disk = 0;
  let nic = 0;
  const cluster = inv.clusters[0]!.extId;
  const added: SimVm[] = [];
  seeds.forEach((seed, i) => {
    const extId = simId("0e000000", 200 + i);
    const buses = new Map<string, number>();
    const disks: SimDisk[] = seed.disks.map((d) => {
      disk++;
      const busType = d.busType ?? "SCSI";
      const index = buses.get(busType) ?? 0;
      buses.set(busType, index + 1);
      const base = { extId: simId("d15c0000", disk), diskExtId: simId("d15cd000", disk), busType, index, containerExtId: DEFAULT_CONTAINER };
      if (d.volumeGroup) return { ...base, sizeBytes: d.sizeBytes ?? 64 * 2 ** 20, volumeGroupExtId: simId("76000000", disk) };
      const stored = d.image ? store.attach(d.image, `${seed.name}-disk${disk}`) : store.blank(`${seed.name}-disk${disk}`, d.sizeBytes ?? 64 * 2 ** 20);
      return { ...base, sizeBytes: stored.sizeBytes, file: stored.file, format: stored.format };
    });
    const on = seed.powerState === "ON";
    const host = on ? (inv.hosts.find((h) => h.clusterExtId === cluster && schedulable(h))?.extId ?? null) : null;
    const vm: SimVm = {
      extId,
      name: seed.name,
      powerState: host ? "ON" : "OFF",
      host,
      lastHost: host,
      clusterExtId: cluster,
      memorySizeBytes: seed.memorySizeBytes ?? 2 ** 30,
      numSockets: seed.numSockets ?? 1,
      isLiveMigrateCapable: true,
      ngt: seed.ngt ?? false,
      categories: [],
      version: 1,
      hardware: {
        numCoresPerSocket: seed.numCoresPerSocket ?? 1,
        machineType: seed.machineType ?? "PC",
        boot: seed.boot ?? "LEGACY",
        disks,
        cdRoms: Array.from({ length: seed.cdRoms ?? 0 }, (_, n) => ({ extId: simId("cd000000", 10 * i + n + 1), busType: "IDE" as const, index: n })),
        nics: (seed.nics ?? []).map((n) => ({ extId: simId("41c00000", ++nic), macAddress: n.macAddress.toLowerCase(), model: n.model ?? "VIRTIO", subnetExtId: n.subnetExtId })),
        ...(seed.guestOsVersion ? { guestOsVersion: seed.guestOsVersion } : {}),
      },
    };
    inv.vms.push(vm);
    added.push(vm);
  });
  return added;
}
