/**
 * The Nutanix AHV adapter: the vmshift contract over Prism Central v4 (vmm, prism,
 * clustermgmt), with a v3 fallback for listing and power when v4 is absent.
 */
import type {
  Host,
  HypervisorAdapter,
  ListHostsOptions,
  ListVmsOptions,
  MigrationLimits,
  MigrationSnapshot,
  NormalizedMigrationRequest,
  OperationContext,
  Page,
  PreflightCheck,
  ProbeResult,
  Vm,
} from "@vmshift/core";
import { VmshiftError, isVmshiftError } from "@vmshift/core";
import { NUTANIX_CAPABILITIES } from "./capabilities.ts";
import { ColdMigrations } from "./cold.ts";
import type { NutanixBehaviour, NutanixContext } from "./context.ts";
import { odataString } from "./escape.ts";
import { liveSnapshot, startLive } from "./live.ts";
import { type LiveId, parseMigrationId } from "./migration-id.ts";
import { publicChecks, runChecks } from "./preflight.ts";
import { type ApiVersions, probeApis, probeResult } from "./probe.ts";
import { listHosts } from "./resources/hosts.ts";
import { toHost, toVm } from "./resources/map.ts";
import { cancelTask, getTask } from "./resources/tasks.ts";
import { getVm, listVms } from "./resources/vms.ts";
import { NutanixTransport, type NutanixConnectionOptions } from "./transport.ts";
import { V3Api } from "./v3.ts";

/** Options of {@link createNutanixAdapter}: a connection plus behaviour. */
export type NutanixAdapterOptions = (NutanixConnectionOptions | { readonly transport: NutanixTransport }) & NutanixBehaviour;

/** The adapter, with its transport exposed for request counting and tests. */
export interface NutanixAdapter extends HypervisorAdapter {
  readonly transport: NutanixTransport;
}

const MAX_PAGE = 100;

