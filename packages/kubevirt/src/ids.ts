/**
 * Ids vmshift hands out for KubeVirt objects, and the one escaping helper for URL paths.
 * - VM: `namespace/name` (the VirtualMachine; its VMI has the same name).
 * - Host: the Node name.
 * - Live migration: `namespace/name` of the VirtualMachineInstanceMigration.
 * - Cold migration: `cold:namespace/vm/token` (the token is recorded on the VM, see cold.ts).
 */
import { createHash } from "node:crypto";
import { VmshiftError } from "@vmshift/core";

/** A namespaced object reference. */
export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function checkName(kind: string, value: string, pattern: RegExp, max: number, operation: string): void {
  if (value.length === 0 || value.length > max || !pattern.test(value)) {
    throw new VmshiftError("INVALID_ARGUMENT", `${kind} ${JSON.stringify(value)} is not a valid Kubernetes name`, { operation });
  }
}

/** Parses `namespace/name`; a bare `name` takes `defaultNamespace`. Throws `INVALID_ARGUMENT`. */
export function parseRef(id: string, defaultNamespace: string, operation: string): ObjectRef {
  const parts = id.split("/");
  if (parts.length > 2) throw new VmshiftError("INVALID_ARGUMENT", `id ${JSON.stringify(id)} must be "namespace/name" or "name"`, { operation });
  const [namespace, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [defaultNamespace, parts[0]!];
  checkName("namespace", namespace, DNS_LABEL, 63, operation);
  checkName("name", name, DNS_SUBDOMAIN, 253, operation);
  return { namespace, name };
}

/** `namespace/name`. */
export function formatRef(ref: ObjectRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/** A cold migration id. */
export interface ColdMigrationRef extends ObjectRef {
  readonly token: string;
}

const COLD_PREFIX = "cold:";

/** True when the id names a cold migration. */
export function isColdMigrationId(id: string): boolean {
  return id.startsWith(COLD_PREFIX);
}

/** `cold:namespace/vm/token`. */
export function formatColdId(ref: ColdMigrationRef): string {
  return `${COLD_PREFIX}${ref.namespace}/${ref.name}/${ref.token}`;
}

/** Parses a cold migration id. Throws `INVALID_ARGUMENT`. */
export function parseColdId(id: string, operation: string): ColdMigrationRef {
  const rest = id.slice(COLD_PREFIX.length);
  const slash = rest.lastIndexOf("/");
  if (!isColdMigrationId(id) || slash < 0) throw new VmshiftError("INVALID_ARGUMENT", `${JSON.stringify(id)} is not a cold migration id`, { operation });
  const token = rest.slice(slash + 1);
  if (!/^[a-z0-9]{1,63}$/.test(token)) throw new VmshiftError("INVALID_ARGUMENT", `${JSON.stringify(id)} has a bad token`, { operation });
  return { ...parseRef(rest.slice(0, slash), "", operation), token };
}

/** A label-value-safe token for a request id: the id itself when it is one, else a hash of it. */
export function requestIdLabel(requestId: string): string {
  if (/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(requestId)) return requestId;
  return `h${createHash("sha256").update(requestId).digest("hex").slice(0, 40)}`;
}

/** A short lowercase token derived from a request id (for names and cold ids). */
export function requestToken(requestId: string): string {
  return createHash("sha256").update(requestId).digest("hex").slice(0, 16);
}

/**
 * The one URL path builder of this adapter: every segment is percent-encoded, so a value can
 * never add a path segment or a query; an empty or dot segment (which a URL parser would drop or
 * climb) and a string that is not well-formed Unicode are refused with `INVALID_ARGUMENT`.
 * `apiPath("apis", "kubevirt.io", "v1", "namespaces", ns, "virtualmachines", name)`.
 */
export function apiPath(...segments: readonly string[]): string {
  for (const s of segments) {
    if (s === "" || s === "." || s === ".." || !s.isWellFormed()) {
      throw new VmshiftError("INVALID_ARGUMENT", `${JSON.stringify(s)} cannot be a URL path segment`, { adapter: "kubevirt" });
    }
  }
  return `/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
}

/** Checks a namespace given as a listing scope. Throws `INVALID_ARGUMENT`. */
export function requireNamespace(namespace: string, operation: string): string {
  checkName("namespace", namespace, DNS_LABEL, 63, operation);
  return namespace;
}
