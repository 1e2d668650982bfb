/**
 * MigrationPolicies: the environment's controller selects the policy KubeVirt would (VMI and
 * Namespace labels, precedence), records it at hand-off and applies it (bandwidth lengthens the
 * transfer, completionTimeoutPerGiB aborts or switches to post-copy, auto-converge lets a stalling
 * guest converge); @vmshift/kubevirt tunes a migration by making a policy and labelling the VMI.
 */
import { afterEach, describe, expect, it } from "vitest";
import { VmshiftClient, isVmshiftError, memoryLogger, systemClock } from "@vmshift/core";
import { createKubevirtAdapter, policyName, type KubevirtAdapterOptions } from "@vmshift/kubevirt";
import { ENV_ADAPTER_TUNING } from "../targets/kubevirt-env.ts";
import { KubevirtEnv, type KubevirtEnvOptions, requestKind } from "./env.ts";
import { call } from "./testing.ts";

let env: KubevirtEnv;
afterEach(async () => {
  await env?.close();
});
const start = async (options: KubevirtEnvOptions = {}) => (env = await KubevirtEnv.start({ timing: { transferMs: 200, secondMs: 20 }, ...options }));
const adapter = (extra: Partial<KubevirtAdapterOptions> = {}) => createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() }, ...ENV_ADAPTER_TUNING, ...extra });
const client = (extra: Partial<KubevirtAdapterOptions> = {}) => new VmshiftClient(adapter(extra), { logger: memoryLogger() });
const ctx = { clock: systemClock, logger: memoryLogger() };

const POLICIES = "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies";
const VMIMS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations";
const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "migrations.kubevirt.io/v1alpha1", kind: "MigrationPolicy", metadata: { name }, spec });

/** Starts a raw migration of default/web-01 and waits for its end; the final VMIM and how long it took, wall-clock ms. */
async function migrate(name: string): Promise<{ vmim: any; tookMs: number }> {
  const started = Date.now();
  expect((await call(env, "POST", VMIMS, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name }, spec: { vmiName: "web-01" } })).status).toBe(201);
  let vmim: any;
  await env.until(() => ["Succeeded", "Failed"].includes((vmim = env.store.get("virtualmachineinstancemigrations", "default", name) as any)?.status?.phase), 15_000);
  return { vmim, tookMs: Date.now() - started };
}

