/**
 * Typed calls on the Kubernetes and KubeVirt REST API. Paths are built with `apiPath` only;
 * all I/O goes through the injected {@link KubeTransport}.
 */
import { isVmshiftError } from "@vmshift/core";
import { apiPath, type ObjectRef } from "../ids.ts";
import type { KubeRequest, KubeTransport, KubeWatchEvent } from "../transport.ts";
import type { KubeClaim, KubeList, KubeNode, KubeObject, KvKubeVirt, KvMigration, KvMigrationPolicy, KvVirtualMachine, KvVmi } from "../types.ts";

const KV = ["apis", "kubevirt.io", "v1"] as const;
const SUB = ["apis", "subresources.kubevirt.io", "v1"] as const;

/** Options of list calls. */
export interface ListOptions {
  readonly limit?: number;
  readonly continue?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly resourceVersion?: string;
  readonly signal?: AbortSignal;
}

/** Options of watch calls. */
export interface WatchOptions {
  readonly resourceVersion: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Server-side timeout, seconds. Default 290. */
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
}

const collection = (kind: "virtualmachines" | "virtualmachineinstances" | "virtualmachineinstancemigrations", namespace?: string): string =>
  namespace === undefined ? apiPath(...KV, kind) : apiPath(...KV, "namespaces", namespace, kind);

function listQuery(options: ListOptions): KubeRequest["query"] {
  return {
    limit: options.limit,
    continue: options.continue,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    resourceVersion: options.resourceVersion,
  };
}

/** The KubeVirt API as the adapter uses it. */
export class KubevirtApi {
  readonly #t: KubeTransport;

  constructor(transport: KubeTransport) {
    this.#t = transport;
  }

  get transport(): KubeTransport {
    return this.#t;
  }

