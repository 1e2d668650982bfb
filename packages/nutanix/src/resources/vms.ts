/** VMs: list, get (with ETag) and `$actions` (power, migrate), over `/api/vmm/v4.0/ahv/config/vms`. */
import { VmshiftError } from "@vmshift/core";
import { buildPath } from "../escape.ts";
import type { NutanixTransport } from "../transport.ts";
import type { V4Envelope, V4TaskReference, V4Vm } from "./v4-types.ts";

const VMS = "/api/vmm/v4.0/ahv/config/vms";

/** One page of VMs. */
export interface VmPage {
  readonly vms: readonly V4Vm[];
  readonly totalAvailableResults?: number;
}

/** `GET …/vms?$page&$limit&$filter`. `page` is 0-based; `limit` 1–100. */
export async function listVms(t: NutanixTransport, options: { page: number; limit: number; filter?: string; signal?: AbortSignal }): Promise<VmPage> {
  const res = await t.request<V4Envelope<V4Vm[]>>({
    method: "GET",
    path: VMS,
    query: { $page: options.page, $limit: options.limit, ...(options.filter ? { $filter: options.filter } : {}) },
    operation: "vm.list",
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const total = res.data.metadata?.totalAvailableResults;
  return { vms: Array.isArray(res.data.data) ? res.data.data : [], ...(typeof total === "number" ? { totalAvailableResults: total } : {}) };
}

/** A VM with the ETag to send back as `If-Match`. */
export interface VmWithEtag {
  readonly vm: V4Vm;
  readonly etag: string | undefined;
}

/** `GET …/vms/{extId}`; keeps the `ETag` header. */
export async function getVm(t: NutanixTransport, extId: string, options: { operation?: string; signal?: AbortSignal } = {}): Promise<VmWithEtag> {
  const res = await t.request<V4Envelope<V4Vm>>({
    method: "GET",
    path: buildPath`/api/vmm/v4.0/ahv/config/vms/${extId}`,
    operation: options.operation ?? "vm.get",
    subject: extId,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!res.data.data) throw new VmshiftError("INTERNAL", "Prism answered a VM GET without data", { adapter: "nutanix", operation: "vm.get", subject: extId });
  return { vm: res.data.data, etag: res.etag };
}

/** The `$actions` the adapter uses on VMs. */
export type VmAction = "migrate-to-host" | "migrate" | "power-on" | "power-off" | "shutdown" | "guest-shutdown";

/** Options of {@link postVmAction}. */
export interface VmActionOptions {
  readonly vmExtId: string;
  readonly action: VmAction;
  /** The `NTNX-Request-Id`: the same value on every retry of this step. */
  readonly requestId: string;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | boolean>>;
  /** The ETag from a fresh GET; when absent the VM is read first. */
  readonly etag?: string;
  readonly operation: string;
  readonly signal?: AbortSignal;
}

/**
 * `POST …/vms/{extId}/$actions/{action}` with `If-Match` and `NTNX-Request-Id`; returns the
 * task extId. A 412 (stale ETag) re-reads the VM and sends once more with the fresh ETag and
 * the same request id; a second 412 is reported as `CONFLICT`. A 428 is a vmshift bug and is
 * reported as `INTERNAL` by the error table.
 */
export async function postVmAction(t: NutanixTransport, options: VmActionOptions): Promise<string> {
  const signalOpt = options.signal ? { signal: options.signal } : {};
  let etag = options.etag ?? (await getVm(t, options.vmExtId, { operation: options.operation, ...signalOpt })).etag;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await t.request<V4Envelope<V4TaskReference>>({
        method: "POST",
        path: actionPath(options.vmExtId, options.action),
        ...(options.query ? { query: options.query } : {}),
        headers: { "NTNX-Request-Id": options.requestId, ...(etag === undefined ? {} : { "If-Match": etag }) },
        body: options.body ?? {},
        operation: options.operation,
        subject: options.vmExtId,
        ...signalOpt,
      });
      const taskId = res.data.data?.extId;
      if (typeof taskId !== "string" || taskId.length === 0) {
        throw new VmshiftError("INTERNAL", `Prism accepted ${options.action} but returned no task reference`, { adapter: "nutanix", operation: options.operation, subject: options.vmExtId });
      }
      return taskId;
    } catch (error) {
      const stale = error instanceof VmshiftError && error.details?.["status"] === 412;
      if (!stale || attempt >= 1) throw error;
      etag = (await getVm(t, options.vmExtId, { operation: options.operation, ...signalOpt })).etag;
    }
  }
}

/** The path of a VM action (ids escaped by `buildPath`). */
export function actionPath(vmExtId: string, action: VmAction): string {
  return buildPath`/api/vmm/v4.0/ahv/config/vms/${vmExtId}/$actions/${action}`;
}
