import { VmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import type { MappedDefinition } from "../mapping.ts";
import { isNamespaceName, isObjectName } from "./manifests.ts";
import { type KubeRequester, kubevirtMoveTarget } from "./target.ts";

/** A requester that records what would reach the API (nothing should, for a refused name). */
function recorder(): KubeRequester & { readonly paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    async request<T>(request: { readonly path: string }): Promise<T> {
      paths.push(request.path);
      return {} as T;
    },
  };
}

const signal = new AbortController().signal;
const definition = (targetName: string) => ({ targetName, disks: [], nics: [] }) as unknown as MappedDefinition;

describe("Kubernetes names in the KubeVirt move target", () => {
  it("knows object and namespace names as the API server does", () => {
    for (const ok of ["web-01", "a", "db.prod-1", "x".repeat(253)]) expect(isObjectName(ok), ok).toBe(true);
    for (const bad of ["", "..", ".", "Web", "web_01", "web 01", "-web", "web-", "a/b", "%2e%2e", "x".repeat(254)]) expect(isObjectName(bad), bad).toBe(false);
    expect(isNamespaceName("team-a")).toBe(true);
    for (const bad of ["", "..", "a.b", "Team", "x".repeat(64)]) expect(isNamespaceName(bad), bad).toBe(false);
  });

  it("refuses a namespace that is no namespace name before any request", () => {
    const api = recorder();
    for (const namespace of ["..", "a/b", "Default"]) {
      expect(() => kubevirtMoveTarget({ api, namespace, uploadProxy: { url: "https://proxy.invalid" } })).toThrow(VmshiftError);
    }
    expect(api.paths).toEqual([]);
  });

  it("fails the preflight of a target name that is no object name, naming it, without a request", async () => {
    const api = recorder();
    const target = kubevirtMoveTarget({ api, namespace: "default", uploadProxy: { url: "https://proxy.invalid" } });
    for (const name of ["..", "My VM", "web/../../secrets"]) {
      const checks = await target.check({ definition: definition(name) }, { signal });
      expect(checks).toEqual([expect.objectContaining({ id: "target.name", severity: "error", subject: name })]);
    }
    expect(api.paths).toEqual([]);
    await target.check({ definition: definition("web-01") }, { signal });
    expect(api.paths[0]).toBe("/api/v1/namespaces/default"); // a valid name goes on to the cluster
  });
});
