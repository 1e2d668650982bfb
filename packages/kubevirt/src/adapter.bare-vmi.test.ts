/** A VMI without a VirtualMachine (test/fixtures/real.bare-vmi: KubeVirt's own vmi-migratable example) can be read, listed and migrated. */
import { describe, expect, it } from "vitest";
import { VmshiftClient, VmshiftError, isVmshiftError } from "@vmshift/core";
import { loadFixture } from "../test/load-fixture.ts";
import { createKubevirtAdapter } from "./adapter.ts";
import type { KubeRequest, KubeTransport, KubeWatchEvent } from "./transport.ts";
import type { KvMigration, KvVmi } from "./types.ts";

const KV = "/apis/kubevirt.io/v1";
const notFound = (path: string) => new VmshiftError("NOT_FOUND", `GET ${path}: 404 NotFound`, { adapter: "kubevirt" });

/** Answers from a small in-memory cluster: one bare VMI, one VM-owned VMI with its VM, two nodes. */
function cluster(): KubeTransport & { readonly seen: string[]; readonly created: KvMigration[] } {
  const bare = loadFixture<KvVmi>("real.bare-vmi", "vmi.yaml");
  const owned = { metadata: { name: "web-01", namespace: "default", ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: "web-01", uid: "u-web" }] }, spec: { domain: { devices: {} } }, status: { phase: "Running", nodeName: "node01" } } as KvVmi;
  const vm = { metadata: { name: "web-01", namespace: "default" }, spec: { runStrategy: "Always" }, status: { created: true, printableStatus: "Running" } };
  const node = (name: string) => ({ metadata: { name, labels: { "kubevirt.io/schedulable": "true", "kubernetes.io/hostname": name } }, status: { allocatable: { memory: "8Gi", cpu: "4" }, conditions: [{ type: "Ready", status: "True" }] } });
  const seen: string[] = [];
  const created: KvMigration[] = [];
  const answer = (r: KubeRequest): unknown => {
    const p = r.path;
    if (r.method === "POST" && p === `${KV}/namespaces/default/virtualmachineinstancemigrations`) {
      const m = { ...(r.body as KvMigration), metadata: { ...(r.body as KvMigration).metadata, name: "m-1", namespace: "default", uid: "u-m1", creationTimestamp: "2026-12-07T12:00:00Z" } };
      created.push(m);
      return m;
    }
    if (p === `${KV}/namespaces/default/virtualmachines/web-01`) return vm;
    if (p === `${KV}/namespaces/default/virtualmachines/vmi-migratable`) throw notFound(p);
    if (p === `${KV}/namespaces/default/virtualmachineinstances/vmi-migratable`) return bare;
    if (p === `${KV}/namespaces/default/virtualmachineinstances/web-01`) return owned;
    if (p === `${KV}/namespaces/default/virtualmachines/ghost` || p === `${KV}/namespaces/default/virtualmachineinstances/ghost`) throw notFound(p);
    if (p === `${KV}/virtualmachines`) return { items: [vm], metadata: {} };
    if (p === `${KV}/virtualmachineinstances`) return { items: [owned, bare], metadata: {} };
    if (p.endsWith("/virtualmachineinstancemigrations")) return { items: [], metadata: {} };
    if (p === "/api/v1/nodes/node02") return node("node02");
    if (p === `${KV}/kubevirts`) return { items: [] };
    throw new Error(`unexpected ${r.method} ${p}`);
  };
  return {
    seen,
    created,
    get requestCount() {
      return seen.length;
    },
    async request<T>(r: KubeRequest): Promise<T> {
      seen.push(`${r.method} ${r.path}`);
      return answer(r) as T;
    },
    async requestText() {
      return "";
    },
    async *watch<T>(): AsyncIterable<KubeWatchEvent<T>> {},
  };
}

describe("bare VMIs", () => {
  it("getVm reads a VMI that no VirtualMachine owns (the VM GET answers 404)", async () => {
    const client = new VmshiftClient(createKubevirtAdapter({ transport: cluster() }));
    expect(await client.getVm("default/vmi-migratable")).toEqual({
      id: "default/vmi-migratable",
      name: "vmi-migratable",
      powerState: "running",
      hostId: "node01",
      memoryBytes: 128 * 2 ** 20,
      cpus: 1,
      liveMigratable: true,
      labels: { special: "vmi-migratable" },
    });
    const missing = await client.getVm("default/ghost").catch((e: unknown) => e);
    expect(isVmshiftError(missing, "NOT_FOUND")).toBe(true);
  });

  it("listVms lists VirtualMachines, then the bare VMIs (VM-owned VMIs once)", async () => {
    const vms = await new VmshiftClient(createKubevirtAdapter({ transport: cluster() })).listVms().all();
    expect(vms.map((v) => v.id)).toEqual(["default/web-01", "default/vmi-migratable"]);
    const paged = [];
    for await (const page of new VmshiftClient(createKubevirtAdapter({ transport: cluster() })).listVms({ pageSize: 1 })) paged.push(page.items.map((v) => v.id));
    expect(paged.flat()).toEqual(["default/web-01", "default/vmi-migratable"]);
    expect(paged.every((p) => p.length <= 1)).toBe(true);
  });

  it("startMigration live-migrates a bare VMI (a VMIM naming it), and refuses a cold move with INVALID_STATE", async () => {
    const transport = cluster();
    const adapter = createKubevirtAdapter({ transport });
    const client = new VmshiftClient(adapter);
    const task = await client.startMigration({ vmId: "default/vmi-migratable", targetHostId: "node02" });
    expect(task.id).toBe("default/m-1");
    expect(transport.created[0]?.spec).toEqual({ vmiName: "vmi-migratable", addedNodeSelector: { "kubernetes.io/hostname": "node02" } });
    const cold = await client.startMigration({ vmId: "default/vmi-migratable", targetHostId: "node02", mode: "cold" }).catch((e: unknown) => e);
    expect(isVmshiftError(cold, "INVALID_STATE")).toBe(true);
    expect(String(cold)).toMatch(/without a VirtualMachine/);
  });
});