describe("the environment applies the policy KubeVirt would select", () => {
  it("most labels wins (VMI and Namespace labels); the winner and the merged configuration are recorded at hand-off", async () => {
    await start({ migrations: { bandwidthPerMigration: "0Mi" } });
    env.store.mutate("namespaces", undefined, "default", (o) => void (o.metadata.labels = { ...o.metadata.labels, team: "blue" }));
    expect((await call(env, "POST", POLICIES, policy("by-app", { bandwidthPerMigration: "64Mi", selectors: { virtualMachineInstanceSelector: { app: "web" } } }))).status).toBe(201);
    expect((await call(env, "POST", POLICIES, policy("by-app-and-team", { bandwidthPerMigration: "128Mi", allowAutoConverge: true, selectors: { virtualMachineInstanceSelector: { app: "web" }, namespaceSelector: { team: "blue" } } }))).status).toBe(201);
    expect((await call(env, "POST", POLICIES, policy("other-team", { bandwidthPerMigration: "1Mi", selectors: { virtualMachineInstanceSelector: { app: "web" }, namespaceSelector: { team: "red" } } }))).status).toBe(201);
    const { vmim } = await migrate("m1");
    expect(vmim.status.phase).toBe("Succeeded");
    expect(vmim.status.migrationState.migrationPolicyName).toBe("by-app-and-team");
    expect(vmim.status.migrationState.migrationConfiguration).toMatchObject({ bandwidthPerMigration: "128Mi", allowAutoConverge: true, completionTimeoutPerGiB: 150 });
  });

  it("no matching policy: no policy name, the KubeVirt CR's configuration", async () => {
    await start({ migrations: { bandwidthPerMigration: "512Mi" } });
    expect((await call(env, "POST", POLICIES, policy("elsewhere", { bandwidthPerMigration: "1Mi", selectors: { virtualMachineInstanceSelector: { app: "db" } } }))).status).toBe(201);
    const { vmim } = await migrate("m1");
    expect(vmim.status.migrationState.migrationPolicyName).toBeUndefined();
    expect(vmim.status.migrationState.migrationConfiguration).toMatchObject({ bandwidthPerMigration: "512Mi" });
  });

  it("bandwidthPerMigration lengthens the transfer: 1Gi at 16Mi/s is 64 KubeVirt seconds", async () => {
    await start();
    const unlimited = (await migrate("m1")).tookMs;
    expect((await call(env, "POST", POLICIES, policy("slow", { bandwidthPerMigration: "16Mi", selectors: { virtualMachineInstanceSelector: { app: "web" } } }))).status).toBe(201);
    const capped = (await migrate("m2")).tookMs;
    expect(unlimited).toBeLessThan(1000);
    expect(capped).toBeGreaterThanOrEqual(64 * 20);
  });

  it("completionTimeoutPerGiB aborts a migration that does not converge; allowPostCopy switches it to post-copy instead; allowAutoConverge lets it converge", async () => {
    await start();
    env.fault("default/web-01", { stall: true });
    expect((await call(env, "POST", POLICIES, policy("short", { completionTimeoutPerGiB: 5, selectors: { virtualMachineInstanceSelector: { app: "web" } } }))).status).toBe(201);
    const aborted = (await migrate("m1")).vmim;
    expect(aborted.status.phase).toBe("Failed");
    expect(aborted.status.migrationState).toMatchObject({ failed: true, failureReason: "Live migration has been aborted" });
    expect(env.controllers.events.some((e) => e.message === "Live migration is not completed after 5 seconds and has been aborted")).toBe(true);

    env.store.mutate("migrationpolicies", undefined, "short", (o) => void ((o as any).spec.allowPostCopy = true));
    const postCopy = (await migrate("m2")).vmim;
    expect(postCopy.status.phase).toBe("Succeeded");
    expect(postCopy.status.migrationState.mode).toBe("PostCopy");

    env.store.mutate("migrationpolicies", undefined, "short", (o) => void Object.assign((o as any).spec, { allowPostCopy: false, allowAutoConverge: true, completionTimeoutPerGiB: 150 }));
    const converged = (await migrate("m3")).vmim;
    expect(converged.status.phase).toBe("Succeeded");
    expect(converged.status.migrationState.mode).toBe("PreCopy");
  });
});

const WEBHOOK = 'admission webhook "migration-policy-validator.kubevirt.io" denied the request: ';
/** Turns KubeVirt's MigrationStallDetection gate on or off in the environment's KubeVirt CR. */
const stallGate = (on: boolean) => {
  const kv = env.store.all("kubevirts")[0]!;
  env.store.mutate("kubevirts", kv.metadata.namespace, kv.metadata.name, (o: any) => void (o.spec.configuration.developerConfiguration = { featureGates: on ? ["MigrationStallDetection"] : [] }));
};

