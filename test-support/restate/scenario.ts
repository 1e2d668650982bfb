/**
 * The fleets the tests and the bench run: an evacuation of several hosts onto others on a fast
 * simulated platform, the plan for it, and the checks every durable run must pass on the
 * platform's side: each VM migrated exactly once, no host ever over the plan's limits, every
 * planned step settled.
 */
import { type FleetLimits, type FleetPlan, type FleetReport, type LimitOverrides, VmshiftClient, planEvacuation } from "@vmshift/core";
import { type SimHostSpec, type SimInventory, type SimTiming, type SimVmSpec, createRemoteSimulatorAdapter } from "@vmshift/simulator";
import type { Platform, PlatformStats } from "./platform.ts";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** What to build. */
export interface FleetSpec {
  /** Hosts emptied by the plan. */
  readonly sources: number;
  /** Hosts that receive the VMs. */
  readonly targets: number;
  readonly vmsPerSource: number;
  /** Memory sizes cycled through, GiB. Default [1, 2, 3]. */
  readonly sizesGiB?: readonly number[];
  /** Per host, in + out, as the platform reports it. Default 8. */
  readonly hostLimit?: number;
}

/** Source hosts are host-1…host-S, targets follow; VMs vm-00001… spread over the sources, some dirtying memory. */
export function evacuationInventory(spec: FleetSpec): SimInventory {
  const hosts: SimHostSpec[] = [];
  for (let i = 1; i <= spec.sources + spec.targets; i++) hosts.push({ id: `host-${i}`, clusterId: "cluster-a", cpuCores: 128, memoryBytes: 4096 * GiB, maxConcurrentMigrations: spec.hostLimit ?? 8 });
  const sizes = spec.sizesGiB ?? [1, 2, 3];
  const vms: SimVmSpec[] = [];
  const total = spec.sources * spec.vmsPerSource;
  for (let i = 1; i <= total; i++) {
    vms.push({
      id: `vm-${String(i).padStart(5, "0")}`,
      hostId: `host-${((i - 1) % spec.sources) + 1}`,
      memoryBytes: sizes[i % sizes.length]! * GiB,
      cpus: 2,
      dirtyRateBytesPerSecond: ((i * 37) % 5) * 40 * MiB,
      workingSetBytes: 256 * MiB,
    });
  }
  return { hosts, vms };
}

/** A fast platform: 4 GB/s links, short fixed phases, progress every 100 ms. */
export const FAST_TIMING: SimTiming = { bandwidthBytesPerSecond: 4e9, progressIntervalMs: 100, maxRounds: 6, phaseDelaysMs: { preparing: 50, requested: 50, finalizing: 50, stopping: 150, relocating: 150, starting: 150 } };

/** A client of a platform process. */
export function platformClient(platform: Platform): VmshiftClient {
  return new VmshiftClient(createRemoteSimulatorAdapter({ url: platform.url, token: platform.token }));
}

/** The evacuation plan of the source hosts (what `vmshift evacuate … --dry-run` would write). */
export async function evacuationPlan(platform: Platform, spec: FleetSpec, limits: LimitOverrides): Promise<FleetPlan> {
  const client = platformClient(platform);
  try {
    return await planEvacuation(
      client,
      Array.from({ length: spec.sources }, (_, i) => `host-${i + 1}`),
      { limits },
    );
  } finally {
    await client.close();
  }
}

/** What went wrong on the platform's side, one line each (empty: nothing). */
export function platformProblems(stats: PlatformStats, plan: FleetPlan, options: { readonly expectCompleted?: boolean } = {}): string[] {
  const problems: string[] = [];
  for (const m of plan.migrations) {
    const n = stats.migrations[m.vmId] ?? 0;
    if (n !== 1) problems.push(`${m.vmId} migrated ${n} times`);
    if (options.expectCompleted !== false && stats.vms[m.vmId]?.hostId !== m.targetHostId) problems.push(`${m.vmId} is on ${stats.vms[m.vmId]?.hostId}, not ${m.targetHostId}`);
  }
  problems.push(...limitProblems(stats, plan.limits));
  if (stats.active !== 0) problems.push(`${stats.active} migrations still in flight on the platform`);
  return problems;
}

/** Hosts whose most concurrent migrations exceeded a limit. */
export function limitProblems(stats: PlatformStats, limits: FleetLimits): string[] {
  const problems: string[] = [];
  for (const [host, peak] of Object.entries(stats.peaks)) {
    if (limits.perSourceHost !== undefined && peak.out > limits.perSourceHost) problems.push(`${host}: ${peak.out} out at once > ${limits.perSourceHost}`);
    if (limits.perTargetHost !== undefined && peak.in > limits.perTargetHost) problems.push(`${host}: ${peak.in} in at once > ${limits.perTargetHost}`);
    const cap = limits.perHost[host];
    if (cap !== undefined && peak.total > cap) problems.push(`${host}: ${peak.total} at once > ${cap} (in + out)`);
  }
  return problems;
}

/** Steps lost: planned VMs without exactly one outcome in the report, or not completed when that is expected. */
export function reportProblems(report: FleetReport, plan: FleetPlan, options: { readonly expectCompleted?: boolean } = {}): string[] {
  const problems: string[] = [];
  for (const m of plan.migrations) {
    const outcomes = report.outcomes.filter((o) => o.vmId === m.vmId);
    if (outcomes.length !== 1) problems.push(`${m.vmId}: ${outcomes.length} outcomes`);
    else if (options.expectCompleted !== false && outcomes[0]!.status !== "completed") problems.push(`${m.vmId}: ${outcomes[0]!.status} ${outcomes[0]!.reason ?? ""}`);
  }
  if (report.outcomes.length !== plan.migrations.length + plan.skipped.length) problems.push(`${report.outcomes.length} outcomes for ${plan.migrations.length} + ${plan.skipped.length} VMs`);
  return problems;
}

/** An outcome without what differs between two runs of one plan (migration ids, times). */
export function comparable(report: FleetReport): Record<string, unknown>[] {
  return report.outcomes.map((o) => ({
    vmId: o.vmId,
    status: o.status,
    mode: o.mode,
    sourceHostId: o.sourceHostId,
    targetHostId: o.targetHostId,
    vmLocation: o.vmLocation,
    error: o.error?.code,
  }));
}
