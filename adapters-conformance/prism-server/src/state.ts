/** The in-memory inventory of the Prism-like server: clusters, hosts, VMs, policies, categories, images. */
import type { SeedVmWithDisks, SimHardware, SimImage } from "./disks.ts";

/** A host. `freeMemory` is computed from running VMs. */
export interface SimHost {
  readonly extId: string;
  readonly hostName: string;
  readonly clusterExtId: string;
  readonly memorySizeBytes: number;
  hypervisorState: string;
  maintenanceState: string;
  connection: "CONNECTED" | "DISCONNECTED";
  readonly categories: string[];
}

/** A VM. `host` is null while OFF (as on AHV); `lastHost` is where it last ran. */
export interface SimVm {
  readonly extId: string;
  readonly name: string;
  powerState: "ON" | "OFF" | "PAUSED";
  host: string | null;
  lastHost: string | null;
  clusterExtId: string;
  readonly memorySizeBytes: number;
  readonly numSockets: number;
  readonly isLiveMigrateCapable: boolean;
  readonly ngt: boolean;
  readonly categories: string[];
  /** Bumped on every write; the ETag is derived from it. */
  version: number;
  /** A task of this VM is running (power or migration). */
  busyTask?: string;
  /** Disks (real files), CD-ROMs, NICs and boot configuration; absent on the default VMs. */
  hardware?: SimHardware;
}

/** A VM–host affinity policy. */
export interface SimPolicy {
  readonly extId: string;
  readonly name: string;
  readonly vmCategories: string[];
  readonly hostCategories: string[];
}

/** A category (key:value). */
export interface SimCategory {
  readonly extId: string;
  readonly key: string;
  readonly value: string;
}

/** The whole inventory. */
export interface Inventory {
  readonly clusters: { extId: string; name: string }[];
  readonly hosts: SimHost[];
  readonly vms: SimVm[];
  readonly policies: SimPolicy[];
  readonly categories: SimCategory[];
  readonly availabilityZoneId: string;
  /** Content-library images (`/api/vmm/v4.0/content/images`). */
  readonly images: SimImage[];
}

const GiB = 1024 ** 3;

/** Deterministic UUID-shaped ids: `prefix` (8 hex) + counter. */
export function simId(prefix: string, n: number): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

/** Options of {@link seedInventory}. */
export interface SeedOptions {
  /** Extra stopped VMs (for paging). Default 12. */
  readonly extraVms?: number;
  /** VMs with real disk files (attached copies of caller images or blank disks), ids `0e000000-…-0000000002xx`. */
  readonly vmsWithDisks?: readonly SeedVmWithDisks[];
}

/**
 * The default inventory:
 * - cluster A with hosts a1 (runs `web-1`), a2 (normal, roomy), a3 (maintenance), a4 (16 GiB,
 *   13 GiB of it taken by `big-1`), a5 (normal); cluster B with host b1;
 * - `web-1` (4 GiB, ON, live-migratable), `db-1` (4 GiB, ON, on a2, with NGT), `pinned-1`
 *   (ON, on a5, in category app=pinned, which a policy keeps on hosts tagged zone=a5),
 *   `big-1` (13 GiB, ON, on a4), and `extraVms` stopped VMs.
 */
export function seedInventory(options: SeedOptions = {}): Inventory {
  const clusterA = simId("c1a5e000", 1);
  const clusterB = simId("c1a5e000", 2);
  const host = (n: number, cluster: string, memGiB: number, state = "ACROPOLIS_NORMAL", maintenance = "normal", categories: string[] = []): SimHost => ({
    extId: simId("4057a000", n),
    hostName: `ahv-${n}`,
    clusterExtId: cluster,
    memorySizeBytes: memGiB * GiB,
    hypervisorState: state,
    maintenanceState: maintenance,
    connection: "CONNECTED",
    categories,
  });
  const catPinned = simId("ca7e0000", 1);
  const catZone = simId("ca7e0000", 2);
  const hosts = [
    host(1, clusterA, 64),
    host(2, clusterA, 64),
    host(3, clusterA, 64, "ENTERED_MAINTENANCE_MODE", "enteredMaintenanceMode"),
    host(4, clusterA, 16),
    host(5, clusterA, 64, "ACROPOLIS_NORMAL", "normal", [catZone]),
    host(6, clusterB, 64),
  ];
  const vm = (n: number, name: string, hostIdx: number | null, memGiB: number, extra: Partial<SimVm> = {}): SimVm => {
    const h = hostIdx === null ? null : hosts[hostIdx - 1]!.extId;
    return {
      extId: simId("0e000000", n),
      name,
      powerState: h ? "ON" : "OFF",
      host: h,
      lastHost: h,
      clusterExtId: clusterA,
      memorySizeBytes: memGiB * GiB,
      numSockets: 2,
      isLiveMigrateCapable: true,
      ngt: false,
      categories: [],
      version: 1,
      ...extra,
    };
  };
  const vms = [vm(1, "web-1", 1, 4), vm(2, "db-1", 2, 4, { ngt: true }), vm(3, "pinned-1", 5, 2, { categories: [catPinned] }), vm(4, "big-1", 4, 13)];
  for (let i = 0; i < (options.extraVms ?? 12); i++) vms.push(vm(100 + i, `batch-${String(i).padStart(2, "0")}`, null, 1));
  return {
    clusters: [
      { extId: clusterA, name: "cluster-a" },
      { extId: clusterB, name: "cluster-b" },
    ],
    hosts,
    vms,
    policies: [{ extId: simId("901c0000", 1), name: "keep-pinned-on-zone-a5", vmCategories: [catPinned], hostCategories: [catZone] }],
    categories: [
      { extId: catPinned, key: "app", value: "pinned" },
      { extId: catZone, key: "zone", value: "a5" },
    ],
    availabilityZoneId: simId("a2000000", 1),
    images: [],
  };
}

/** Memory of running VMs on a host, bytes. */
export function usedMemory(inv: Inventory, hostExtId: string, except?: string): number {
  return inv.vms.filter((v) => v.host === hostExtId && v.powerState === "ON" && v.extId !== except).reduce((sum, v) => sum + v.memorySizeBytes, 0);
}

/** True when the host takes new VMs. */
export function schedulable(h: SimHost): boolean {
  return h.hypervisorState === "ACROPOLIS_NORMAL" && h.connection === "CONNECTED" && h.maintenanceState === "normal";
}
