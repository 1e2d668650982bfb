/**
 * Every body in the kubevirt-fixtures recordings is valid against the pinned KubeVirt v1.9.0
 * OpenAPI document, and no recording holds a credential.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, loadRecordings } from "./replay.ts";
import { validateAgainst } from "./schema.ts";

const SCHEMA_BY_KIND: Record<string, string> = {
  VirtualMachine: "v1.VirtualMachine",
  VirtualMachineList: "v1.VirtualMachineList",
  VirtualMachineInstance: "v1.VirtualMachineInstance",
  VirtualMachineInstanceList: "v1.VirtualMachineInstanceList",
  VirtualMachineInstanceMigration: "v1.VirtualMachineInstanceMigration",
  VirtualMachineInstanceMigrationList: "v1.VirtualMachineInstanceMigrationList",
  KubeVirt: "v1.KubeVirt",
  KubeVirtList: "v1.KubeVirtList",
  MigrationPolicy: "v1alpha1.MigrationPolicy",
  Status: "k8s.io.apimachinery.pkg.apis.meta.v1.Status",
  DeleteOptions: "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
};

/** Node and NodeList are core Kubernetes, not in KubeVirt's document. */
const NOT_IN_SPEC = new Set(["Node", "NodeList"]);

function check(body: unknown, where: string, problems: string[], options: { partial?: boolean } = {}): void {
  const kind = (body as { kind?: string } | null)?.kind;
  if (!kind || NOT_IN_SPEC.has(kind)) return;
  const schema = SCHEMA_BY_KIND[kind];
  if (!schema) {
    problems.push(`${where}: no schema for kind ${kind}`);
    return;
  }
  const { causes, unknown } = validateAgainst(schema, structuredClone(body));
  // In a merge patch a missing field is left alone and null removes one: neither is an error there.
  for (const c of causes) if (!(options.partial && (c.reason === "FieldValueRequired" || c.message.startsWith("Invalid value: null")))) problems.push(`${where}: ${c.field}: ${c.message}`);
  for (const u of unknown) problems.push(`${where}: unknown field ${u}`);
}

const recordings = loadRecordings();

describe("kubevirt-fixtures recordings", () => {
  it("exist, one per recorded scenario, with exchanges", () => {
    expect(recordings.length).toBeGreaterThanOrEqual(15);
    expect(recordings.filter((r) => r.exchanges.length > 0).length).toBeGreaterThanOrEqual(15);
  });

  for (const recording of recordings) {
    it(`${recording.scenario}: every request and answer body matches the pinned schema`, () => {
      const problems: string[] = [];
      let checked = 0;
      for (const e of recording.exchanges) {
        const where = `#${e.seq} ${e.method} ${e.path}`;
        if (e.requestBody !== undefined && e.method !== "PATCH") {
          // A POST/PUT body is a whole object, a DELETE's its DeleteOptions; subresource bodies (start/stop options) carry no kind.
          check(e.requestBody, `${where} request`, problems);
          checked++;
        }
        if (e.requestBody !== undefined && e.method === "PATCH") {
          // A merge patch is a partial object of the patched kind: every field it sets must be valid.
          check({ kind: e.path.includes("/virtualmachines/") ? "VirtualMachine" : "", ...(e.requestBody as object) }, `${where} patch`, problems, { partial: true });
          checked++;
        }
        if (e.responseBody !== undefined) {
          check(e.responseBody, `${where} answer`, problems);
          checked++;
        }
        for (const line of e.watchLines ?? []) {
          const event = JSON.parse(line.line) as { type: string; object: unknown };
          expect(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]).toContain(event.type);
          if (event.type !== "BOOKMARK") check(event.object, `${where} watch ${event.type}`, problems);
          checked++;
        }
      }
      expect(problems).toEqual([]);
      if (recording.exchanges.length > 0) expect(checked).toBeGreaterThan(0);
    });
  }

  it("hold no credentials", () => {
    for (const recording of recordings) {
      const text = readFileSync(join(FIXTURES_DIR, recording.scenario, "exchanges.json"), "utf8");
      expect(text).not.toMatch(/authorization|bearer\s|BEGIN [A-Z ]*PRIVATE KEY|client-key-data|"token"\s*:/i);
    }
  });

  it("the validator does catch a bad body (a test that can fail)", () => {
    const problems: string[] = [];
    check({ kind: "VirtualMachineInstanceMigration", metadata: { name: "x" }, spec: { vmiName: 7 } }, "sample", problems);
    expect(problems.join("\n")).toMatch(/spec\.vmiName/);
  });
});
