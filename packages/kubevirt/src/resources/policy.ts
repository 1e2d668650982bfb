/**
 * Per-migration tuning through MigrationPolicies (`migrations.kubevirt.io/v1alpha1`, cluster-scoped).
 * KubeVirt has no per-migration knob: virt-controller resolves, at hand-off, the policy that
 * matches the VMI's labels and its Namespace's labels and merges it over the KubeVirt CR's
 * `spec.configuration.migrations` (reference §7.2). So a tuned start makes (or finds) a policy whose
 * name derives from the settings, `vmshift-<16 hex of sha256>`, selecting the single VMI label
 * `migrations.vmshift.io/policy=<that name>`, and puts that label on the VMI before creating the
 * migration. A policy that matches the VMI with more labels still wins (KubeVirt's precedence), and
 * so does one matching as many labels whose name sorts before `vmshift-…`; the final snapshot
 * names the policy that applied. `maxDowntimeMs` on a policy needs KubeVirt's MigrationStallDetection
 * feature gate (v1.9.0's policy validator refuses it otherwise).
 */
import { createHash } from "node:crypto";
import { type NormalizedMigrationRequest, VmshiftError } from "@vmshift/core";
import type { KvMigrationConfiguration, KvMigrationPolicy } from "../types.ts";

/** KubeVirt v1.9.0's feature gate without which its policy validator refuses `maxDowntimeMs` (Alpha). */
export const STALL_DETECTION_GATE = "MigrationStallDetection";

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

/** How well a policy matches a VMI: matching VMI labels and matching Namespace labels (KubeVirt's `migrationPolicyMatchScore`). */
export interface PolicyMatchScore {
  readonly vmiLabels: number;
  readonly namespaceLabels: number;
}

const hasLabels = (labels: Readonly<Record<string, string>> | undefined): labels is Readonly<Record<string, string>> => labels !== undefined && Object.keys(labels).length > 0;

/**
 * Whether a policy matches a VMI and its score, as KubeVirt v1.9.0's `countMatchingLabels`
 * (pkg/virt-controller/watch/migration/migrationpolicy.go): a policy without `spec.selectors`
 * matches nothing; every label of each selector must be on the VMI / its Namespace; both selectors
 * are consulted only when the VMI has labels at all (so a VMI without labels matches every
 * policy that has selectors, score 0). Undefined when it does not match.
 */
export function scorePolicy(policy: KvMigrationPolicy, vmiLabels: Readonly<Record<string, string>> | undefined, namespaceLabels: Readonly<Record<string, string>> | undefined): PolicyMatchScore | undefined {
  const selectors = policy.spec.selectors;
  if (!selectors) return undefined;
  if (!hasLabels(vmiLabels)) return { vmiLabels: 0, namespaceLabels: 0 };
  const count = (selector: Record<string, string> | undefined, labels: Readonly<Record<string, string>> | undefined): number | undefined => {
    if (!selector) return 0;
    for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return undefined;
    return Object.keys(selector).length;
  };
  const vmi = count(selectors.virtualMachineInstanceSelector, vmiLabels);
  const ns = vmi === undefined ? undefined : count(selectors.namespaceSelector, hasLabels(namespaceLabels) ? namespaceLabels : undefined);
  return vmi === undefined || ns === undefined ? undefined : { vmiLabels: vmi, namespaceLabels: ns };
}

/** KubeVirt's order of scores: the higher total wins, on an equal total the higher VMI count. */
export function scoreBeats(a: PolicyMatchScore, b: PolicyMatchScore): boolean {
  const ta = a.vmiLabels + a.namespaceLabels;
  const tb = b.vmiLabels + b.namespaceLabels;
  return ta === tb ? a.vmiLabels > b.vmiLabels : ta > tb;
}

/**
 * The policy KubeVirt v1.9.0 applies to a VMI (`matchPolicy`): the best score (scorePolicy,
 * scoreBeats); among equal scores the policy whose name sorts first. The user guide's "the
 * lexicographic order of the matching labels keys" is not what the code does, and two policies
 * with identical selectors are admitted (the webhook checks values only): the name decides.
 */
export function matchPolicy(policies: readonly KvMigrationPolicy[], vmiLabels: Readonly<Record<string, string>> | undefined, namespaceLabels: Readonly<Record<string, string>> | undefined): KvMigrationPolicy | undefined {
  let best: PolicyMatchScore = { vmiLabels: 0, namespaceLabels: 0 };
  let tied: KvMigrationPolicy[] = [];
  for (const policy of policies) {
    const score = scorePolicy(policy, vmiLabels, namespaceLabels);
    if (!score) continue;
    if (scoreBeats(score, best)) [best, tied] = [score, [policy]];
    else if (!scoreBeats(best, score)) tied.push(policy);
  }
  const name = (p: KvMigrationPolicy) => p.metadata?.name ?? "";
  return tied.reduce<KvMigrationPolicy | undefined>((first, p) => (first === undefined || name(p) < name(first) ? p : first), undefined);
}

/** Why `winner` applies instead of `loser` under KubeVirt's precedence, in words (both must match). */
export function whyPolicyWins(winner: KvMigrationPolicy, loser: KvMigrationPolicy, vmiLabels: Readonly<Record<string, string>>, namespaceLabels: Readonly<Record<string, string>>): string {
  const w = scorePolicy(winner, vmiLabels, namespaceLabels);
  const l = scorePolicy(loser, vmiLabels, namespaceLabels);
  if (!w || !l) return "it matches the VMI";
  const words = (s: PolicyMatchScore) => `${s.vmiLabels} VMI label(s) and ${s.namespaceLabels} Namespace label(s)`;
  if (w.vmiLabels + w.namespaceLabels > l.vmiLabels + l.namespaceLabels) return `it matches more labels (${words(w)} against ${words(l)})`;
  if (w.vmiLabels > l.vmiLabels) return `it matches as many labels but more of them on the VMI (${words(w)} against ${words(l)})`;
  return `it matches as many labels (${words(w)}) and its name sorts first: KubeVirt breaks ties by policy name`;
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
  // v1.9.0: a policy setting allowPostCopy but not allowWorkloadDisruption sets both.
  if (policy?.spec.allowWorkloadDisruption === undefined && policy?.spec.allowPostCopy !== undefined) configuration["allowWorkloadDisruption"] = policy.spec.allowPostCopy;
  for (const field of POLICY_FIELDS) if (policy?.spec[field] !== undefined) configuration[field] = policy.spec[field];
  return policy?.metadata?.name ? { policyName: policy.metadata.name, source: "policy", configuration } : { source: "cluster", configuration };
}
