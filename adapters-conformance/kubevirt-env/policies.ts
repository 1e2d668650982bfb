/**
 * virt-controller's MigrationPolicy matching, as KubeVirt v1.9.0 implements it
 * (`pkg/virt-controller/watch/migration/migrationpolicy.go`, `matchPolicy` / `countMatchingLabels`;
 * reference §7.2). Where the code and the user guide (`docs/cluster_admin/migration_policies.md`)
 * differ, this follows the code:
 * - a policy without `spec.selectors` matches nothing;
 * - every label of `virtualMachineInstanceSelector` must be on the VMI and every label of
 *   `namespaceSelector` on the VMI's Namespace (plain maps). Both selectors are consulted only
 *   when the VMI has labels at all (the code tests the VMI's label map for both), so a VMI
 *   without labels matches any policy that has selectors, with score 0;
 * - the score is (matching VMI labels, matching Namespace labels): the higher total wins, on an
 *   equal total the higher VMI count; on an equal score the policy whose NAME sorts first wins
 *   (the guide says "the lexicographic order of the matching labels keys": the code orders names);
 * - two policies with identical selectors are NOT refused: the validating webhook
 *   (`migrationpolicy-admitter.go`) checks values only (admission.ts), and the name decides.
 * The effective configuration is the KubeVirt CR's `spec.configuration.migrations` with the
 * policy's set fields over it (`applyMigrationPolicySpec`), resolved at hand-off.
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

/** How well a policy matches: KubeVirt's `migrationPolicyMatchScore`. */
export interface MatchScore {
  readonly vmiLabels: number;
  readonly namespaceLabels: number;
}

/** KubeVirt's `greaterThan`: the higher total, then the higher VMI count. */
function greater(a: MatchScore, b: MatchScore): boolean {
  const ta = a.vmiLabels + a.namespaceLabels;
  const tb = b.vmiLabels + b.namespaceLabels;
  return ta === tb ? a.vmiLabels > b.vmiLabels : ta > tb;
}

const present = (labels: Record<string, string> | undefined): labels is Record<string, string> => labels !== undefined && Object.keys(labels).length > 0;

/** Whether the policy matches, and its score (`countMatchingLabels`). An empty label map is absent, as the API server stores it. */
export function scorePolicy(policy: PolicyObject, vmiLabels: Record<string, string> | undefined, namespaceLabels: Record<string, string> | undefined): MatchScore | undefined {
  const selectors = policy.spec?.selectors;
  if (!selectors) return undefined;
  const count = (selector: Record<string, string>, labels: Record<string, string> | undefined): number | undefined => {
    for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return undefined;
    return Object.keys(selector).length;
  };
  // Both guards test the VMI's labels, as v1.9.0 does.
  if (!present(vmiLabels)) return { vmiLabels: 0, namespaceLabels: 0 };
  const vmi = selectors.virtualMachineInstanceSelector ? count(selectors.virtualMachineInstanceSelector, vmiLabels) : 0;
  if (vmi === undefined) return undefined;
  const ns = selectors.namespaceSelector ? count(selectors.namespaceSelector, present(namespaceLabels) ? namespaceLabels : undefined) : 0;
  return ns === undefined ? undefined : { vmiLabels: vmi, namespaceLabels: ns };
}

/** The policy KubeVirt applies to a VMI with these labels in a namespace with these labels, or undefined. */
export function matchPolicy(policies: readonly PolicyObject[], vmiLabels: Record<string, string> | undefined, namespaceLabels: Record<string, string> | undefined): PolicyObject | undefined {
  let best: MatchScore = { vmiLabels: 0, namespaceLabels: 0 };
  let tied: PolicyObject[] = [];
  for (const policy of policies) {
    const score = scorePolicy(policy, vmiLabels, namespaceLabels);
    if (!score) continue;
    if (greater(score, best)) [best, tied] = [score, [policy]];
    else if (!greater(best, score)) tied.push(policy);
  }
  return tied.reduce<PolicyObject | undefined>((first, p) => (first === undefined || p.metadata.name < first.metadata.name ? p : first), undefined);
}

/**
 * The cluster configuration with the policy's set fields over it (what
 * `migrationState.migrationConfiguration` carries). As v1.9.0: a policy that sets `allowPostCopy`
 * but not `allowWorkloadDisruption` sets `allowWorkloadDisruption` to the same value.
 */
export function effectiveConfiguration(cluster: Record<string, unknown>, policy: PolicyObject | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cluster };
  if (policy?.spec?.["allowWorkloadDisruption"] === undefined && policy?.spec?.["allowPostCopy"] !== undefined) out["allowWorkloadDisruption"] = policy.spec["allowPostCopy"];
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
