/**
 * Storage live migration leaves nothing behind: a cancel (and a start that fails after creating the
 * destinations) deletes the destination claims and DataVolumes vmshift created, once KubeVirt's
 * migration ended, never one vmshift did not create; a deletion that fails is a warning in the result.
 * The environment runs Kubernetes' PVC protection (claim-protection.ts): a claim a pod still uses
 * would stay Terminating, so "gone" below means no pod used it any more.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VmshiftClient, isVmshiftError, memoryLogger } from "@vmshift/core";
import { DESTINATION_ANNOTATION, VOLUME_RECORD_ANNOTATION, VOLUME_RELEASE_ANNOTATION, createKubevirtAdapter, destinationClaim } from "@vmshift/kubevirt";
import { ENV_ADAPTER_TUNING } from "../targets/kubevirt-env.ts";
import { CdiEnvironment } from "./cdi.ts";
import { type ClaimProtection, PVC_PROTECTION_FINALIZER, protectClaims } from "./claim-protection.ts";
import { KubevirtEnv } from "./env.ts";
import { call } from "./testing.ts";

let env: KubevirtEnv;
let protection: ClaimProtection;
/** Claims deleted while a pod still used them (KubeVirt's migration not ended): the adapter must wait. */
let deletedInUse: string[];
beforeEach(async () => {
  env = await KubevirtEnv.start({ timing: { transferMs: 200, secondMs: 10 } });
  protection = protectClaims(env.store);
  deletedInUse = [];
  env.store.subscribe((e) => {
    if (e.resource !== "persistentvolumeclaims" || e.type !== "MODIFIED" || !e.object.metadata.deletionTimestamp) return;
    const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`;
    if (protection.inUse().has(key)) deletedInUse.push(key);
  });
});
afterEach(async () => {
  protection.close();
  await env.close();
});

const PVCS = "/api/v1/namespaces/default/persistentvolumeclaims";
const VM = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";
const DVS = "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes";
const pvc = (name: string, size = "10Gi") => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "local", resources: { requests: { storage: size } } } });
const disks = (names: string[]) => ({ domain: { devices: { disks: names.map((name) => ({ name, disk: { bus: "virtio" } })) }, resources: { requests: { memory: "1Gi" } } } });
const claim = (name: string) => env.store.get("persistentvolumeclaims", "default", name) as any;
const vm = (name: string) => env.store.get("virtualmachines", "default", name) as any;
const client = () => new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() }, ...ENV_ADAPTER_TUNING }), { logger: memoryLogger() });

/** A running VM default/<name> on PVC volumes named after `claims` (created 10Gi unless `create` is false). */
async function claimVm(name: string, claims: string[], create = true): Promise<void> {
  for (const c of claims) if (create) expect((await call(env, "POST", PVCS, pvc(c))).status).toBe(201);
  const volumes = claims.map((c, i) => ({ name: `disk${i}`, persistentVolumeClaim: { claimName: c } }));
  const spec = { ...disks(volumes.map((v) => v.name)), volumes };
  expect((await call(env, "POST", VM, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name }, spec: { runStrategy: "Always", template: { metadata: { labels: { app: name } }, spec } } })).status).toBe(201);
  await env.until(() => (env.store.get("virtualmachineinstances", "default", name)?.status as any)?.phase === "Running");
}

/** Starts a slow storage migration of `vm` and cancels it while it transfers; the result. */
async function cancelMidway(vmName: string, requestId: string) {
  env.fault(`default/${vmName}`, { slow: true });
  const task = await client().startMigration({ vmId: `default/${vmName}`, targetStorageId: "fast", requestId });
  for await (const s of task.events()) if (s.phase === "transferring") break;
  // Mid-migration: the destination is the target pod's, so deleting it now would only mark it Terminating.
  if (vmName.startsWith("data")) expect(protection.inUse().has(`default/${destinationClaim("data-src", requestId)}`)).toBe(true);
  return task.cancel();
}

describe("cancel deletes the destinations vmshift created", () => {
  it("PVC volumes: the destination claims are gone, the source claims intact, the VM's records removed, no warning", async () => {
    await claimVm("data-01", ["data-src", "data-src2"]);
    const result = await cancelMidway("data-01", "cl-1");
    expect(result.outcome).toBe("cancelled");
    expect(result.error?.message).not.toMatch(/warning/);
    for (const to of [destinationClaim("data-src", "cl-1"), destinationClaim("data-src2", "cl-1")]) expect(claim(to)).toBeUndefined();
    for (const from of ["data-src", "data-src2"]) expect(claim(from)).toMatchObject({ metadata: { name: from, finalizers: [PVC_PROTECTION_FINALIZER] } });
    expect(claim("data-src").metadata.deletionTimestamp).toBeUndefined();
    expect(vm("data-01").spec.template.spec.volumes.map((v: any) => v.persistentVolumeClaim.claimName)).toEqual(["data-src", "data-src2"]);
    expect(Object.keys(vm("data-01").metadata.annotations ?? {})).not.toContain(VOLUME_RECORD_ANNOTATION);
    expect(Object.keys(vm("data-01").metadata.annotations ?? {})).not.toContain(VOLUME_RELEASE_ANNOTATION);
    // The DELETEs came after KubeVirt's migration had ended (the VMI lists no migrated volumes, no VMIM in flight).
    const vmi = env.store.get("virtualmachineinstances", "default", "data-01")!.status as any;
    expect(vmi.migratedVolumes ?? []).toEqual([]);
    expect(env.requests.filter((r) => r.startsWith("DELETE") && r.includes("persistentvolumeclaims")).length).toBe(2);
    expect(deletedInUse).toEqual([]);
  });

  it("a claim of the destination's name that vmshift did not create survives, with a warning in the result", async () => {
    await claimVm("data-02", ["data-src"]);
    const theirs = destinationClaim("data-src", "cl-2");
    expect((await call(env, "POST", PVCS, { ...pvc(theirs), metadata: { name: theirs, labels: { owner: "someone" } } })).status).toBe(201);
    const result = await cancelMidway("data-02", "cl-2");
    expect(result.outcome).toBe("cancelled");
    expect(result.error?.message).toContain(`warning: the destination PersistentVolumeClaim default/${theirs} was not deleted`);
    expect(result.error?.message).toContain("vmshift did not create it");
    expect(claim(theirs)).toMatchObject({ metadata: { labels: { owner: "someone" } } });
    expect(claim(theirs).metadata.deletionTimestamp).toBeUndefined();
    expect(claim("data-src")).toBeDefined();
    // Left for a later cancel to retry: the record of what is still to delete stays on the VM.
    expect(JSON.parse(vm("data-02").metadata.annotations[VOLUME_RELEASE_ANNOTATION]).requestId).toBe("cl-2");
  });

  it("a deletion the API server refuses is a warning in the result; the claim stays until the VM's next storage migration deletes it", async () => {
    await claimVm("data-03", ["data-src"]);
    const to = destinationClaim("data-src", "cl-3");
    env.httpFaults.rules.push({ matches: (method, path) => method === "DELETE" && path.endsWith(`/persistentvolumeclaims/${to}`), count: 1, effect: { kind: "status", status: 403 } });
    const result = await cancelMidway("data-03", "cl-3");
    expect(result.outcome).toBe("cancelled");
    expect(result.error?.message).toMatch(new RegExp(`warning: the destination PersistentVolumeClaim default/${to} was not deleted \\(deleting it failed: PERMISSION_DENIED`));
    expect(claim(to).metadata.annotations[DESTINATION_ANNOTATION]).toBe("default/data-03");
    expect(claim("data-src")).toBeDefined();
    expect(JSON.parse(vm("data-03").metadata.annotations[VOLUME_RELEASE_ANNOTATION]).requestId).toBe("cl-3");
    // The next storage migration of the VM deletes the leftover first (then this one is cancelled too).
    const next = await cancelMidway("data-03", "cl-3b");
    expect(next.error?.message).not.toMatch(/warning/);
    expect(claim(to)).toBeUndefined();
    expect(claim(destinationClaim("data-src", "cl-3b"))).toBeUndefined();
    expect(Object.keys(vm("data-03").metadata.annotations ?? {})).not.toContain(VOLUME_RELEASE_ANNOTATION);
    expect(claim("data-src").metadata.deletionTimestamp).toBeUndefined();
  });
});

describe("a start that fails after creating destinations deletes them", () => {
  it("the second source claim is missing: the first destination, already created, is deleted; the VM untouched", async () => {
    expect((await call(env, "POST", PVCS, pvc("data-src"))).status).toBe(201);
    await claimVm("data-04", ["data-src", "gone-src"], false);
    const error = await client().startMigration({ vmId: "default/data-04", targetStorageId: "fast", requestId: "cl-4" }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "INVALID_STATE")).toBe(true);
    expect((error as Error).message).toContain("gone-src does not exist; the 1 destination(s) it had created were deleted");
    expect(claim(destinationClaim("data-src", "cl-4"))).toBeUndefined();
    expect(env.requests.filter((r) => r.startsWith("POST") && r.includes("persistentvolumeclaims")).length).toBe(2); // data-src by the test, its destination by vmshift
    expect(vm("data-04").spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe("data-src");
  });
});

describe("DataVolume volumes", () => {
  let cdi: CdiEnvironment;
  beforeEach(async () => {
    cdi = await CdiEnvironment.start(env, { stepMs: 10 });
  });
  afterEach(async () => {
    await cdi.close();
  });

  it("cancel deletes the blank destination DataVolume and (through it) its claim; the source DataVolume and claim stay", async () => {
    const blank = { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", metadata: { name: "dv-src" }, spec: { source: { blank: {} }, storage: { accessModes: ["ReadWriteOnce"], storageClassName: "local", resources: { requests: { storage: "10Gi" } } } } };
    expect((await call(env, "POST", DVS, blank)).status).toBe(201);
    await env.until(() => (env.store.get("datavolumes" as any, "default", "dv-src")?.status as any)?.phase === "Succeeded");
    const volumes = [{ name: "rootdisk", dataVolume: { name: "dv-src" } }];
    const template = { metadata: { name: "dv-src" }, spec: blank.spec };
    expect((await call(env, "POST", VM, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "dv-01" }, spec: { runStrategy: "Always", dataVolumeTemplates: [template], template: { spec: { ...disks(["rootdisk"]), volumes } } } })).status).toBe(201);
    await env.until(() => (env.store.get("virtualmachineinstances", "default", "dv-01")?.status as any)?.phase === "Running");
    const result = await cancelMidway("dv-01", "cl-5");
    expect(result.outcome).toBe("cancelled");
    expect(result.error?.message).not.toMatch(/warning/);
    const to = destinationClaim("dv-src", "cl-5");
    expect(env.store.get("datavolumes" as any, "default", to)).toBeUndefined();
    expect(claim(to)).toBeUndefined();
    expect(env.store.get("datavolumes" as any, "default", "dv-src")).toBeDefined();
    expect(claim("dv-src")).toBeDefined();
    expect(deletedInUse).toEqual([]);
    expect(vm("dv-01").spec.template.spec.volumes[0].dataVolume.name).toBe("dv-src");
  });
});

describe("claim protection (kubernetes.io/pvc-protection)", () => {
  it("a claim the running VMI uses stays Terminating when deleted, and goes once the VMI has stopped", async () => {
    await claimVm("data-05", ["data-src"]);
    expect((await call(env, "DELETE", `${PVCS}/data-src`)).status).toBe(200);
    expect(claim("data-src").metadata.deletionTimestamp).toBeTruthy();
    expect(deletedInUse).toEqual(["default/data-src"]);
    expect((await call(env, "PATCH", `${VM}/data-05`, { spec: { runStrategy: "Halted" } }, "application/merge-patch+json")).status).toBe(200);
    await env.until(() => claim("data-src") === undefined);
    expect(claim("data-src")).toBeUndefined();
  });
});