describe("KubeVirt v1.9.0's MigrationPolicy validator and virt-controller's resolution (code, not the guide)", () => {
  it("identical selectors are admitted (the validator checks values only); the policy whose name sorts first applies", async () => {
    await start();
    expect((await call(env, "POST", POLICIES, policy("zz-dup", { bandwidthPerMigration: "1Mi", selectors: { virtualMachineInstanceSelector: { app: "web" } } }))).status).toBe(201);
    expect((await call(env, "POST", POLICIES, policy("aa-dup", { bandwidthPerMigration: "512Mi", selectors: { virtualMachineInstanceSelector: { app: "web" } } }))).status).toBe(201);
    const { vmim } = await migrate("m1");
    expect(vmim.status.migrationState.migrationPolicyName).toBe("aa-dup");
  });

  it("an equal score is broken by policy name, not by the matching keys (the guide's wording)", async () => {
    await start();
    // Keys would pick b-by-app ("app" < "kubevirt.io/vm"); KubeVirt's matchPolicy picks the name a-by-vm.
    expect((await call(env, "POST", POLICIES, policy("b-by-app", { selectors: { virtualMachineInstanceSelector: { app: "web" } } }))).status).toBe(201);
    expect((await call(env, "POST", POLICIES, policy("a-by-vm", { selectors: { virtualMachineInstanceSelector: { "kubevirt.io/vm": "web-01" } } }))).status).toBe(201);
    expect((await migrate("m1")).vmim.status.migrationState.migrationPolicyName).toBe("a-by-vm");
  });

  it("selectors are required by the CRD schema; empty selectors match every VMI at score 0; allowPostCopy alone sets allowWorkloadDisruption too", async () => {
    await start();
    expect((await call(env, "POST", POLICIES, policy("no-selectors", { bandwidthPerMigration: "1Mi" }))).status).toBe(422);
    expect((await call(env, "POST", POLICIES, policy("aa-everyone", { bandwidthPerMigration: "512Mi", selectors: {} }))).status).toBe(201);
    expect((await migrate("m1")).vmim.status.migrationState.migrationPolicyName).toBe("aa-everyone");
    expect((await call(env, "POST", POLICIES, policy("zz-post-copy", { allowPostCopy: true, selectors: { virtualMachineInstanceSelector: { app: "web" } } }))).status).toBe(201);
    const { vmim } = await migrate("m2");
    expect(vmim.status.migrationState.migrationPolicyName).toBe("zz-post-copy");
    expect(vmim.status.migrationState.migrationConfiguration).toMatchObject({ allowPostCopy: true, allowWorkloadDisruption: true });
  });

  it("negative values are refused with KubeVirt's words, causes joined as virt-api joins them; nothing is stored", async () => {
    await start();
    const bad = await call(env, "POST", POLICIES, policy("bad", { completionTimeoutPerGiB: -1, bandwidthPerMigration: "-5Mi", selectors: { virtualMachineInstanceSelector: { app: "web" } } }));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(`${WEBHOOK}must not be negative, must not be negative`);
    expect(bad.body.details.causes.map((c: any) => c.field)).toEqual(["spec.completionTimeoutPerGiB", "spec.bandwidthPerMigration"]);
    expect(env.store.all("migrationpolicies")).toEqual([]);
  });

  it("maxDowntimeMs needs the MigrationStallDetection gate to be set or changed; an unchanged value passes an update", async () => {
    await start();
    const tuned = policy("downtime", { maxDowntimeMs: 300, selectors: { virtualMachineInstanceSelector: { app: "web" } } });
    const refused = await call(env, "POST", POLICIES, tuned);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe(`${WEBHOOK}maxDowntimeMs cannot be modified without enabling the MigrationStallDetection feature gate`);
    stallGate(true);
    expect((await call(env, "POST", POLICIES, tuned)).status).toBe(201);
    stallGate(false);
    const merge = "application/merge-patch+json";
    expect((await call(env, "PATCH", `${POLICIES}/downtime`, { spec: { allowAutoConverge: true } }, merge)).status).toBe(200);
    const changed = await call(env, "PATCH", `${POLICIES}/downtime`, { spec: { maxDowntimeMs: 500 } }, merge);
    expect(changed.status).toBe(422);
    expect(changed.body.message).toContain("maxDowntimeMs cannot be modified");
    expect((env.store.get("migrationpolicies", undefined, "downtime") as any).spec.maxDowntimeMs).toBe(300);
  });
});

