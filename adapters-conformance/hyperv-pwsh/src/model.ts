/**
 * A small stateful Hyper-V model for the stand-in `pwsh`: hosts with Get-VMHost's migration
 * settings, VMs with Get-VM's fields, Msvm_MigrationJob objects that progress with wall time,
 * and the faults the conformance controls inject. Answers follow the documented object shapes
 * (Get-VM, Get-VMHost, Compare-VM's VMCompatibilityReport, Msvm_MigrationJob); messages imitate
 * Hyper-V's wording so the adapter's error table sees realistic text.
 */

/** A host. */
export interface ModelHost {
  name: string;
  fqdn: string;
  migrationEnabled: boolean;
  authenticationType: "Kerberos" | "CredSSP";
  maxMigrations: number;
  performanceOption: "TCPIP" | "Compression" | "SMB";
  logicalProcessorCount: number;
  memoryCapacityBytes: number;
  /** Memory the parent partition keeps, bytes. */
  reservedBytes: number;
  virtualMachinePath: string;
  /** Processor vendor, for Compare-VM. */
  processor: string;
  /** Existing directories for -DestinationStoragePath checks. */
  paths: string[];
  /** Failover cluster name, when the host is a cluster node. */
  cluster?: string;
  /** Cluster node state: Up, Down, Paused, Joining. */
  nodeState?: string;
}

/** A VM. */
export interface ModelVm {
  id: string;
  name: string;
  state: "Running" | "Off" | "Saved" | "Paused";
  host: string;
  memoryStartupBytes: number;
  processorCount: number;
  generation: number;
  version: string;
  /** A failover cluster VM role. */
  clustered?: boolean;
  /** The role's (cluster group's) name when it differs from the VM's, e.g. "SCVMM APP01 Resources". */
  clusterGroup?: string;
  /** False: the guest ignores shutdown requests (no integration services), so Stop-VM times out. */
  guestShutdown?: boolean;
  /** Get-VM's Notes (Set-VM -Notes); lines separated by \n. */
  notes?: string;
  /** Move-source devices (move-model.ts): hard disk drives, DVD drives, network adapters, firmware, checkpoints. */
  devices?: import("./move-model.ts").ModelDevices;
}

/** A migration job (Msvm_MigrationJob). */
export interface ModelJob {
  instanceId: string;
  vmId: string;
  source: string;
  target: string;
  storagePath: string;
  startMs: number;
  durationMs: number;
  jobState: number;
  percentComplete: number;
  errorCode: number;
  errorDescription: string;
  /** Fail when this percent is reached (fault). */
  failAtPercent?: number;
  /** When the host finished the job, ms since the epoch. */
  completedAtMs?: number;
}

/** The whole platform. */
export interface ModelState {
  computerName: string;
  hosts: Record<string, ModelHost>;
  vms: Record<string, ModelVm>;
  jobs: Record<string, ModelJob>;
  /** msDS-AllowedToDelegateTo per computer account. */
  delegation: Record<string, string[]>;
  faults: {
    failDuringTransfer: string[];
    failColdStartOnTarget: string[];
    slow: string[];
    /** Scripts of each kind still to fail before acting (start: startLive, progress: migrationStatus, cancel: cancelLive). */
    transient?: { start: number; progress: number; cancel: number };
    /** The next startLive acts, then its shell dies before answering. */
    loseNextStart?: boolean;
    /** With loseNextStart: the retry is held back until the lost start's migration has finished. */
    lateRetry?: boolean;
    /** Instance id of the migration job the next startLive waits for (set when a start is lost with lateRetry). */
    holdStartUntilJobDone?: string;
  };
  /** Bumped to break every open remoting session (expireSession). */
  sessionEpoch?: number;
  requestCount: number;
  seq: number;
  /** Every script name received, in order (for tests). */
  log: string[];
  /** Cluster roles cancelled with Move-ClusterVirtualMachineRole -Cancel (for tests). */
  clusterCancels?: string[];
  /** Local directory standing for every host's administrative shares: `<shareRoot>/<host>/<drive>$/…` (move-model.ts). */
  shareRoot?: string;
}

const GiB = 1024 ** 3;

/** Live migration time without and with the slowDown fault, ms. */
export const MIGRATION_MS = 1_500;
export const SLOW_MIGRATION_MS = 6_000;
/** How long a new job stays in Starting (3), ms. */
export const STARTING_MS = 150;

