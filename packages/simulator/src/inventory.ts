/** The simulator's inventory: what hosts and VMs exist, and a default one for the demo and the CLI. */

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** A simulated host. */
export interface SimHostSpec {
  readonly id: string;
  readonly name?: string;
  readonly clusterId?: string;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly maintenance?: boolean;
  readonly connected?: boolean;
  /** Concurrent migrations (in + out) this host runs; more wait in `requested`. Default 2. */
  readonly maxConcurrentMigrations?: number;
  /** Migration network bandwidth of this host, bytes/s. Default: the world's. */
  readonly bandwidthBytesPerSecond?: number;
  /** CPU model family; a VM pinned to a model can only move to hosts of that model. */
  readonly cpuModel?: string;
}

/** A simulated VM. */
export interface SimVmSpec {
  readonly id: string;
  readonly name?: string;
  readonly hostId: string;
  readonly memoryBytes: number;
  readonly cpus: number;
  /** How fast the guest dirties memory, bytes/s. Default 0. */
  readonly dirtyRateBytesPerSecond?: number;
  /** Most memory dirtied in one round, bytes. Default: all. */
  readonly workingSetBytes?: number;
  readonly powerState?: "running" | "stopped";
  /** Default true. */
  readonly liveMigratable?: boolean;
  /** Requires hosts with this CPU model. */
  readonly cpuModel?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A whole inventory. */
export interface SimInventory {
  readonly hosts: readonly SimHostSpec[];
  readonly vms: readonly SimVmSpec[];
}

/**
 * The default inventory: cluster `cluster-a` with four hosts (host-3 small, host-4 in
 * maintenance), cluster `cluster-b` with one host of another CPU model, and twelve VMs of mixed
 * sizes and dirty rates. `web-01` (4 GiB, modest dirty rate) is the demo VM; `cache-01` dirties
 * memory faster than the link moves it.
 */
export function defaultInventory(): SimInventory {
  return {
    hosts: [
      { id: "host-1", clusterId: "cluster-a", cpuCores: 32, memoryBytes: 256 * GiB, cpuModel: "icelake" },
      { id: "host-2", clusterId: "cluster-a", cpuCores: 32, memoryBytes: 256 * GiB, cpuModel: "icelake" },
      { id: "host-3", clusterId: "cluster-a", cpuCores: 8, memoryBytes: 4 * GiB, cpuModel: "icelake" },
      { id: "host-4", clusterId: "cluster-a", cpuCores: 32, memoryBytes: 256 * GiB, cpuModel: "icelake", maintenance: true },
      { id: "host-5", clusterId: "cluster-b", cpuCores: 64, memoryBytes: 512 * GiB, cpuModel: "milan" },
    ],
    vms: [
      { id: "web-01", hostId: "host-1", memoryBytes: 4 * GiB, cpus: 2, dirtyRateBytesPerSecond: 120 * MiB, workingSetBytes: 1 * GiB },
      { id: "web-02", hostId: "host-1", memoryBytes: 4 * GiB, cpus: 2, dirtyRateBytesPerSecond: 80 * MiB },
      { id: "db-01", hostId: "host-1", memoryBytes: 16 * GiB, cpus: 8, dirtyRateBytesPerSecond: 300 * MiB, cpuModel: "icelake" },
      { id: "cache-01", hostId: "host-2", memoryBytes: 8 * GiB, cpus: 4, dirtyRateBytesPerSecond: 1400 * MiB },
      { id: "batch-01", hostId: "host-2", memoryBytes: 2 * GiB, cpus: 1, dirtyRateBytesPerSecond: 10 * MiB },
      { id: "batch-02", hostId: "host-2", memoryBytes: 2 * GiB, cpus: 1, dirtyRateBytesPerSecond: 10 * MiB },
      { id: "app-01", hostId: "host-1", memoryBytes: 6 * GiB, cpus: 4, dirtyRateBytesPerSecond: 60 * MiB },
      { id: "app-02", hostId: "host-2", memoryBytes: 6 * GiB, cpus: 4, dirtyRateBytesPerSecond: 60 * MiB },
      { id: "ci-runner-01", hostId: "host-3", memoryBytes: 2 * GiB, cpus: 2, dirtyRateBytesPerSecond: 40 * MiB },
      { id: "legacy-01", hostId: "host-1", memoryBytes: 2 * GiB, cpus: 1, powerState: "stopped" },
      { id: "gpu-01", hostId: "host-2", memoryBytes: 8 * GiB, cpus: 8, liveMigratable: false },
      { id: "analytics-01", hostId: "host-5", memoryBytes: 32 * GiB, cpus: 16, dirtyRateBytesPerSecond: 200 * MiB },
    ],
  };
}

/** A generated inventory of `hostCount` hosts and `vmCount` VMs (sizes cycle 2/4/8/16 GiB), for scale runs. */
export function generatedInventory(hostCount: number, vmCount: number, options: { hostMemoryBytes?: number } = {}): SimInventory {
  const hosts: SimHostSpec[] = [];
  for (let i = 1; i <= hostCount; i++) {
    hosts.push({ id: `host-${i}`, clusterId: "cluster-a", cpuCores: 64, memoryBytes: options.hostMemoryBytes ?? 1024 * GiB, maxConcurrentMigrations: 4 });
  }
  const sizes = [2, 4, 8, 16];
  const vms: SimVmSpec[] = [];
  for (let i = 1; i <= vmCount; i++) {
    vms.push({
      id: `vm-${String(i).padStart(5, "0")}`,
      hostId: `host-${((i - 1) % hostCount) + 1}`,
      memoryBytes: sizes[i % sizes.length]! * GiB,
      cpus: 2,
      dirtyRateBytesPerSecond: ((i * 37) % 100) * MiB,
    });
  }
  return { hosts, vms };
}