/** Creates the adapter. Nothing is sent until the first operation. */
export function createNutanixAdapter(options: NutanixAdapterOptions): NutanixAdapter {
  const transport = "transport" in options ? options.transport : new NutanixTransport(options);
  const ctx: NutanixContext = { transport, behaviour: options };
  const cold = new ColdMigrations(ctx);
  const v3 = new V3Api(transport);
  let versions: ApiVersions | undefined;
  const useV3 = () => versions !== undefined && !versions.vmmV4 && versions.v3;
  /** A v4 call has answered: its 404s are about entities, never about a missing API. */
  let v4Answered = false;
  let detecting: Promise<ApiVersions> | undefined;

  /**
   * Runs a v4 call; on a Prism Central without v4 (detected on first use from the first v4 404
   * that names no entity, once, cached; an explicit `probe()` also sets it) runs the v3 fallback,
   * or says the operation needs v4. A Prism Central with v4 sends nothing extra.
   */
  async function withApi<T>(op: OperationContext, operation: string, v4: () => Promise<T>, v3call?: () => Promise<T>): Promise<T> {
    if (!useV3()) {
      try {
        const result = await v4();
        v4Answered = true;
        return result;
      } catch (error) {
        if (versions !== undefined || v4Answered || !apiMissing(error)) throw error;
        detecting ??= probeApis(transport, op.signal).then(
          (found) => (versions = found),
          (failure: unknown) => {
            detecting = undefined;
            throw failure;
          },
        );
        await detecting;
        if (!useV3()) throw error;
      }
    }
    if (v3call) return v3call();
    throw new VmshiftError("CAPABILITY_UNAVAILABLE", "this Prism Central speaks only the v3 API, which has no in-cluster live or cold migration; vmshift needs Prism Central 2024.3 or later (v4 APIs)", { adapter: "nutanix", operation });
  }

  const pageOf = (o: { pageSize?: number; cursor?: string }, operation: string): { page: number; limit: number } => {
    const limit = Math.min(MAX_PAGE, o.pageSize ?? options.defaultPageSize ?? 50);
    const page = o.cursor === undefined ? 0 : Number(o.cursor);
    if (!Number.isInteger(page) || page < 0) throw new VmshiftError("INVALID_ARGUMENT", `cursor ${JSON.stringify(o.cursor)} is not a Nutanix page cursor`, { adapter: "nutanix", operation });
    return { page, limit };
  };
  const next = (page: number, limit: number, got: number, total: number | undefined): { nextCursor?: string } =>
    (total !== undefined ? (page + 1) * limit < total : got === limit) ? { nextCursor: String(page + 1) } : {};

  const adapter: NutanixAdapter = {
    name: "nutanix",
    capabilities: NUTANIX_CAPABILITIES,
    limits,
    transport,

    async probe(op: OperationContext): Promise<ProbeResult> {
      versions = await probeApis(transport, op.signal);
      detecting = Promise.resolve(versions);
      return probeResult(versions);
    },

    async listVms(o: ListVmsOptions, op: OperationContext): Promise<Page<Vm>> {
      const { page, limit } = pageOf(o, "vm.list");
      const clauses = [...(o.hostId === undefined ? [] : [`host/extId eq ${odataString(o.hostId)}`]), ...(o.scope === undefined ? [] : [`cluster/extId eq ${odataString(o.scope)}`])];
      const filter = clauses.length === 0 ? undefined : clauses.join(" and ");
      return withApi<Page<Vm>>(
        op,
        "vm.list",
        async () => {
          const res = await listVms(transport, { page, limit, ...(filter ? { filter } : {}), ...(op.signal ? { signal: op.signal } : {}) });
          return { items: res.vms.map(toVm), ...next(page, limit, res.vms.length, res.totalAvailableResults) };
        },
        () => v3.listVms({ page, limit, ...(op.signal ? { signal: op.signal } : {}) }),
      );
    },

    async getVm(vmId: string, op: OperationContext): Promise<Vm> {
      return withApi(op, "vm.get", async () => toVm((await getVm(transport, vmId, op.signal ? { signal: op.signal } : {})).vm), () => v3.getVm(vmId, op.signal));
    },

    async listHosts(o: ListHostsOptions, op: OperationContext): Promise<Page<Host>> {
      const { page, limit } = pageOf(o, "host.list");
      return withApi<Page<Host>>(
        op,
        "host.list",
        async () => {
          const res = await listHosts(transport, { page, limit, ...(o.clusterId ? { clusterExtId: o.clusterId } : {}), ...(op.signal ? { signal: op.signal } : {}) });
          return { items: res.hosts.map(toHost), ...next(page, limit, res.hosts.length, res.totalAvailableResults) };
        },
        () => v3.listHosts({ page, limit, ...(op.signal ? { signal: op.signal } : {}) }),
      );
    },

    async preflight(request: NormalizedMigrationRequest, op: OperationContext): Promise<readonly PreflightCheck[]> {
      return withApi(op, "migration.preflight", async () => {
        const { vm } = await getVm(transport, request.vmId, { operation: "migration.preflight", ...(op.signal ? { signal: op.signal } : {}) });
        return publicChecks(await runChecks(ctx, request, vm, { full: true, ...(op.signal ? { signal: op.signal } : {}) }));
      });
    },

    async startMigration(request: NormalizedMigrationRequest, op: OperationContext): Promise<MigrationSnapshot> {
      return withApi(op, "migration.start", () => (request.mode === "cold" ? cold.start(request, op) : startLive(ctx, request, op)));
    },

    async getMigration(migrationId: string, op: OperationContext): Promise<MigrationSnapshot> {
      const id = parseMigrationId(migrationId);
      if (id.kind === "cold") return cold.observe(id, op);
      const live = id.kind === "live" ? id : await liveIdFromTask(id.taskExtId, op);
      return liveSnapshot(ctx, live, await getTask(transport, live.taskExtId, op.signal ? { signal: op.signal } : {}), op);
    },

    async attachMigration(migrationId: string, op: OperationContext): Promise<MigrationSnapshot> {
      return adapter.getMigration!(migrationId, op);
    },

    async cancelMigration(migrationId: string, op: OperationContext): Promise<void> {
      const id = parseMigrationId(migrationId);
      if (id.kind === "cold") return cold.cancel(id);
      const taskExtId = id.taskExtId;
      const task = await getTask(transport, taskExtId, { operation: "migration.cancel", ...(op.signal ? { signal: op.signal } : {}) });
      if (task.status === "SUCCEEDED" || task.status === "FAILED" || task.status === "CANCELED" || task.status === "CANCELING") return;
      if (task.isCancelable !== true) {
        throw new VmshiftError("CAPABILITY_UNAVAILABLE", `Prism reports this migration's task (${task.operation ?? "task"}) is not cancelable (isCancelable=false); it will run to the end`, {
          adapter: "nutanix",
          operation: "migration.cancel",
          subject: migrationId,
          details: { taskExtId },
        });
      }
      await cancelTask(transport, taskExtId, op.signal ? { signal: op.signal } : {});
    },
  };

  async function liveIdFromTask(taskExtId: string, op: OperationContext): Promise<LiveId> {
    const task = await getTask(transport, taskExtId, { operation: "migration.attach", ...(op.signal ? { signal: op.signal } : {}) });
    const vm = task.entitiesAffected?.find((e) => e.rel === "vmm:ahv:config:vm")?.extId;
    const host = task.entitiesAffected?.find((e) => e.rel === "clustermgmt:config:host")?.extId;
    if (!vm) {
      throw new VmshiftError("INVALID_ARGUMENT", `task ${taskExtId} (${task.operation ?? "unknown operation"}) affects no VM; it is not a migration`, { adapter: "nutanix", operation: "migration.attach", subject: taskExtId });
    }
    return { kind: "live", vmExtId: vm, ...(host ? { targetHostId: host } : {}), taskExtId };
  }

  return adapter;
}

/** AHV migrates VMs off a host one or a few at a time; no documented per-host limit is published. */
const limits: MigrationLimits = { source: "no documented per-host limit for AHV live migration; vmshift leaves concurrency to the caller" };

/**
 * A 404 that may mean the API itself is absent (a Prism Central without v4): not an entity that
 * was not found (`…-20005`, `ENTITY_NOT_FOUND`), which a v4 Prism Central answers for missing VMs,
 * hosts and tasks.
 */
function apiMissing(error: unknown): boolean {
  if (!isVmshiftError(error, "NOT_FOUND")) return false;
  const details = (error.details ?? {}) as { status?: unknown; nativeCode?: unknown };
  if (details.status !== 404) return false;
  const code = typeof details.nativeCode === "string" ? details.nativeCode : "";
  return !/(-20005|ENTITY_NOT_FOUND)$/.test(code);
}
