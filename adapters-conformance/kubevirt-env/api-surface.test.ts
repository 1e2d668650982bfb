/**
 * The parts of the environment's API surface that kubectl.test.ts reaches only through kubectl, checked
 * directly: a resource registered later appears in routing, discovery and OpenAPI with no other edit;
 * Table cells (JSONPath subset, ages); server-side apply's ownership rules and conflict messages.
 */
import { describe, expect, it } from "vitest";
import { leafPaths, recordUpdate, serverSideApply } from "./apply.ts";
import { AGGREGATED_CONTENT_TYPE, discoveryDocument } from "./discovery.ts";
import { openApiDocument } from "./openapi.ts";
import { definitionOf, registerResource, route } from "./resources.ts";
import type { Resource, StoredObject } from "./store.ts";
import { evaluate, humanAge, toTable } from "./table.ts";

const object = (spec: Record<string, unknown>, labels: Record<string, string> = {}): StoredObject =>
  ({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "vm", namespace: "default", uid: "u", resourceVersion: "1", creationTimestamp: "2026-01-01T00:00:00Z", labels }, spec }) as StoredObject;

describe("the resource registry", () => {
  it("a resource registered later is routed, discovered (legacy and aggregated) and described in OpenAPI", () => {
    registerResource({ resource: "widgets" as Resource, singular: "widget", kind: "Widget", group: "example.kubevirt.io", version: "v1beta1", namespaced: true, shortNames: ["wd"], builtIn: false });
    expect(route("/apis/example.kubevirt.io/v1beta1/namespaces/ns1/widgets/w1")).toEqual({ resource: "widgets", namespace: "ns1", name: "w1" });
    expect(route("/apis/example.kubevirt.io/v1beta1/widgets")).toEqual({ resource: "widgets" });
    expect(route("/apis/example.kubevirt.io/v1/widgets")).toBeUndefined();
    const aggregated = discoveryDocument("/apis", true)!;
    expect(aggregated.contentType).toBe(AGGREGATED_CONTENT_TYPE);
    expect(JSON.stringify(aggregated.body)).toContain('"resource":"widgets"');
    const legacy = discoveryDocument("/apis/example.kubevirt.io/v1beta1", false)!.body as { resources: { name: string; shortNames?: string[] }[] };
    expect(legacy.resources).toContainEqual(expect.objectContaining({ name: "widgets", shortNames: ["wd"] }));
    const index = JSON.parse((openApiDocument("/openapi/v3", undefined) as { text: string }).text) as { paths: Record<string, unknown> };
    expect(Object.keys(index.paths)).toContain("apis/example.kubevirt.io/v1beta1");
    const doc = JSON.parse((openApiDocument("/openapi/v3/apis/example.kubevirt.io/v1beta1", undefined) as { text: string }).text) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain("/apis/example.kubevirt.io/v1beta1/namespaces/{namespace}/widgets/{name}");
  });

  it("cluster-scoped resources take no namespace; namespaced ones need one for a name", () => {
    expect(route("/api/v1/nodes/node-1")).toEqual({ resource: "nodes", name: "node-1" });
    expect(route("/api/v1/namespaces/default/nodes/node-1")).toBeUndefined();
    expect(route("/api/v1/namespaces/prod")).toEqual({ resource: "namespaces", name: "prod" });
    expect(route("/apis/kubevirt.io/v1/virtualmachines/web-01")).toBeUndefined();
    expect(route("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations/m/status")).toEqual({ resource: "virtualmachineinstancemigrations", namespace: "default", name: "m", subresource: "status" });
  });
});

