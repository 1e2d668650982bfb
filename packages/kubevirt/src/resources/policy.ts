/**
 * Per-migration tuning through MigrationPolicies (`migrations.kubevirt.io/v1alpha1`, cluster-scoped).
 * KubeVirt has no per-migration knob: virt-controller resolves, at hand-off, the policy that
 * matches the VMI's labels and its Namespace's labels and merges it over the KubeVirt CR's
 * `spec.configuration.migrations` (reference §7.2). So a tuned start makes (or finds) a policy whose
 * name derives from the settings, `vmshift-<16 hex of sha256>`, selecting the single VMI label
 * `migrations.vmshift.io/policy=<that name>`, and puts that label on the VMI before creating the
 * migration. A policy that matches the VMI with more labels still wins (KubeVirt's precedence);
 * the final snapshot names the policy that applied.
 */
import { createHash } from "node:crypto";
import { type NormalizedMigrationRequest, VmshiftError } from "@vmshift/core";
import type { KvMigrationConfiguration, KvMigrationPolicy } from "../types.ts";

/** The VMI label vmshift's policies select on. */
export const POLICY_LABEL = "migrations.vmshift.io/policy";

/** The settings of a policy vmshift creates (MigrationPolicySpec fields, v1.9). */
export interface PolicyTuning {
  readonly bandwidthPerMigration?: string;
  readonly allowAutoConverge?: boolean;
  readonly allowPostCopy?: boolean;
  readonly maxDowntimeMs?: number;
  readonly completionTimeoutPerGiB?: number;
}

/** Tuning the adapter applies to every tuned migration (adapter option `migrationPolicy`). */
export interface PolicyDefaults {
  /** Seconds per GiB (memory plus copied disks) before KubeVirt switches to post-copy (when allowed) or aborts. */
  readonly completionTimeoutPerGiB?: number;
}

const MI = 2 ** 20;
/** KubeVirt's range of `maxDowntimeMs` (v1.9). */
const MAX_DOWNTIME = 2_000_000;

const invalid = (message: string) => new VmshiftError("INVALID_ARGUMENT", message, { adapter: "kubevirt", operation: "migration.start", retryable: false });

/**
 * The policy settings a request asks for, or undefined when it asks for none. KubeVirt hands
 * libvirt the bandwidth in whole MiB/s, so a cap is rounded down to whole MiB/s and one under
 * 1 MiB/s (which would mean "unlimited") is refused.
 */
export function tuningOf(request: Pick<NormalizedMigrationRequest, "mode" | "bandwidthBytesPerSecond" | "allowAutoConverge" | "allowPostCopy" | "maxDowntimeMs">, defaults: PolicyDefaults = {}): PolicyTuning | undefined {
  if (request.mode === "cold") return undefined;
  const tuning: { -readonly [K in keyof PolicyTuning]: PolicyTuning[K] } = {};
  if (request.bandwidthBytesPerSecond !== undefined) {
    const mib = Math.floor(request.bandwidthBytesPerSecond / MI);
    if (mib < 1) throw invalid(`bandwidthBytesPerSecond ${request.bandwidthBytesPerSecond} is under 1 MiB/s: KubeVirt passes the cap to libvirt in whole MiB/s, and 0 means unlimited`);
    tuning.bandwidthPerMigration = `${mib}Mi`;
  }
  if (request.allowAutoConverge) tuning.allowAutoConverge = true;
  if (request.allowPostCopy) tuning.allowPostCopy = true;
  if (request.maxDowntimeMs !== undefined) {
    const ms = Math.round(request.maxDowntimeMs);
    if (ms < 1 || ms > MAX_DOWNTIME) throw invalid(`maxDowntimeMs ${request.maxDowntimeMs} is outside KubeVirt's range 1..${MAX_DOWNTIME}`);
    tuning.maxDowntimeMs = ms;
  }
  if (Object.keys(tuning).length === 0) return undefined;
  if (defaults.completionTimeoutPerGiB !== undefined) tuning.completionTimeoutPerGiB = defaults.completionTimeoutPerGiB;
  return tuning;
}

