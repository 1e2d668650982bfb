/**
 * VM–host affinity policies (`/api/vmm/v4.0/ahv/policies/vm-host-affinity-policies`) and the
 * category associations that say which hosts a policy allows
 * (`/api/prism/v4.0/config/categories/{extId}?$expand=detailedAssociations`).
 */
import { buildPath } from "../escape.ts";
import type { NutanixTransport } from "../transport.ts";
import type { V4Envelope, V4VmHostAffinityPolicy } from "./v4-types.ts";

/** Every VM–host affinity policy (pages of 100). */
export async function listVmHostAffinityPolicies(t: NutanixTransport, signal?: AbortSignal): Promise<V4VmHostAffinityPolicy[]> {
  const out: V4VmHostAffinityPolicy[] = [];
  for (let page = 0; page < 50; page++) {
    const res = await t.request<V4Envelope<V4VmHostAffinityPolicy[]>>({
      method: "GET",
      path: "/api/vmm/v4.0/ahv/policies/vm-host-affinity-policies",
      query: { $page: page, $limit: 100 },
      operation: "migration.preflight",
      ...(signal ? { signal } : {}),
    });
    const items = Array.isArray(res.data.data) ? res.data.data : [];
    out.push(...items);
    if (items.length < 100) break;
  }
  return out;
}

interface CategoryWithAssociations {
  readonly extId?: string;
  readonly key?: string;
  readonly value?: string;
  readonly detailedAssociations?: readonly { readonly resourceType?: string; readonly resourceId?: string }[];
}

/** Host ids associated with a category. */
export async function hostsInCategory(t: NutanixTransport, categoryExtId: string, signal?: AbortSignal): Promise<{ name: string; hostIds: string[] }> {
  const res = await t.request<V4Envelope<CategoryWithAssociations>>({
    method: "GET",
    path: buildPath`/api/prism/v4.0/config/categories/${categoryExtId}`,
    query: { $expand: "detailedAssociations" },
    operation: "migration.preflight",
    subject: categoryExtId,
    ...(signal ? { signal } : {}),
  });
  const category = res.data.data ?? {};
  const hostIds = (category.detailedAssociations ?? []).filter((a) => a.resourceType === "HOST" && typeof a.resourceId === "string").map((a) => a.resourceId as string);
  return { name: category.key && category.value ? `${category.key}:${category.value}` : categoryExtId, hostIds };
}
