/**
 * Paged listings of VMs and hosts: one PropertyCollector retrieval per listing, from the scope
 * (root folder, datacenter, folder, cluster, host, resource pool) through traversal specs — no
 * ContainerView to create and destroy — so a page costs one request: RetrievePropertiesEx for the
 * first, ContinueRetrievePropertiesEx with the server's token for the next. Answers are decoded as
 * they arrive (`page-decoder.ts`), and as soon as an answer's token is read the next page is asked
 * for, so the server prepares it while this one is decoded and handed out.
 *
 * A cursor holds the offset and the token. The next page of a cursor this lister handed out is
 * already under way (or decoded); a cursor whose token is spent (a listing resumed a second time,
 * or in another process) is served by one RetrievePropertiesEx of offset + page size objects from
 * which the first `offset` are dropped: one request, at the price of reading the prefix again.
 */
import { type Page, VmshiftError, isVmshiftError } from "@vmshift/core";
import type { ServiceContent, VimSession } from "../session.ts";
import type { VimCallOptions } from "../transport.ts";
import { type MoRef, type Xml, el, moref, opt, seq, typed } from "../xml.ts";
import { type DecodedPage, PageDecoder } from "./page-decoder.ts";
import { propertySpec } from "./properties.ts";

/** Default and largest page, objects. */
export const DEFAULT_PAGE_SIZE = 500;
const MAX_PAGE_SIZE = 5000;
/** Listings whose next page this lister keeps ready (each holds at most two pages). */
const KEPT_AHEAD = 8;

/** What a listing reads: objects of `type` under a scope, their `paths`, mapped by `map`. */
export interface ListingKind<T> {
  readonly type: "VirtualMachine" | "HostSystem";
  readonly paths: readonly string[];
  readonly map: (ref: MoRef, props: Readonly<Record<string, unknown>>) => T;
}

interface Cursor {
  /** Objects already handed out. */
  readonly o: number;
  /** The server's token, for the objects from offset `a` (default `o`) on. */
  readonly t?: string;
  readonly a?: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Cursor>;
    const count = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 0;
    if (count(c.o) && (c.t === undefined || typeof c.t === "string") && (c.a === undefined || count(c.a))) return c as Cursor;
  } catch {
    // fall through
  }
  throw new VmshiftError("INVALID_ARGUMENT", "cursor is not a vSphere listing cursor", { adapter: "vsphere" });
}

/** `TraversalSpec` `name` over `type.path`, then the named specs. */
function traversal(name: string, type: string, path: string, select: readonly string[] = []): Xml {
  return typed("selectSet", "TraversalSpec", [el("name", name), el("type", type), el("path", path), el("skip", false), ...select.map((s) => el("selectSet", el("name", s)))]);
}

/**
 * How to reach every object of `type` from a scope of type `from`: VMs through folders, datacenters'
 * VM folders and top-level vApps (as a ContainerView of the scope lists them; VMs of a vApp nested
 * in another are not reached), or through a compute
 * resource's hosts, a host's VMs, a resource pool's pools; hosts through folders, datacenters' host
 * folders and compute resources. Objects of other types are walked, not returned (no PropertySpec).
 */
export function traversalSpecs(type: ListingKind<unknown>["type"], from: string): Xml[] {
  if (type === "HostSystem") {
    return [
      traversal("folder", "Folder", "childEntity", ["folder", "dcHosts", "crHosts"]),
      traversal("dcHosts", "Datacenter", "hostFolder", ["folder"]),
      traversal("crHosts", "ComputeResource", "host"),
    ];
  }
  switch (from) {
    case "ClusterComputeResource":
    case "ComputeResource":
      return [traversal("crHosts", "ComputeResource", "host", ["hostVms"]), traversal("hostVms", "HostSystem", "vm")];
    case "HostSystem":
      return [traversal("hostVms", "HostSystem", "vm")];
    case "ResourcePool":
      return [traversal("poolVms", "ResourcePool", "vm"), traversal("pools", "ResourcePool", "resourcePool", ["pools", "poolVms"])];
    default:
      // No spec through VirtualApp.resourcePool (nested vApps): vcsim applies a spec's path to
      // objects of other types that have it (every VM has a resourcePool), which took it minutes.
      return [
        traversal("folder", "Folder", "childEntity", ["folder", "dcVms", "vAppVms"]),
        traversal("dcVms", "Datacenter", "vmFolder", ["folder"]),
        traversal("vAppVms", "VirtualApp", "vm"),
      ];
  }
}

