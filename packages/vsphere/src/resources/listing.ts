/**
 * Paged listings of VMs and hosts: one PropertyCollector retrieval per listing, from the scope
 * (root folder, datacenter, folder, cluster, host, resource pool) through traversal specs — no
 * ContainerView to create and destroy — so a page costs one request: RetrievePropertiesEx for the
 * first, ContinueRetrievePropertiesEx with the server's token for the next. Answers are decoded as
 * they arrive (`page-decoder.ts`) and their objects handed out while the body still arrives
 * (`arrival.ts`): a caller's page is a piece of the server's page (at least {@link HANDOUT}
 * objects, at most the page size), so a large listing keeps no whole server page of objects alive.
 * As soon as an answer's token is read the next page is asked for, so the server prepares it while
 * this one is decoded and handed out.
 *
 * A cursor holds the offset and, once the answer it points into has ended, the token. The next page
 * of a cursor this lister handed out is already under way (or decoded); a cursor without a token,
 * or whose token is spent (a listing resumed a second time, or in another process), is served by
 * one RetrievePropertiesEx of offset + page size objects from which the first `offset` are dropped
 * as they arrive: one request, at the price of reading the prefix again.
 */
import { type Page, VmshiftError, isVmshiftError } from "@vmshift/core";
import type { ServiceContent, VimSession } from "../session.ts";
import type { AnswerFlow, VimCallOptions } from "../transport.ts";
import { type MoRef, type Xml, el, moref, opt, seq, typed } from "../xml.ts";
import { Arrival } from "./arrival.ts";
import { type DecodedPage, PageDecoder } from "./page-decoder.ts";
import { propertySpec } from "./properties.ts";

/** Default and largest page, objects. */
export const DEFAULT_PAGE_SIZE = 500;
const MAX_PAGE_SIZE = 5000;
/**
 * While an answer arrives, its objects are handed out once more than this many (or the page size,
 * if smaller) are decoded: pages of a large answer come in pieces of at least this many objects.
 */
export const HANDOUT = 100;
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
  /** Which listing of this lister (a cursor without a token, handed out while its answer arrived). */
  readonly l?: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Cursor>;
    const count = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 0;
    if (count(c.o) && (c.t === undefined || typeof c.t === "string") && (c.a === undefined || count(c.a)) && (c.l === undefined || count(c.l))) return c as Cursor;
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

/** A page asked for ahead of the caller. */
interface ReadAhead<T> {
  readonly arrival: Arrival<T>;
  /** The caller waits for this page now: the page after it may be asked for as soon as its token is read. */
  wanted(): void;
}

/** Lists objects of one type under a scope, page by page. */
export class InventoryLister {
  readonly #session: VimSession;
  readonly #content: () => Promise<ServiceContent>;
  /** Tokens already sent to the server (each serves once). */
  readonly #spent = new Set<string>();
  /** Listings under way, by the cursor this lister handed out: the answer the next objects come from. */
  readonly #ahead = new Map<string, Arrival<unknown>>();
  /** Pages asked for the moment their token was read, by token. */
  readonly #early = new Map<string, ReadAhead<unknown>>();
  /** Numbers the listings whose cursors carry no token (an answer still arriving), so two never share a cursor. */
  #listings = 0;
  readonly #listingOf = new WeakMap<Arrival<unknown>, number>();

  constructor(session: VimSession, content: () => Promise<ServiceContent>) {
    this.#session = session;
    this.#content = content;
  }