/** The conformance world: four hosts (a good target, a full one, one with migration disabled) and twelve VMs. */
export function conformanceWorld(): ModelState {
  const host = (name: string, over: Partial<ModelHost> = {}): ModelHost => ({
    name,
    fqdn: `${name}.lab.example`,
    migrationEnabled: true,
    authenticationType: "Kerberos",
    maxMigrations: 2,
    performanceOption: "Compression",
    logicalProcessorCount: 32,
    memoryCapacityBytes: 128 * GiB,
    reservedBytes: 4 * GiB,
    virtualMachinePath: "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V",
    processor: "GenuineIntel",
    paths: ["C:\\ClusterStorage\\Volume1\\VMs", "D:\\VMs"],
    ...over,
  });
  const hosts = {
    "HV-A": host("HV-A"),
    "HV-B": host("HV-B"),
    "HV-C": host("HV-C", { memoryCapacityBytes: 8 * GiB }),
    "HV-D": host("HV-D", { migrationEnabled: false, processor: "AuthenticAMD" }),
  };
  const vms: Record<string, ModelVm> = {};
  const add = (n: number, name: string, hostName: string, state: ModelVm["state"], memGiB: number) => {
    const id = `6f1c2a40-0000-4000-8000-${String(n).padStart(12, "0")}`;
    vms[id] = { id, name, state, host: hostName, memoryStartupBytes: memGiB * GiB, processorCount: 2, generation: 2, version: "10.0" };
  };
  add(1, "web-01", "HV-A", "Running", 4);
  add(2, "app-01", "HV-A", "Running", 4);
  add(3, "db-01", "HV-A", "Running", 16);
  add(4, "web-02", "HV-B", "Running", 4);
  add(5, "batch-01", "HV-B", "Off", 8);
  add(6, "ci-runner-01", "HV-C", "Running", 4);
  add(7, "legacy-01", "HV-D", "Running", 2);
  add(8, "web-03", "HV-A", "Running", 2);
  vms["6f1c2a40-0000-4000-8000-000000000008"]!.guestShutdown = false;
  add(9, "cache-01", "HV-B", "Running", 4);
  add(10, "mail-01", "HV-A", "Saved", 4);
  add(11, "dc-01", "HV-B", "Running", 2);
  add(12, "test-o'brien", "HV-A", "Off", 1);
  const delegateAll = (from: string) => Object.keys(hosts).filter((h) => h !== from).flatMap((h) => [`Microsoft Virtual System Migration Service/${h}`, `Microsoft Virtual System Migration Service/${h}.lab.example`, `cifs/${h}`, `cifs/${h}.lab.example`]);
  return {
    computerName: "MGMT-01",
    hosts,
    vms,
    jobs: {},
    delegation: Object.fromEntries(Object.keys(hosts).map((h) => [h, delegateAll(h)])),
    faults: { failDuringTransfer: [], failColdStartOnTarget: [], slow: [] },
    requestCount: 0,
    seq: 0,
    log: [],
  };
}

/** Free memory on a host: capacity − parent reserve − running VMs. */
export function freeMemory(state: ModelState, hostName: string): number {
  const h = state.hosts[hostName]!;
  const used = Object.values(state.vms).filter((v) => v.host === hostName && v.state !== "Off" && v.state !== "Saved").reduce((s, v) => s + v.memoryStartupBytes, 0);
  const incoming = Object.values(state.jobs).filter((j) => j.target === hostName && j.jobState >= 2 && j.jobState <= 4).reduce((s, j) => s + (state.vms[j.vmId]?.memoryStartupBytes ?? 0), 0);
  return Math.max(0, h.memoryCapacityBytes - h.reservedBytes - used - incoming);
}

/** Advances every running job to `nowMs`. */
export function tick(state: ModelState, nowMs: number): void {
  for (const job of Object.values(state.jobs)) {
    if (job.jobState !== 3 && job.jobState !== 4) continue;
    const elapsed = nowMs - job.startMs;
    if (elapsed < STARTING_MS) continue;
    job.jobState = 4;
    const percent = Math.min(100, Math.floor(((elapsed - STARTING_MS) / job.durationMs) * 100));
    if (job.failAtPercent !== undefined && percent >= job.failAtPercent) {
      const vm = state.vms[job.vmId]!;
      job.jobState = 10;
      job.percentComplete = job.failAtPercent;
      job.errorCode = 32768;
      job.errorDescription = `Virtual machine migration operation for '${vm.name}' failed at migration source '${job.source}'. (Virtual machine ID ${vm.id.toUpperCase()}) The Virtual Machine Management Service failed to establish a connection for a Virtual Machine migration with host '${job.target}': An existing connection was forcibly closed by the remote host. (0x80072746).`;
      continue;
    }
    if (percent >= 100) {
      job.jobState = 7;
      job.percentComplete = 100;
      job.completedAtMs = job.startMs + STARTING_MS + job.durationMs;
      const vm = state.vms[job.vmId]!;
      vm.host = job.target;
      continue;
    }
    job.percentComplete = percent;
  }
}

/** The active job of a VM, if any. */
export function activeJob(state: ModelState, vmId: string): ModelJob | undefined {
  return Object.values(state.jobs).find((j) => j.vmId === vmId && j.jobState >= 2 && j.jobState <= 6);
}

/** Resolves a host name (short, FQDN, any case) to its model key. */
export function hostKey(state: ModelState, name: string): string | undefined {
  const n = name.toLowerCase();
  return Object.keys(state.hosts).find((k) => k.toLowerCase() === n || state.hosts[k]!.fqdn.toLowerCase() === n);
}

/** A three-node failover cluster (HVC1: N1, N2 up, N3 paused) with four clustered VMs; the endpoint is node N1. */
export function clusterWorld(): ModelState {
  const world = conformanceWorld();
  const base = world.hosts["HV-A"]!;
  const node = (name: string, nodeState: string) => ({ ...base, name, fqdn: `${name}.lab.example`, cluster: "HVC1", nodeState });
  world.hosts = { N1: node("N1", "Up"), N2: node("N2", "Up"), N3: node("N3", "Paused") };
  const vms = Object.values(world.vms).slice(0, 4);
  world.vms = Object.fromEntries(vms.map((vm, i) => [vm.id, { ...vm, host: i < 3 ? "N1" : "N2", state: "Running" as const, clustered: true }]));
  world.delegation = {};
  world.computerName = "N1";
  world.clusterCancels = [];
  return world;
}
