/**
 * Every recorded fixture body against the v4 digests (`spec/v4-digest-subset.json`): field names
 * must exist in the model, required fields must be present, enum values must be in the enum.
 * Also: no credential of the recording run reached a fixture.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

interface Subset {
  models: Record<string, { fields: string[]; required: string[] }>;
  enums: Record<string, string[]>;
}
const subset = JSON.parse(readFileSync(new URL("../spec/v4-digest-subset.json", import.meta.url), "utf8")) as Subset;

/** A model, its nested models (`name` or `name[]`) and enum-typed fields. */
interface Shape {
  readonly model: string;
  readonly nested?: Readonly<Record<string, Shape>>;
  readonly arrays?: Readonly<Record<string, Shape>>;
  readonly enums?: Readonly<Record<string, string>>;
}

const APP_MESSAGE = (ns: "vmm" | "prism"): Shape => ({ model: `${ns}.v4.error.AppMessage`, enums: { severity: "common.v1.config.MessageSeverity" } });
const METADATA: Shape = { model: "common.v1.response.ApiResponseMetadata", arrays: { links: { model: "common.v1.response.ApiLink" }, flags: { model: "common.v1.config.Flag" } } };
const VM: Shape = {
  model: "vmm.v4.ahv.config.Vm",
  nested: { host: { model: "vmm.v4.ahv.config.HostReference" }, cluster: { model: "vmm.v4.ahv.config.ClusterReference" }, guestTools: { model: "vmm.v4.ahv.config.GuestTools" } },
  arrays: { categories: { model: "vmm.v4.ahv.config.CategoryReference" } },
  enums: { powerState: "vmm.v4.ahv.config.PowerState" },
};
const TASK: Shape = {
  model: "prism.v4.config.Task",
  arrays: { entitiesAffected: { model: "prism.v4.config.EntityReference" }, errorMessages: APP_MESSAGE("prism") },
  enums: { status: "prism.v4.config.TaskStatus" },
};
const HOST: Shape = {
  model: "clustermgmt.v4.config.Host",
  nested: {
    cluster: { model: "clustermgmt.v4.config.ClusterReference" },
    hypervisor: {
      model: "clustermgmt.v4.config.HypervisorReference",
      enums: { state: "clustermgmt.v4.config.HypervisorState", type: "clustermgmt.v4.config.HypervisorType", acropolisConnectionState: "clustermgmt.v4.config.AcropolisConnectionState" },
    },
  },
};
const POLICY: Shape = { model: "vmm.v4.ahv.policies.VmHostAffinityPolicy", arrays: { vmCategories: { model: "vmm.v4.ahv.policies.CategoryReference" }, hostCategories: { model: "vmm.v4.ahv.policies.CategoryReference" } } };
const CATEGORY: Shape = { model: "prism.v4.config.Category", arrays: { detailedAssociations: { model: "prism.v4.config.AssociationDetail", enums: { resourceType: "prism.v4.config.ResourceType" } } } };
const ERROR: Shape = { model: "vmm.v4.error.ErrorResponse", arrays: { error: APP_MESSAGE("vmm") } };

