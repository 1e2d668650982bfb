/**
 * virt-controller's MigrationPolicy matching, as the KubeVirt user guide describes it
 * (`docs/cluster_admin/migration_policies.md`, reference §7.2): a policy matches a VMI when every
 * label of its `virtualMachineInstanceSelector` is on the VMI and every label of its
 * `namespaceSelector` is on the VMI's Namespace (plain maps, no expressions). Among matching
 * policies the one matching the most labels wins; on a tie the one matching more VMI labels; then
 * the lexicographic order of the matching keys. The effective configuration is the KubeVirt CR's
 * `spec.configuration.migrations` with the policy's fields over it, resolved at hand-off.
 */

/** A MigrationPolicy as stored. */
export interface PolicyObject {
  readonly metadata: { readonly name: string };
  readonly spec?: {
    readonly selectors?: { readonly namespaceSelector?: Record<string, string>; readonly virtualMachineInstanceSelector?: Record<string, string> };
    readonly [field: string]: unknown;
  };
}

/** The fields of a MigrationPolicy that override the cluster configuration (v1.9). */
export const POLICY_FIELDS = ["allowAutoConverge", "bandwidthPerMigration", "completionTimeoutPerGiB", "allowPostCopy", "allowWorkloadDisruption", "maxDowntimeMs", "experimental"] as const;

interface Match {
  readonly policy: PolicyObject;
  readonly vmiKeys: string[];
  readonly namespaceKeys: string[];
}

function matching(selector: Record<string, string> | undefined, labels: Record<string, string>): string[] | undefined {
  const keys = Object.keys(selector ?? {});
  return keys.every((k) => labels[k] === selector![k]) ? keys.sort() : undefined;
}

/** The policy KubeVirt applies to a VMI with these labels in a namespace with these labels, or undefined. */
export function matchPolicy(policies: readonly PolicyObject[], vmiLabels: Record<string, string>, namespaceLabels: Record<string, string>): PolicyObject | undefined {
  const matches: Match[] = [];
  for (const policy of policies) {
    const vmiKeys = matching(policy.spec?.selectors?.virtualMachineInstanceSelector, vmiLabels);
    const namespaceKeys = matching(policy.spec?.selectors?.namespaceSelector, namespaceLabels);
    if (vmiKeys && namespaceKeys) matches.push({ policy, vmiKeys, namespaceKeys });
  }
  matches.sort((a, b) => {
    const total = b.vmiKeys.length + b.namespaceKeys.length - (a.vmiKeys.length + a.namespaceKeys.length);
    if (total !== 0) return total;
    if (b.vmiKeys.length !== a.vmiKeys.length) return b.vmiKeys.length - a.vmiKeys.length;
    const ka = [...a.vmiKeys, ...a.namespaceKeys].join(",");
    const kb = [...b.vmiKeys, ...b.namespaceKeys].join(",");
    return ka < kb ? -1 : ka > kb ? 1 : a.policy.metadata.name < b.policy.metadata.name ? -1 : 1;
  });
  return matches[0]?.policy;
}

/** The cluster configuration with the policy's fields over it (what `migrationState.migrationConfiguration` carries). */
export function effectiveConfiguration(cluster: Record<string, unknown>, policy: PolicyObject | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cluster };
  for (const field of POLICY_FIELDS) if (policy?.spec?.[field] !== undefined) out[field] = policy.spec[field];
  return out;
}

/** `2000Mi`, `100M`, `0` → bytes per second (0: unlimited). */
export function bandwidthBytes(value: unknown): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value ?? "0"));
  if (!m) return 0;
  const mult: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? mult[m[2]]! : 1);
}
