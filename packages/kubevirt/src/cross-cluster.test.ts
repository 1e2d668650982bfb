import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { CrossClusterMigrations, crossClusterId, isCrossClusterId } from "./cross-cluster.ts";
import type { KubevirtApi } from "./resources/api.ts";

/** An API that fails the test if any request is made. */
const noRequests = new Proxy({}, { get: () => () => Promise.reject(new Error("no request expected")) }) as unknown as KubevirtApi;

describe("cross-cluster migration ids", () => {
  it("carry the cluster (URI-encoded) and both VMIMs, and parse back", () => {
    const ref = { cluster: "east:1/a", source: { namespace: "prod", name: "vmshift-web-01-0123456789abcdef" }, target: { namespace: "vms", name: "vmshift-web-01-0123456789abcdef" } };
    const id = crossClusterId(ref);
    expect(id).toBe("xc:east%3A1%2Fa:prod/vmshift-web-01-0123456789abcdef:vms/vmshift-web-01-0123456789abcdef");
    expect(isCrossClusterId(id)).toBe(true);
    expect(isCrossClusterId("prod/vmshift-web-01-0123456789abcdef")).toBe(false);
    expect(new CrossClusterMigrations(noRequests, new Map()).parse(id, "migration.get")).toEqual(ref);
  });

  it.each(["xc:east", "xc:east:prod/a", "xc:east:prod/a:vms", "xc::prod/a:vms/b", "xc:east:prod/a/b:vms/c"])("refuses %j with INVALID_ARGUMENT", (id) => {
    let error: unknown;
    try {
      new CrossClusterMigrations(noRequests, new Map()).parse(id, "migration.get");
    } catch (e) {
      error = e;
    }
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
  });

  it("an id naming a cluster that is not configured is NOT_FOUND without a request", async () => {
    const cross = new CrossClusterMigrations(noRequests, new Map([["east", { api: noRequests }]]));
    const error = await cross.get(crossClusterId({ cluster: "west", source: { namespace: "a", name: "b" }, target: { namespace: "a", name: "b" } }), {} as never).catch((e: unknown) => e);
    expect(isVmshiftError(error, "NOT_FOUND")).toBe(true);
    expect((error as Error).message).toContain("east");
  });
});
