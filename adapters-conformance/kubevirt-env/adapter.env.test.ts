/** @vmshift/kubevirt against the KubeVirt API environment: connection, watch recovery, paging, idempotency, preflight. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VmshiftClient, isVmshiftError, memoryLogger } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";
import { ENV_ADAPTER_TUNING } from "../targets/kubevirt-env.ts";
import { KubevirtEnv } from "./env.ts";

let env: KubevirtEnv;
beforeEach(async () => {
  env = await KubevirtEnv.start();
});
afterEach(async () => {
  await env.close();
});

const client = (yaml = env.kubeconfig(), extra: Partial<Parameters<typeof createKubevirtAdapter>[0]> = {}, logger = memoryLogger()) =>
  new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: yaml }, ...ENV_ADAPTER_TUNING, ...extra }), { logger, follow: { poll: { initialDelayMs: 50, maxDelayMs: 300 } } });

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("connection", () => {
  it("a wrong token is UNAUTHENTICATED", async () => {
    const error = await caught(() => client(env.kubeconfig().replace(env.token, "wrong-token")).getVm("default/web-01"));
    expect(isVmshiftError(error, "UNAUTHENTICATED")).toBe(true);
    expect(String((error as Error).message)).not.toContain(env.token);
  });

  it("verifies TLS: a kubeconfig without the CA fails with TRANSPORT, insecureSkipTlsVerify connects", async () => {
    const noCa = env.kubeconfig().replace(/ {4}certificate-authority-data: .*\n/, "");
    const error = await caught(() => client(noCa).getVm("default/web-01"));
    expect(isVmshiftError(error, "TRANSPORT")).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
    const insecure = new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: noCa, insecureSkipTlsVerify: true } }));
    expect((await insecure.getVm("default/web-01")).id).toBe("default/web-01");
  });

  it("uses an exec credential plugin, and a named context", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kv-exec-"));
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, env.token);
    const plugin = fileURLToPath(new URL("./exec-credential.ts", import.meta.url));
    const yaml = env
      .kubeconfig()
      .replace("current-context: kubevirt-env", "current-context: other")
      .replace(/users:\n- name: env-user\n {2}user:\n {4}token: .*\n/, `users:\n- name: env-user\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${JSON.stringify(process.execPath)}\n      args: [${JSON.stringify(plugin)}]\n      env: [{name: KUBEVIRT_ENV_TOKEN_FILE, value: ${JSON.stringify(tokenFile)}}]\n      interactiveMode: Never\n`)
      .replace("contexts:\n", "contexts:\n- name: other\n  context: {cluster: kubevirt-env, user: nobody}\n");
    const adapter = createKubevirtAdapter({ connection: { kubeconfigYaml: yaml, context: "kubevirt-env" } });
    expect((await new VmshiftClient(adapter).getVm("default/web-01")).hostId).toBe("node-1");
    expect(() => createKubevirtAdapter({ connection: { kubeconfigYaml: yaml, context: "missing" } })).toThrow(/no context "missing"/);
  });
});

describe("session expiry", () => {
  it("renews exec-plugin credentials after the token rotates; a static token stays UNAUTHENTICATED at once", async () => {
    const renewing = client(env.kubeconfigWithExec(500));
    expect((await renewing.getVm("default/web-01")).id).toBe("default/web-01");
    const staticToken = client();
    env.expireSession();
    const before = env.requestCount;
    expect(isVmshiftError(await caught(() => staticToken.getVm("default/web-01")), "UNAUTHENTICATED")).toBe(true);
    expect(env.requestCount - before).toBe(1);
    expect((await renewing.getVm("default/web-01")).id).toBe("default/web-01");
  });
});

describe("listing", () => {
  it("pages all namespaces and restarts with a warning when the continue token expired", async () => {
    const c = client();
    const pages = [];
    for await (const page of c.listVms({ pageSize: 3 })) pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    env.compact();
    const restarted = await c.listVms({ pageSize: 3, cursor: pages[0]!.nextCursor! })[Symbol.asyncIterator]().next();
    expect(restarted.value.warnings).toEqual([expect.stringContaining("continue token expired")]);
    expect(restarted.value.items.map((v: { id: string }) => v.id)).toEqual(pages[0]!.items.map((v) => v.id));
  });

  it("maps Nodes to hosts: cordoned, free memory", async () => {
    const hosts = await client().listHosts().all();
    const byId = Object.fromEntries(hosts.map((h) => [h.id, h]));
    expect(byId["node-4"]).toMatchObject({ schedulable: false, maintenance: true, connectionState: "connected" });
    expect(byId["node-3"]).toMatchObject({ schedulable: true, memoryBytes: 4 * 2 ** 30, freeMemoryBytes: 4 * 2 ** 30 - 3584 * 2 ** 20 });
  });

  it("retries a GET that met a transient 503", async () => {
    env.failNextRequests(2, 503);
    expect((await client().getVm("default/web-01")).powerState).toBe("running");
  });
});

describe("migrations", () => {
  it("a start retried with the same requestId finds the first migration", async () => {
    const c = client();
    env.fault("default/web-01", { slow: true });
    const first = await c.startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-42" });
    const again = await c.startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-42" });
    expect(again.id).toBe(first.id);
    expect(env.migrationsCreated.get("default/web-01")).toBe(1);
    await first.cancel();
  });

  it("attaches by namespace/name to a migration it did not start (virtctl migrate), and follows it to the end", async () => {
    const { call } = await import("./testing.ts");
    expect((await call(env, "PUT", "/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/web-01/migrate", {})).status).toBe(202);
    const name = (await call(env, "GET", "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations")).body.items[0].metadata.name as string;
    expect(name).toMatch(/^kubevirt-migrate-vm-/);
    const task = await client().attachMigration(`default/${name}`);
    expect(task.id).toBe(`default/${name}`);
    const result = await task.wait();
    expect(result).toMatchObject({ outcome: "completed", vmId: "default/web-01", vmLocation: { side: "target", hostId: "node-2" } });
    expect(isVmshiftError(await caught(() => client().attachMigration("default/no-such-migration")), "NOT_FOUND")).toBe(true);
  });

  it("follows through dropped watches and a relist after 410", async () => {
    const logger = memoryLogger();
    const c = client(env.kubeconfig(), {}, logger);
    env.fault("default/web-01", { slow: true });
    const task = await c.startMigration({ vmId: "default/web-01", targetHostId: "node-2" });
    const phases: string[] = [];
    const following = (async () => {
      for await (const s of task.events()) phases.push(s.phase);
    })();
    await env.until(() => phases.includes("transferring"));
    const listsBefore = env.requests.filter((r) => r.startsWith("GET") && r.includes("fieldSelector") && !r.includes("watch=true")).length;
    env.dropWatches();
    await new Promise((r) => setTimeout(r, 300));
    // Bookmarks keep a quiet watch's version current; an unrelated write moves the store past it before compaction expires it.
    env.dropWatches();
    env.store.mutate("nodes", undefined, "node-3", (n) => void (n.metadata.labels = { ...n.metadata.labels, "example.com/touched": "true" }));
    env.compact();
    await following;
    expect((await task.wait()).outcome).toBe("completed");
    expect(phases.at(-1)).toBe("completed");
    const listsAfter = env.requests.filter((r) => r.startsWith("GET") && r.includes("fieldSelector") && !r.includes("watch=true")).length;
    expect(listsAfter).toBeGreaterThan(listsBefore);
    expect(logger.records.some((r) => r.message.includes("relisting"))).toBe(true);
  });

  it("reports bytes, dirty rate and bandwidth from the metrics path while transferring, and none without it", async () => {
    env.fault("default/web-01", { slow: true });
    const withMetrics = client(env.kubeconfig(), { watch: { ...ENV_ADAPTER_TUNING.watch, metricsPath: "/metrics", metricsIntervalMs: 100 } });
    const task = await withMetrics.startMigration({ vmId: "default/web-01", targetHostId: "node-2" });
    const seen: { transferred: number; remaining: number }[] = [];
    for await (const s of task.events()) {
      if (s.phase !== "transferring" || s.progress.transferredBytes === undefined) continue;
      expect(s.progress.totalBytes).toBe(2 ** 30);
      expect(s.progress.transferredBytes + s.progress.remainingBytes!).toBe(2 ** 30);
      expect(s.progress.bandwidthBytesPerSecond).toBeGreaterThan(0);
      expect(s.progress.dirtyRateBytesPerSecond).toBeGreaterThan(0);
      expect(s.progress.percent).toBeUndefined();
      seen.push({ transferred: s.progress.transferredBytes, remaining: s.progress.remainingBytes! });
      if (seen.length >= 3) break;
    }
    expect(seen.length).toBe(3);
    expect(seen[2]!.transferred).toBeGreaterThan(seen[0]!.transferred);
    await task.cancel();
    const plain = client(env.kubeconfig(), { watch: { watchBackoff: { initialDelayMs: 50, maxDelayMs: 500 } } });
    const second = await plain.startMigration({ vmId: "default/web-01", targetHostId: "node-2" });
    const phases = [];
    for await (const s of second.events()) {
      expect(s.progress.transferredBytes).toBeUndefined();
      phases.push(s.phase);
      if (s.phase === "transferring") break;
    }
    expect(phases).toContain("transferring");
    await second.cancel();
  });

  it("preflight maps LiveMigratable reasons and refuses a start before creating anything", async () => {
    const c = client();
    const report = await c.preflight({ vmId: "default/legacy-01", targetHostId: "node-1" });
    expect(report.checks).toContainEqual(expect.objectContaining({ id: "kubevirt.LiveMigratable", category: "storage", severity: "error" }));
    const error = await caught(() => c.startMigration({ vmId: "default/legacy-01", targetHostId: "node-1" }));
    expect(isVmshiftError(error, "INCOMPATIBLE")).toBe(true);
    expect(env.migrationsCreated.get("default/legacy-01")).toBeUndefined();
  });

  it("with the guard off, KubeVirt's admission refusal maps through the error table", async () => {
    const c = client(env.kubeconfig(), { guardTarget: false });
    const error = await caught(() => c.startMigration({ vmId: "default/legacy-01" }));
    expect(isVmshiftError(error, "INCOMPATIBLE")).toBe(true);
    expect((error as { details: Record<string, unknown> }).details["row"]).toBe("admission.notMigratable");
  });

  it("cold: when neither the target nor the source can start the VM, the result says MIGRATION_PARTIAL", async () => {
    const c = client();
    env.fault("default/app-01", { refuseStartOn: "node-2" });
    const task = await c.startMigration({ vmId: "default/app-01", targetHostId: "node-2", mode: "cold" });
    for await (const s of task.events()) {
      if (s.phase === "starting") break;
    }
    env.store.mutate("nodes", undefined, "node-1", (n) => void ((n.spec as { unschedulable?: boolean }) = { unschedulable: true }));
    const result = await task.wait();
    expect(result.outcome).toBe("failed");
    expect(result.error).toMatchObject({ code: "MIGRATION_PARTIAL", message: expect.stringContaining("Manual action is needed") });
  });

  it("a stopped VM cannot be live-migrated (INVALID_STATE), but can be moved cold", async () => {
    const c = client();
    expect(isVmshiftError(await caught(() => c.startMigration({ vmId: "default/batch-01", targetHostId: "node-2" })), "INVALID_STATE")).toBe(true);
    const result = await (await c.startMigration({ vmId: "default/batch-01", targetHostId: "node-2", mode: "cold" })).wait();
    expect(result.outcome).toBe("completed");
    expect((await c.getVm("default/batch-01")).hostId).toBe("node-2");
  });
});