describe("Tables", () => {
  it("evaluates the printer columns' JSONPath: fields, indexes and filters", () => {
    const vmi = { status: { interfaces: [{ ipAddress: "10.0.0.5" }], conditions: [{ type: "LiveMigratable", status: "False" }, { type: "Ready", status: "True" }] } };
    expect(evaluate(".status.interfaces[0].ipAddress", vmi)).toEqual(["10.0.0.5"]);
    expect(evaluate(".status.conditions[?(@.type=='Ready')].status", vmi)).toEqual(["True"]);
    expect(evaluate(".status.conditions[?(@.type=='Paused')].status", vmi)).toEqual([]);
    expect(evaluate(".status.missing.deeper", vmi)).toEqual([]);
  });

  it("prints ages as Kubernetes does", () => {
    expect([humanAge(5_000), humanAge(125_000), humanAge(600_000), humanAge(3 * 3600_000 + 5 * 60_000), humanAge(30 * 3600_000), humanAge(3 * 86400_000 + 2 * 3600_000), humanAge(400 * 86400_000)]).toEqual(["5s", "2m5s", "10m", "3h5m", "30h", "3d2h", "400d"]);
  });

  it("a VMIM row is Name, Phase, VMI; a missing value is null (kubectl prints <none>)", () => {
    const table = toTable(definitionOf("virtualmachineinstancemigrations")!, [{ ...object({ vmiName: "web-01" }), status: {} } as StoredObject], { now: new Date("2026-01-01T00:01:00Z") }) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[]; object: { kind: string } }[] };
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Phase", "VMI"]);
    expect(table.rows[0]!.cells).toEqual(["vm", null, "web-01"]);
    expect(table.rows[0]!.object.kind).toBe("PartialObjectMetadata");
  });
});

describe("server-side apply", () => {
  it("owns what it sends, conflicts with another manager's differing value, shares an equal one, and takes over with force", () => {
    const created = object({ runStrategy: "Always", template: { spec: {} } }, { app: "web" });
    recordUpdate(undefined, created, "kubectl-create", "kubevirt.io/v1");
    expect(leafPaths(created).map((p) => p.join("."))).toEqual(["metadata.labels.app", "spec.runStrategy", "spec.template.spec"]);
    // Same values: shared, no conflict.
    const shared = serverSideApply(created, object({ runStrategy: "Always" }), "ops", "kubevirt.io/v1", false);
    expect((shared.metadata.managedFields as { manager: string }[]).map((e) => e.manager).sort()).toEqual(["kubectl-create", "ops"]);
    // Two differing fields: both reported, grouped by manager.
    let error: { code: number; message: string; details: { causes: { reason: string; field: string }[] } } | undefined;
    try {
      serverSideApply(created, object({ runStrategy: "Halted" }, { app: "db" }), "ops", "kubevirt.io/v1", false);
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.code).toBe(409);
    expect(error?.message).toBe('Apply failed with 2 conflicts: conflicts with "kubectl-create" using kubevirt.io/v1:\n- .metadata.labels.app\n- .spec.runStrategy');
    expect(error?.details.causes.map((c) => [c.reason, c.field])).toEqual([["FieldManagerConflict", ".metadata.labels.app"], ["FieldManagerConflict", ".spec.runStrategy"]]);
    const forced = serverSideApply(created, object({ runStrategy: "Halted" }), "ops", "kubevirt.io/v1", true);
    expect(forced.spec).toMatchObject({ runStrategy: "Halted" });
    const owners = Object.fromEntries((forced.metadata.managedFields as { manager: string; fieldsV1: Record<string, unknown> }[]).map((e) => [e.manager, JSON.stringify(e.fieldsV1)]));
    expect(owners["ops"]).toContain("f:runStrategy");
    expect(owners["kubectl-create"]).not.toContain("f:runStrategy");
  });

  it("removes a field it applied before and no longer sends, unless another manager owns it", () => {
    const first = serverSideApply(undefined, object({ runStrategy: "Always", preference: { name: "p" } }), "ops", "kubevirt.io/v1", false);
    const second = serverSideApply(first, object({ runStrategy: "Always" }), "ops", "kubevirt.io/v1", false);
    expect(second.spec).toEqual({ runStrategy: "Always" });
  });
});
