/**
 * The real kubectl (≥ 1.28; CI has /usr/bin/kubectl 1.32) drives the KubeVirt API environment as a
 * user drives KubeVirt: version and discovery, get in every output, selectors, describe, watch,
 * create/apply (client- and server-side)/patch/label/delete, wait, server-side dry runs, and a
 * migration started on one side (kubectl or vmshift) that the other side sees and cancels.
 *
 * kubectl runs with KUBECONFIG pointing at the environment's kubeconfig and HOME/KUBECACHEDIR in a
 * fresh temp directory, so its discovery cache does not carry over between runs. Without a kubectl
 * ≥ 1.28 the suite fails (it does not skip): set KUBECTL to one.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VmshiftClient } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";
import { ENV_ADAPTER_TUNING } from "../targets/kubevirt-env.ts";
import { KubevirtEnv } from "./env.ts";
import { call } from "./testing.ts";

const MIN_MINOR = 28;

/** The kubectl to use: $KUBECTL, /usr/bin/kubectl, or `kubectl` on PATH. */
function kubectlPath(): string {
  if (process.env["KUBECTL"]) return process.env["KUBECTL"];
  if (existsSync("/usr/bin/kubectl")) return "/usr/bin/kubectl";
  return "kubectl";
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let env: KubevirtEnv;
let dir: string;
let kubectlEnv: NodeJS.ProcessEnv;
let missingKubectl: Error | undefined;
const KUBECTL = kubectlPath();

/** Runs kubectl (asynchronously: the server answers from this process). */
function kubectl(args: string[], input?: string, timeoutMs = 20_000): Promise<Run> {
  if (missingKubectl) return Promise.reject(missingKubectl);
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, args, { env: kubectlEnv, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** kubectl that must succeed; returns stdout. */
async function ok(args: string[], input?: string): Promise<string> {
  const run = await kubectl(args, input);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}

/** kubectl that must fail; returns stderr. */
async function fails(args: string[], input?: string): Promise<string> {
  const run = await kubectl(args, input);
  expect(run.code, `kubectl ${args.join(" ")} should fail; stdout: ${run.stdout}`).toBe(1);
  return run.stderr;
}

const vmim = (name: string, vmiName: string) => `apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstanceMigration\nmetadata:\n  name: ${name}\nspec:\n  vmiName: ${vmiName}\n`;
const policy = (bandwidth: string) => `apiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\nmetadata:\n  name: fast\nspec:\n  allowAutoConverge: true\n  bandwidthPerMigration: ${bandwidth}\n  selectors:\n    namespaceSelector:\n      team: a\n`;
const vm = (name: string, runStrategy: string) =>
  `apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: ${name}\n  labels: {app: ${name}}\nspec:\n  runStrategy: ${runStrategy}\n  template:\n    spec:\n      domain:\n        devices: {}\n        resources: {requests: {memory: 64Mi}}\n`;

const vmims = () => env.store.all("virtualmachineinstancemigrations").map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kubectl-env-"));
  kubectlEnv = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: join(dir, "home"), KUBECACHEDIR: join(dir, "cache"), KUBECONFIG: join(dir, "kubeconfig") };
  const version = await new Promise<string>((resolve) => execFile(KUBECTL, ["version", "--client", "-o", "json"], { env: kubectlEnv }, (error, stdout) => resolve(error ? "" : stdout)));
  const minor = Number(/"minor":\s*"(\d+)/.exec(version)?.[1] ?? "0");
  if (!(minor >= MIN_MINOR)) {
    // Every test then fails with this message (a failed hook alone would count the tests as skipped).
    missingKubectl = new Error(`kubectl.test.ts needs kubectl ≥ 1.${MIN_MINOR} (found ${version ? `1.${minor} at ${KUBECTL}` : `none at ${KUBECTL}`}); Debian's kubernetes-client 1.20 is too old. Install a current kubectl or set KUBECTL=/path/to/kubectl.`);
  }
  env = await KubevirtEnv.start();
  writeFileSync(kubectlEnv["KUBECONFIG"]!, env.kubeconfig());
});

afterAll(async () => {
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("version and discovery", () => {
  it(`finds a kubectl ≥ 1.${MIN_MINOR}`, () => {
    expect(missingKubectl?.message).toBeUndefined();
  });

  it("kubectl version shows the server", async () => {
    const out = await ok(["version"]);
    expect(out).toMatch(/Client Version: v1\.\d+/);
    expect(out).toContain("Server Version: v1.35.0");
  });

  it("api-versions and api-resources list KubeVirt's groups and kinds with their short names", async () => {
    const versions = (await ok(["api-versions"])).trim().split("\n");
    expect(versions).toEqual(expect.arrayContaining(["v1", "kubevirt.io/v1", "migrations.kubevirt.io/v1alpha1"]));
    const resources = await ok(["api-resources"]);
    expect(resources).toMatch(/^virtualmachineinstancemigrations\s+vmim,vmims\s+kubevirt\.io\/v1\s+true\s+VirtualMachineInstanceMigration$/m);
    expect(resources).toMatch(/^virtualmachineinstances\s+vmi,vmis\s+kubevirt\.io\/v1\s+true\s+VirtualMachineInstance$/m);
    expect(resources).toMatch(/^nodes\s+no\s+v1\s+false\s+Node$/m);
    expect(resources).toMatch(/^migrationpolicies\s+migrations\.kubevirt\.io\/v1alpha1\s+false\s+MigrationPolicy$/m);
    // kubectl asked for aggregated discovery and got it: no per-group-version requests followed.
    expect(env.requests.some((r) => r.startsWith("GET /apis/kubevirt.io/v1?") || r === "GET /apis/kubevirt.io/v1")).toBe(false);
  });

  it("serves aggregated discovery only to clients that ask, and the legacy documents to the rest", async () => {
    const aggregated = await raw("/apis", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
    expect(aggregated.contentType).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const groups = (JSON.parse(aggregated.body) as { items: { metadata: { name: string }; versions: { resources: { resource: string }[] }[] }[] }).items;
    expect(groups.find((g) => g.metadata.name === "kubevirt.io")!.versions[0]!.resources.map((r) => r.resource)).toContain("virtualmachineinstancemigrations");
    const legacy = JSON.parse(await ok(["get", "--raw", "/apis"])) as { kind: string; groups: { name: string }[] };
    expect(legacy.kind).toBe("APIGroupList");
    expect(legacy.groups.map((g) => g.name)).toEqual(expect.arrayContaining(["kubevirt.io", "migrations.kubevirt.io", "subresources.kubevirt.io"]));
    const group = JSON.parse(await ok(["get", "--raw", "/apis/kubevirt.io/v1"])) as { resources: { name: string }[] };
    expect(group.resources.map((r) => r.name)).toContain("virtualmachineinstancemigrations/status");
  });

  it("serves OpenAPI v3 (index and per group version) and v2 as JSON, and 406 to a protobuf-only client", async () => {
    const index = JSON.parse(await ok(["get", "--raw", "/openapi/v3"])) as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(["api/v1", "apis/kubevirt.io/v1", "apis/migrations.kubevirt.io/v1alpha1"]));
    const doc = JSON.parse(await ok(["get", "--raw", index.paths["apis/kubevirt.io/v1"]!.serverRelativeURL])) as { paths: Record<string, { patch?: { requestBody: { content: Record<string, unknown> } } }>; components: { schemas: Record<string, unknown> } };
    const patch = doc.paths["/apis/kubevirt.io/v1/namespaces/{namespace}/virtualmachineinstancemigrations/{name}"]!.patch!;
    expect(Object.keys(patch.requestBody.content)).toEqual(["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]);
    expect(doc.components.schemas["v1.VirtualMachineInstanceMigration"]).toMatchObject({ "x-kubernetes-group-version-kind": [{ group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstanceMigration" }] });
    const v2 = JSON.parse(await ok(["get", "--raw", "/openapi/v2"])) as { swagger: string; definitions: Record<string, unknown> };
    expect(v2.swagger).toBe("2.0");
    expect(v2.definitions["v1.VirtualMachineInstance"]).toBeDefined();
    expect((await raw("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")).status).toBe(406);
    const explain = await ok(["explain", "vmim.spec.vmiName"]);
    expect(explain).toContain("KIND:       VirtualMachineInstanceMigration");
    expect(explain).toContain("The name of the VMI to perform the migration on");
  });
});

describe("reading", () => {
  it("get nodes and -o wide print the Node columns", async () => {
    const out = await ok(["get", "nodes"]);
    expect(out.split("\n")[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(out).toMatch(/^node-4\s+Ready,SchedulingDisabled\s+worker\s+\S+\s+v1\.35\.0$/m);
    const wide = await ok(["get", "nodes", "-o", "wide"]);
    expect(wide.split("\n")[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
  });

  it("get vmi -A prints KubeVirt's printer columns for every namespace; -o wide adds the priority-1 ones", async () => {
    const out = await ok(["get", "vmi", "-A"]);
    expect(out.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s+AGE\s+PHASE\s+IP\s+NODENAME\s+READY$/);
    expect(out).toMatch(/^default\s+web-01\s+\S+\s+Running\s+node-1\s+True$/m);
    expect(out).toMatch(/^prod\s+api-01\s+\S+\s+Running\s+node-2\s+True$/m);
    const wide = await ok(["get", "vmi", "-o", "wide"]);
    expect(wide.split("\n")[0]).toMatch(/^NAME\s+AGE\s+PHASE\s+IP\s+NODENAME\s+READY\s+LIVE-MIGRATABLE\s+PAUSED$/);
    expect(wide).toMatch(/^legacy-01\s+\S+\s+Running\s+node-2\s+True\s+False\s*$/m);
    expect(await ok(["get", "vm", "-n", "prod"])).toMatch(/^api-02\s+\S+\s+Stopped/m);
  });

  it("-o yaml, -o json and -o jsonpath return the objects", async () => {
    const yaml = await ok(["get", "vmi", "web-01", "-o", "yaml"]);
    expect(yaml).toMatch(/^kind: VirtualMachineInstance$/m);
    expect(yaml).toMatch(/^ {2}nodeName: node-1$/m);
    const list = JSON.parse(await ok(["get", "vm", "-A", "-o", "json"])) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe("List");
    expect(list.items).toHaveLength(env.store.all("virtualmachines").length);
    expect(await ok(["get", "vmi", "-A", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.nodeName}{\"\\n\"}{end}"])).toContain("db-01=node-3\n");
  });

  it("label and field selectors: -l, --field-selector metadata.name, and the server's refusal of an unsupported field", async () => {
    expect((await ok(["get", "vm", "-A", "-l", "app=api", "-o", "name"])).trim().split("\n")).toEqual(["virtualmachine.kubevirt.io/api-01", "virtualmachine.kubevirt.io/api-02"]);
    expect((await ok(["get", "vmi", "--field-selector", "metadata.name=db-01", "-o", "name"])).trim()).toBe("virtualmachineinstance.kubevirt.io/db-01");
    expect((await ok(["get", "nodes", "--field-selector", "spec.unschedulable=true", "-o", "name"])).trim()).toBe("node/node-4");
    const refused = await fails(["get", "vmi", "--field-selector", "status.phase=Running"]);
    expect(refused).toContain('"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });

  it("describe shows a VMI", async () => {
    const out = await ok(["describe", "vmi", "web-01"]);
    expect(out).toMatch(/^Name:\s+web-01$/m);
    expect(out).toMatch(/^Kind:\s+VirtualMachineInstance$/m);
    expect(out).toMatch(/^\s+Node Name:\s+node-1$/m);
  });

  it("get of a missing object is NotFound, named with its group", async () => {
    expect(await fails(["get", "vmim", "no-such"])).toContain('Error from server (NotFound): virtualmachineinstancemigrations.kubevirt.io "no-such" not found');
    expect(await fails(["get", "node", "node-9"])).toContain('Error from server (NotFound): nodes "node-9" not found');
  });
});

describe("migrations through kubectl", () => {
  it("create -f, get -w, and wait --for=jsonpath follow a VMIM to Succeeded; wait --for=condition on the VMI", async () => {
    const watches = () => env.requests.filter((r) => r.startsWith("GET /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations?") && r.includes("watch=true")).length;
    const before = watches();
    const watcher = spawnWatch(["get", "vmim", "-w"]);
    await until(() => watches() > before, 10_000);
    expect(await ok(["create", "-f", "-"], vmim("mig-web", "web-01"))).toBe("virtualmachineinstancemigration.kubevirt.io/mig-web created\n");
    expect(await ok(["wait", "vmim/mig-web", "--for=jsonpath={.status.phase}=Succeeded", "--timeout=20s"])).toContain("condition met");
    await until(() => /^mig-web\s+Succeeded\s+web-01$/m.test(watcher.output()), 10_000);
    watcher.stop();
    const lines = watcher.output().trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+PHASE\s+VMI$/);
    expect(lines.filter((l) => l.startsWith("NAME"))).toHaveLength(1);
    expect(lines.some((l) => /^mig-web\s+Running\s+web-01$/.test(l))).toBe(true);
    expect(await ok(["wait", "vmi/web-01", "--for=condition=Ready", "--timeout=10s"])).toContain("condition met");
    expect(await ok(["get", "vmi", "web-01", "-o", "jsonpath={.status.nodeName}"])).toBe("node-2");
  });

  it("--dry-run=server on create, patch and delete validates and admits but persists nothing", async () => {
    const before = vmims();
    expect(await ok(["create", "-f", "-", "--dry-run=server"], vmim("dry-mig", "app-01"))).toBe("virtualmachineinstancemigration.kubevirt.io/dry-mig created (server dry run)\n");
    expect(vmims()).toEqual(before);
    expect(env.migrationsCreated.get("default/app-01") ?? 0).toBe(0);
    // Admission still runs: a VMI that does not exist is refused.
    expect(await fails(["create", "-f", "-", "--dry-run=server"], vmim("dry-mig", "ghost"))).toContain('The request is invalid: spec.vmiName: the VMI "default/ghost" does not exist');
    expect(await ok(["patch", "vm", "app-01", "--type", "merge", "-p", '{"spec":{"runStrategy":"Halted"}}', "--dry-run=server", "-o", "jsonpath={.spec.runStrategy}"])).toBe("Halted");
    expect(env.store.get("virtualmachines", "default", "app-01")!.spec).toMatchObject({ runStrategy: "Always" });
    expect(await ok(["delete", "vm", "app-01", "--dry-run=server"])).toBe('virtualmachine.kubevirt.io "app-01" deleted (server dry run)\n');
    expect(env.store.get("virtualmachines", "default", "app-01")).toBeDefined();
  });

  it("KubeVirt's admission messages reach kubectl verbatim (kubectl prints a 422 with causes as \"The request is invalid: field: message\")", async () => {
    expect(await fails(["create", "-f", "-"], vmim("no-name", '""'))).toContain("The request is invalid: spec.vmiName: vmiName is missing");
    const status = (await call(env, "POST", "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations", { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "no-name" }, spec: { vmiName: "" } })).body;
    expect(status).toMatchObject({ code: 422, reason: "Invalid", message: 'admission webhook "migration-create-validator.kubevirt.io" denied the request: vmiName is missing', details: { causes: [{ reason: "FieldValueRequired", message: "vmiName is missing", field: "spec.vmiName" }] } });
    expect(await fails(["create", "-f", "-"], vmim("legacy", "legacy-01"))).toContain(
      "The request is invalid: spec.vmiName: Cannot migrate VMI, Reason: DisksNotLiveMigratable, Message: cannot migrate VMI: PVC legacy-disk is not shared",
    );
    env.fault("default/db-01", { slow: true });
    await ok(["create", "-f", "-"], vmim("db-first", "db-01"));
    const second = await fails(["create", "-f", "-"], vmim("db-second", "db-01"));
    expect(second).toMatch(/spec\.vmiName: in-flight migration detected\. Active migration job \([0-9a-f-]+\) is currently already in progress for VMI db-01\./);
    expect(await fails(["patch", "vmim", "db-first", "--type", "merge", "-p", '{"spec":{"vmiName":"web-01"}}'])).toContain("The request is invalid: spec: update of VMIM object's spec is restricted");
    expect(await ok(["delete", "vmim", "db-first", "--timeout=20s"])).toBe('virtualmachineinstancemigration.kubevirt.io "db-first" deleted\n');
    expect(vmims()).not.toContain("default/db-first");
  });

  it("a body whose apiVersion or kind does not match the route is refused as the API server refuses it", async () => {
    const file = join(dir, "wrong.json");
    writeFileSync(file, JSON.stringify({ apiVersion: "kubevirt.io/v1alpha3", kind: "VirtualMachineInstanceMigration", metadata: { name: "x" }, spec: { vmiName: "web-01" } }));
    expect(await fails(["create", "--raw", "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations", "-f", file])).toContain("the API version in the data (kubevirt.io/v1alpha3) does not match the expected API version (kubevirt.io/v1)");
    writeFileSync(file, JSON.stringify({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "x" }, spec: { vmiName: "web-01" } }));
    expect(await fails(["create", "--raw", "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations", "-f", file])).toContain('kind: Invalid value: "VirtualMachine": must be VirtualMachineInstanceMigration');
    expect(vmims()).not.toContain("default/x");
  });

  it("unknown fields: refused under kubectl's default strict validation, pruned with a warning under --validate=warn", async () => {
    const body = `${vmim("bogus-mig", "ghost")}  bogus: 1\n`;
    expect(await fails(["create", "-f", "-", "--dry-run=server"], body)).toContain('VirtualMachineInstanceMigration in version "v1" cannot be handled as a VirtualMachineInstanceMigration: strict decoding error: unknown field "spec.bogus"');
    const warned = await kubectl(["create", "-f", "-", "--dry-run=server", "--validate=warn", "-o", "jsonpath={.spec}"], `${vmim("bogus-mig", "app-01")}  bogus: 1\n`);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('unknown field "spec.bogus"');
    expect(warned.stdout).toBe('{"vmiName":"app-01"}');
  });
});

describe("changing objects", () => {
  it("apply -f creates, leaves unchanged and configures (client-side apply: a merge patch for a custom resource)", async () => {
    expect(await ok(["apply", "-f", "-"], policy("1Gi"))).toBe("migrationpolicy.migrations.kubevirt.io/fast created\n");
    expect(await ok(["apply", "-f", "-"], policy("1Gi"))).toBe("migrationpolicy.migrations.kubevirt.io/fast unchanged\n");
    expect(await ok(["apply", "-f", "-"], policy("2Gi"))).toBe("migrationpolicy.migrations.kubevirt.io/fast configured\n");
    expect(env.store.get("migrationpolicies", undefined, "fast")!.spec).toMatchObject({ bandwidthPerMigration: "2Gi" });
  });

  it("apply --server-side: field managers, the conflict message, --force-conflicts", async () => {
    const conflict = await fails(["apply", "--server-side", "-f", "-"], policy("3Gi"));
    expect(conflict).toContain('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using migrations.kubevirt.io/v1alpha1: .spec.bandwidthPerMigration');
    expect(env.store.get("migrationpolicies", undefined, "fast")!.spec).toMatchObject({ bandwidthPerMigration: "2Gi" });
    expect(await ok(["apply", "--server-side", "--force-conflicts", "-f", "-"], policy("3Gi"))).toBe("migrationpolicy.migrations.kubevirt.io/fast serverside-applied\n");
    const managers = JSON.parse(await ok(["get", "migrationpolicy", "fast", "-o", "jsonpath={.metadata.managedFields}"])) as { manager: string; operation: string }[];
    expect(managers).toEqual(expect.arrayContaining([expect.objectContaining({ manager: "kubectl", operation: "Apply" })]));
    expect(await ok(["apply", "--server-side", "-f", "-"], vm("ssa-vm", "Halted"))).toBe("virtualmachine.kubevirt.io/ssa-vm serverside-applied\n");
    await ok(["patch", "vm", "ssa-vm", "--type", "merge", "-p", '{"spec":{"runStrategy":"Manual"}}']);
    expect(await fails(["apply", "--server-side", "-f", "-"], vm("ssa-vm", "Halted"))).toContain('conflict with "kubectl-patch" using kubevirt.io/v1: .spec.runStrategy');
    expect(await ok(["delete", "vm", "ssa-vm"])).toBe('virtualmachine.kubevirt.io "ssa-vm" deleted\n');
  });

  it("patch: merge and json patches apply; strategic merge is refused on a custom resource (415) and accepted on a Node", async () => {
    expect(await ok(["patch", "vm", "batch-01", "--type", "merge", "-p", '{"metadata":{"labels":{"tier":"batch"}}}'])).toBe("virtualmachine.kubevirt.io/batch-01 patched\n");
    expect(await ok(["patch", "vm", "batch-01", "--type", "json", "-p", '[{"op":"replace","path":"/metadata/labels/tier","value":"nightly"}]'])).toBe("virtualmachine.kubevirt.io/batch-01 patched\n");
    expect(env.store.get("virtualmachines", "default", "batch-01")!.metadata.labels).toMatchObject({ tier: "nightly" });
    const strategic = await fails(["patch", "vm", "batch-01", "-p", '{"metadata":{"labels":{"tier":"x"}}}']);
    expect(strategic).toContain("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
    expect(await ok(["patch", "node", "node-2", "-p", '{"metadata":{"labels":{"rack":"r2"}}}'])).toBe("node/node-2 patched\n");
    expect(env.store.get("nodes", undefined, "node-2")!.metadata.labels).toMatchObject({ rack: "r2" });
  });

  it("cordon and uncordon (strategic merge patches on a Node) show in get nodes", async () => {
    expect(await ok(["cordon", "node-2"])).toBe("node/node-2 cordoned\n");
    expect(await ok(["get", "node", "node-2"])).toMatch(/^node-2\s+Ready,SchedulingDisabled\s/m);
    expect(await ok(["uncordon", "node-2"])).toBe("node/node-2 uncordoned\n");
    expect(env.store.get("nodes", undefined, "node-2")!.spec).not.toMatchObject({ unschedulable: true });
  });

  it("label adds, refuses to overwrite without --overwrite, removes", async () => {
    expect(await ok(["label", "vm", "web-01", "owner=team-a"])).toBe("virtualmachine.kubevirt.io/web-01 labeled\n");
    expect(await fails(["label", "vm", "web-01", "owner=team-b"])).toContain("'owner' already has a value (team-a), and --overwrite is false");
    expect(await ok(["label", "vm", "web-01", "owner=team-b", "--overwrite"])).toBe("virtualmachine.kubevirt.io/web-01 labeled\n");
    expect(await ok(["get", "vm", "-l", "owner=team-b", "-o", "name"])).toBe("virtualmachine.kubevirt.io/web-01\n");
    expect(await ok(["label", "vm", "web-01", "owner-"])).toBe("virtualmachine.kubevirt.io/web-01 unlabeled\n");
    expect(env.store.get("virtualmachines", "default", "web-01")!.metadata.labels).not.toHaveProperty("owner");
  });
});

describe("one migration, two clients", () => {
  const client = () => new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() }, ...ENV_ADAPTER_TUNING }), { follow: { poll: { initialDelayMs: 50, maxDelayMs: 300 } } });

  it("a migration kubectl created is seen by vmshift and cancelled by it", async () => {
    env.fault("prod/api-01", { slow: true });
    await ok(["create", "-n", "prod", "-f", "-"], vmim("kubectl-started", "api-01"));
    const task = await client().attachMigration("prod/kubectl-started");
    expect(task.id).toBe("prod/kubectl-started");
    await until(() => /Running/.test(JSON.stringify(env.store.get("virtualmachineinstancemigrations", "prod", "kubectl-started")?.status ?? {})), 10_000);
    await task.cancel();
    const result = await task.wait();
    expect(result.outcome).toBe("cancelled");
    await until(() => env.store.get("virtualmachineinstancemigrations", "prod", "kubectl-started") === undefined, 10_000);
    expect(await fails(["get", "vmim", "-n", "prod", "kubectl-started"])).toContain("not found");
    expect(await ok(["get", "vmi", "-n", "prod", "api-01", "-o", "jsonpath={.status.migrationState.abortStatus}"])).toBe("Succeeded");
  });

  it("a migration vmshift started is seen by kubectl and cancelled by kubectl delete", async () => {
    env.fault("default/web-01", { slow: true });
    const from = (env.store.get("virtualmachineinstances", "default", "web-01")!.status as { nodeName: string }).nodeName;
    const task = await client().startMigration({ vmId: "default/web-01", targetHostId: from === "node-1" ? "node-2" : "node-1" });
    const name = task.id.split("/")[1]!;
    const listed = await ok(["get", "vmim", "-l", "kubevirt.io/vmi-name=web-01", "-o", "name"]);
    expect(listed).toContain(`virtualmachineinstancemigration.kubevirt.io/${name}`);
    expect(await ok(["delete", "vmim", name, "--timeout=20s"])).toBe(`virtualmachineinstancemigration.kubevirt.io "${name}" deleted\n`);
    const result = await task.wait();
    expect(result.outcome).toBe("cancelled");
  });
});

/** GET with a given Accept header; the body and Content-Type. */
function raw(path: string, accept: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${env.url}${path}`, { ca: env.tls.cert, headers: { Authorization: `Bearer ${env.token}`, Accept: accept } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += String(c)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A long-running kubectl (get -w), stopped by the test. */
function spawnWatch(args: string[]): { output: () => string; stop: () => void } {
  let out = "";
  if (missingKubectl) throw missingKubectl;
  const child: ChildProcess = spawn(KUBECTL, args, { env: kubectlEnv });
  child.stdout!.on("data", (c: Buffer) => (out += String(c)));
  const killer = setTimeout(() => child.kill(), 30_000);
  return {
    output: () => out,
    stop: () => {
      clearTimeout(killer);
      child.kill();
    },
  };
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}
