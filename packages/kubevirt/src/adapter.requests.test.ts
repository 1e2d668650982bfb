/**
 * What the adapter sends, request by request, against a small in-memory cluster: a live start is
 * GET VMI, GET target Node, POST VMIM, then one watch from the POST's resourceVersion; a retried
 * start finds the first migration by its name; a page of VMs lists the VMs and the VMIs of the
 * scope once; preflight reads nothing cluster-wide that it may not; a cancel is one DELETE with a
 * precondition.
 */
import { describe, expect, it } from "vitest";
import { VmshiftClient, VmshiftError, isVmshiftError } from "@vmshift/core";
import { createKubevirtAdapter } from "./adapter.ts";
import { mapKubeFault } from "./errors.ts";
import { migrationName } from "./live.ts";
import type { KubeRequest, KubeTransport, KubeWatchEvent } from "./transport.ts";
import type { KvMigration, KvVmi } from "./types.ts";

const KV = "/apis/kubevirt.io/v1";
const MIGRATIONS = `${KV}/namespaces/default/virtualmachineinstancemigrations`;
const status = (httpStatus: number, reason: string, message: string, r: KubeRequest) =>
  mapKubeFault({ kind: "status", httpStatus, status: { kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code: httpStatus }, method: r.method, path: r.path });
const notFound = (r: KubeRequest) => status(404, "NotFound", `${r.path} not found`, r);

const vmi = (name: string, node: string, extra: Partial<NonNullable<KvVmi["status"]>> = {}): KvVmi =>
  ({
    metadata: { name, namespace: "default", ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name, uid: `u-${name}` }], labels: { "kubevirt.io/nodeName": node } },
    spec: { domain: { devices: {}, resources: { requests: { memory: "1Gi" } } } },
    status: { phase: "Running", nodeName: node, conditions: [{ type: "LiveMigratable", status: "True" }], ...extra },
  }) as KvVmi;
const vm = (name: string, printableStatus = "Running") => ({ metadata: { name, namespace: "default" }, spec: { runStrategy: "Always" }, status: { created: printableStatus === "Running", printableStatus } });
const node = (name: string, cordoned = false) => ({ metadata: { name, labels: { "kubevirt.io/schedulable": "true", "kubernetes.io/hostname": name } }, spec: cordoned ? { unschedulable: true } : {}, status: { allocatable: { memory: "8Gi", cpu: "4" }, conditions: [{ type: "Ready", status: "True" }] } });

type Handler = (r: KubeRequest) => unknown;

