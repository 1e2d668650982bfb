/**
 * Warm moves into KubeVirt on WaitForFirstConsumer storage, and a rollback whose transfer pod will
 * not go away, against kubevirt-env (API, CDI's blank DataVolumes, the kubelet running real
 * qemu-nbd). A blank DataVolume whose StorageClass binds `WaitForFirstConsumer` sits in phase
 * `WaitForFirstConsumer` with its claim Pending until a pod uses the claim (CDI
 * `doc/waitforfirstconsumer-storage-handling.md`): reserve starts a short first-consumer pod, waits
 * for `Succeeded`, removes that pod, and only then starts the transfer pod; the copier's bytes land
 * in the claim. `remove` deletes the VM and the DataVolumes even when the transfer pod's deletion is
 * lost, and reports the pod's error after. A cold move's upload DataVolume carries CDI's
 * `storage.bind.immediate.requested` annotation, so its upload does not wait for a consumer either.
 * The transfer pod's NBD ports are guarded by a NetworkPolicy (stored by kubevirt-env, not
 * enforced: the test checks what it selects and admits, and that it lives exactly as long as the pod). Needs qemu-img and qemu-nbd (Debian qemu-utils).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HttpKubeTransport } from "@vmshift/kubevirt";
import { type MappedDefinition, dataVolumeName, kubevirtMoveTarget, qemuImgCopier, transferPodName } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CdiEnvironment } from "./cdi.ts";
import type { KubevirtEnv } from "./env.ts";
import { type MoveCluster, startMoveCluster } from "./move-cluster.ts";
import type { Kubelet } from "./kubelet.ts";
import { STORAGE_CLASSES } from "./storage-classes.ts";

const NS = "default";
const MI = 1024 * 1024;
const DISK = 4 * MI;
const tools = spawnSync("qemu-nbd", ["--version"]).status === 0 && spawnSync("qemu-img", ["--version"]).status === 0;
if (process.env.CI === "true" && !tools) throw new Error("qemu-nbd and qemu-img (Debian qemu-utils) are required in CI");

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const signal = new AbortController().signal;

function definition(name: string, storageClass: string): MappedDefinition {
  return {
    id: name, name, targetName: name, cpus: 1, memoryBytes: 256 * MI, firmware: { kind: "bios" }, powerState: "running",
    disks: [{ key: "vda", bus: "virtio", format: "qcow2", sizeBytes: DISK, storage: "pool", targetStorage: storageClass, location: "/unused", bootOrder: 1 }],
    nics: [{ key: "nic0", network: "default", targetNetwork: "pod", mac: "52:54:00:00:00:01", model: "virtio" }],
  } as unknown as MappedDefinition;
}

describe.skipIf(!tools)("warm moves into kubevirt-env on WaitForFirstConsumer storage; rollback past a transfer pod that stays", { timeout: 45_000 }, () => {
  let cluster: MoveCluster;
  let env: KubevirtEnv;
  let cdi: CdiEnvironment;
  let kubelet: Kubelet;
  let api: HttpKubeTransport;
  let dir: string;
  beforeAll(async () => {
    cluster = await startMoveCluster({ dirPrefix: "warm-wffc-", kubelet: true });
    ({ env, cdi, dir } = cluster);
    api = cluster.api;
    kubelet = cluster.kubelet!;
    // As local-path / TopoLVM / EKS gp3 / GKE standard-rwo: binding waits for the first pod using the claim.
    env.store.create(STORAGE_CLASSES, "StorageClass", { metadata: { name: "local-wffc" }, provisioner: "rancher.io/local-path", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer" });
  });
  afterAll(async () => {
    await cluster?.close();
  });
  const target = (requester = api as Parameters<typeof kubevirtMoveTarget>[0]["api"], waitTimeoutMs = 8_000) => kubevirtMoveTarget({ api: requester, namespace: NS, uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, pollMs: 20, waitTimeoutMs, transfer: { image: "registry.example/qemu-nbd:1" } });

  it("the model: a blank DataVolume on a WaitForFirstConsumer class waits, claim Pending, while no pod uses it", async () => {
    const dv = "wffc-model-vda";
    env.store.create("datavolumes" as never, "DataVolume", { metadata: { name: dv, namespace: NS }, spec: { source: { blank: {} }, storage: { resources: { requests: { storage: "4Mi" } }, storageClassName: "local-wffc" } } });
    await new Promise((r) => setTimeout(r, 400));
    expect((env.store.get("datavolumes" as never, NS, dv) as any).status.phase).toBe("WaitForFirstConsumer");
    expect((env.store.get("persistentvolumeclaims" as never, NS, dv) as any).status.phase).toBe("Pending");
    env.store.delete("datavolumes" as never, NS, dv);
  });

  it("reserve binds the claims with a first-consumer pod, waits for Succeeded, then serves them; the copier's bytes land in the claim", async () => {
    const name = "wffc-01";
    const dv = dataVolumeName(name, "vda");
    const phases: string[] = [];
    const consumerSeen: string[] = [];
    const unsubscribe = env.store.subscribe((e) => {
      if (e.resource === ("datavolumes" as never) && e.object.metadata.name === dv) {
        const p = (e.object as any).status?.phase as string | undefined;
        if (p && phases.at(-1) !== p) phases.push(p);
      }
      if (e.resource === ("pods" as never) && e.type === "ADDED") consumerSeen.push(e.object.metadata.name);
    }) as (() => void) | undefined;
    const t = target();
    let reservation;
    try {
      reservation = await t.reserve(definition(name, "local-wffc"), { signal, mode: "warm" });
    } finally {
      unsubscribe?.();
    }
    expect(phases).toEqual(["Pending", "WaitForFirstConsumer", "Succeeded"]);
    expect(consumerSeen).toEqual([`${name}-vmshift-bind`, transferPodName(name)]);
    expect(env.store.get("pods" as never, NS, `${name}-vmshift-bind`)).toBeUndefined();
    expect((env.store.get("persistentvolumeclaims" as never, NS, dv) as any).status.phase).toBe("Bound");
    const pod = env.store.get("pods" as never, NS, transferPodName(name)) as any;
    expect(pod.status.phase).toBe("Running");
    // The NBD ports are guarded: a NetworkPolicy selecting exactly this pod admits only the mover's label in this namespace, on its ports.
    const policy = env.store.get("networkpolicies" as never, NS, transferPodName(name)) as any;
    expect(Object.entries(policy.spec.podSelector.matchLabels).every(([k, v]) => pod.metadata.labels[k] === v)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(["Ingress"]);
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { "vmshift.io/mover": "true" } } }], ports: pod.spec.containers.map((c: any) => ({ protocol: "TCP", port: c.ports[0].containerPort })) }]);

    const src = join(dir, "src.raw");
    const bytes = Buffer.alloc(DISK);
    for (let i = 0; i < DISK; i += 4096) bytes.write(`wffc ${i}`, i);
    writeFileSync(src, bytes);
    await qemuImgCopier().copy({ location: src, format: "raw" }, reservation.volumes[0]!, { signal });
    await t.start(reservation, { signal });
    expect(env.store.get("networkpolicies" as never, NS, transferPodName(name))).toBeUndefined();
    expect(await t.powerState(reservation, { signal })).toBe("running");
    expect(sha(cdi.imagePath(NS, dv))).toBe(sha(src));
  });

  it("a cold move on WaitForFirstConsumer storage uploads: its DataVolume asks CDI to bind at once (as virtctl --force-bind)", async () => {
    const name = "wffc-cold";
    const dv = dataVolumeName(name, "vda");
    const t = target();
    const reservation = await t.reserve(definition(name, "local-wffc"), { signal, mode: "cold" });
    expect((env.store.get("datavolumes" as never, NS, dv) as any).metadata.annotations).toMatchObject({ "cdi.kubevirt.io/storage.bind.immediate.requested": "true" });
    const src = join(dir, "cold.raw");
    writeFileSync(src, Buffer.alloc(DISK, 0x61));
    await t.writeDisk!({ location: src, format: "raw" } as never, reservation.volumes[0]!, { signal });
    expect((env.store.get("datavolumes" as never, NS, dv) as any).status.phase).toBe("Succeeded");
    expect(sha(cdi.imagePath(NS, dv))).toBe(sha(src));
    await t.remove(reservation, { signal });
  });

  it("remove deletes the VM and the DataVolumes when the transfer pod will not go away, then reports the pod's error", async () => {
    const name = "wffc-02";
    const t = target();
    const reservation = await t.reserve(definition(name, "local-path"), { signal, mode: "warm" });
    // A requester whose DELETE of the transfer pod is lost (the pod stays, as one stuck on a finalizer or an unreachable node would).
    const podPath = `/api/v1/namespaces/${NS}/pods/${transferPodName(name)}`;
    const lossy = { request: <T,>(r: Parameters<HttpKubeTransport["request"]>[0]) => (r.method === "DELETE" && r.path === podPath ? Promise.resolve({} as T) : api.request<T>(r)) };
    await expect(target(lossy, 1_500).remove(reservation, { signal })).rejects.toMatchObject({ code: "TIMEOUT", message: expect.stringContaining("were deleted, but its transfer pod was not removed") });
    expect(env.store.get("virtualmachines", NS, name)).toBeUndefined();
    expect(env.store.get("datavolumes" as never, NS, dataVolumeName(name, "vda"))).toBeUndefined();
    expect(env.store.get("pods" as never, NS, transferPodName(name))).toBeDefined();
    // The pod that stayed keeps its NetworkPolicy; once the pod goes, so does the policy.
    expect(env.store.get("networkpolicies" as never, NS, transferPodName(name))).toBeDefined();
    await t.remove(reservation, { signal });
    expect(env.store.get("pods" as never, NS, transferPodName(name))).toBeUndefined();
    expect(env.store.get("networkpolicies" as never, NS, transferPodName(name))).toBeUndefined();
  });

  it("allowFrom widens the policy to named namespaces and CIDRs; a malformed one is refused before anything is written", async () => {
    const make = (allowFrom: object) => kubevirtMoveTarget({ api, namespace: NS, uploadProxy: { url: cdi.uploadProxyUrl }, transfer: { image: "registry.example/qemu-nbd:1", allowFrom } as never });
    expect(() => make({ cidrs: ["10.0.0.0/33"] })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => make({ podLabels: {} })).toThrow(/admit every pod/);
    expect(() => make({ namespaces: ["Bad_NS"] })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    const name = "wffc-03";
    const t = kubevirtMoveTarget({ api, namespace: NS, uploadProxy: { url: cdi.uploadProxyUrl }, pollMs: 20, waitTimeoutMs: 8_000, transfer: { image: "registry.example/qemu-nbd:1", allowFrom: { podLabels: { app: "mover" }, namespaces: ["vmshift"], cidrs: ["10.1.2.3/32"] } } });
    const reservation = await t.reserve(definition(name, "local-path"), { signal, mode: "warm" });
    const policy = env.store.get("networkpolicies" as never, NS, transferPodName(name)) as any;
    expect(policy.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["vmshift"] }] }, podSelector: { matchLabels: { app: "mover" } } }, { ipBlock: { cidr: "10.1.2.3/32" } }]);
    await t.remove(reservation, { signal });
    expect(env.store.get("networkpolicies" as never, NS, transferPodName(name))).toBeUndefined();
  });
});
