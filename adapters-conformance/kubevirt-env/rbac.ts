/**
 * Namespace-scoped identities for the KubeVirt API environment: a bearer token maps to a user and
 * the namespaces a RoleBinding grants it (every verb on every namespaced resource there, as a Role
 * with `resources: ["*"]` would). Anything else (cluster-scoped resources such as Nodes, Namespaces
 * and MigrationPolicies, and lists across all namespaces) is refused with the API server's 403
 * `Status`, worded as `k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.forbiddenMessage`
 * words it, e.g. `virtualmachineinstances.kubevirt.io is forbidden: User "x" cannot list resource
 * "virtualmachineinstances" in API group "kubevirt.io" at the cluster scope`. The environment's own
 * token stays cluster-admin.
 */
import { ApiError, type Resource } from "./store.ts";

/** The part of a route authorization looks at. */
export interface AuthzRoute {
  readonly resource: Resource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** API group and scope of each resource (the same as the discovery documents say). */
const RESOURCES: Readonly<Record<Resource, { readonly group: string; readonly namespaced: boolean }>> = {
  nodes: { group: "", namespaced: false },
  namespaces: { group: "", namespaced: false },
  persistentvolumeclaims: { group: "", namespaced: true },
  virtualmachines: { group: "kubevirt.io", namespaced: true },
  virtualmachineinstances: { group: "kubevirt.io", namespaced: true },
  virtualmachineinstancemigrations: { group: "kubevirt.io", namespaced: true },
  kubevirts: { group: "kubevirt.io", namespaced: true },
  migrationpolicies: { group: "migrations.kubevirt.io", namespaced: false },
};

/** What one token may do. */
export interface NamespacedGrant {
  /** The user name the API server reports (a ServiceAccount's is `system:serviceaccount:<ns>:<name>`). */
  readonly user: string;
  /** Namespaces a RoleBinding grants every verb in. */
  readonly namespaces: readonly string[];
}

/** The Kubernetes verb of a request. */
export function verbOf(method: string, route: AuthzRoute, watch: boolean): string {
  switch (method) {
    case "GET":
      return route.name ? "get" : watch ? "watch" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return route.name ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

/** Tokens of namespace-scoped identities and the authorization of their requests. */
export class NamespacedAuthorizer {
  readonly #grants = new Map<string, NamespacedGrant>();

  /** Grants `token` every verb in `grant.namespaces` only. */
  add(token: string, grant: NamespacedGrant): void {
    this.#grants.set(token, grant);
  }

  /** The grant of an `Authorization` header, or undefined when it names no namespace-scoped token. */
  authenticate(header: string | undefined): NamespacedGrant | undefined {
    return header?.startsWith("Bearer ") ? this.#grants.get(header.slice("Bearer ".length)) : undefined;
  }

  /** Throws the API server's 403 when the grant does not cover the request. */
  authorize(grant: NamespacedGrant, method: string, route: AuthzRoute, watch: boolean): void {
    const definition = RESOURCES[route.resource];
    const subresource = route.subresource ? `/${route.subresource}` : "";
    // The lifecycle subresources are served by virt-api under their own group.
    const group = route.subresource && route.subresource !== "status" ? "subresources.kubevirt.io" : definition.group;
    const allowed = definition.namespaced && route.namespace !== undefined && grant.namespaces.includes(route.namespace);
    if (allowed) return;
    const verb = verbOf(method, route, watch);
    const qualified = group ? `${route.resource}.${group}` : route.resource;
    const scope = route.namespace !== undefined ? `in the namespace "${route.namespace}"` : "at the cluster scope";
    const message = `${qualified}${route.name ? ` "${route.name}"` : ""} is forbidden: User "${grant.user}" cannot ${verb} resource "${route.resource}${subresource}" in API group "${group}" ${scope}`;
    throw new ApiError(403, "Forbidden", message, { ...(route.name ? { name: route.name } : {}), group, kind: route.resource });
  }
}