/** A cluster with web-01 running on node-1 and stopped batch-01; `override` answers first (undefined: fall through). */
function cluster(override: Handler = () => undefined) {
  const seen: string[] = [];
  const watches: KubeRequest[] = [];
  const migrations = new Map<string, KvMigration>();
  let rv = 100;
  const answer = (r: KubeRequest): unknown => {
    const mine = override(r);
    if (mine !== undefined) return mine;
    const p = r.path;
    if (r.method === "POST" && p === MIGRATIONS) {
      const body = r.body as KvMigration;
      const name = body.metadata!.name!;
      if (migrations.has(name)) throw status(409, "AlreadyExists", `virtualmachineinstancemigrations.kubevirt.io "${name}" already exists`, r);
      const created = { ...body, metadata: { ...body.metadata, namespace: "default", uid: `uid-${name}`, resourceVersion: String(++rv), creationTimestamp: "2026-12-07T12:00:00Z" } } as KvMigration;
      migrations.set(name, created);
      return created;
    }
    if (r.method === "GET" && p.startsWith(`${MIGRATIONS}/`)) {
      const found = migrations.get(p.slice(MIGRATIONS.length + 1));
      if (!found) throw notFound(r);
      return found;
    }
    if (r.method === "DELETE" && p.startsWith(`${MIGRATIONS}/`)) return {};
    if (p === `${KV}/namespaces/default/virtualmachineinstances/web-01`) return vmi("web-01", "node-1");
    if (p === `${KV}/namespaces/default/virtualmachines/web-01`) return vm("web-01");
    if (p === `${KV}/namespaces/default/virtualmachines/batch-01`) return vm("batch-01", "Stopped");
    if (/^\/apis\/kubevirt\.io\/v1\/namespaces\/default\/virtualmachine(instance)?s\/[^/]+$/.test(p)) throw notFound(r);
    if (p.startsWith("/api/v1/nodes/")) {
      const name = p.slice("/api/v1/nodes/".length);
      if (!["node-1", "node-2", "node-4"].includes(name)) throw notFound(r);
      return node(name, name === "node-4");
    }
    if (p === `${KV}/namespaces/default/virtualmachines`) {
      const all = [vm("web-01"), vm("batch-01", "Stopped"), vm("db-01")];
      const start = Number(r.query?.["continue"] ?? 0);
      const limit = Number(r.query?.["limit"] ?? all.length);
      const items = all.slice(start, start + limit);
      return { items, metadata: { resourceVersion: "90", ...(start + limit < all.length ? { continue: String(start + limit) } : {}) } };
    }
    if (p === `${KV}/namespaces/default/virtualmachineinstances` || p === `${KV}/virtualmachineinstances`) {
      const bare = { ...vmi("bare-01", "node-2"), metadata: { name: "bare-01", namespace: "default", labels: { "kubevirt.io/nodeName": "node-2" } } };
      return { items: [vmi("web-01", "node-1"), vmi("db-01", "node-2"), bare], metadata: { resourceVersion: "90" } };
    }
    if (p === `${KV}/virtualmachineinstancemigrations`) return { items: [...migrations.values()], metadata: { resourceVersion: "90" } };
    if (p === `${KV}/kubevirts`) return { items: [] };
    throw new Error(`unexpected ${r.method} ${p}`);
  };
  const transport: KubeTransport & { seen: string[]; watches: KubeRequest[]; migrations: Map<string, KvMigration> } = {
    seen,
    watches,
    migrations,
    get requestCount() {
      return seen.length;
    },
    async request<T>(r: KubeRequest): Promise<T> {
      const q = Object.entries(r.query ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`).join("&");
      seen.push(`${r.method} ${r.path}${q ? `?${q}` : ""}`);
      return answer(r) as T;
    },
    async requestText() {
      seen.push("GET /metrics");
      return "";
    },
    async *watch<T>(r: KubeRequest): AsyncIterable<KubeWatchEvent<T>> {
      seen.push(`WATCH ${r.path}`);
      watches.push(r);
      const name = String(r.query?.["fieldSelector"] ?? "").replace("metadata.name=", "");
      const current = migrations.get(name);
      if (current) {
        const done = { ...current, metadata: { ...current.metadata, resourceVersion: String(++rv) }, status: { phase: "Succeeded", migrationState: { migrationUid: current.metadata!.uid!, completed: true, sourceNode: "node-1", targetNode: "node-2", targetNodeDomainDetected: true } } } as KvMigration;
        migrations.set(name, done);
        yield { type: "MODIFIED", object: done as T };
      }
      // As a server does: the stream stays open until the client goes.
      await new Promise((resolve) => (r.signal?.aborted ? resolve(undefined) : r.signal?.addEventListener("abort", resolve, { once: true })));
    },
  };
  return transport;
}

const client = (transport: KubeTransport, options: Parameters<typeof createKubevirtAdapter>[0] = {}) => new VmshiftClient(createKubevirtAdapter({ transport, ...options }), { follow: { poll: { initialDelayMs: 10, maxDelayMs: 20 } } });

describe("a live migration, request by request", () => {
  it("start: GET VMI, GET target Node, POST the VMIM named after the request id; follow: one watch from the POST's resourceVersion, no list", async () => {
    const t = cluster();
    const task = await client(t).startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-1" });
    expect(task.id).toBe(`default/${migrationName("web-01", "job-1")}`);
    expect(t.seen).toEqual([`GET ${KV}/namespaces/default/virtualmachineinstances/web-01`, "GET /api/v1/nodes/node-2", `POST ${MIGRATIONS}`]);
    const result = await task.wait();
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { side: "target", hostId: "node-2", powerState: "running" } });
    expect(t.seen.slice(3)).toEqual([`WATCH ${MIGRATIONS}`]);
    expect(t.watches[0]?.query).toMatchObject({ resourceVersion: "101", fieldSelector: `metadata.name=${migrationName("web-01", "job-1")}` });
  });

  it("without a target: GET VMI and POST, nothing else before the watch", async () => {
    const t = cluster();
    await client(t).startMigration({ vmId: "default/web-01", requestId: "job-2" });
    expect(t.seen).toEqual([`GET ${KV}/namespaces/default/virtualmachineinstances/web-01`, `POST ${MIGRATIONS}`]);
  });

  it("the name is at most 63 characters and a DNS label, whatever the VM's name", () => {
    const name = migrationName(`${"a".repeat(36)}.b.c-d`, "some request id with spaces");
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it("a start retried with the same request id meets the first VMIM (409 AlreadyExists) and returns it: one migration", async () => {
    const t = cluster();
    const c = client(t);
    const first = await c.startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-3" });
    const again = await c.startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-3" });
    expect(again.id).toBe(first.id);
    expect(t.migrations.size).toBe(1);
    expect(t.seen.filter((s) => s.startsWith("POST"))).toHaveLength(2);
    expect(t.seen.at(-1)).toBe(`GET ${MIGRATIONS}/${migrationName("web-01", "job-3")}`);
  });

  it("KubeVirt's in-flight refusal of another request's migration stays CONFLICT", async () => {
    const t = cluster((r) => {
      if (r.method === "POST") throw status(422, "Invalid", 'admission webhook "migration-create-validator.kubevirt.io" denied the request: in-flight migration detected. Active migration job (uid-x) is currently already in progress for VMI web-01.', r);
      return undefined;
    });
    const error = await client(t).startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-4" }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "CONFLICT")).toBe(true);
  });

  it("a POST that met a 503 is sent again (the name makes that safe); one without an answer is looked up first", async () => {
    let fail = 1;
    const t = cluster((r) => {
      if (r.method === "POST" && fail-- > 0) throw status(503, "ServiceUnavailable", "etcd leader changed", r);
      return undefined;
    });
    const task = await client(t).startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-5" });
    expect(task.id).toBe(`default/${migrationName("web-01", "job-5")}`);
    expect(t.seen.filter((s) => s.startsWith("POST"))).toHaveLength(2);

    let lose = 1;
    const lost = cluster((r) => {
      if (r.method === "POST" && lose-- > 0) {
        // The server creates the VMIM, the answer never comes.
        const body = r.body as KvMigration;
        lost.migrations.set(body.metadata!.name!, { ...body, metadata: { ...body.metadata, namespace: "default", uid: "uid-lost", resourceVersion: "150" } } as KvMigration);
        throw mapKubeFault({ kind: "network", code: "ECONNRESET", message: "socket hang up", method: r.method, path: r.path });
      }
      return undefined;
    });
    const found = await client(lost).startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-6" });
    expect(found.id).toBe(`default/${migrationName("web-01", "job-6")}`);
    expect(lost.seen.filter((s) => s.startsWith("POST"))).toHaveLength(1);
    expect(lost.seen.at(-1)).toBe(`GET ${MIGRATIONS}/${migrationName("web-01", "job-6")}`);
  });

  it("a cordoned or missing target is refused before anything is created (INCOMPATIBLE, NOT_FOUND), unless the same request already made its migration", async () => {
    const t = cluster();
    const c = client(t);
    expect(isVmshiftError(await c.startMigration({ vmId: "default/web-01", targetHostId: "node-4" }).catch((e: unknown) => e), "INCOMPATIBLE")).toBe(true);
    expect(isVmshiftError(await c.startMigration({ vmId: "default/web-01", targetHostId: "node-9" }).catch((e: unknown) => e), "NOT_FOUND")).toBe(true);
    expect(isVmshiftError(await c.startMigration({ vmId: "default/web-01", targetHostId: "node-1" }).catch((e: unknown) => e), "INVALID_ARGUMENT")).toBe(true);
    expect(t.migrations.size).toBe(0);
    // The VM moved to node-2 with job-7; its retry meets host.same, and finds job-7's migration instead of refusing.
    const first = await c.startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-7" });
    const moved = cluster((r) => (r.path.endsWith("/virtualmachineinstances/web-01") ? vmi("web-01", "node-2") : undefined));
    for (const [k, v] of t.migrations) moved.migrations.set(k, v);
    expect((await client(moved).startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-7" })).id).toBe(first.id);
  });

  it("a node this identity may not read (a namespace-scoped Role) does not stop the start", async () => {
    const t = cluster((r) => (r.path.startsWith("/api/v1/nodes/") ? Promise.reject(status(403, "Forbidden", 'nodes "node-2" is forbidden', r)) : undefined));
    const task = await client(t).startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-8" });
    expect(task.id).toBe(`default/${migrationName("web-01", "job-8")}`);
  });

  it("a VM the VMI reports migrating is CONFLICT before anything is created; a stopped VM INVALID_STATE; a missing one NOT_FOUND", async () => {
    const busy = cluster((r) => (r.path.endsWith("/virtualmachineinstances/web-01") ? vmi("web-01", "node-1", { migrationState: { migrationUid: "other", startTimestamp: "2026-12-07T11:59:00Z" } }) : undefined));
    expect(isVmshiftError(await client(busy).startMigration({ vmId: "default/web-01", targetHostId: "node-2" }).catch((e: unknown) => e), "CONFLICT")).toBe(true);
    expect(busy.migrations.size).toBe(0);
    const t = cluster();
    expect(isVmshiftError(await client(t).startMigration({ vmId: "default/batch-01", targetHostId: "node-2" }).catch((e: unknown) => e), "INVALID_STATE")).toBe(true);
    expect(isVmshiftError(await client(t).startMigration({ vmId: "default/ghost", targetHostId: "node-2" }).catch((e: unknown) => e), "NOT_FOUND")).toBe(true);
  });

  it("cancel: one DELETE with the last seen uid and resourceVersion as precondition; a 409 (changed meanwhile) reads it again and leaves a finished one alone", async () => {
    const deletes: KubeRequest[] = [];
    const t = cluster((r) => {
      if (r.method === "DELETE") {
        deletes.push(r);
        throw status(409, "Conflict", "the ResourceVersion in the precondition (101) does not match the ResourceVersion in record (102). The object might have been modified", r);
      }
      return undefined;
    });
    const adapter = createKubevirtAdapter({ transport: t });
    const c = new VmshiftClient(adapter);
    const task = await c.startMigration({ vmId: "default/web-01", targetHostId: "node-2", requestId: "job-9" });
    const name = migrationName("web-01", "job-9");
    // Meanwhile the migration finished.
    t.migrations.set(name, { ...t.migrations.get(name)!, metadata: { ...t.migrations.get(name)!.metadata, resourceVersion: "102" }, status: { phase: "Succeeded" } } as KvMigration);
    const before = t.seen.length;
    await adapter.cancelMigration!(task.id, { clock: { now: () => Date.now(), sleep: async () => undefined }, logger: { log: () => undefined } } as never);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.body).toEqual({ kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: `uid-${name}`, resourceVersion: "101" } });
    expect(t.seen.slice(before)).toEqual([`DELETE ${MIGRATIONS}/${name}`, `GET ${MIGRATIONS}/${name}`]);
  });
});

describe("listing VMs, request by request", () => {
  it("a page lists the VMs and the VMIs of the scope once, later pages of the same listing the VMs only; bare VMIs come last", async () => {
    const t = cluster();
    const pages: string[][] = [];
    for await (const page of client(t).listVms({ scope: "default", pageSize: 2 })) pages.push(page.items.map((v) => `${v.id}@${v.hostId ?? "-"}`));
    expect(pages).toEqual([["default/web-01@node-1", "default/batch-01@-"], ["default/db-01@node-2", "default/bare-01@node-2"]]);
    expect(t.seen).toEqual([
      `GET ${KV}/namespaces/default/virtualmachines?limit=2`,
      `GET ${KV}/namespaces/default/virtualmachineinstances`,
      `GET ${KV}/namespaces/default/virtualmachines?limit=2&continue=2`,
    ]);
  });

  it("a cursor taken to another client lists the VMIs again (2 requests for that page)", async () => {
    const first = await client(cluster()).listVms({ scope: "default", pageSize: 2 })[Symbol.asyncIterator]().next();
    expect(first.value).toBeDefined();
    const t = cluster();
    const page = await createKubevirtAdapter({ transport: t }).listVms!({ scope: "default", pageSize: 2, cursor: "2" }, { clock: { now: () => Date.now() }, logger: { log: () => undefined } } as never);
    expect(page.items.map((v) => v.id)).toEqual(["default/db-01", "default/bare-01"]);
    expect(t.seen).toHaveLength(2);
  });
});

describe("preflight, request by request", () => {
  it("reads the VMI, the Node, the VMIs on it (by label) and the cluster's migrations; the KubeVirt CR only when a migration runs", async () => {
    const t = cluster();
    const report = await client(t).preflight({ vmId: "default/web-01", targetHostId: "node-2" });
    expect(report.ok).toBe(true);
    expect(t.seen).toEqual([
      `GET ${KV}/namespaces/default/virtualmachineinstances/web-01`,
      "GET /api/v1/nodes/node-2",
      `GET ${KV}/virtualmachineinstances?labelSelector=kubevirt.io/nodeName=node-2`,
      `GET ${KV}/virtualmachineinstancemigrations`,
    ]);
    expect(report.checks).toContainEqual(expect.objectContaining({ id: "cluster.migrationConfig", severity: "info" }));
  });

  it("with a namespace-scoped Role: the cluster-wide reads become warnings and the namespace's migrations of the VM stand in", async () => {
    const t = cluster((r) => {
      if (r.path === `${KV}/virtualmachineinstances` || r.path === `${KV}/virtualmachineinstancemigrations` || r.path.startsWith("/api/v1/nodes/")) throw status(403, "Forbidden", "forbidden", r);
      if (r.path === MIGRATIONS && r.method === "GET") return { items: [{ metadata: { name: "m-0", namespace: "default", labels: { "kubevirt.io/vmi-name": "web-01" } }, spec: { vmiName: "web-01" }, status: { phase: "Scheduling" } }], metadata: {} };
      return undefined;
    });
    const report = await client(t).preflight({ vmId: "default/web-01", targetHostId: "node-2" });
    expect(report.checks.filter((c) => c.severity === "warning").map((c) => c.id)).toEqual(["host.readable", "cluster.migrationConfig"]);
    expect(report.checks).toContainEqual(expect.objectContaining({ id: "migration.inFlight", severity: "error" }));
    expect(t.seen).toContain(`GET ${MIGRATIONS}?labelSelector=kubevirt.io/vmi-name=web-01`);
  });

  it("reports a node without room from the VMIs on it", async () => {
    const t = cluster((r) => (r.path === `${KV}/virtualmachineinstances` ? { items: Array.from({ length: 8 }, (_, i) => vmi(`big-${i}`, "node-2")), metadata: {} } : undefined));
    const report = await client(t).preflight({ vmId: "default/web-01", targetHostId: "node-2" });
    expect(report.checks).toContainEqual(expect.objectContaining({ id: "host.memory", category: "capacity", severity: "error" }));
  });

  it("a VM that does not exist is NOT_FOUND", async () => {
    const error = await client(cluster()).preflight({ vmId: "default/ghost", targetHostId: "node-2" }).catch((e: unknown) => e);
    expect(error instanceof VmshiftError && error.code).toBe("NOT_FOUND");
  });
});
