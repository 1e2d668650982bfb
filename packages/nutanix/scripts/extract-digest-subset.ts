/**
 * Writes `spec/v4-digest-subset.json`: the field names, required fields and enum values of the
 * v4 models the adapter sends or reads, taken mechanically from the Go-SDK digests of Nutanix's
 * official v4 specs (vmm 4.3.1, prism 4.4.1, clustermgmt 4.3.1; see their `_source`).
 *
 *   node packages/nutanix/scripts/extract-digest-subset.ts <dir with the *-go-sdk-digest.json files>
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface Digest {
  _source: Record<string, unknown>;
  models: Record<string, { fields: { json?: string; requiredInSdk?: boolean; goType?: string }[] }>;
  enums: Record<string, { values: string[] }>;
}

/** Wire name (`$objectType` style) → digest key. */
const MODELS: Record<string, [file: string, key: string]> = {
  "vmm.v4.ahv.config.Vm": ["vmm", "vmm/v4/ahv/config.Vm"],
  "vmm.v4.ahv.config.VmMigrateToHostParams": ["vmm", "vmm/v4/ahv/config.VmMigrateToHostParams"],
  "vmm.v4.ahv.config.VmCrossClusterMigrateParams": ["vmm", "vmm/v4/ahv/config.VmCrossClusterMigrateParams"],
  "vmm.v4.ahv.config.GuestPowerOptions": ["vmm", "vmm/v4/ahv/config.GuestPowerOptions"],
  "vmm.v4.ahv.config.GuestPowerStateTransitionConfig": ["vmm", "vmm/v4/ahv/config.GuestPowerStateTransitionConfig"],
  "vmm.v4.ahv.config.GuestTools": ["vmm", "vmm/v4/ahv/config.GuestTools"],
  "vmm.v4.ahv.config.HostReference": ["vmm", "vmm/v4/ahv/config.HostReference"],
  "vmm.v4.ahv.config.ClusterReference": ["vmm", "vmm/v4/ahv/config.ClusterReference"],
  "vmm.v4.ahv.config.CategoryReference": ["vmm", "vmm/v4/ahv/config.CategoryReference"],
  "vmm.v4.ahv.policies.VmHostAffinityPolicy": ["vmm", "vmm/v4/ahv/policies.VmHostAffinityPolicy"],
  "vmm.v4.ahv.policies.CategoryReference": ["vmm", "vmm/v4/ahv/policies.CategoryReference"],
  "vmm.v4.error.ErrorResponse": ["vmm", "vmm/v4/error.ErrorResponse"],
  "vmm.v4.error.AppMessage": ["vmm", "vmm/v4/error.AppMessage"],
  "common.v1.response.ApiResponseMetadata": ["vmm", "common/v1/response.ApiResponseMetadata"],
  "common.v1.response.ApiLink": ["vmm", "common/v1/response.ApiLink"],
  "common.v1.config.Flag": ["vmm", "common/v1/config.Flag"],
  "prism.v4.config.Task": ["prism", "prism/v4/config.Task"],
  "prism.v4.config.TaskReference": ["prism", "prism/v4/config.TaskReference"],
  "prism.v4.config.EntityReference": ["prism", "prism/v4/config.EntityReference"],
  "prism.v4.config.Category": ["prism", "prism/v4/config.Category"],
  "prism.v4.config.AssociationDetail": ["prism", "prism/v4/config.AssociationDetail"],
  "prism.v4.error.AppMessage": ["prism", "prism/v4/error.AppMessage"],
  "clustermgmt.v4.config.Host": ["clustermgmt", "clustermgmt/v4/config.Host"],
  "clustermgmt.v4.config.HypervisorReference": ["clustermgmt", "clustermgmt/v4/config.HypervisorReference"],
  "clustermgmt.v4.config.ClusterReference": ["clustermgmt", "clustermgmt/v4/config.ClusterReference"],
};

const ENUMS: Record<string, [file: string, key: string]> = {
  "vmm.v4.ahv.config.PowerState": ["vmm", "vmm/v4/ahv/config.PowerState"],
  "prism.v4.config.TaskStatus": ["prism", "prism/v4/config.TaskStatus"],
  "common.v1.config.MessageSeverity": ["vmm", "common/v1/config.MessageSeverity"],
  "clustermgmt.v4.config.HypervisorState": ["clustermgmt", "clustermgmt/v4/config.HypervisorState"],
  "clustermgmt.v4.config.HypervisorType": ["clustermgmt", "clustermgmt/v4/config.HypervisorType"],
  "clustermgmt.v4.config.AcropolisConnectionState": ["clustermgmt", "clustermgmt/v4/config.AcropolisConnectionState"],
  "prism.v4.config.ResourceType": ["prism", "prism/v4/config.ResourceType"],
};

const FILES = { vmm: "vmm-v4.3.1.go-sdk-digest.json", prism: "prism-v4.4.1.go-sdk-digest.json", clustermgmt: "clustermgmt-v4.3.1.go-sdk-digest.json" } as const;

const dir = process.argv[2];
if (!dir) throw new Error("usage: extract-digest-subset.ts <digest dir>");
const digests = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as Digest])) as Record<keyof typeof FILES, Digest>;

const models: Record<string, { fields: string[]; required: string[] }> = {};
for (const [wire, [file, key]] of Object.entries(MODELS)) {
  const model = digests[file as keyof typeof FILES].models[key];
  if (!model) throw new Error(`missing model ${key}`);
  const fields = model.fields.filter((f) => f.json).map((f) => f.json!);
  models[wire] = { fields, required: model.fields.filter((f) => f.json && f.requiredInSdk).map((f) => f.json!) };
}
const enums: Record<string, string[]> = {};
for (const [wire, [file, key]] of Object.entries(ENUMS)) {
  const e = digests[file as keyof typeof FILES].enums[key];
  if (!e) throw new Error(`missing enum ${key}`);
  enums[wire] = e.values;
}
const out = {
  _generated: "by packages/nutanix/scripts/extract-digest-subset.ts; do not edit by hand",
  _sources: Object.fromEntries(Object.entries(digests).map(([k, d]) => [k, d._source])),
  models,
  enums,
};
writeFileSync(fileURLToPath(new URL("../spec/v4-digest-subset.json", import.meta.url)), `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${Object.keys(models).length} models and ${Object.keys(enums).length} enums`);