describe("@vmshift/kubevirt tunes a migration through a MigrationPolicy", () => {
  const tuned = { vmId: "default/web-01", targetHostId: "node-2", bandwidthBytesPerSecond: 16 * 2 ** 20, allowPostCopy: true } as const;

  it("makes the policy of the settings, labels the VMI, and KubeVirt applies it: 2 requests more than an untuned start", async () => {
    await start();
    const before = env.requestCount;
    const started = Date.now();
    const task = await client().startMigration(tuned);
    const result = await task.wait();
    const tookMs = Date.now() - started;
    expect(result.outcome).toBe("completed");
    const name = policyName({ bandwidthPerMigration: "16Mi", allowPostCopy: true });
    const created = env.store.get("migrationpolicies", undefined, name) as any;
    expect(created.spec).toEqual({ bandwidthPerMigration: "16Mi", allowPostCopy: true, selectors: { virtualMachineInstanceSelector: { "migrations.vmshift.io/policy": name } } });
    const vmim = env.store.get("virtualmachineinstancemigrations", "default", task.id.split("/")[1]!) as any;
    expect(vmim.status.migrationState.migrationPolicyName).toBe(name);
    expect(vmim.status.migrationState.migrationConfiguration).toMatchObject({ bandwidthPerMigration: "16Mi", allowPostCopy: true });
    // 1Gi at 16 MiB/s: 64 KubeVirt seconds of 20 ms (unlimited, the environment transfers in 200 ms).
    expect(tookMs).toBeGreaterThanOrEqual(64 * 20);
    const kinds = env.requests.slice(before).map(requestKind).filter((k) => !k.startsWith("GET /metrics"));
    expect(kinds).toEqual([
      "GET /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/{name}",
      "GET /api/v1/nodes/{name}",
      "POST /apis/migrations.kubevirt.io/v1alpha1/migrationpolicies",
      "PATCH /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/{name}",
      "POST /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstancemigrations",
      "GET /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstancemigrations?watch",
    ]);
  });

  it("a second tuned start with the same settings reuses the policy; an untuned start removes the label so the cluster's configuration applies", async () => {
    await start();
    const c = client();
    expect((await (await c.startMigration(tuned)).wait()).outcome).toBe("completed");
    expect((await (await c.startMigration({ ...tuned, targetHostId: "node-1" })).wait()).outcome).toBe("completed");
    expect(env.store.all("migrationpolicies")).toHaveLength(1);
    const plain = await c.startMigration({ vmId: "default/web-01", targetHostId: "node-2" });
    expect((await plain.wait()).outcome).toBe("completed");
    expect((env.store.get("virtualmachineinstances", "default", "web-01") as any).metadata.labels["migrations.vmshift.io/policy"]).toBeUndefined();
    const vmim = env.store.get("virtualmachineinstancemigrations", "default", plain.id.split("/")[1]!) as any;
    expect(vmim.status.migrationState.migrationPolicyName).toBeUndefined();
  });

  it("an untuned start reads no policy and writes none (the 4-request live migration)", async () => {
    await start();
    const before = env.requestCount;
    expect((await (await client().startMigration({ vmId: "default/web-01", targetHostId: "node-2" })).wait()).outcome).toBe("completed");
    const kinds = env.requests.slice(before).map(requestKind).filter((k) => !k.startsWith("GET /metrics"));
    expect(kinds).toHaveLength(4);
    expect(kinds.some((k) => k.includes("migrationpolicies") || k.startsWith("PATCH"))).toBe(false);
  });

  it("an admin policy matching more labels wins: preflight warns, the result names the policy that applied", async () => {
    await start();
    expect((await call(env, "POST", POLICIES, policy("admin-web", { bandwidthPerMigration: "1Gi", selectors: { virtualMachineInstanceSelector: { app: "web", "kubevirt.io/vm": "web-01" } } }))).status).toBe(201);
    const c = client();
    const report = await c.preflight(tuned);
    expect(report.checks).toContainEqual(expect.objectContaining({ id: "kubevirt.migrationPolicy", severity: "warning", message: expect.stringContaining("admin-web") }));
    const task = await c.startMigration(tuned);
    const snapshots = [];
    for await (const s of task.events()) snapshots.push(s);
    expect(snapshots.at(-1)!.progress.message).toContain("MigrationPolicy admin-web");
  });

  it("an admin policy matching as many labels wins only when its name sorts before vmshift-…: preflight says so, and KubeVirt agrees", async () => {
    await start();
    const mine = policyName({ bandwidthPerMigration: "16Mi", allowPostCopy: true });
    // "zz-web" and vmshift's policy both match one VMI label: vmshift-… sorts first, so vmshift's applies.
    expect((await call(env, "POST", POLICIES, policy("zz-web", { bandwidthPerMigration: "1Gi", selectors: { virtualMachineInstanceSelector: { app: "web" } } }))).status).toBe(201);
    const c = client();
    expect((await c.preflight(tuned)).checks).toContainEqual(expect.objectContaining({ id: "kubevirt.migrationPolicy", severity: "info", message: expect.stringContaining(mine) }));
    const first = await c.startMigration(tuned);
    await first.wait();
    expect((env.store.get("virtualmachineinstancemigrations", "default", first.id.split("/")[1]!) as any).status.migrationState.migrationPolicyName).toBe(mine);
    // "app-web" sorts before vmshift-…: it wins the tie.
    expect((await call(env, "POST", POLICIES, policy("app-web", { bandwidthPerMigration: "1Gi", selectors: { virtualMachineInstanceSelector: { app: "web" } } }))).status).toBe(201);
    expect((await c.preflight({ ...tuned, targetHostId: "node-1" })).checks).toContainEqual(expect.objectContaining({ id: "kubevirt.migrationPolicy", severity: "warning", message: expect.stringMatching(/MigrationPolicy app-web would apply .*its name sorts first/) }));
    const second = await c.startMigration({ ...tuned, targetHostId: "node-1" });
    await second.wait();
    expect((env.store.get("virtualmachineinstancemigrations", "default", second.id.split("/")[1]!) as any).status.migrationState.migrationPolicyName).toBe("app-web");
  });

  it("maxDowntimeMs without KubeVirt's MigrationStallDetection gate: preflight error, the start CAPABILITY_UNAVAILABLE with nothing changed; with the gate it runs", async () => {
    await start();
    const request = { vmId: "default/web-01", targetHostId: "node-2", maxDowntimeMs: 300 } as const;
    const c = client();
    expect((await c.preflight(request)).checks).toContainEqual(expect.objectContaining({ id: "kubevirt.migrationPolicy.gate", severity: "error", message: expect.stringContaining("MigrationStallDetection") }));
    const error = await c.startMigration(request).catch((e: unknown) => e);
    expect(isVmshiftError(error, "CAPABILITY_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toContain("MigrationStallDetection");
    expect(env.store.all("migrationpolicies")).toEqual([]);
    expect((env.store.get("virtualmachineinstances", "default", "web-01") as any).metadata.labels["migrations.vmshift.io/policy"]).toBeUndefined();
    expect(env.store.all("virtualmachineinstancemigrations")).toEqual([]);
    stallGate(true);
    expect((await c.preflight(request)).checks.some((k) => k.id === "kubevirt.migrationPolicy.gate")).toBe(false);
    const task = await c.startMigration(request);
    expect((await task.wait()).outcome).toBe("completed");
    expect((env.store.get("virtualmachineinstancemigrations", "default", task.id.split("/")[1]!) as any).status.migrationState.migrationConfiguration.maxDowntimeMs).toBe(300);
  });

  it("preflight of a tuned request says which policy would apply; an untuned one reads no policies", async () => {
    await start();
    const c = client();
    const report = await c.preflight(tuned);
    expect(report.checks).toContainEqual(expect.objectContaining({ id: "kubevirt.migrationPolicy", severity: "info", message: expect.stringContaining(policyName({ bandwidthPerMigration: "16Mi", allowPostCopy: true })) }));
    const before = env.requestCount;
    await c.preflight({ vmId: "default/web-01", targetHostId: "node-2" });
    expect(env.requests.slice(before).some((r) => r.includes("migrationpolicies"))).toBe(false);
  });

  it("completionTimeoutPerGiB from the adapter's options goes into the policy", async () => {
    await start();
    env.fault("default/web-01", { stall: true });
    const result = await (await client({ migrationPolicy: { completionTimeoutPerGiB: 3 } }).startMigration({ vmId: "default/web-01", targetHostId: "node-2", allowPostCopy: true })).wait();
    expect(result.outcome).toBe("completed");
    const name = policyName({ allowPostCopy: true, completionTimeoutPerGiB: 3 });
    expect((env.store.get("migrationpolicies", undefined, name) as any).spec.completionTimeoutPerGiB).toBe(3);
    expect(env.controllers.events.some((e) => e.reason === "MigrationModeSwitched")).toBe(true);
  });

  it("a cap under 1 MiB/s is INVALID_ARGUMENT before anything is written", async () => {
    await start();
    const before = env.requestCount;
    const error = await client().startMigration({ ...tuned, bandwidthBytesPerSecond: 500_000 }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    expect(env.requests.slice(before).filter((r) => !r.startsWith("GET"))).toEqual([]);
    expect(env.store.all("migrationpolicies")).toEqual([]);
  });

  it("migrationConfiguration: the cluster-wide configuration when no policy applies, else the policy over it", async () => {
    await start({ migrations: { bandwidthPerMigration: "256Mi", completionTimeoutPerGiB: 99 } });
    const a = adapter();
    expect(await a.migrationConfiguration("default/web-01", ctx)).toEqual({ source: "cluster", configuration: expect.objectContaining({ bandwidthPerMigration: "256Mi", completionTimeoutPerGiB: 99, allowPostCopy: false }), unread: [] });
    env.store.mutate("namespaces", undefined, "default", (o) => void (o.metadata.labels = { ...o.metadata.labels, tier: "gold" }));
    expect((await call(env, "POST", POLICIES, policy("gold", { allowPostCopy: true, selectors: { namespaceSelector: { tier: "gold" } } }))).status).toBe(201);
    expect(await a.migrationConfiguration("default/web-01", ctx)).toEqual({ source: "policy", policyName: "gold", configuration: expect.objectContaining({ bandwidthPerMigration: "256Mi", allowPostCopy: true }), unread: [] });
  });
});
