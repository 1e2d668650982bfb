/** Hyper-V hosts as the scripts print them (Get-VMHost + free memory + cluster node state), and their vmshift form. */
import type { Host } from "@vmshift/core";
import { Reader } from "../psjson.ts";

/** MigrationAuthenticationType by number. */
export const AUTH_TYPE_NAMES: Readonly<Record<number, string>> = { 0: "CredSSP", 1: "Kerberos" };
/** VMMigrationPerformance by number. */
export const PERFORMANCE_NAMES: Readonly<Record<number, string>> = { 0: "TCPIP", 1: "Compression", 2: "SMB" };
/** ClusterNodeState by number. */
export const NODE_STATE_NAMES: Readonly<Record<number, string>> = { [-1]: "Unknown", 0: "Up", 1: "Down", 2: "Paused", 3: "Joining" };

/** One host. */
export interface HvHost {
  readonly name: string;
  readonly fqdn?: string;
  /** VirtualMachineMigrationEnabled. */
  readonly migrationEnabled: boolean;
  /** VirtualMachineMigrationAuthenticationType: `CredSSP` or `Kerberos`. */
  readonly authenticationType: string;
  /** MaximumVirtualMachineMigrations. */
  readonly maxMigrations?: number;
  readonly maxStorageMigrations?: number;
  /** VirtualMachineMigrationPerformanceOption: `TCPIP`, `Compression` or `SMB`. */
  readonly performanceOption?: string;
  readonly logicalProcessorCount?: number;
  readonly memoryCapacityBytes?: number;
  readonly freeMemoryBytes?: number;
  readonly virtualMachinePath?: string;
  readonly cluster?: string;
  /** Cluster node state (`Up`, `Paused`, …) when clustered. */
  readonly nodeState?: string;
}

/** Validates one host object. */
export function parseHost(value: unknown): HvHost {
  const r = new Reader(value, "host");
  const opt = <K extends keyof HvHost>(key: K, v: HvHost[K] | undefined) => (v === undefined ? {} : { [key]: v });
  const nodeState = r.raw("nodeState") === null || r.raw("nodeState") === undefined ? undefined : r.enumName("nodeState", NODE_STATE_NAMES);
  const performance = r.raw("performanceOption") === null || r.raw("performanceOption") === undefined ? undefined : r.enumName("performanceOption", PERFORMANCE_NAMES);
  return {
    name: r.string("name"),
    migrationEnabled: r.boolean("migrationEnabled"),
    authenticationType: r.enumName("authenticationType", AUTH_TYPE_NAMES),
    ...opt("fqdn", r.optionalString("fqdn")),
    ...opt("maxMigrations", r.optionalNumber("maxMigrations")),
    ...opt("maxStorageMigrations", r.optionalNumber("maxStorageMigrations")),
    ...opt("performanceOption", performance),
    ...opt("logicalProcessorCount", r.optionalNumber("logicalProcessorCount")),
    ...opt("memoryCapacityBytes", r.optionalNumber("memoryCapacityBytes")),
    ...opt("freeMemoryBytes", r.optionalNumber("freeMemoryBytes")),
    ...opt("virtualMachinePath", r.optionalString("virtualMachinePath")),
    ...opt("cluster", r.optionalString("cluster")),
    ...opt("nodeState", nodeState),
  };
}

/** The vmshift view of a Hyper-V host. Schedulable: node up (or not clustered) and migration enabled. */
export function toHost(host: HvHost): Host {
  const up = host.nodeState === undefined || host.nodeState === "Up";
  return {
    id: host.name,
    name: host.fqdn ?? host.name,
    ...(host.cluster === undefined ? {} : { clusterId: host.cluster }),
    connectionState: host.nodeState === "Down" ? "disconnected" : "connected",
    maintenance: host.nodeState === "Paused",
    schedulable: up && host.migrationEnabled,
    ...(host.logicalProcessorCount === undefined ? {} : { cpuCores: host.logicalProcessorCount }),
    ...(host.memoryCapacityBytes === undefined ? {} : { memoryBytes: host.memoryCapacityBytes }),
    ...(host.freeMemoryBytes === undefined ? {} : { freeMemoryBytes: host.freeMemoryBytes }),
    ...(host.maxMigrations === undefined ? {} : { maxConcurrentMigrations: host.maxMigrations }),
    labels: {
      "hyperv.migrationEnabled": String(host.migrationEnabled),
      "hyperv.migrationAuthentication": host.authenticationType,
      ...(host.performanceOption === undefined ? {} : { "hyperv.migrationPerformance": host.performanceOption }),
      ...(host.maxStorageMigrations === undefined ? {} : { "hyperv.maxStorageMigrations": String(host.maxStorageMigrations) }),
      ...(host.nodeState === undefined ? {} : { "hyperv.nodeState": host.nodeState }),
    },
  };
}
