/**
 * Which APIs this Prism Central speaks. Asks one cheap read per namespace (`$limit=1`) and the
 * v3 VM list; a 404 means the version is absent. Also reads `OPTIONS /api/vmm/unversioned/info`
 * (the highest vmm version, as Nutanix's SDKs do) when it answers.
 */
import { type ProbeResult, isVmshiftError } from "@vmshift/core";
import { V3_FALLBACK_OVERRIDES } from "./capabilities.ts";
import type { NutanixTransport } from "./transport.ts";

/** API families found by {@link probeApis}. */
export interface ApiVersions {
  readonly vmmV4: boolean;
  readonly prismV4: boolean;
  readonly clustermgmtV4: boolean;
  readonly v3: boolean;
  /** `data` of `unversioned/info`, e.g. `v4.3`. */
  readonly vmmLatest?: string;
}

async function exists(t: NutanixTransport, method: "GET" | "POST", path: string, signal: AbortSignal | undefined, body?: unknown): Promise<boolean> {
  const res = await t.request({
    method,
    path,
    ...(method === "GET" ? { query: { $limit: 1 } } : {}),
    ...(body === undefined ? {} : { body }),
    operation: "probe",
    acceptStatus: [404, 405, 501],
    ...(signal ? { signal } : {}),
  });
  return res.status >= 200 && res.status < 300;
}

/** Finds the API versions; authentication and transport errors propagate. */
export async function probeApis(t: NutanixTransport, signal?: AbortSignal): Promise<ApiVersions> {
  const vmmV4 = await exists(t, "GET", "/api/vmm/v4.0/ahv/config/vms", signal);
  const prismV4 = await exists(t, "GET", "/api/prism/v4.0/config/tasks", signal);
  const clustermgmtV4 = await exists(t, "GET", "/api/clustermgmt/v4.0/config/hosts", signal);
  const v3 = await exists(t, "POST", "/api/nutanix/v3/vms/list", signal, { kind: "vm", length: 1 });
  let vmmLatest: string | undefined;
  try {
    const info = await t.request<{ data?: unknown }>({ method: "OPTIONS", path: "/api/vmm/unversioned/info", operation: "probe", acceptStatus: [404, 405, 501], ...(signal ? { signal } : {}) });
    if (typeof info.data?.data === "string") vmmLatest = info.data.data;
  } catch (error) {
    if (!isVmshiftError(error)) throw error;
  }
  return { vmmV4, prismV4, clustermgmtV4, v3, ...(vmmLatest ? { vmmLatest } : {}) };
}

/** The probe result for the versions found. */
export function probeResult(v: ApiVersions): ProbeResult {
  const found = [v.vmmV4 && "vmm v4.0", v.prismV4 && "prism v4.0", v.clustermgmtV4 && "clustermgmt v4.0", v.v3 && "v3"].filter(Boolean) as string[];
  const notes = [`APIs found: ${found.join(", ") || "none"}`, ...(v.vmmLatest ? [`highest vmm version: ${v.vmmLatest}`] : [])];
  const server = `Prism Central (${found.join(", ") || "no known API"})`;
  if (v.vmmV4 && v.prismV4 && v.clustermgmtV4) return { server, notes };
  if (v.v3) return { server, notes: [...notes, "v4 incomplete: using the v3 fallback (listing and power only)"], capabilities: V3_FALLBACK_OVERRIDES };
  return { server, notes: [...notes, "neither v4 nor v3 answered"], capabilities: Object.fromEntries(Object.keys(V3_FALLBACK_OVERRIDES).map((k) => [k, { status: "unsupported", note: "no Prism Central API answered" }])) };
}