/** Where a listing stands between two pages: decoded objects not handed out yet, and the token for the rest. */
interface Ahead<T> {
  readonly buffer: readonly T[];
  readonly token?: string;
  /** The page of `token`, asked for as soon as the token was read. */
  readonly next?: ReadAhead<T>;
}

/** A page asked for ahead of the caller. */
interface ReadAhead<T> {
  readonly page: Promise<DecodedPage<T>>;
  /** The caller waits for this page now: the page after it may be asked for as soon as its token is read. */
  wanted(): void;
}

/** Lists objects of one type under a scope, page by page. */
export class InventoryLister {
  readonly #session: VimSession;
  readonly #content: () => Promise<ServiceContent>;
  /** Tokens already sent to the server (each serves once). */
  readonly #spent = new Set<string>();
  /** Listings under way, by the cursor this lister handed out. */
  readonly #ahead = new Map<string, Ahead<unknown>>();
  /** Pages asked for the moment their token was read, by token. */
  readonly #early = new Map<string, ReadAhead<unknown>>();

  constructor(session: VimSession, content: () => Promise<ServiceContent>) {
    this.#session = session;
    this.#content = content;
  }

  /** One page of `kind` under `scope` (default the root folder). */
  async page<T>(kind: ListingKind<T>, pageSize: number | undefined, cursor: string | undefined, scope: MoRef | undefined, options: VimCallOptions): Promise<Page<T>> {
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, pageSize ?? DEFAULT_PAGE_SIZE));
    const content = await this.#content();
    const from = scope ?? content.rootFolder;
    if (cursor === undefined) {
      const first = await this.#retrieve(content, kind, from, size, options);
      return this.#serve(content, kind, this.#state(first.items, first.token, content, kind), 0, size);
    }
    const c = decodeCursor(cursor);
    const kept = this.#ahead.get(cursor) as Ahead<T> | undefined;
    if (kept) {
      this.#ahead.delete(cursor);
      return this.#serve(content, kind, kept, c.o, size);
    }
    if (c.t !== undefined && (c.a ?? c.o) === c.o && !this.#spent.has(c.t)) {
      try {
        const next = await this.#continue(content, kind, c.t, options);
        return this.#serve(content, kind, this.#state(next.items, next.token, content, kind), c.o, size);
      } catch (error) {
        // A token the server no longer knows: read again from the start.
        if (!isVmshiftError(error) || (error.code !== "INVALID_ARGUMENT" && error.code !== "NOT_FOUND")) throw error;
      }
    }
    return this.#serve(content, kind, await this.#skipping(content, kind, from, c.o, size, options), c.o, size);
  }

  /** A listing's state after a decoded page: its next page is under way (asked for when the token was read). */
  #state<T>(buffer: readonly T[], token: string | undefined, content: ServiceContent, kind: ListingKind<T>): Ahead<T> {
    if (token === undefined) return { buffer };
    return { buffer, token, next: this.#next(content, kind, token) };
  }

  /** The page of `token`: the one asked for early, else asked for now (no caller's signal: it may serve a later call). */
  #next<T>(content: ServiceContent, kind: ListingKind<T>, token: string): ReadAhead<T> {
    const early = this.#early.get(token) as ReadAhead<T> | undefined;
    this.#early.delete(token);
    return early ?? this.#prefetch(content, kind, token);
  }

  /**
   * ContinueRetrievePropertiesEx of `token`, sent now; its failure surfaces when the page is asked
   * for. Its own token asks for nothing early: one page is read ahead, not the whole listing.
   */
  #prefetch<T>(content: ServiceContent, kind: ListingKind<T>, token: string): ReadAhead<T> {
    let wanted = false;
    let seen: string | undefined;
    const ask = this.#askEarly(content, kind);
    const page = this.#continue(content, kind, token, {}, (next) => (wanted ? ask(next) : (seen = next)));
    page.catch(() => undefined);
    return {
      page,
      wanted() {
        wanted = true;
        if (seen !== undefined) ask(seen);
      },
    };
  }

  /** Asks for the page of a token the moment a decoder reads it, so the server prepares it while this page is read. */
  #askEarly<T>(content: ServiceContent, kind: ListingKind<T>): (token: string) => void {
    return (token) => {
      if (!this.#spent.has(token) && !this.#early.has(token)) this.#early.set(token, this.#prefetch(content, kind, token));
    };
  }

  /** Hands out up to `size` objects of a listing at `offset`; keeps the rest for the next cursor. */
  async #serve<T>(content: ServiceContent, kind: ListingKind<T>, state: Ahead<T>, offset: number, size: number): Promise<Page<T>> {
    let current = state;
    // An empty buffer with a token: the server's next page (a server may send empty pages).
    while (current.buffer.length === 0 && current.token !== undefined) {
      const next = current.next ?? this.#next(content, kind, current.token);
      next.wanted();
      const page = await next.page;
      current = this.#state(page.items, page.token, content, kind);
    }
    const items = current.buffer.slice(0, size);
    const rest: Ahead<T> = { ...current, buffer: current.buffer.slice(size) };
    if (rest.buffer.length === 0 && rest.token === undefined) return { items };
    const next = offset + items.length;
    const cursor = encodeCursor({ o: next, ...(rest.token === undefined ? {} : { t: rest.token }), ...(rest.buffer.length > 0 && rest.token !== undefined ? { a: next + rest.buffer.length } : {}) });
    this.#ahead.set(cursor, rest);
    // Listings nobody finished: the oldest are dropped (a cursor of one is then read again from the start).
    for (const key of this.#ahead.keys()) {
      if (this.#ahead.size <= KEPT_AHEAD) break;
      this.#ahead.delete(key);
    }
    return { items, nextCursor: cursor };
  }

  /** A listing from its start with the first `offset` objects dropped (a resumed cursor whose token is spent). */
  async #skipping<T>(content: ServiceContent, kind: ListingKind<T>, from: MoRef, offset: number, size: number, options: VimCallOptions): Promise<Ahead<T>> {
    let page = await this.#retrieve(content, kind, from, offset + size, options, null);
    let seen = 0;
    while (seen + page.items.length <= offset && page.token !== undefined) {
      seen += page.items.length;
      page = await this.#next(content, kind, page.token).page;
    }
    return this.#state(page.items.slice(Math.max(0, offset - seen)), page.token, content, kind);
  }

  #retrieve<T>(content: ServiceContent, kind: ListingKind<T>, from: MoRef, maxObjects: number, options: VimCallOptions, onToken: ((token: string) => void) | null = this.#askEarly(content, kind)): Promise<DecodedPage<T>> {
    const specs = seq(propertySpec(kind.type, kind.paths), el("objectSet", [moref("obj", from), el("skip", from.type !== kind.type), ...traversalSpecs(kind.type, from.type)]));
    const decoder = () => new PageDecoder({ method: "RetrievePropertiesEx", type: kind.type, paths: kind.paths, map: kind.map, ...(onToken ? { onToken } : {}) });
    return this.#session.call("RetrievePropertiesEx", content.propertyCollector, seq(el("specSet", specs), el("options", opt("maxObjects", maxObjects))), { ...options, decoder }) as Promise<DecodedPage<T>>;
  }

  #continue<T>(content: ServiceContent, kind: ListingKind<T>, token: string, options: VimCallOptions, onToken: ((token: string) => void) | null = this.#askEarly(content, kind)): Promise<DecodedPage<T>> {
    if (this.#spent.size >= 10_000) this.#spent.clear();
    this.#spent.add(token);
    const decoder = () => new PageDecoder({ method: "ContinueRetrievePropertiesEx", type: kind.type, paths: kind.paths, map: kind.map, ...(onToken ? { onToken } : {}) });
    return this.#session.call("ContinueRetrievePropertiesEx", content.propertyCollector, el("token", token), { ...options, decoder }) as Promise<DecodedPage<T>>;
  }
}
