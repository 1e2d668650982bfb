/**
 * Inventory: VMs and hosts through a ContainerView and paged RetrievePropertiesEx, asking only for
 * the properties vmshift reports. Cursors carry the view, the offset and the server's token; a
 * token that was already used (or a server that ignores `maxObjects`) falls back to reading the
 * view's object list and fetching the slice at the offset, so any cursor can be resumed.
 */
import { type Host, type ListHostsOptions, type ListVmsOptions, type Page, type PowerState, type Vm, VmshiftError, isVmshiftError } from "@vmshift/core";
import type { ServiceContent, VimSession } from "../session.ts";
import type { VimCallOptions } from "../transport.ts";
import { type MoRef, el, moref, seq } from "../xml.ts";
import { type ObjectProps, bool, moRef, moRefs, num, text } from "./decode.ts";
import { continueRetrieve, propertySpec, readObject, readObjects, retrieve, viewObjects } from "./properties.ts";

/** Properties read for a VM. */
export const VM_PATHS = ["name", "runtime.powerState", "runtime.host", "summary.config.memorySizeMB", "summary.config.numCpu"] as const;
/** Properties read for a host. */
export const HOST_PATHS = [
  "name", "parent", "runtime.connectionState", "runtime.inMaintenanceMode",
  "summary.hardware.memorySize", "summary.hardware.numCpuCores", "summary.quickStats.overallMemoryUsage",
] as const;

/** Concurrent vMotions per host (vSphere 6.x/7.x documented maximum). */
export const VMOTIONS_PER_HOST = 8;
const MIB = 1024 * 1024;
/** Default and largest page, objects. */
export const DEFAULT_PAGE_SIZE = 500;
const MAX_PAGE_SIZE = 5000;

const POWER: Readonly<Record<string, PowerState>> = { poweredOn: "running", poweredOff: "stopped", suspended: "suspended" };

/** vim VM properties → {@link Vm}. */
export function toVm(o: ObjectProps): Vm {
  const p = o.props;
  const power = POWER[text(p["runtime.powerState"]) ?? ""] ?? "unknown";
  const host = moRef(p["runtime.host"]);
  const mem = num(p["summary.config.memorySizeMB"]);
  const cpus = num(p["summary.config.numCpu"]);
  return {
    id: o.ref.value,
    name: text(p["name"]) ?? o.ref.value,
    powerState: power,
    ...(host ? { hostId: host.value } : {}),
    ...(mem === undefined ? {} : { memoryBytes: mem * MIB }),
    ...(cpus === undefined ? {} : { cpus }),
    liveMigratable: power === "running",
  };
}

/** vim host properties → {@link Host}. */
export function toHost(o: ObjectProps): Host {
  const p = o.props;
  const state = text(p["runtime.connectionState"]);
  const connectionState = state === "connected" ? "connected" : state === undefined ? "unknown" : "disconnected";
  const maintenance = bool(p["runtime.inMaintenanceMode"]) ?? false;
  const parent = moRef(p["parent"]);
  const memory = num(p["summary.hardware.memorySize"]);
  const usedMib = num(p["summary.quickStats.overallMemoryUsage"]);
  const cores = num(p["summary.hardware.numCpuCores"]);
  return {
    id: o.ref.value,
    name: text(p["name"]) ?? o.ref.value,
    ...(parent?.type === "ClusterComputeResource" ? { clusterId: parent.value } : {}),
    connectionState,
    maintenance,
    schedulable: connectionState === "connected" && !maintenance,
    ...(cores === undefined ? {} : { cpuCores: cores }),
    ...(memory === undefined ? {} : { memoryBytes: memory }),
    ...(memory !== undefined && usedMib !== undefined && usedMib > 0 ? { freeMemoryBytes: Math.max(0, memory - usedMib * MIB) } : {}),
    maxConcurrentMigrations: VMOTIONS_PER_HOST,
  };
}

interface Cursor {
  /** ContainerView moref value. */
  readonly v: string;
  /** Objects already returned. */
  readonly o: number;
  /** Server token for the rest, when the server pages. */
  readonly t?: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Cursor>;
    if (typeof c.v === "string" && typeof c.o === "number" && Number.isInteger(c.o) && c.o >= 0 && (c.t === undefined || typeof c.t === "string")) return c as Cursor;
  } catch {
    // fall through
  }
  throw new VmshiftError("INVALID_ARGUMENT", "cursor is not a vSphere listing cursor", { adapter: "vsphere" });
}

/** Lists objects of one type under a container, page by page. */
export class ViewLister {
  readonly #session: VimSession;
  readonly #content: () => Promise<ServiceContent>;
  readonly #usedTokens = new Set<string>();

  constructor(session: VimSession, content: () => Promise<ServiceContent>) {
    this.#session = session;
    this.#content = content;
  }

