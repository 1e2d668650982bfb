/**
 * The object store of the KubeVirt API environment, after the Kubernetes API server's rules: one
 * cluster-wide resourceVersion counter, uid/creationTimestamp/generateName on create, optimistic
 * concurrency on update, finalizers + deletionTimestamp on delete, label/field selectors, paged
 * lists with continue tokens, and an event history that watches replay from (older → 410 Gone).
 */

/** Any stored object. */
export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    generateName?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    [key: string]: unknown;
  };
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

/** Resource kinds the environment serves. */
export type Resource = "nodes" | "virtualmachines" | "virtualmachineinstances" | "virtualmachineinstancemigrations" | "kubevirts" | "migrationpolicies" | "namespaces" | "persistentvolumeclaims";

/** A watch event as stored. */
export interface StoreEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly resource: Resource;
  readonly rv: number;
  readonly object: StoredObject;
}

/** A failure the HTTP layer turns into a Kubernetes Status. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

/** Parsed selectors. */
export interface Selectors {
  readonly label?: string;
  readonly field?: string;
}

const clone = <T>(value: T): T => structuredClone(value);
const keyOf = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name);

/** `a=b,c!=d,e,!f` against labels. Throws 400 on syntax it does not know. */
export function matchLabels(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  return selector.split(",").every((raw) => {
    const term = raw.trim();
    if (!term) return true;
    let m: RegExpExecArray | null;
    if ((m = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(term))) return l[m[1]!] !== m[2];
    if ((m = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(term))) return l[m[1]!] === m[2];
    if ((m = /^!([^!=\s]+)$/.exec(term))) return !(m[1]! in l);
    if ((m = /^([^!=\s()]+)$/.exec(term))) return m[1]! in l;
    throw new ApiError(400, "BadRequest", `unable to parse requirement: ${term}`);
  });
}

/** `metadata.name=x,metadata.namespace=y` (the fields the API server supports for CRDs). */
export function matchFields(selector: string | undefined, object: StoredObject): boolean {
  if (!selector) return true;
  return selector.split(",").every((raw) => {
    const m = /^([\w.]+)\s*(==?|!=)\s*(.*)$/.exec(raw.trim());
    if (!m) throw new ApiError(400, "BadRequest", `invalid field selector: ${raw}`);
    const value = m[1] === "metadata.name" ? object.metadata.name : m[1] === "metadata.namespace" ? (object.metadata.namespace ?? "") : undefined;
    if (value === undefined) throw new ApiError(400, "BadRequest", `field label not supported: ${m[1]}`);
    return m[2] === "!=" ? value !== m[3] : value === m[3];
  });
}

/** The store. */
export class Store {
  #rv = 1;
  readonly #objects = new Map<Resource, Map<string, StoredObject>>();
  #history: StoreEvent[] = [];
  /** Events at or before this rv are compacted: watching from there gives 410. */
  #compactedRv = 0;
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  /** How many events the history keeps. */
  historyLimit = 2000;
  /** Continue tokens issued before this rv are expired. */
  #continueFloor = 0;
  readonly #now: () => Date;
  /** Deterministic ids: the same sequence of creates gives the same uids and generated names (recordings replay across sessions). */
  #ids = 0;
  #random: number;

  constructor(now: () => Date = () => new Date(), seed = 1) {
    this.#now = now;
    this.#random = seed;
  }

