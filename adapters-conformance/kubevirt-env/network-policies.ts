/**
 * networking.k8s.io/v1 NetworkPolicies as the registry serves them (create, get, list, delete
 * through http.ts), with kubectl's columns (`pkg/printers/internalversion/printers.go`: NAME,
 * POD-SELECTOR, AGE). Stored, not enforced: kubevirt-env has no CNI, so tests read the policy a
 * client wrote and compare its selector with the pods it should cover.
 */
import { registerResource } from "./resources.ts";
import type { Resource, StoredObject } from "./store.ts";

/** The store key of NetworkPolicies. */
export const NETWORK_POLICIES = "networkpolicies" as Resource;

type PolicyLike = StoredObject & { spec?: { podSelector?: { matchLabels?: Record<string, string> } } };

registerResource({
  resource: NETWORK_POLICIES,
  singular: "networkpolicy",
  kind: "NetworkPolicy",
  group: "networking.k8s.io",
  version: "v1",
  namespaced: true,
  shortNames: ["netpol"],
  builtIn: true,
  columns: [
    { name: "Pod-Selector", type: "string", cell: (o) => Object.entries((o as PolicyLike).spec?.podSelector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",") || "<none>", description: "The pods this policy applies to." },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
});