  /** One page of `type` objects under `container` (default the root folder). */
  async page(type: string, paths: readonly string[], pageSize: number | undefined, cursor: string | undefined, container: MoRef | undefined, options: VimCallOptions): Promise<Page<ObjectProps>> {
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, pageSize ?? DEFAULT_PAGE_SIZE));
    const content = await this.#content();
    const spec = (view: MoRef) => seq(propertySpec(type, paths), viewObjects(view));
    if (cursor === undefined) {
      const view = await this.#createView(content, container ?? content.rootFolder, type, options);
      const first = await retrieve(this.#session, content, spec(view), size, options);
      return this.#finish(content, view, 0, first.objects, first.token, size, options);
    }
    const c = decodeCursor(cursor);
    const view: MoRef = { type: "ContainerView", value: c.v };
    if (c.t !== undefined && !this.#usedTokens.has(c.t)) {
      this.#usedTokens.add(c.t);
      try {
        const next = await continueRetrieve(this.#session, content, c.t, options);
        return this.#finish(content, view, c.o, next.objects, next.token, size, options);
      } catch (error) {
        if (!isVmshiftError(error) || (error.code !== "INVALID_ARGUMENT" && error.code !== "NOT_FOUND")) throw error;
      }
    }
    return this.#slice(content, view, c.o, size, type, paths, container, options);
  }

  async #createView(content: ServiceContent, container: MoRef, type: string, options: VimCallOptions): Promise<MoRef> {
    const view = moRef(await this.#session.call("CreateContainerView", content.viewManager, seq(moref("container", container), el("type", type), el("recursive", true)), options));
    if (!view) throw new VmshiftError("INTERNAL", "CreateContainerView returned no view", { adapter: "vsphere" });
    return view;
  }

  async #finish(content: ServiceContent, view: MoRef, offset: number, objects: ObjectProps[], token: string | undefined, size: number, options: VimCallOptions): Promise<Page<ObjectProps>> {
    if (objects.length > size) {
      // The server ignored maxObjects: hand out one page, continue by offset.
      if (token) this.#cancelToken(content, token);
      return { items: objects.slice(0, size), nextCursor: encodeCursor({ v: view.value, o: offset + size }) };
    }
    if (token) return { items: objects, nextCursor: encodeCursor({ v: view.value, o: offset + objects.length, t: token }) };
    await this.#destroyView(view, options);
    return { items: objects };
  }

  async #slice(content: ServiceContent, view: MoRef, offset: number, size: number, type: string, paths: readonly string[], container: MoRef | undefined, options: VimCallOptions): Promise<Page<ObjectProps>> {
    let members: MoRef[];
    let liveView = view;
    try {
      members = moRefs((await readObject(this.#session, content, view, ["view"], options))["view"]);
    } catch (error) {
      if (!isVmshiftError(error, "NOT_FOUND")) throw error;
      // The view died with its session: make a new one over the same container.
      liveView = await this.#createView(content, container ?? content.rootFolder, type, options);
      members = moRefs((await readObject(this.#session, content, liveView, ["view"], options))["view"]);
    }
    const ids = members.filter((m) => m.type === type).slice(offset, offset + size).map((m) => m.value);
    const objects = await readObjects(this.#session, content, type, ids, paths, options);
    const byId = new Map(objects.map((o) => [o.ref.value, o]));
    const items = ids.map((id) => byId.get(id)).filter((o): o is ObjectProps => o !== undefined);
    const next = offset + ids.length;
    if (ids.length === 0 || next >= members.length) {
      await this.#destroyView(liveView, options);
      return { items };
    }
    return { items, nextCursor: encodeCursor({ v: liveView.value, o: next }) };
  }

  #cancelToken(content: ServiceContent, token: string): void {
    this.#session.call("CancelRetrievePropertiesEx", content.propertyCollector, el("token", token)).catch(() => undefined);
  }

  async #destroyView(view: MoRef, options: VimCallOptions): Promise<void> {
    await this.#session.call("DestroyView", view, seq(), options).catch(() => undefined);
  }
}

/** `listVms`: VMs under the root folder (or the datacenter/cluster/folder moref given as `scope`, `Type:value`). */
export async function listVms(lister: ViewLister, options: ListVmsOptions): Promise<Page<Vm>> {
  const page = await lister.page("VirtualMachine", VM_PATHS, options.pageSize, options.cursor, scopeRef(options.scope), options.signal ? { signal: options.signal } : {});
  const items = page.items.map(toVm).filter((vm) => options.hostId === undefined || vm.hostId === options.hostId);
  return { ...page, items };
}

/** `listHosts`: hosts of the whole inventory or of one cluster. */
export async function listHosts(lister: ViewLister, options: ListHostsOptions): Promise<Page<Host>> {
  const container = options.clusterId === undefined ? undefined : { type: "ClusterComputeResource", value: options.clusterId };
  const page = await lister.page("HostSystem", HOST_PATHS, options.pageSize, options.cursor, container, options.signal ? { signal: options.signal } : {});
  return { ...page, items: page.items.map(toHost) };
}

/** `getVm`. */
export async function getVm(session: VimSession, content: ServiceContent, vmId: string, options: VimCallOptions = {}): Promise<Vm> {
  const props = await readObject(session, content, { type: "VirtualMachine", value: vmId }, VM_PATHS, options);
  return toVm({ ref: { type: "VirtualMachine", value: vmId }, props });
}

/** One host; `NOT_FOUND` when missing. */
export async function getHost(session: VimSession, content: ServiceContent, hostId: string, options: VimCallOptions = {}): Promise<Host> {
  const props = await readObject(session, content, { type: "HostSystem", value: hostId }, HOST_PATHS, options);
  return toHost({ ref: { type: "HostSystem", value: hostId }, props });
}

function scopeRef(scope: string | undefined): MoRef | undefined {
  if (scope === undefined) return undefined;
  const m = /^(Datacenter|Folder|ClusterComputeResource|ComputeResource|ResourcePool|HostSystem):(.+)$/.exec(scope);
  if (!m) throw new VmshiftError("INVALID_ARGUMENT", "scope must be `Type:moref`, e.g. `Datacenter:datacenter-2`", { adapter: "vsphere" });
  return { type: m[1]!, value: m[2]! };
}
