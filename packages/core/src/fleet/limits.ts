/**
 * Which concurrency limits a plan runs under: the caller's overrides, else the adapter's
 * documented limits (`HypervisorAdapter.limits`), else a conservative fallback of 2 per source
 * and 2 per target host when the adapter documents nothing. Hosts that report their own
 * `maxConcurrentMigrations` (in + out) are capped at that too.
 */
import type { MigrationLimits } from "../adapter.ts";
import type { Host } from "../model.ts";
import type { LimitOverrides } from "./options.ts";
import type { FleetLimits } from "./types.ts";

/** Used when the adapter documents no limit at all: 2 out and 2 in per host (KubeVirt's and Hyper-V's defaults). */
export const FALLBACK_LIMITS: Readonly<Required<Pick<MigrationLimits, "perSourceHost" | "perTargetHost">>> = { perSourceHost: 2, perTargetHost: 2 };

/** In-flight migrations of one plan, unless the caller says otherwise (Forklift's `MAX_VM_INFLIGHT`). */
export const DEFAULT_MAX_IN_FLIGHT = 20;

/** Resolves the limits of a plan. */
export function resolveLimits(adapterName: string, documented: MigrationLimits | undefined, overrides: LimitOverrides | undefined, hosts: readonly Host[]): FleetLimits {
  const o = overrides ?? {};
  const documentsSomething = documented !== undefined && (documented.perSourceHost !== undefined || documented.perTargetHost !== undefined || documented.perCluster !== undefined);
  const base: MigrationLimits = documentsSomething ? documented : FALLBACK_LIMITS;
  const perSourceHost = o.perSourceHost ?? base.perSourceHost;
  const perTargetHost = o.perTargetHost ?? base.perTargetHost;
  const perCluster = o.perCluster ?? base.perCluster;
  const perHost: Record<string, number> = {};
  for (const h of hosts) {
    const n = o.perHost ?? h.maxConcurrentMigrations;
    if (n !== undefined) perHost[h.id] = n;
  }
  const from: string[] = [];
  if (o.perSourceHost !== undefined || o.perTargetHost !== undefined || o.perCluster !== undefined || o.perHost !== undefined || o.maxInFlight !== undefined) from.push("caller overrides");
  from.push(documentsSomething ? `${adapterName} documented limits${documented?.source ? ` (${documented.source})` : ""}` : `fallback ${FALLBACK_LIMITS.perSourceHost} out / ${FALLBACK_LIMITS.perTargetHost} in per host (${adapterName} documents no limit)`);
  if (o.perHost === undefined && Object.keys(perHost).length > 0) from.push("per-host maxConcurrentMigrations reported by the platform");
  return {
    ...(perSourceHost === undefined ? {} : { perSourceHost }),
    ...(perTargetHost === undefined ? {} : { perTargetHost }),
    ...(perCluster === undefined ? {} : { perCluster }),
    maxInFlight: o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    perHost,
    source: from.join("; "),
  };
}