/** The policy name for these settings: `vmshift-` and 16 hex of the sha256 of the settings in key order. */
export function policyName(tuning: PolicyTuning): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(tuning).sort(([a], [b]) => (a < b ? -1 : 1))));
  return `vmshift-${createHash("sha256").update(canonical).digest("hex").slice(0, 16)}`;
}

/** The MigrationPolicy vmshift creates for these settings. */
export function policyBody(tuning: PolicyTuning): KvMigrationPolicy {
  const name = policyName(tuning);
  return {
    apiVersion: "migrations.kubevirt.io/v1alpha1",
    kind: "MigrationPolicy",
    metadata: { name, labels: { "app.kubernetes.io/managed-by": "vmshift" } },
    spec: { ...tuning, selectors: { virtualMachineInstanceSelector: { [POLICY_LABEL]: name } } },
  };
}

/** The fields of a MigrationPolicy that override the cluster configuration (v1.9). */
const POLICY_FIELDS = ["allowAutoConverge", "bandwidthPerMigration", "completionTimeoutPerGiB", "allowPostCopy", "allowWorkloadDisruption", "maxDowntimeMs"] as const;

/** KubeVirt v1.9.0 defaults of the migration configuration a policy can override (pkg/virt-config/virt-config.go). */
export const CLUSTER_MIGRATION_DEFAULTS = { bandwidthPerMigration: "0Mi", completionTimeoutPerGiB: 150, allowAutoConverge: false, allowPostCopy: false, allowWorkloadDisruption: false, maxDowntimeMs: 900 } as const;

/**
 * The policy KubeVirt applies to a VMI: every label of both selectors must match (VMI labels, the
 * Namespace's labels); the most labels matched wins, then the most VMI labels, then the
 * lexicographic order of the matching keys (user guide, `migration_policies.md`).
 */
export function matchPolicy(policies: readonly KvMigrationPolicy[], vmiLabels: Readonly<Record<string, string>>, namespaceLabels: Readonly<Record<string, string>>): KvMigrationPolicy | undefined {
  const keysOf = (selector: Record<string, string> | undefined, labels: Readonly<Record<string, string>>) => {
    const keys = Object.keys(selector ?? {});
    return keys.every((k) => labels[k] === selector![k]) ? keys.sort() : undefined;
  };
  const matches = policies.flatMap((policy) => {
    const vmi = keysOf(policy.spec.selectors?.virtualMachineInstanceSelector, vmiLabels);
    const ns = keysOf(policy.spec.selectors?.namespaceSelector, namespaceLabels);
    return vmi && ns ? [{ policy, vmi, ns, keys: [...vmi, ...ns].join(",") }] : [];
  });
  matches.sort((a, b) => b.vmi.length + b.ns.length - (a.vmi.length + a.ns.length) || b.vmi.length - a.vmi.length || (a.keys < b.keys ? -1 : a.keys > b.keys ? 1 : (a.policy.metadata?.name ?? "") < (b.policy.metadata?.name ?? "") ? -1 : 1));
  return matches[0]?.policy;
}

/** What a migration of the VMI would run with: the cluster configuration with the matching policy's fields over it. */
export interface EffectiveMigrationConfiguration {
  /** The matching policy, absent when none matches (the cluster-wide configuration applies). */
  readonly policyName?: string;
  /** `policy` when a policy matched, else `cluster` (the KubeVirt CR, or KubeVirt's defaults where it sets nothing). */
  readonly source: "policy" | "cluster";
  readonly configuration: Readonly<Record<string, unknown>>;
}

/** Merges the matching policy over the KubeVirt CR's migration configuration (over KubeVirt's defaults). */
export function effectiveConfiguration(cluster: KvMigrationConfiguration | undefined, policy: KvMigrationPolicy | undefined): EffectiveMigrationConfiguration {
  const configuration: Record<string, unknown> = { ...CLUSTER_MIGRATION_DEFAULTS, ...(cluster ?? {}) };
  for (const field of POLICY_FIELDS) if (policy?.spec[field] !== undefined) configuration[field] = policy.spec[field];
  return policy?.metadata?.name ? { policyName: policy.metadata.name, source: "policy", configuration } : { source: "cluster", configuration };
}
