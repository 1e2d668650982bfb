/** The KubeVirt API environment follows the Kubernetes API conventions and KubeVirt's behaviour. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubevirtEnv } from "./env.ts";
import { call, watchLines } from "./testing.ts";

const KV = "/apis/kubevirt.io/v1/namespaces/default";
let env: KubevirtEnv;

beforeEach(async () => {
  env = await KubevirtEnv.start({ bookmarkIntervalMs: 100 });
});
afterEach(async () => {
  await env.close();
});

const vmim = (extra: Record<string, unknown> = {}) => ({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { generateName: "t-" }, spec: { vmiName: "web-01", ...extra } });
const phaseOf = async (name: string) => (await call(env, "GET", `${KV}/virtualmachineinstancemigrations/${name}`)).body?.status?.phase as string | undefined;
const until = async (fn: () => Promise<boolean>, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("Kubernetes conventions", () => {
  it("refuses a request without the token (401 Status)", async () => {
    const answer = await call(env, "GET", `${KV}/virtualmachines`, undefined, "application/json", "wrong");
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Unauthorized", code: 401 });
  });

  it("answers 404 NotFound as a Status", async () => {
    const answer = await call(env, "GET", `${KV}/virtualmachines/nope`);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ kind: "Status", reason: "NotFound", code: 404, details: { name: "nope" } });
  });

  it("generateName, uid, resourceVersion and the mutating webhook's label and finalizer", async () => {
    const created = await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim());
    expect(created.status).toBe(201);
    expect(created.body.metadata.name).toMatch(/^t-[a-z0-9]{5}$/);
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.body.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(created.body.metadata.labels["kubevirt.io/vmi-name"]).toBe("web-01");
    expect(created.body.metadata.finalizers).toEqual(["kubevirt.io/migrationJobFinalize"]);
  });

  it("409 AlreadyExists for a taken name, 409 Conflict for a stale resourceVersion", async () => {
    const policy = { apiVersion: "migrations.kubevirt.io/v1alpha1", kind: "MigrationPolicy", metadata: { name: "p1" }, spec: { selectors: { virtualMachineInstanceSelector: { app: "web" } }, allowAutoConverge: true } };
    expect((await call(env, "POST", "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies", policy)).status).toBe(201);
    const again = await call(env, "POST", "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies", policy);
    expect(again).toMatchObject({ status: 409, body: { reason: "AlreadyExists" } });
    const current = (await call(env, "GET", "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies/p1")).body;
    expect((await call(env, "PUT", "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies/p1", { ...current, spec: { ...current.spec, allowPostCopy: true } })).status).toBe(200);
    const stale = await call(env, "PUT", "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies/p1", { ...current, spec: { ...current.spec, allowPostCopy: false } });
    expect(stale).toMatchObject({ status: 409, body: { reason: "Conflict" } });
  });

  it("422 Invalid with causes for a body that breaks the schema; unknown fields are pruned with a warning", async () => {
    const bad = await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, { ...vmim(), spec: { vmiName: 42 } });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe("Invalid");
    expect(bad.body.details.causes).toEqual([expect.objectContaining({ field: "spec.vmiName", reason: "FieldValueInvalid" })]);
    const missing = await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, { ...vmim(), spec: undefined });
    expect(missing.body.details.causes).toEqual([expect.objectContaining({ field: "spec", reason: "FieldValueRequired" })]);
    const extra = await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim({ bogus: true }));
    expect(extra.status).toBe(201);
    expect(extra.body.spec.bogus).toBeUndefined();
    expect(String(extra.headers["warning"])).toContain('unknown field \\"spec.bogus\\"');
  });

  it("pages with limit/continue and answers 410 Expired for an expired continue token", async () => {
    const first = (await call(env, "GET", "/apis/kubevirt.io/v1/virtualmachines?limit=3")).body;
    expect(first.items).toHaveLength(3);
    expect(first.metadata.continue).toBeTruthy();
    const second = (await call(env, "GET", `/apis/kubevirt.io/v1/virtualmachines?limit=3&continue=${first.metadata.continue}`)).body;
    expect(second.items.map((i: any) => i.metadata.name)).not.toContain(first.items[0].metadata.name);
    env.compact();
    const expired = await call(env, "GET", `/apis/kubevirt.io/v1/virtualmachines?limit=3&continue=${first.metadata.continue}`);
    expect(expired).toMatchObject({ status: 410, body: { reason: "Expired", code: 410 } });
  });

  it("label and field selectors", async () => {
    const byLabel = (await call(env, "GET", "/apis/kubevirt.io/v1/virtualmachines?labelSelector=app%3Dapi")).body;
    expect(byLabel.items.map((i: any) => i.metadata.name).sort()).toEqual(["api-01", "api-02"]);
    const byField = (await call(env, "GET", `${KV}/virtualmachineinstances?fieldSelector=metadata.name%3Dweb-01`)).body;
    expect(byField.items).toHaveLength(1);
    expect((await call(env, "GET", `${KV}/virtualmachines?fieldSelector=spec.x%3D1`)).status).toBe(400);
  });

  it("watch: events after a resourceVersion, bookmarks, 410 ERROR for a compacted version", async () => {
    const rv = (await call(env, "GET", `${KV}/virtualmachineinstancemigrations`)).body.metadata.resourceVersion;
    const watching = watchLines(env, `${KV}/virtualmachineinstancemigrations?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`, (e) => e.some((x) => x.type === "ADDED") && e.some((x) => x.type === "BOOKMARK"));
    await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim());
    const events = await watching;
    expect(events.find((e) => e.type === "ADDED").object.spec.vmiName).toBe("web-01");
    expect(Number(events.find((e) => e.type === "BOOKMARK").object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));
    env.compact();
    const gone = await watchLines(env, `${KV}/virtualmachineinstancemigrations?watch=true&resourceVersion=${rv}`, (e) => e.length > 0);
    expect(gone).toEqual([{ type: "ERROR", object: expect.objectContaining({ kind: "Status", code: 410, reason: "Expired" }) }]);
  });

  it("dropWatches ends open streams", async () => {
    const rv = (await call(env, "GET", `${KV}/virtualmachineinstancemigrations`)).body.metadata.resourceVersion;
    const watching = watchLines(env, `${KV}/virtualmachineinstancemigrations?watch=true&resourceVersion=${rv}`, () => false, 3000);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    expect(env.dropWatches()).toBe(1);
    await watching;
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("injected 5xx answers and slow responses", async () => {
    env.failNextRequests(2, 503);
    expect((await call(env, "GET", `${KV}/virtualmachines`)).body).toMatchObject({ reason: "ServiceUnavailable", code: 503 });
    expect((await call(env, "GET", `${KV}/virtualmachines`)).status).toBe(503);
    expect((await call(env, "GET", `${KV}/virtualmachines`)).status).toBe(200);
    env.slowResponses(150);
    const started = Date.now();
    await call(env, "GET", `${KV}/virtualmachines`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("KubeVirt admission (reference §9)", () => {
  it.each([
    [{ vmiName: "nope" }, 'the VMI "default/nope" does not exist'],
    [{ vmiName: "legacy-01" }, "Cannot migrate VMI, Reason: DisksNotLiveMigratable, Message: cannot migrate VMI: PVC legacy-disk is not shared"],
    [{ vmiName: "web-01", priority: "system-critical" }, "Migration priority queue, only virt-controller is allowed to set priority field"],
    [{ vmiName: "web-01", sendTo: { migrationID: "m", connectURL: "x" } }, "DecentralizedLiveMigration feature gate is not enabled in kubevirt resource"],
  ])("refuses %j", async (spec, message) => {
    const answer = await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, { ...vmim(), spec });
    expect(answer.status).toBe(422);
    expect(answer.body.message).toContain('admission webhook "migration-create-validator.kubevirt.io" denied the request: ');
    expect(answer.body.message).toContain(message);
  });

  it("refuses a second in-flight migration, and spec changes", async () => {
    const first = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim())).body;
    const second = await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim());
    expect(second.body.message).toContain(`in-flight migration detected. Active migration job (${first.metadata.uid}) is currently already in progress for VMI web-01.`);
    const changed = await call(env, "PATCH", `${KV}/virtualmachineinstancemigrations/${first.metadata.name}`, { spec: { vmiName: "app-01" } }, "application/merge-patch+json");
    expect(changed.body.message).toContain("update of VMIM object's spec is restricted");
  });

  it("lifecycle subresources: 202, and 409 with KubeVirt's messages", async () => {
    const sub = "/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines";
    expect((await call(env, "PUT", `${sub}/web-01/start`, {})).body.message).toBe("VM is already running");
    expect((await call(env, "PUT", `${sub}/batch-01/stop`, {})).body.message).toBe("VM is not running");
    expect((await call(env, "PUT", `${sub}/batch-01/start`, {})).status).toBe(202);
    expect((await call(env, "GET", `${KV}/virtualmachines/batch-01`)).body.spec.runStrategy).toBe("Always");
    await until(async () => (await call(env, "GET", `${KV}/virtualmachineinstances/batch-01`)).body?.status?.phase === "Running");
    expect((await call(env, "PUT", `${sub}/web-01/migrate`, {})).status).toBe(202);
    const list = (await call(env, "GET", `${KV}/virtualmachineinstancemigrations?labelSelector=kubevirt.io%2Fvmi-name%3Dweb-01`)).body;
    expect(list.items[0].metadata.name).toMatch(/^kubevirt-migrate-vm-/);
  });
});

describe("migration controller", () => {
  it("moves a migration through KubeVirt's phases and the VMI to the target", async () => {
    const created = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim({ addedNodeSelector: { "kubernetes.io/hostname": "node-2" } }))).body;
    await until(async () => (await phaseOf(created.metadata.name)) === "Succeeded");
    const done = (await call(env, "GET", `${KV}/virtualmachineinstancemigrations/${created.metadata.name}`)).body;
    expect(done.status.phaseTransitionTimestamps.map((t: any) => t.phase)).toEqual(["Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running", "Succeeded"]);
    expect(done.status.migrationState).toMatchObject({ migrationUid: created.metadata.uid, sourceNode: "node-1", targetNode: "node-2", completed: true, mode: "PreCopy" });
    expect((await call(env, "GET", `${KV}/virtualmachineinstances/web-01`)).body.status.nodeName).toBe("node-2");
  });

  it("cancel by delete: abortRequested, abortStatus Succeeded, Failed, then the object is gone", async () => {
    env.fault("default/web-01", { slow: true });
    const created = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim())).body;
    await until(async () => (await phaseOf(created.metadata.name)) === "Running");
    const deleted = await call(env, "DELETE", `${KV}/virtualmachineinstancemigrations/${created.metadata.name}`);
    expect(deleted.body.metadata.deletionTimestamp).toBeTruthy();
    await until(async () => (await call(env, "GET", `${KV}/virtualmachineinstancemigrations/${created.metadata.name}`)).status === 404);
    const vmi = (await call(env, "GET", `${KV}/virtualmachineinstances/web-01`)).body;
    expect(vmi.status.nodeName).toBe("node-1");
    expect(vmi.status.migrationState).toMatchObject({ migrationUid: created.metadata.uid, abortRequested: true, abortStatus: "Succeeded", failed: true, failureReason: "Live migration has been aborted" });
    expect(env.controllers.events.map((e) => e.reason)).toContain("SuccessfulAbortMigration");
  });

  it("a cancel that loses the race: abortStatus Failed and the migration Succeeded", async () => {
    env.fault("default/web-01", { slow: true, completeBeforeAbort: true });
    const created = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim())).body;
    await until(async () => (await phaseOf(created.metadata.name)) === "Running");
    const rv = (await call(env, "GET", `${KV}/virtualmachineinstancemigrations`)).body.metadata.resourceVersion;
    const watching = watchLines(env, `${KV}/virtualmachineinstancemigrations?watch=true&resourceVersion=${rv}`, (e) => e.some((x) => x.type === "DELETED"));
    await call(env, "DELETE", `${KV}/virtualmachineinstancemigrations/${created.metadata.name}`);
    const events = await watching;
    expect(events.map((e) => e.object.status?.phase).filter(Boolean)).toContain("Succeeded");
    expect((await call(env, "GET", `${KV}/virtualmachineinstances/web-01`)).body.status.migrationState).toMatchObject({ abortStatus: "Failed", completed: true });
  });

  it("honours parallelMigrationsPerCluster: the second migration waits in Pending", async () => {
    await env.close();
    env = await KubevirtEnv.start({ migrations: { parallelMigrationsPerCluster: 1 } });
    env.fault("default/web-01", { slow: true });
    const first = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim())).body;
    await until(async () => (await phaseOf(first.metadata.name)) === "Running");
    const second = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, { ...vmim(), spec: { vmiName: "app-01" } })).body;
    await new Promise((r) => setTimeout(r, 300));
    expect(await phaseOf(second.metadata.name)).toBe("Pending");
    await call(env, "DELETE", `${KV}/virtualmachineinstancemigrations/${first.metadata.name}`);
    await until(async () => (await phaseOf(second.metadata.name)) === "Succeeded");
  });

  it("honours parallelOutboundMigrationsPerNode", async () => {
    await env.close();
    env = await KubevirtEnv.start({ migrations: { parallelOutboundMigrationsPerNode: 1 } });
    env.fault("default/web-01", { slow: true });
    const first = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim())).body;
    await until(async () => (await phaseOf(first.metadata.name)) === "Running");
    const sameNode = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, { ...vmim(), spec: { vmiName: "app-01" } })).body;
    const otherNode = (await call(env, "POST", "/apis/kubevirt.io/v1/namespaces/prod/virtualmachineinstancemigrations", { ...vmim(), spec: { vmiName: "api-01" } })).body;
    await until(async () => (await call(env, "GET", `/apis/kubevirt.io/v1/namespaces/prod/virtualmachineinstancemigrations/${otherNode.metadata.name}`)).body.status?.phase === "Succeeded");
    expect(await phaseOf(sameNode.metadata.name)).toBe("Pending");
  });

  it("aborts after completionTimeoutPerGiB and after progressTimeout", async () => {
    await env.close();
    env = await KubevirtEnv.start({ migrations: { completionTimeoutPerGiB: 1, progressTimeout: 1 }, timing: { secondMs: 100 } });
    env.fault("default/web-01", { slow: true });
    env.fault("default/app-01", { stall: true });
    const slow = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim())).body;
    const stalled = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, { ...vmim(), spec: { vmiName: "app-01" } })).body;
    await until(async () => (await phaseOf(slow.metadata.name)) === "Failed" && (await phaseOf(stalled.metadata.name)) === "Failed");
    const messages = env.controllers.events.filter((e) => e.reason === "FailedMigration").map((e) => e.message);
    expect(messages.some((m) => /not completed after 1 seconds/.test(m))).toBe(true);
    expect(messages.some((m) => /stuck for 1 seconds/.test(m))).toBe(true);
    expect((await call(env, "GET", `${KV}/virtualmachineinstancemigrations/${slow.metadata.name}`)).body.status.migrationState).toMatchObject({ failed: true, failureReason: "Live migration has been aborted" });
  });

  it("keeps only the 5 newest finished migrations per VMI", async () => {
    await env.close();
    env = await KubevirtEnv.start({ timing: { transferMs: 20, stepMs: 5, finalizeMs: 5 } });
    for (let i = 0; i < 7; i++) {
      const created = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim())).body;
      await until(async () => ["Succeeded", "Failed"].includes((await phaseOf(created.metadata.name)) ?? ""));
    }
    await until(async () => (await call(env, "GET", `${KV}/virtualmachineinstancemigrations?labelSelector=kubevirt.io%2Fvmi-name%3Dweb-01`)).body.items.length === 5);
  });

  it("fails a migration whose target pod stays unschedulable", async () => {
    const created = (await call(env, "POST", `${KV}/virtualmachineinstancemigrations`, vmim({ addedNodeSelector: { "kubernetes.io/hostname": "node-3" } }))).body;
    await until(async () => (await phaseOf(created.metadata.name)) === "Failed");
    expect(env.controllers.events.find((e) => e.reason === "migrationTargetPodUnschedulable")?.message).toMatch(/Insufficient memory/);
  });
});
