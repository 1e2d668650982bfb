/** Hosts: `GET /api/clustermgmt/v4.0/config/hosts` (all clusters) or `…/clusters/{extId}/hosts`. */
import { buildPath } from "../escape.ts";
import type { NutanixTransport } from "../transport.ts";
import type { V4Envelope, V4Host } from "./v4-types.ts";

/** One page of hosts. */
export interface HostPage {
  readonly hosts: readonly V4Host[];
  readonly totalAvailableResults?: number;
}

/** Lists hosts, 0-based `page`, `limit` 1–100, optionally one cluster and an OData `$filter`. */
export async function listHosts(
  t: NutanixTransport,
  options: { page: number; limit: number; clusterExtId?: string; filter?: string; signal?: AbortSignal },
): Promise<HostPage> {
  const res = await t.request<V4Envelope<V4Host[]>>({
    method: "GET",
    path: options.clusterExtId === undefined ? "/api/clustermgmt/v4.0/config/hosts" : buildPath`/api/clustermgmt/v4.0/config/clusters/${options.clusterExtId}/hosts`,
    query: { $page: options.page, $limit: options.limit, ...(options.filter ? { $filter: options.filter } : {}) },
    operation: "host.list",
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const total = res.data.metadata?.totalAvailableResults;
  return { hosts: Array.isArray(res.data.data) ? res.data.data : [], ...(typeof total === "number" ? { totalAvailableResults: total } : {}) };
}

/** `GET …/clusters/{clusterExtId}/hosts/{extId}`; `NOT_FOUND` when the host is not in that cluster. */
export async function getHost(t: NutanixTransport, clusterExtId: string, hostExtId: string, options: { operation?: string; signal?: AbortSignal } = {}): Promise<V4Host> {
  const res = await t.request<V4Envelope<V4Host>>({
    method: "GET",
    path: buildPath`/api/clustermgmt/v4.0/config/clusters/${clusterExtId}/hosts/${hostExtId}`,
    operation: options.operation ?? "host.get",
    subject: hostExtId,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return res.data.data ?? {};
}