  #get<T>(path: string, operation: string, signal?: AbortSignal, query?: KubeRequest["query"]): Promise<T> {
    return this.#t.request<T>({ method: "GET", path, operation, ...(signal ? { signal } : {}), ...(query ? { query } : {}) });
  }

  /** Returns undefined on 404. */
  async #find<T>(path: string, operation: string, signal?: AbortSignal): Promise<T | undefined> {
    try {
      return await this.#get<T>(path, operation, signal);
    } catch (error) {
      if (isVmshiftError(error, "NOT_FOUND")) return undefined;
      throw error;
    }
  }

  listVms(namespace: string | undefined, options: ListOptions = {}): Promise<KubeList<KvVirtualMachine>> {
    return this.#get(collection("virtualmachines", namespace), "vm.list", options.signal, listQuery(options));
  }

  getVm(ref: ObjectRef, signal?: AbortSignal): Promise<KvVirtualMachine> {
    return this.#get(apiPath(...KV, "namespaces", ref.namespace, "virtualmachines", ref.name), "vm.get", signal);
  }

  /** The VirtualMachine; undefined on 404 (none, or a bare VMI). */
  findVm(ref: ObjectRef, signal?: AbortSignal): Promise<KvVirtualMachine | undefined> {
    return this.#find(apiPath(...KV, "namespaces", ref.namespace, "virtualmachines", ref.name), "vm.get", signal);
  }

  /** Merge-patches a VM (JSON merge patch). */
  patchVm(ref: ObjectRef, patch: unknown, signal?: AbortSignal): Promise<KvVirtualMachine> {
    return this.#t.request({
      method: "PATCH",
      path: apiPath(...KV, "namespaces", ref.namespace, "virtualmachines", ref.name),
      body: patch,
      contentType: "application/merge-patch+json",
      operation: "vm.patch",
      ...(signal ? { signal } : {}),
    });
  }

  /** Creates a VirtualMachine (the receiving VM of a cross-cluster migration). */
  createVm(namespace: string, body: KvVirtualMachine, signal?: AbortSignal): Promise<KvVirtualMachine> {
    return this.#t.request({ method: "POST", path: collection("virtualmachines", namespace), body, operation: "migration.start", ...(signal ? { signal } : {}) });
  }

  /** Deletes a VirtualMachine; false when it was already gone (404). */
  async deleteVm(ref: ObjectRef, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#t.request({ method: "DELETE", path: apiPath(...KV, "namespaces", ref.namespace, "virtualmachines", ref.name), operation: "migration.cancel", ...(signal ? { signal } : {}) });
      return true;
    } catch (error) {
      if (isVmshiftError(error, "NOT_FOUND")) return false;
      throw error;
    }
  }

  /** `PUT …/virtualmachines/{name}/start|stop` (202, empty body). */
  async vmSubresource(ref: ObjectRef, action: "start" | "stop", signal?: AbortSignal): Promise<void> {
    await this.#t.request({ method: "PUT", path: apiPath(...SUB, "namespaces", ref.namespace, "virtualmachines", ref.name, action), body: {}, operation: `vm.${action}`, ...(signal ? { signal } : {}) });
  }

  findVmi(ref: ObjectRef, signal?: AbortSignal): Promise<KvVmi | undefined> {
    return this.#find(apiPath(...KV, "namespaces", ref.namespace, "virtualmachineinstances", ref.name), "vmi.get", signal);
  }

  listVmis(namespace: string | undefined, options: ListOptions = {}): Promise<KubeList<KvVmi>> {
    return this.#get(collection("virtualmachineinstances", namespace), "vmi.list", options.signal, listQuery(options));
  }

  watchVmis(namespace: string, options: WatchOptions): AsyncIterable<KubeWatchEvent<KvVmi>> {
    return this.#watch(collection("virtualmachineinstances", namespace), options);
  }

  listNodes(options: ListOptions = {}): Promise<KubeList<KubeNode>> {
    return this.#get(apiPath("api", "v1", "nodes"), "host.list", options.signal, listQuery(options));
  }

  findNode(name: string, signal?: AbortSignal): Promise<KubeNode | undefined> {
    return this.#find(apiPath("api", "v1", "nodes", name), "host.get", signal);
  }

  listMigrations(namespace: string | undefined, options: ListOptions = {}): Promise<KubeList<KvMigration>> {
    return this.#get(collection("virtualmachineinstancemigrations", namespace), "migration.list", options.signal, listQuery(options));
  }

  findMigration(ref: ObjectRef, signal?: AbortSignal): Promise<KvMigration | undefined> {
    return this.#find(apiPath(...KV, "namespaces", ref.namespace, "virtualmachineinstancemigrations", ref.name), "migration.get", signal);
  }

  createMigration(namespace: string, body: KvMigration, signal?: AbortSignal): Promise<KvMigration> {
    return this.#t.request({ method: "POST", path: collection("virtualmachineinstancemigrations", namespace), body, operation: "migration.start", ...(signal ? { signal } : {}) });
  }

  /**
   * Deletes a VMIM; false when it was already gone (404). `preconditions` (DeleteOptions): delete
   * only the object of that uid and resourceVersion, else 409 Conflict and nothing changes.
   */
  async deleteMigration(ref: ObjectRef, signal?: AbortSignal, preconditions?: { readonly uid?: string; readonly resourceVersion?: string }): Promise<boolean> {
    try {
      await this.#t.request({
        method: "DELETE",
        path: apiPath(...KV, "namespaces", ref.namespace, "virtualmachineinstancemigrations", ref.name),
        operation: "migration.cancel",
        ...(preconditions ? { body: { kind: "DeleteOptions", apiVersion: "v1", preconditions } } : {}),
        ...(signal ? { signal } : {}),
      });
      return true;
    } catch (error) {
      if (isVmshiftError(error, "NOT_FOUND")) return false;
      throw error;
    }
  }

  watchMigrations(namespace: string, options: WatchOptions): AsyncIterable<KubeWatchEvent<KvMigration>> {
    return this.#watch(collection("virtualmachineinstancemigrations", namespace), options);
  }

  /** The KubeVirt CR (any namespace; by convention `kubevirt/kubevirt`); undefined when none is readable. */
  async findKubeVirt(signal?: AbortSignal): Promise<KvKubeVirt | undefined> {
    try {
      const list = await this.#get<KubeList<KvKubeVirt>>(apiPath(...KV, "kubevirts"), "config.get", signal);
      return list.items[0];
    } catch (error) {
      if (isVmshiftError(error, "NOT_FOUND") || isVmshiftError(error, "PERMISSION_DENIED")) return undefined;
      throw error;
    }
  }

  /** MigrationPolicies (cluster-scoped), paged 100 at a time; undefined when this identity may not list them (or the API is not served). */
  async listMigrationPolicies(signal?: AbortSignal): Promise<KvMigrationPolicy[] | undefined> {
    const items: KvMigrationPolicy[] = [];
    let next: string | undefined;
    try {
      do {
        const list: KubeList<KvMigrationPolicy> = await this.#get(apiPath("apis", "migrations.kubevirt.io", "v1alpha1", "migrationpolicies"), "config.policies", signal, { limit: 100, continue: next });
        items.push(...list.items);
        next = list.metadata?.continue || undefined;
      } while (next);
      return items;
    } catch (error) {
      if (isVmshiftError(error, "NOT_FOUND") || isVmshiftError(error, "PERMISSION_DENIED")) return undefined;
      throw error;
    }
  }

  /** A PersistentVolumeClaim; undefined on 404. */
  findClaim(ref: ObjectRef, signal?: AbortSignal): Promise<KubeClaim | undefined> {
    return this.#find(apiPath("api", "v1", "namespaces", ref.namespace, "persistentvolumeclaims", ref.name), "storage.claim", signal);
  }

  /** Creates a PersistentVolumeClaim. */
  createClaim(namespace: string, body: KubeClaim, signal?: AbortSignal): Promise<KubeClaim> {
    return this.#t.request({ method: "POST", path: apiPath("api", "v1", "namespaces", namespace, "persistentvolumeclaims"), body, operation: "migration.start", ...(signal ? { signal } : {}) });
  }

  /** Creates a CDI DataVolume (`cdi.kubevirt.io/v1beta1`; a storage migration's destination). */
  createDataVolume(namespace: string, body: object, signal?: AbortSignal): Promise<unknown> {
    return this.#t.request({ method: "POST", path: apiPath("apis", "cdi.kubevirt.io", "v1beta1", "namespaces", namespace, "datavolumes"), body, operation: "migration.start", ...(signal ? { signal } : {}) });
  }

  /** A CDI DataVolume; undefined on 404. */
  findDataVolume(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    return this.#find(apiPath("apis", "cdi.kubevirt.io", "v1beta1", "namespaces", ref.namespace, "datavolumes", ref.name), "storage.datavolume", signal);
  }

  /**
   * Deletes a PersistentVolumeClaim (`kind: "claim"`) or a CDI DataVolume, only the object of `uid`
   * (DeleteOptions precondition: another object of that name answers 409). False when it was already gone.
   */
  async deleteStorage(kind: "claim" | "dataVolume", ref: ObjectRef, uid: string | undefined, signal?: AbortSignal): Promise<boolean> {
    const path = kind === "claim" ? apiPath("api", "v1", "namespaces", ref.namespace, "persistentvolumeclaims", ref.name) : apiPath("apis", "cdi.kubevirt.io", "v1beta1", "namespaces", ref.namespace, "datavolumes", ref.name);
    try {
      await this.#t.request({ method: "DELETE", path, operation: "migration.cleanup", ...(uid ? { body: { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid } } } : {}), ...(signal ? { signal } : {}) });
      return true;
    } catch (error) {
      if (isVmshiftError(error, "NOT_FOUND")) return false;
      throw error;
    }
  }

  /** Creates a MigrationPolicy (cluster-scoped: needs `create` on migrationpolicies.migrations.kubevirt.io). */
  createMigrationPolicy(body: KvMigrationPolicy, signal?: AbortSignal): Promise<KvMigrationPolicy> {
    return this.#t.request({ method: "POST", path: apiPath("apis", "migrations.kubevirt.io", "v1alpha1", "migrationpolicies"), body, operation: "migration.policy", ...(signal ? { signal } : {}) });
  }

  /** Sets (a string) or removes (null) labels of a VMI with one JSON merge patch. */
  patchVmiLabels(ref: ObjectRef, labels: Record<string, string | null>, signal?: AbortSignal): Promise<KvVmi> {
    return this.#t.request({
      method: "PATCH",
      path: apiPath(...KV, "namespaces", ref.namespace, "virtualmachineinstances", ref.name),
      body: { metadata: { labels } },
      contentType: "application/merge-patch+json",
      operation: "migration.policy",
      ...(signal ? { signal } : {}),
    });
  }

  /** The labels of a Namespace; undefined when it does not exist or this identity may not read it. */
  async namespaceLabels(name: string, signal?: AbortSignal): Promise<Record<string, string> | undefined> {
    try {
      const ns = await this.#get<{ metadata?: { labels?: Record<string, string> } }>(apiPath("api", "v1", "namespaces", name), "config.namespace", signal);
      return ns.metadata?.labels ?? {};
    } catch (error) {
      if (isVmshiftError(error, "NOT_FOUND") || isVmshiftError(error, "PERMISSION_DENIED")) return undefined;
      throw error;
    }
  }

  #watch<T>(path: string, options: WatchOptions): AsyncIterable<KubeWatchEvent<T>> {
    return this.#t.watch<T>({
      method: "GET",
      path,
      operation: "migration.watch",
      query: {
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: options.timeoutSeconds ?? 290,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
}