/** Problems of `value` against `shape` (empty when it conforms). */
function check(value: unknown, shape: Shape, where: string): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${where}: expected an object for ${shape.model}`];
  const model = subset.models[shape.model];
  if (!model) return [`${where}: ${shape.model} is not in the digest subset`];
  const problems: string[] = [];
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === "$objectType" || key === "$reserved") continue;
    if (!model.fields.includes(key)) problems.push(`${where}.${key}: not a field of ${shape.model}`);
  }
  for (const key of model.required) if (!(key in record)) problems.push(`${where}.${key}: required by ${shape.model}, missing`);
  for (const [key, sub] of Object.entries(shape.nested ?? {})) if (record[key] !== undefined && record[key] !== null) problems.push(...check(record[key], sub, `${where}.${key}`));
  for (const [key, sub] of Object.entries(shape.arrays ?? {})) {
    const list = record[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) problems.push(`${where}.${key}: expected an array`);
    else list.forEach((item, i) => problems.push(...check(item, sub, `${where}.${key}[${i}]`)));
  }
  for (const [key, enumName] of Object.entries(shape.enums ?? {})) {
    const v = record[key];
    if (v !== undefined && !subset.enums[enumName]!.includes(v as string)) problems.push(`${where}.${key}: ${String(v)} is not a ${enumName}`);
  }
  return problems;
}

/** The shape of a response `data` for a request, or undefined when the digests do not cover it. */
function responseShape(method: string, path: string, status: number): { shape: Shape; list: boolean } | undefined {
  if (status >= 400) return { shape: ERROR, list: false };
  if (path.startsWith("/api/nutanix/v3/")) return undefined;
  if (method === "POST") return { shape: { model: "prism.v4.config.TaskReference" }, list: false };
  if (/^\/api\/vmm\/v4\.0\/ahv\/config\/vms$/.test(path)) return { shape: VM, list: true };
  if (/^\/api\/vmm\/v4\.0\/ahv\/config\/vms\/[^/]+$/.test(path)) return { shape: VM, list: false };
  if (/^\/api\/prism\/v4\.0\/config\/tasks\/[^/]+$/.test(path)) return { shape: TASK, list: false };
  if (/^\/api\/clustermgmt\/v4\.0\/config\/(hosts|clusters\/[^/]+\/hosts)$/.test(path)) return { shape: HOST, list: true };
  if (/^\/api\/clustermgmt\/v4\.0\/config\/clusters\/[^/]+\/hosts\/[^/]+$/.test(path)) return { shape: HOST, list: false };
  if (path === "/api/vmm/v4.0/ahv/policies/vm-host-affinity-policies") return { shape: POLICY, list: true };
  if (/^\/api\/prism\/v4\.0\/config\/categories\/[^/]+$/.test(path)) return { shape: CATEGORY, list: false };
  return undefined;
}

/** The shape of a request body, by action. */
function requestShape(path: string): Shape | undefined {
  if (path.endsWith("/$actions/migrate-to-host")) return { model: "vmm.v4.ahv.config.VmMigrateToHostParams", nested: { host: { model: "vmm.v4.ahv.config.HostReference" } } };
  if (path.endsWith("/$actions/migrate")) return { model: "vmm.v4.ahv.config.VmCrossClusterMigrateParams" };
  if (path.endsWith("/$actions/guest-shutdown")) return { model: "vmm.v4.ahv.config.GuestPowerOptions", nested: { guestPowerStateTransitionConfig: { model: "vmm.v4.ahv.config.GuestPowerStateTransitionConfig" } } };
  return undefined;
}

interface Entry {
  method?: string;
  url?: string;
  status?: number;
  requestBody?: unknown;
  responseBody?: unknown;
}

const dir = new URL("./fixtures/", import.meta.url);
const tapes = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/exchanges.json`, dir)))
  .map((d) => ({ name: d.name, text: readFileSync(new URL(`${d.name}/exchanges.json`, dir), "utf8") }));

describe("recorded fixtures", () => {
  it("exist for the conformance scenarios, each with a SOURCE.md", () => {
    expect(tapes.length).toBeGreaterThanOrEqual(16);
    for (const t of tapes) expect(existsSync(new URL(`${t.name}/SOURCE.md`, dir)), t.name).toBe(true);
  });

  it.each(tapes.map((t) => [t.name, t.text] as const))("%s: every body matches the v4 digests", (_name, text) => {
    const entries = (JSON.parse(text) as { entries: Entry[] }).entries.filter((e) => e.method !== undefined);
    const problems: string[] = [];
    let checked = 0;
    for (const e of entries) {
      const path = new URL(e.url!, "http://x").pathname;
      const req = requestShape(decodeURIComponent(path));
      if (req && e.method === "POST") {
        problems.push(...check(e.requestBody, req, `${e.method} ${path} request`));
        checked++;
      }
      const res = responseShape(e.method!, decodeURIComponent(path), e.status!);
      if (!res) continue;
      const body = e.responseBody as { data?: unknown; metadata?: unknown };
      if (body.metadata !== undefined) problems.push(...check(body.metadata, METADATA, `${e.method} ${path} metadata`));
      if (body.data === undefined) continue;
      const items = res.list ? (body.data as unknown[]) : [body.data];
      items.forEach((item, i) => problems.push(...check(item, res.shape, `${e.method} ${path} data${res.list ? `[${i}]` : ""}`)));
      checked++;
    }
    expect(problems).toEqual([]);
    if (entries.length > 0) expect(checked).toBeGreaterThan(0);
  });

  it("the checker rejects what the digests do not allow (it can fail)", () => {
    expect(check({ extId: "x", powerState: "ON", hostUuid: "h" }, VM, "vm")).toEqual(["vm.hostUuid: not a field of vmm.v4.ahv.config.Vm"]);
    expect(check({}, { model: "vmm.v4.ahv.config.VmMigrateToHostParams" }, "body")).toEqual(["body.host: required by vmm.v4.ahv.config.VmMigrateToHostParams, missing"]);
    expect(check({ status: "DONE" }, TASK, "task")).toEqual(["task.status: DONE is not a prism.v4.config.TaskStatus"]);
    expect(subset.enums["prism.v4.config.TaskStatus"]).toContain("$REDACTED");
  });

  it("carry no credentials", () => {
    const secrets = ["nutanix/4u", Buffer.from("admin:nutanix/4u").toString("base64"), "fixture-password", "Authorization", "X-ntnx-api-key"];
    for (const t of tapes) for (const s of secrets) expect(t.text.includes(s), `${t.name} contains ${s}`).toBe(false);
  });
});