  #uid(): string {
    return `00000000-0000-4000-8000-${(++this.#ids).toString(16).padStart(12, "0")}`;
  }

  #suffix(): string {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    let out = "";
    for (let i = 0; i < 5; i++) {
      this.#random = (this.#random * 1103515245 + 12345) % 2 ** 31;
      out += alphabet[this.#random % alphabet.length];
    }
    return out;
  }

  get resourceVersion(): string {
    return String(this.#rv);
  }

  #bucket(resource: Resource): Map<string, StoredObject> {
    let bucket = this.#objects.get(resource);
    if (!bucket) this.#objects.set(resource, (bucket = new Map()));
    return bucket;
  }

  #emit(type: StoreEvent["type"], resource: Resource, object: StoredObject): void {
    const event: StoreEvent = { type, resource, rv: Number(object.metadata.resourceVersion), object: clone(object) };
    this.#history.push(event);
    if (this.#history.length > this.historyLimit) {
      const dropped = this.#history.splice(0, this.#history.length - this.historyLimit);
      this.#compactedRv = Math.max(this.#compactedRv, dropped.at(-1)!.rv);
    }
    for (const listener of [...this.#listeners]) listener(event);
  }

  /** Creates an object; `generateName` gets a random suffix. 409 AlreadyExists on a taken name. */
  create(resource: Resource, kind: string, object: StoredObject | Record<string, unknown>): StoredObject {
    const input = clone(object) as StoredObject;
    const meta = (input.metadata ??= {} as StoredObject["metadata"]);
    if (!meta.name) {
      if (!meta.generateName) throw new ApiError(422, "Invalid", `${kind} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind, causes: [{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" }] });
      do meta.name = `${meta.generateName}${this.#suffix()}`;
      while (this.#bucket(resource).has(keyOf(meta.namespace, meta.name)));
    }
    const key = keyOf(meta.namespace, meta.name);
    if (this.#bucket(resource).has(key)) throw new ApiError(409, "AlreadyExists", `${resource}.kubevirt.io "${meta.name}" already exists`, { name: meta.name, kind: resource });
    meta.uid = this.#uid();
    meta.creationTimestamp = this.#now().toISOString().replace(/\.\d+Z$/, "Z");
    meta.generation = 1;
    meta.resourceVersion = String(++this.#rv);
    delete meta.deletionTimestamp;
    this.#bucket(resource).set(key, input);
    this.#emit("ADDED", resource, input);
    return clone(input);
  }

  get(resource: Resource, namespace: string | undefined, name: string): StoredObject | undefined {
    const found = this.#bucket(resource).get(keyOf(namespace, name));
    return found ? clone(found) : undefined;
  }

  /** Like `get`, 404 NotFound when absent. */
  require(resource: Resource, namespace: string | undefined, name: string): StoredObject {
    const found = this.get(resource, namespace, name);
    if (!found) throw new ApiError(404, "NotFound", `${resource}.kubevirt.io "${name}" not found`, { name, kind: resource });
    return found;
  }

  /** Every object of a resource (optionally one namespace), sorted by key. */
  all(resource: Resource, namespace?: string, selectors: Selectors = {}): StoredObject[] {
    return [...this.#bucket(resource).entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .filter(([, o]) => matchLabels(selectors.label, o.metadata.labels) && matchFields(selectors.field, o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => clone(o));
  }

  /** A page of a list. The continue token carries the last key and the list's rv. */
  list(resource: Resource, namespace: string | undefined, options: Selectors & { limit?: number; continue?: string }): { items: StoredObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number } {
    let after: string | undefined;
    if (options.continue) {
      let token: { rv: number; key: string };
      try {
        token = JSON.parse(Buffer.from(options.continue, "base64url").toString("utf8")) as { rv: number; key: string };
      } catch {
        throw new ApiError(400, "BadRequest", "continue key is not valid: illegal base64 data");
      }
      if (typeof token.rv !== "number" || token.rv <= this.#continueFloor) {
        throw new ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
      }
      after = token.key;
    }
    const keyed = this.all(resource, namespace, options).map((o) => ({ key: keyOf(o.metadata.namespace, o.metadata.name), o }));
    const rest = after === undefined ? keyed : keyed.filter((k) => k.key > after!);
    const limit = options.limit && options.limit > 0 ? options.limit : rest.length;
    const page = rest.slice(0, limit);
    const more = rest.length > page.length;
    return {
      items: page.map((k) => k.o),
      resourceVersion: String(this.#rv),
      ...(more ? { continue: Buffer.from(JSON.stringify({ rv: this.#rv, key: page.at(-1)!.key })).toString("base64url"), remainingItemCount: rest.length - page.length } : {}),
    };
  }

  /**
   * Replaces an object. A `resourceVersion` in the input must match (409 Conflict otherwise).
   * `mutate` lets callers change the stored copy in place instead (controllers).
   */
  update(resource: Resource, object: StoredObject): StoredObject {
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const current = this.#bucket(resource).get(key);
    if (!current) throw new ApiError(404, "NotFound", `${resource}.kubevirt.io "${object.metadata.name}" not found`, { name: object.metadata.name, kind: resource });
    if (object.metadata.resourceVersion && object.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${resource}.kubevirt.io "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: object.metadata.name, kind: resource });
    }
    const next = clone(object);
    next.metadata = { ...next.metadata, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp, resourceVersion: String(++this.#rv) };
    if (current.metadata.deletionTimestamp) next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.#bucket(resource).delete(key);
      this.#emit("DELETED", resource, next);
      return clone(next);
    }
    this.#bucket(resource).set(key, next);
    this.#emit("MODIFIED", resource, next);
    return clone(next);
  }

  /** Reads, changes and writes one object (no precondition). Returns undefined when it is gone. */
  mutate(resource: Resource, namespace: string | undefined, name: string, change: (object: StoredObject) => void): StoredObject | undefined {
    const current = this.get(resource, namespace, name);
    if (!current) return undefined;
    change(current);
    current.metadata.resourceVersion = "";
    return this.update(resource, current);
  }

  /** Deletes: with finalizers the object stays with `deletionTimestamp` set; otherwise it is gone. */
  delete(resource: Resource, namespace: string | undefined, name: string, preconditions: { readonly uid?: string; readonly resourceVersion?: string } = {}): StoredObject {
    const key = keyOf(namespace, name);
    const current = this.#bucket(resource).get(key);
    if (!current) throw new ApiError(404, "NotFound", `${resource}.kubevirt.io "${name}" not found`, { name, kind: resource });
    // DeleteOptions.preconditions, as the API server checks them (409 Conflict, the object untouched).
    if (preconditions.uid !== undefined && preconditions.uid !== current.metadata.uid) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${resource}.kubevirt.io "${name}": Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`, { name, kind: resource });
    }
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== current.metadata.resourceVersion) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${resource}.kubevirt.io "${name}": the ResourceVersion in the precondition (${preconditions.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion}). The object might have been modified`, { name, kind: resource });
    }
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp) return clone(current);
      const next = clone(current);
      next.metadata.deletionTimestamp = this.#now().toISOString().replace(/\.\d+Z$/, "Z");
      next.metadata.resourceVersion = String(++this.#rv);
      this.#bucket(resource).set(key, next);
      this.#emit("MODIFIED", resource, next);
      return clone(next);
    }
    const gone = clone(current);
    gone.metadata.resourceVersion = String(++this.#rv);
    this.#bucket(resource).delete(key);
    this.#emit("DELETED", resource, gone);
    return gone;
  }

  /** Events after `rv` for a resource; throws 410 when `rv` is older than the kept history. */
  since(resource: Resource, rv: number): StoreEvent[] {
    if (rv < this.#compactedRv) throw new ApiError(410, "Expired", `too old resource version: ${rv} (${this.#compactedRv})`);
    return this.#history.filter((e) => e.resource === resource && e.rv > rv).map((e) => ({ ...e, object: clone(e.object) }));
  }

  /** Forgets the history up to now: every older watch version and continue token expires (etcd compaction). */
  compact(): void {
    this.#compactedRv = this.#rv;
    this.#continueFloor = this.#rv++;
    this.#history = [];
  }

  /** Expires the continue tokens issued so far (tokens issued later stay valid). */
  expireContinueTokens(): void {
    this.#continueFloor = this.#rv++;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