  /** One page of `kind` under `scope` (default the root folder). */
  async page<T>(kind: ListingKind<T>, pageSize: number | undefined, cursor: string | undefined, scope: MoRef | undefined, options: VimCallOptions): Promise<Page<T>> {
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, pageSize ?? DEFAULT_PAGE_SIZE));
    const content = await this.#content();
    const from = scope ?? content.rootFolder;
    if (cursor === undefined) return this.#serve(content, kind, this.#retrieve(content, kind, from, size, options), 0, size);
    const c = decodeCursor(cursor);
    const kept = this.#ahead.get(cursor) as Arrival<T> | undefined;
    if (kept) {
      this.#ahead.delete(cursor);
      return this.#serve(content, kind, kept, c.o, size);
    }
    if (c.t !== undefined && (c.a ?? c.o) === c.o && !this.#spent.has(c.t)) {
      try {
        return await this.#serve(content, kind, this.#continue(content, kind, c.t, options), c.o, size);
      } catch (error) {
        // A token the server no longer knows: read again from the start.
        if (!isVmshiftError(error) || (error.code !== "INVALID_ARGUMENT" && error.code !== "NOT_FOUND")) throw error;
      }
    }
    return this.#serve(content, kind, await this.#skipping(content, kind, from, c.o, size, options), c.o, size);
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
    const arrival = this.#continue(content, kind, token, {}, (next) => (wanted ? ask(next) : (seen = next)));
    return {
      arrival,
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

  /**
   * Hands out up to `size` objects of a listing at `offset`, as soon as there are some: while an
   * answer still arrives, once more than min(size, {@link HANDOUT}) of its objects are decoded, all
   * of them but the last (which waits for the next ones or the end, so that the last page of a
   * listing is never an empty one); the rest of an ended answer. Keeps the answer for the next
   * cursor.
   */
  async #serve<T>(content: ServiceContent, kind: ListingKind<T>, arrival: Arrival<T>, offset: number, size: number): Promise<Page<T>> {
    const early = Math.min(size, HANDOUT);
    let current = arrival;
    for (;;) {
      if (current.state === "failed") throw current.error;
      if (current.state === "done") {
        if (current.available > 0 || current.token === undefined) break;
        // An answer handed out whole (or an empty one: a server may send empty pages), with a token: the server's next page.
        const next = this.#next(content, kind, current.token);
        next.wanted();
        this.#listingOf.set(next.arrival, this.#listingOf.get(current) ?? ++this.#listings);
        current = next.arrival;
        continue;
      }
      if (current.available > early) break;
      await current.until(early);
    }
    const done = current.state === "done";
    const items = current.take(done ? size : Math.min(size, current.available - 1));
    if (done && current.available === 0 && current.token === undefined) return { items };
    const next = offset + items.length;
    const token = done ? current.token : undefined;
    const listing = token === undefined ? (this.#listingOf.get(current) ?? ++this.#listings) : undefined;
    if (listing !== undefined) this.#listingOf.set(current, listing);
    const cursor = encodeCursor({
      o: next,
      ...(token === undefined ? {} : { t: token }),
      ...(token !== undefined && current.available > 0 ? { a: next + current.available } : {}),
      ...(listing === undefined ? {} : { l: listing }),
    });
    this.#ahead.set(cursor, current);
    // Listings nobody finished: the oldest are dropped (a cursor of one is then read again from the start).
    for (const [key, dropped] of this.#ahead) {
      if (this.#ahead.size <= KEPT_AHEAD) break;
      this.#ahead.delete(key);
      dropped.abandon();
    }
    return { items, nextCursor: cursor };
  }

  /** A listing from its start with the first `offset` objects dropped as they arrive (a resumed cursor whose token is spent). */
  async #skipping<T>(content: ServiceContent, kind: ListingKind<T>, from: MoRef, offset: number, size: number, options: VimCallOptions): Promise<Arrival<T>> {
    let arrival = this.#retrieve(content, kind, from, offset + size, options, null, offset);
    await arrival.settled;
    while (arrival.state === "done" && arrival.skipping > 0 && arrival.token !== undefined) {
      arrival = this.#continue(content, kind, arrival.token, {}, null, arrival.skipping);
      await arrival.settled;
    }
    // The next page is asked for now, as for any page whose token is read.
    if (arrival.state === "done" && arrival.token !== undefined) this.#askEarly(content, kind)(arrival.token);
    return arrival;
  }

  #retrieve<T>(content: ServiceContent, kind: ListingKind<T>, from: MoRef, maxObjects: number, options: VimCallOptions, onToken: ((token: string) => void) | null = this.#askEarly(content, kind), skip = 0): Arrival<T> {
    const specs = seq(propertySpec(kind.type, kind.paths), el("objectSet", [moref("obj", from), el("skip", from.type !== kind.type), ...traversalSpecs(kind.type, from.type)]));
    return this.#arriving(kind, "RetrievePropertiesEx", seq(el("specSet", specs), el("options", opt("maxObjects", maxObjects))), content, options, onToken, skip);
  }

  #continue<T>(content: ServiceContent, kind: ListingKind<T>, token: string, options: VimCallOptions, onToken: ((token: string) => void) | null = this.#askEarly(content, kind), skip = 0): Arrival<T> {
    if (this.#spent.size >= 10_000) this.#spent.clear();
    this.#spent.add(token);
    return this.#arriving(kind, "ContinueRetrievePropertiesEx", el("token", token), content, options, onToken, skip);
  }

  /** Sends one page request; its objects arrive in the returned {@link Arrival} as they are decoded. */
  #arriving<T>(kind: ListingKind<T>, method: "RetrievePropertiesEx" | "ContinueRetrievePropertiesEx", params: Xml, content: ServiceContent, options: VimCallOptions, onToken: ((token: string) => void) | null, skip: number): Arrival<T> {
    const arrival = new Arrival<T>(skip);
    const decoder = (flow: AnswerFlow) => {
      arrival.flowing(flow);
      return new PageDecoder<T>({
        method,
        type: kind.type,
        paths: kind.paths,
        map: kind.map,
        onItem: (item) => arrival.push(item),
        onToken: (token) => {
          arrival.tokenRead(token);
          onToken?.(token);
        },
      });
    };
    (this.#session.call(method, content.propertyCollector, params, { ...options, decoder }) as Promise<DecodedPage<T>>).then(
      (page) => arrival.end(page.token),
      (error: unknown) => arrival.fail(error),
    );
    return arrival;
  }
}
