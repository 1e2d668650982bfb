/** The guards of deleting a storage migration's destinations, against a stand-in for the API layer (resources/api.ts). */
import { describe, expect, it } from "vitest";
import { type OperationContext, memoryLogger } from "@vmshift/core";
import type { KubevirtApi } from "./resources/api.ts";
import { DESTINATION_ANNOTATION, DestinationRelease, madeByVmshift } from "./storage-release.ts";

const VM = { namespace: "ns", name: "vm-1" };
const marked = (name: string, requestId = "req-1"): Stored => ({ metadata: { name, uid: `uid-${name}`, labels: { "vmshift.io/request-id": requestId }, annotations: { [DESTINATION_ANNOTATION]: "ns/vm-1" } } });

type Stored = { metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> } };
interface World {
  vmVolumes: string[];
  vmiVolumes: string[];
  migrated: string[];
  vmims: { phase: string }[];
  claims: Map<string, Stored>;
  deleted: string[];
  refuse?: string;
}

/** The API calls DestinationRelease makes, over an in-memory world. */
function api(w: World): KubevirtApi {
  const vol = (name: string) => ({ name: `v-${name}`, persistentVolumeClaim: { claimName: name } });
  return {
    findVm: async () => ({ metadata: { name: "vm-1" }, spec: { template: { spec: { volumes: w.vmVolumes.map(vol) } } } }),
    findVmi: async () => ({ metadata: { name: "vm-1" }, spec: { volumes: w.vmiVolumes.map(vol) }, status: { migratedVolumes: w.migrated.map((claimName) => ({ volumeName: "v", destinationPVCInfo: { claimName } })) } }),
    listMigrations: async () => ({ items: w.vmims.map((m, i) => ({ metadata: { name: `kubevirt-workload-update-${i}` }, spec: {}, status: { phase: m.phase } })) }),
    findClaim: async (ref: { name: string }) => w.claims.get(ref.name),
    findDataVolume: async (ref: { name: string }) => w.claims.get(ref.name),
    deleteStorage: async (_kind: string, ref: { name: string }, uid: string | undefined) => {
      if (w.refuse === ref.name) throw new Error("refused");
      expect(uid).toBe(w.claims.get(ref.name)!.metadata.uid);
      w.deleted.push(ref.name);
      w.claims.delete(ref.name);
      return true;
    },
  } as unknown as KubevirtApi;
}

function ctx(): OperationContext & { slept: number } {
  let now = 0;
  const c = { logger: memoryLogger(), slept: 0, clock: { now: () => now, sleep: async (ms: number) => { now += ms; c.slept += ms; } } };
  return c as unknown as OperationContext & { slept: number };
}

const world = (over: Partial<World> = {}): World => ({ vmVolumes: ["src"], vmiVolumes: ["src"], migrated: [], vmims: [], claims: new Map<string, Stored>([["src", { metadata: { name: "src", uid: "uid-src" } }], ["dst", marked("dst")]]), deleted: [], ...over });

describe("DestinationRelease", () => {
  it("deletes a marked destination nothing uses, and nothing else; a second run finds it gone and warns of nothing", async () => {
    const w = world();
    const release = new DestinationRelease(api(w), 1000);
    expect(await release.release(VM, "req-1", [{ name: "dst" }], ctx())).toEqual([]);
    expect(w.deleted).toEqual(["dst"]);
    expect(await release.release(VM, "req-1", [{ name: "dst" }], ctx())).toEqual([]);
    expect(w.deleted).toEqual(["dst"]);
  });

  it("never deletes what the VM's spec or the running VMI names", async () => {
    for (const w of [world({ vmVolumes: ["dst"] }), world({ vmiVolumes: ["dst"] })]) {
      const warnings = await new DestinationRelease(api(w), 1000).release(VM, "req-1", [{ name: "dst" }], ctx());
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/PersistentVolumeClaim ns\/dst was not deleted \((the VM's spec names it|the running VMI uses it)\)/);
      expect(w.deleted).toEqual([]);
    }
  });

  it("waits while KubeVirt's migration runs (bounded), then warns and leaves it", async () => {
    for (const w of [world({ migrated: ["dst"] }), world({ vmims: [{ phase: "Running" }] })]) {
      const c = ctx();
      const warnings = await new DestinationRelease(api(w), 5000).release(VM, "req-1", [{ name: "dst" }], c);
      expect(c.slept).toBeGreaterThanOrEqual(5000);
      expect(warnings[0]).toMatch(/not deleted \((KubeVirt's migration kubevirt-workload-update-0 had not ended|the VMI's status.migratedVolumes still listed it) after 5 s\)/);
      expect(w.deleted).toEqual([]);
    }
  });

  it("deletes once the migration ended (a final VMIM does not hold it)", async () => {
    const w = world({ vmims: [{ phase: "Failed" }] });
    expect(await new DestinationRelease(api(w), 5000).release(VM, "req-1", [{ name: "dst", dataVolume: true }], ctx())).toEqual([]);
    expect(w.deleted).toEqual(["dst"]);
  });

  it("leaves an object without vmshift's marks of this request, and reports a refused DELETE", async () => {
    const w = world({ claims: new Map<string, Stored>([["theirs", { metadata: { name: "theirs", uid: "u" } }], ["other", marked("other", "req-2")], ["dst", marked("dst")]]), refuse: "dst" });
    const warnings = await new DestinationRelease(api(w), 1000).release(VM, "req-1", [{ name: "theirs" }, { name: "other" }, { name: "dst", dataVolume: true }], ctx());
    expect(warnings.map((x) => x.slice(0, x.indexOf(" ("))).sort()).toEqual(["the destination DataVolume ns/dst was not deleted", "the destination PersistentVolumeClaim ns/other was not deleted", "the destination PersistentVolumeClaim ns/theirs was not deleted"]);
    expect(warnings.find((x) => x.includes("ns/dst"))).toContain("deleting it failed: refused");
    expect(w.deleted).toEqual([]);
  });

  it("madeByVmshift needs both the request's label and the VM's annotation", () => {
    expect(madeByVmshift(marked("d"), VM, "req-1")).toBe(true);
    expect(madeByVmshift(marked("d"), { namespace: "ns", name: "vm-2" }, "req-1")).toBe(false);
    expect(madeByVmshift(marked("d", "req-9"), VM, "req-1")).toBe(false);
    expect(madeByVmshift({ metadata: { labels: { "vmshift.io/request-id": "req-1" } } }, VM, "req-1")).toBe(false);
  });
});
