/**
 * The KubeVirt move target's warm path against kubevirt-env (API, CDI's blank DataVolumes, the
 * kubelet running the transfer pod as real qemu-nbd processes): reserve with `mode: "warm"` makes
 * blank DataVolumes and a Ready transfer pod; the real qemu-img copier writes a full pass and a
 * delta at its offset into the pod's NBD exports; start deletes the pod (its qemu-nbd ends) and runs
 * the VM, and the claim's file holds the source's bytes. Without a transfer image the warm
 * preflight fails with `kubevirt.transferImage`; a transfer pod that fails rolls the reservation
 * back; remove deletes pod, VM and DataVolumes. Needs qemu-img and qemu-nbd (Debian qemu-utils).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { openSync, readFileSync, writeSync, closeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HttpKubeTransport, loadKubeConfig } from "@vmshift/kubevirt";
import { MOVE_RECORD_VERSION, type MappedDefinition, type MoveSource, createMover, dataVolumeName, kubevirtMoveTarget, qemuImgCopier, transferPodName } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CdiEnvironment } from "./cdi.ts";
import { KubevirtEnv } from "./env.ts";
import { type MoveCluster, acceptsTcp, startMoveCluster } from "./move-cluster.ts";
import { Kubelet } from "./kubelet.ts";

const NS = "default";
const MI = 1024 * 1024;
const DISK = 8 * MI;
const tools = spawnSync("qemu-nbd", ["--version"]).status === 0 && spawnSync("qemu-img", ["--version"]).status === 0;
if (process.env.CI === "true" && !tools) throw new Error("qemu-nbd and qemu-img (Debian qemu-utils) are required in CI");

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const signal = new AbortController().signal;

function definition(name: string): MappedDefinition {
  return {
    id: name, name, targetName: name, cpus: 1, memoryBytes: 256 * MI, firmware: { kind: "bios" }, powerState: "running",
    disks: [{ key: "vda", bus: "virtio", format: "qcow2", sizeBytes: DISK, storage: "pool", targetStorage: "local-path", location: "/unused", bootOrder: 1 }],
    nics: [{ key: "nic0", network: "default", targetNetwork: "pod", mac: "52:54:00:00:00:01", model: "virtio" }],
  } as unknown as MappedDefinition;
}


describe.skipIf(!tools)("warm moves into kubevirt-env: blank DataVolumes written over NBD through a transfer pod", { timeout: 60_000 }, () => {
  let cluster: MoveCluster;
  let env: KubevirtEnv;
  let cdi: CdiEnvironment;
  let kubelet: Kubelet;
  let api: HttpKubeTransport;
  let dir: string;
  beforeAll(async () => {
    cluster = await startMoveCluster({ dirPrefix: "warm-target-", kubelet: true });
    ({ env, cdi, dir } = cluster);
    api = cluster.api;
    kubelet = cluster.kubelet!;
  });
  afterAll(async () => {
    await cluster?.close();
  });
  const target = (transfer = true) => kubevirtMoveTarget({ api, namespace: NS, uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, pollMs: 20, waitTimeoutMs: 20_000, ...(transfer ? { transfer: { image: "registry.example/qemu-nbd:1" } } : {}) });

  it("refuses warm moves in preflight without a transfer image, naming the setting", async () => {
    const checks = await target(false).checkWarm!({ definition: definition("no-image") }, { signal });
    expect(checks).toEqual([expect.objectContaining({ id: "kubevirt.transferImage", severity: "error", message: expect.stringContaining("transferImage") })]);
    expect(await target().checkWarm!({ definition: definition("no-image") }, { signal })).toEqual([]);
    await expect(target(false).reserve(definition("no-image"), { signal, mode: "warm" })).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    expect(env.store.all("datavolumes" as never, NS).map((o) => o.metadata.name)).not.toContain(dataVolumeName("no-image", "vda"));
  });

  it("the mover's warm preflight asks the target (checkWarm) instead of refusing a target that uploads cold", async () => {
    // A test double of a source with change tracking: only what preflight reads.
    const def = definition("pre-01");
    const source = {
      platform: "test",
      readDefinition: async () => ({ ...def, disks: def.disks.map(({ targetStorage: _t, ...d }) => d), nics: def.nics.map(({ targetNetwork: _n, ...n }) => n) }),
      warm: { check: async () => [], beginPass: async () => { throw new Error("not in preflight"); }, finish: async () => undefined },
    } as unknown as MoveSource;
    const request = { from: source, vmId: "pre-01", mode: "warm" as const, storageMap: { pool: "local-path" }, networkMap: { default: "pod" } };
    const without = await createMover().preflight({ ...request, to: target(false) });
    expect(without.ok).toBe(false);
    expect(without.checks.filter((c) => c.severity === "error").map((c) => c.id)).toEqual(["kubevirt.transferImage"]);
    const withImage = await createMover().preflight({ ...request, to: target() });
    expect(withImage.checks.filter((c) => c.severity === "error")).toEqual([]);
    expect(env.store.all("datavolumes" as never, NS).map((o) => o.metadata.name)).not.toContain(dataVolumeName("pre-01", "vda"));
  });

  it("writes a full pass and a delta at its offset through the pod's NBD export; start ends the pod and runs the VM with the bytes", async () => {
    const t = target();
    const name = "warm-01";
    const reservation = await t.reserve(definition(name), { signal, mode: "warm" });
    const dv = dataVolumeName(name, "vda");
    expect((env.store.get("datavolumes" as never, NS, dv) as any).spec.source).toEqual({ blank: {} });
    const pod = env.store.get("pods" as never, NS, transferPodName(name)) as any;
    expect(pod.status.phase).toBe("Running");
    expect(pod.status.podIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(pod.spec.containers[0].command.slice(0, 1)).toEqual(["qemu-nbd"]);
    const [volume] = reservation.volumes;
    expect(volume!.location).toBe(`nbd://${pod.status.podIP}:10809/${dv}`);
    expect(volume!.protocol).toMatchObject({ driver: "nbd", export: dv });

    // The source: a raw image with a pattern; the full pass copies it, then one extent changes and the delta copies only it.
    const src = join(dir, "src.raw");
    const bytes = Buffer.alloc(DISK);
    for (let i = 0; i < DISK; i += 4096) bytes.write(`block ${i}`, i);
    writeFileSync(src, bytes);
    const copier = qemuImgCopier();
    await copier.copy({ location: src, format: "raw" }, volume!, { signal });
    const fd = openSync(src, "r+");
    writeSync(fd, Buffer.alloc(65536, 0x5a), 0, 65536, 3 * MI);
    closeSync(fd);
    const copied = await copier.copyExtents!({ location: src, format: "raw" }, volume!, [{ offset: 3 * MI, length: 65536 }], { signal });
    expect(copied).toBe(65536);

    await t.start(reservation, { signal });
    expect(env.store.get("pods" as never, NS, transferPodName(name))).toBeUndefined();
    expect(kubelet.running.size).toBe(0);
    expect(await acceptsTcp(pod.status.podIP, 10809)).toBe(false);
    expect(await t.powerState(reservation, { signal })).toBe("running");
    expect(sha(cdi.imagePath(NS, dv))).toBe(sha(src));
  });

  it("remove (rollback) deletes the transfer pod, the VM and the DataVolumes", async () => {
    const t = target();
    const reservation = await t.reserve(definition("warm-02"), { signal, mode: "warm" });
    const ip = (env.store.get("pods" as never, NS, transferPodName("warm-02")) as any).status.podIP as string;
    expect(await acceptsTcp(ip, 10809)).toBe(true);
    await t.remove(reservation, { signal });
    expect(env.store.get("pods" as never, NS, transferPodName("warm-02"))).toBeUndefined();
    expect(env.store.get("virtualmachines", NS, "warm-02")).toBeUndefined();
    expect(env.store.get("datavolumes" as never, NS, dataVolumeName("warm-02", "vda"))).toBeUndefined();
    expect(await acceptsTcp(ip, 10809)).toBe(false);
  });

  it("an attach after a restart rolls a warm move back from its record on the VM: pod, VM and DataVolumes gone, the source started again", async () => {
    const t = target();
    const name = "warm-04";
    const reservation = await t.reserve(definition(name), { signal, mode: "warm" });
    const ip = (env.store.get("pods" as never, NS, transferPodName(name)) as any).status.podIP as string;
    const now = new Date().toISOString();
    // The record a killed mover left (no owner: a process from before leases, so nothing holds it).
    await t.journal!.write({ version: MOVE_RECORD_VERSION, moveId: "move-r4", requestId: "r4", phase: "transferring", mode: "warm", source: { platform: "test", vmId: name }, sourceWasRunning: true, sourceStopAsked: true, reservation, startedAt: now, updatedAt: now }, { signal });
    // A test double of the source: stopped by the killed mover; records what attach asks of it.
    const asked: string[] = [];
    let power: "running" | "stopped" = "stopped";
    const def = definition(name);
    const source = {
      platform: "test",
      readDefinition: async () => ({ ...def, powerState: power, disks: def.disks.map(({ targetStorage: _t, ...d }) => d), nics: def.nics.map(({ targetNetwork: _n, ...n }) => n) }),
      powerState: async () => power,
      start: async () => void (asked.push("start"), (power = "running")),
      stop: async () => void asked.push("stop"),
      openDisk: async () => { throw new Error("not on rollback"); },
      warm: { check: async () => [], beginPass: async () => { throw new Error("not on rollback"); }, finish: async () => void asked.push("finish") },
    } as unknown as MoveSource;
    const task = await createMover().attach("move-r4", { from: source, to: t });
    const result = await task.wait();
    expect(result.attach?.action).toBe("rollback");
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running" });
    expect(asked).toEqual(["finish", "start"]);
    expect(env.store.get("pods" as never, NS, transferPodName(name))).toBeUndefined();
    expect(env.store.get("virtualmachines", NS, name)).toBeUndefined();
    expect(env.store.get("datavolumes" as never, NS, dataVolumeName(name, "vda"))).toBeUndefined();
    expect(await acceptsTcp(ip, 10809)).toBe(false);
  });

  it("a transfer pod that fails rolls the reservation back with the container's message", async () => {
    const env2 = await KubevirtEnv.start();
    const cdi2 = await CdiEnvironment.start(env2);
    const broken = Kubelet.start(env2, cdi2, { qemuNbd: "false" });
    const api2 = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: env2.kubeconfig() }) });
    try {
      const t = kubevirtMoveTarget({ api: api2, namespace: NS, uploadProxy: { url: cdi2.uploadProxyUrl }, pollMs: 20, waitTimeoutMs: 20_000, transfer: { image: "registry.example/qemu-nbd:1" } });
      await expect(t.reserve(definition("warm-03"), { signal, mode: "warm" })).rejects.toThrow(/transfer pod warm-03-vmshift-transfer.*Failed/);
      expect(env2.store.get("pods" as never, NS, transferPodName("warm-03"))).toBeUndefined();
      expect(env2.store.get("virtualmachines", NS, "warm-03")).toBeUndefined();
      expect(env2.store.get("datavolumes" as never, NS, dataVolumeName("warm-03", "vda"))).toBeUndefined();
    } finally {
      api2.close?.();
      await broken.close();
      await cdi2.close();
      await env2.close();
    }
  });
});
