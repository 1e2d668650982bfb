/**
 * The v3 fallback (`/api/nutanix/v3`, Prism Central "Intentful API 3.1.0") for Prism Centrals
 * without v4: listing VMs and hosts, reading a VM, and power on/off (PUT of the full intent with
 * its `spec_version`). v3 has no documented in-cluster migrate; see `V3_FALLBACK_OVERRIDES`.
 */
import type { Host, Page, Vm } from "@vmshift/core";
import { VmshiftError } from "@vmshift/core";
import { buildPath } from "./escape.ts";
import { powerState } from "./resources/map.ts";
import type { NutanixTransport } from "./transport.ts";

/** `vm_intent_resource` (subset of the v3 swagger). */
export interface V3VmIntent {
  readonly metadata?: { readonly uuid?: string; readonly kind?: string; readonly spec_version?: number; readonly [key: string]: unknown };
  readonly spec?: { readonly name?: string; readonly resources?: { readonly power_state?: string; readonly memory_size_mib?: number; readonly num_sockets?: number; readonly num_vcpus_per_socket?: number; readonly [key: string]: unknown }; readonly [key: string]: unknown };
  readonly status?: {
    readonly name?: string;
    readonly resources?: {
      readonly power_state?: string;
      readonly memory_size_mib?: number;
      readonly num_sockets?: number;
      readonly num_vcpus_per_socket?: number;
      readonly host_reference?: { readonly uuid?: string };
    };
    readonly cluster_reference?: { readonly uuid?: string };
  };
}

/** `host_intent_resource` (subset). */
export interface V3HostIntent {
  readonly metadata?: { readonly uuid?: string };
  readonly status?: { readonly name?: string; readonly cluster_reference?: { readonly uuid?: string }; readonly resources?: { readonly memory_capacity_mib?: number; readonly hypervisor?: { readonly num_vms?: number } } };
}

interface V3List<T> {
  readonly entities?: readonly T[];
  readonly metadata?: { readonly total_matches?: number };
}

const MIB = 1024 * 1024;

/** v3 calls used by the fallback. */
export class V3Api {
  readonly #t: NutanixTransport;

  constructor(transport: NutanixTransport) {
    this.#t = transport;
  }

  /** `POST /vms/list` with `offset`/`length`. */
  async listVms(o: { page: number; limit: number; signal?: AbortSignal }): Promise<Page<Vm>> {
    return this.#list<V3VmIntent, Vm>("vm", "vm.list", o, v3Vm);
  }

  /** `GET /vms/{uuid}`. */
  async getVm(uuid: string, signal?: AbortSignal): Promise<Vm> {
    return v3Vm((await this.#getIntent(uuid, signal)).data);
  }

  /** `POST /hosts/list`. v3 reports no maintenance state: hosts are `schedulable: false` (unknown). */
  async listHosts(o: { page: number; limit: number; signal?: AbortSignal }): Promise<Page<Host>> {
    return this.#list<V3HostIntent, Host>("host", "host.list", o, (h) => ({
      id: h.metadata?.uuid ?? "",
      name: h.status?.name ?? h.metadata?.uuid ?? "",
      ...(h.status?.cluster_reference?.uuid ? { clusterId: h.status.cluster_reference.uuid } : {}),
      connectionState: "unknown",
      maintenance: false,
      schedulable: false,
      ...(typeof h.status?.resources?.memory_capacity_mib === "number" ? { memoryBytes: h.status.resources.memory_capacity_mib * MIB } : {}),
    }));
  }

  /**
   * `POST /<kind>s/list` with `offset`/`length`; a next page exists while `total_matches` says so
   * (or, without it, while pages come back full).
   */
  async #list<I, T>(kind: "vm" | "host", operation: string, o: { page: number; limit: number; signal?: AbortSignal }, map: (intent: I) => T): Promise<Page<T>> {
    const res = await this.#t.request<V3List<I>>({
      method: "POST",
      path: `/api/nutanix/v3/${kind}s/list`,
      body: { kind, offset: o.page * o.limit, length: o.limit },
      operation,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const items = (res.data.entities ?? []).map(map);
    const total = res.data.metadata?.total_matches;
    return { items, ...((total !== undefined ? (o.page + 1) * o.limit < total : items.length === o.limit) ? { nextCursor: String(o.page + 1) } : {}) };
  }

  /**
   * Powers a VM on or off: GET the intent, PUT its spec back with `spec.resources.power_state`
   * changed and metadata `{ kind, spec_version }` (the GET's `spec_version`). Returns the task uuid (`status.execution_context.task_uuid`).
   */
  async setPowerState(uuid: string, state: "ON" | "OFF", signal?: AbortSignal): Promise<string> {
    const { data } = await this.#getIntent(uuid, signal);
    if (!data.spec || !data.metadata) throw new VmshiftError("INTERNAL", "v3 VM intent without spec or metadata", { adapter: "nutanix", operation: "vm.power", subject: uuid });
    if (typeof data.metadata.spec_version !== "number") throw new VmshiftError("INTERNAL", "v3 VM intent without metadata.spec_version", { adapter: "nutanix", operation: "vm.power", subject: uuid });
    const res = await this.#t.request<{ status?: { execution_context?: { task_uuid?: string } } }>({
      method: "PUT",
      path: buildPath`/api/nutanix/v3/vms/${uuid}`,
      // What Prism's own clients send (prism-go-client's recorded update against pc.2024.3.0.1):
      // metadata with `kind` (the one field vm_metadata requires) and the GET's `spec_version`,
      // never the read-only fields the GET returns (creation_time, entity_version, …).
      body: { metadata: { kind: data.metadata.kind ?? "vm", spec_version: data.metadata.spec_version }, spec: { ...data.spec, resources: { ...data.spec.resources, power_state: state } } },
      operation: "vm.power",
      subject: uuid,
      ...(signal ? { signal } : {}),
    });
    const task = res.data.status?.execution_context?.task_uuid;
    if (!task) throw new VmshiftError("INTERNAL", "v3 accepted the power change but returned no task uuid", { adapter: "nutanix", operation: "vm.power", subject: uuid });
    return task;
  }

  async #getIntent(uuid: string, signal?: AbortSignal): Promise<{ data: V3VmIntent }> {
    return this.#t.request<V3VmIntent>({ method: "GET", path: buildPath`/api/nutanix/v3/vms/${uuid}`, operation: "vm.get", subject: uuid, ...(signal ? { signal } : {}) });
  }
}

/** A v3 VM intent as a vmshift {@link Vm}. */
export function v3Vm(intent: V3VmIntent): Vm {
  const r = intent.status?.resources;
  const state = r?.power_state;
  const hostId = r?.host_reference?.uuid;
  const clusterId = intent.status?.cluster_reference?.uuid;
  return {
    id: intent.metadata?.uuid ?? "",
    name: intent.status?.name ?? intent.spec?.name ?? intent.metadata?.uuid ?? "",
    powerState: state === "ON" || state === "OFF" || state === "PAUSED" ? powerState(state) : "unknown",
    ...(hostId ? { hostId } : {}),
    ...(clusterId ? { clusterId } : {}),
    ...(typeof r?.memory_size_mib === "number" ? { memoryBytes: r.memory_size_mib * MIB } : {}),
    ...(typeof r?.num_sockets === "number" ? { cpus: r.num_sockets * (r.num_vcpus_per_socket ?? 1) } : {}),
  };
}
