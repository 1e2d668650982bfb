import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { apiPath, formatColdId, isColdMigrationId, parseColdId, parseRef, requestIdLabel, requireNamespace } from "./ids.ts";
import { parseQuantity } from "./resources/quantity.ts";

describe("ids", () => {
  it("parses namespace/name and bare names", () => {
    expect(parseRef("prod/api-01", "default", "vm.get")).toEqual({ namespace: "prod", name: "api-01" });
    expect(parseRef("web-01", "default", "vm.get")).toEqual({ namespace: "default", name: "web-01" });
  });

  it.each(["a/b/c", "Bad/web", "ns/../x", "ns/", "/x", "ns/a b", "ns/x?y=1"])("refuses %j with INVALID_ARGUMENT", (id) => {
    let caught: unknown;
    try {
      parseRef(id, "default", "vm.get");
    } catch (error) {
      caught = error;
    }
    expect(isVmshiftError(caught, "INVALID_ARGUMENT")).toBe(true);
  });

  it("escapes every path segment", () => {
    expect(apiPath("apis", "kubevirt.io", "v1", "namespaces", "a/b", "virtualmachines", "x?y#z")).toBe("/apis/kubevirt.io/v1/namespaces/a%2Fb/virtualmachines/x%3Fy%23z");
  });

  it.each(["", ".", "..", "\uD800"])("apiPath refuses the segment %j with INVALID_ARGUMENT", (segment) => {
    let caught: unknown;
    try {
      apiPath("api", "v1", "nodes", segment);
    } catch (error) {
      caught = error;
    }
    expect(isVmshiftError(caught, "INVALID_ARGUMENT")).toBe(true);
  });

  it("requireNamespace accepts DNS labels only", () => {
    expect(requireNamespace("prod", "vm.list")).toBe("prod");
    for (const bad of ["..", "a/b", "Prod", ""]) expect(() => requireNamespace(bad, "vm.list")).toThrow(/not a valid Kubernetes name/);
  });

  it("round-trips cold migration ids", () => {
    const id = formatColdId({ namespace: "default", name: "app-01", token: "0123abcd" });
    expect(isColdMigrationId(id)).toBe(true);
    expect(isColdMigrationId("default/vmshift-app-01-x")).toBe(false);
    expect(parseColdId(id, "migration.get")).toEqual({ namespace: "default", name: "app-01", token: "0123abcd" });
    expect(() => parseColdId("cold:default/app-01/NOT_OK", "migration.get")).toThrow(/bad token/);
  });

  it("keeps label-safe request ids and hashes the others", () => {
    expect(requestIdLabel("3f2b6f0e-aaaa-4bbb-8ccc-123456789abc")).toBe("3f2b6f0e-aaaa-4bbb-8ccc-123456789abc");
    const hashed = requestIdLabel("job #7 / retry");
    expect(hashed).toMatch(/^h[0-9a-f]{40}$/);
    expect(requestIdLabel("job #7 / retry")).toBe(hashed);
    expect(requestIdLabel("x".repeat(64))).toMatch(/^h/);
  });
});

describe("parseQuantity", () => {
  it.each([
    ["1Gi", 2 ** 30],
    ["3584Mi", 3584 * 2 ** 20],
    ["500m", 0.5],
    ["2", 2],
    ["1G", 1e9],
    ["1e3", 1000],
    [8, 8],
  ] as const)("%j → %d", (input, expected) => {
    expect(parseQuantity(input)).toBeCloseTo(expected);
  });

  it.each(["", "Gi", "1.2.3", "12XB", null, undefined])("%j → undefined", (input) => {
    expect(parseQuantity(input as never)).toBeUndefined();
  });
});
