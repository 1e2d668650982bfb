/**
 * Namespace-scoped use: a token a RoleBinding allows in `default` only. The environment refuses
 * everything else with the API server's 403 Status; @vmshift/kubevirt lists, preflights and
 * live-migrates there, and its migration path sends nothing cluster-wide and lists nothing unpaged.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VmshiftClient, isVmshiftError, memoryLogger } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";
import { ENV_ADAPTER_TUNING } from "../targets/kubevirt-env.ts";
import { KubevirtEnv } from "./env.ts";
import { call } from "./testing.ts";

const USER = "system:serviceaccount:default:vmshift";
let env: KubevirtEnv;
let yaml: string;
beforeEach(async () => {
  env = await KubevirtEnv.start({ timing: { transferMs: 200 } });
  yaml = env.namespacedKubeconfig(USER, ["default"]);
});
afterEach(async () => {
  await env.close();
});
const token = () => /token: (\S+)/.exec(yaml)![1]!;
const client = () => new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: yaml }, ...ENV_ADAPTER_TUNING }), { logger: memoryLogger() });

describe("the environment's RBAC", () => {
  it("answers 403 Forbidden Status bodies worded as the API server words them", async () => {
    const list = await call(env, "GET", "/apis/kubevirt.io/v1/virtualmachineinstances", undefined, undefined, token());
    expect(list.status).toBe(403);
    expect(list.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `virtualmachineinstances.kubevirt.io is forbidden: User "${USER}" cannot list resource "virtualmachineinstances" in API group "kubevirt.io" at the cluster scope`,
      reason: "Forbidden",
      details: { group: "kubevirt.io", kind: "virtualmachineinstances" },
      code: 403,
    });
    const node = await call(env, "GET", "/api/v1/nodes/node-2", undefined, undefined, token());
    expect(node.body.message).toBe(`nodes "node-2" is forbidden: User "${USER}" cannot get resource "nodes" in API group "" at the cluster scope`);
    const prod = await call(env, "GET", "/apis/kubevirt.io/v1/namespaces/prod/virtualmachines/api-01", undefined, undefined, token());
    expect(prod.body.message).toBe(`virtualmachines.kubevirt.io "api-01" is forbidden: User "${USER}" cannot get resource "virtualmachines" in API group "kubevirt.io" in the namespace "prod"`);
    const policy = await call(env, "POST", "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies", { apiVersion: "migrations.kubevirt.io/v1alpha1", kind: "MigrationPolicy", metadata: { name: "x" }, spec: { selectors: {} } }, undefined, token());
    expect(policy.status).toBe(403);
    expect(policy.body.message).toContain(`cannot create resource "migrationpolicies" in API group "migrations.kubevirt.io" at the cluster scope`);
    expect((await call(env, "GET", "/apis/kubevirt.io/v1/namespaces/default/virtualmachines/web-01", undefined, undefined, token())).status).toBe(200);
    expect((await call(env, "GET", "/apis/kubevirt.io/v1/namespaces/default/virtualmachines/web-01", undefined, undefined, "no-such-token")).status).toBe(401);
  });
});

describe("@vmshift/kubevirt with a namespace-scoped token", () => {
  it("lists its namespace; listing every namespace is PERMISSION_DENIED", async () => {
    const c = client();
    const ids: string[] = [];
    for await (const page of c.listVms({ scope: "default", pageSize: 2 })) ids.push(...page.items.map((v) => v.id));
    expect(ids).toContain("default/web-01");
    expect(ids.every((id) => id.startsWith("default/"))).toBe(true);
    const error = await c.listVms({})[Symbol.asyncIterator]().next().catch((e: unknown) => e);
    expect(isVmshiftError(error, "PERMISSION_DENIED")).toBe(true);
    expect(String((error as Error).message)).not.toContain(token());
  });

  it("preflights: what it may not read becomes warnings, nothing blocks", async () => {
    const report = await client().preflight({ vmId: "default/web-01", targetHostId: "node-2" });
    expect(report.checks.filter((c) => c.severity === "error")).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(["kubevirt.LiveMigratable", "host.readable", "cluster.migrationConfig"]));
  });

  it("migrates there; the migration path sends nothing cluster-wide and lists nothing unpaged", async () => {
    const before = env.requestCount;
    const task = await client().startMigration({ vmId: "default/web-01", targetHostId: "node-2" });
    const result = await task.wait();
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { side: "target", hostId: "node-2" } });
    const sent = env.requests.slice(before).filter((r) => !r.startsWith("GET /metrics"));
    // The one cluster-scoped read is the target Node's GET (403: the start leaves placement to KubeVirt's scheduler).
    expect(sent.filter((r) => !r.includes("/namespaces/default/"))).toEqual(["GET /api/v1/nodes/node-2"]);
    const collectionGets = sent.filter((r) => /^GET [^?]*\/(virtualmachines|virtualmachineinstances|virtualmachineinstancemigrations)(\?|$)/.test(r));
    expect(collectionGets.length).toBeGreaterThan(0);
    for (const r of collectionGets) expect(r).toMatch(/watch=true.*fieldSelector=metadata\.name|fieldSelector=metadata\.name.*watch=true|limit=\d+/);
  });

  it("a tuned start needs a cluster-scoped MigrationPolicy it may not create: PERMISSION_DENIED, nothing changed", async () => {
    const labels = (env.store.get("virtualmachineinstances", "default", "web-01")!.metadata.labels ?? {}) as Record<string, string>;
    const error = await client().startMigration({ vmId: "default/web-01", targetHostId: "node-2", allowPostCopy: true }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "PERMISSION_DENIED")).toBe(true);
    expect(String((error as Error).message)).toMatch(/may not create migrationpolicies/);
    expect(env.store.all("virtualmachineinstancemigrations")).toEqual([]);
    expect(env.store.get("virtualmachineinstances", "default", "web-01")!.metadata.labels).toEqual(labels);
  });
});
