/**
 * Guest conversion at cutover into kubevirt-env: the KubeVirt target with a conversion image runs a
 * conversion pod (ConfigMap with the libvirt XML, every claim mounted) that kubevirt-env's kubelet
 * runs as a local process over the claims' files.
 *
 * What is real and what is a stand-in: the API server, CDI's upload, the kubelet, the pod's log
 * endpoint and kubectl are kubevirt-env's / the real ones. On the success path the program the
 * kubelet runs for `virt-v2v-in-place` is a stand-in shell script written below (a real conversion
 * of the Debian guest takes 200–330 s here; that is v2v-pod-lane.sh): it records the XML it was
 * given and the hashes of the files it names, and prints machine-readable progress. On the failure
 * path the real /usr/bin/virt-v2v-in-place runs and refuses an XML it cannot parse (the test's API
 * client empties the ConfigMap's XML on its way to the server): it fails in under a second with
 * its own error, which reaches the move's error through the termination message
 * (FallbackToLogsOnError), and the move rolls back. A warm move's transfer pod (real qemu-nbd) is
 * deleted before the conversion pod is created.
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpKubeTransport, loadKubeConfig } from "@vmshift/kubevirt";
import { type KubeRequester, type MappedDefinition, type MoveSource, type VmDefinition, conversionPodName, createMover, dataVolumeName, kubevirtMoveTarget } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CdiEnvironment } from "./cdi.ts";
import { KubevirtEnv } from "./env.ts";
import { Kubelet } from "./kubelet.ts";

const NS = "default";
const SIZE = 8 * 1024 * 1024;
const IMAGE = "registry.example/virt-v2v:2.2";
const V2V = "/usr/bin/virt-v2v-in-place";
const KUBECTL = process.env["KUBECTL"] ?? (existsSync("/usr/bin/kubectl") ? "/usr/bin/kubectl" : "kubectl");
const hasV2v = existsSync(V2V);
const hasQemuNbd = spawnSync("qemu-nbd", ["--version"]).status === 0;
const hasKubectl = spawnSync(KUBECTL, ["version", "--client"]).status === 0;
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const signal = new AbortController().signal;

/** A running VM from vSphere whose one disk (on SCSI, so `convert: auto` converts it) is a local raw file. */
function vsphereFileSource(name: string, file: string): MoveSource & { readonly calls: string[] } {
  const calls: string[] = [];
  let power: "running" | "stopped" = "running";
  const definition: VmDefinition = {
    id: name, name, cpus: 1, memoryBytes: 256 * 1024 * 1024, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running", guestOs: "debian12_64Guest",
    disks: [{ key: "scsi0:0", sizeBytes: SIZE, format: "raw", bus: "scsi", storage: "datastore1", device: "disk", bootOrder: 1 }],
    nics: [{ key: "4000", network: "VM Network", mac: "00:50:56:00:00:01", model: "vmxnet3" }],
  };
  return {
    platform: "vsphere",
    calls,
    readDefinition: async () => ({ ...definition, powerState: power }),
    openDisk: async () => ({ location: file, format: "raw", close: async () => undefined }),
    stop: async () => void (calls.push("stop"), (power = "stopped")),
    start: async () => void (calls.push("start"), (power = "running")),
    powerState: async () => power,
  };
}

describe("guest conversion in a conversion pod at cutover into kubevirt-env", { timeout: 60_000 }, () => {
  let env: KubevirtEnv;
  let cdi: CdiEnvironment;
  let api: HttpKubeTransport;
  let dir: string;
  let standIn: string;
  const kubelets: Kubelet[] = [];
  beforeAll(async () => {
    env = await KubevirtEnv.start();
    cdi = await CdiEnvironment.start(env);
    api = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: env.kubeconfig() }) });
    dir = mkdtempSync(join(tmpdir(), "conversion-pod-"));
    writeFileSync(join(dir, "kubeconfig"), env.kubeconfig(), { mode: 0o600 });
    // The stand-in for virt-v2v-in-place (success path only; see the module comment).
    standIn = join(dir, "virt-v2v-in-place");
    writeFileSync(standIn, [
      "#!/bin/sh",
      `[ "$1 $2 $3" = "-i libvirtxml --machine-readable" ] || { echo "stand-in: unexpected argv: $*" >&2; exit 2; }`,
      `cp "$4" '${dir}/seen.xml'`,
      `for f in $(sed -n "s/.*<source file='\\([^']*\\)'.*/\\1/p" "$4"); do sha256sum "$f" >> '${dir}/seen.sha'; done`,
      `echo "$LIBGUESTFS_BACKEND" > '${dir}/seen.backend'`,
      `echo '{ "message": "Opening the source", "timestamp": "2026-12-07T23:00:00+00:00", "type": "message" }'`,
      "echo '[   0.1] Opening the source'",
      "echo '0/100'; sleep 0.3; echo '50/100'; sleep 0.3; echo '100/100'",
      "",
    ].join("\n"));
    chmodSync(standIn, 0o755);
  });
  afterAll(async () => {
    api?.close?.();
    for (const k of kubelets) await k.close();
    await cdi?.close();
    await env?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const target = (requester: KubeRequester = api, conversion = true) =>
    kubevirtMoveTarget({ api: requester, namespace: NS, uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, pollMs: 20, waitTimeoutMs: 20_000, ...(conversion ? { conversion: { image: IMAGE } } : {}) });
  const maps = { storageMap: { datastore1: "local-path" }, networkMap: { "VM Network": "pod" } };

  it("preflight: always without a conversion image is an error naming conversionImage; with one, auto and always convert in the pod", async () => {
    const source = vsphereFileSource("pre-01", "/unused");
    const without = await createMover().preflight({ from: source, to: target(api, false), vmId: "pre-01", ...maps, convert: { mode: "always" } });
    expect(without.checks.filter((c) => c.severity === "error")).toEqual([expect.objectContaining({ id: "guest.conversion", message: expect.stringContaining("conversionImage") })]);
    const autoWithout = await createMover().preflight({ from: source, to: target(api, false), vmId: "pre-01", ...maps });
    expect(autoWithout.checks.find((c) => c.id === "guest.conversion")).toMatchObject({ severity: "warning" });
    for (const mode of ["auto", "always"] as const) {
      const withImage = await createMover().preflight({ from: source, to: target(), vmId: "pre-01", ...maps, convert: { mode } });
      expect(withImage.checks.find((c) => c.id === "guest.conversion")).toMatchObject({ severity: "info", message: expect.stringContaining(`converted at cutover with virt-v2v-in-place (conversion pod, image ${IMAGE})`) });
      expect(withImage.checks.filter((c) => c.severity === "error")).toEqual([]);
    }
  });

  it("converts after the disks are written and before runStrategy Always: the pod sees the claims' bytes at their mount paths, its progress is followed, pod and ConfigMap are deleted, the VM is on virtio", async () => {
    kubelets.push(Kubelet.start(env, cdi, { virtV2vInPlace: standIn }));
    const raw = join(dir, "src.raw");
    const bytes = Buffer.alloc(SIZE);
    for (let i = 0; i < SIZE; i += 4096) bytes.write(`block ${i}`, i);
    writeFileSync(raw, bytes);
    const events: string[] = [];
    const unsubscribe = env.store.subscribe((e) => {
      const o = e.object as any;
      if (e.resource === ("datavolumes" as never) && o.status?.phase === "Succeeded" && !events.includes("dv Succeeded")) events.push("dv Succeeded");
      if (e.resource === ("pods" as never) && e.type === "ADDED") events.push(`pod ${o.metadata.name}`);
      if (e.resource === ("configmaps" as never)) events.push(`configmap ${e.type}`);
      if (e.resource === "virtualmachines" && o.spec?.runStrategy === "Always" && !events.includes("vm Always")) events.push("vm Always");
    });
    const source = vsphereFileSource("conv-01", raw);
    const task = createMover().moveVm({ from: source, to: target(), vmId: "conv-01", ...maps });
    const messages: string[] = [];
    for await (const s of task.events()) if (s.progress.message) messages.push(s.progress.message);
    const result = await task.wait();
    unsubscribe();
    expect(result.error?.message).toBeUndefined();
    expect(result.outcome).toBe("completed");
    const pod = conversionPodName("conv-01");
    expect(events).toEqual(["dv Succeeded", "configmap ADDED", `pod ${pod}`, "configmap DELETED", "vm Always"]);
    const claimFile = cdi.imagePath(NS, dataVolumeName("conv-01", "scsi0:0"));
    // The XML named the claim at its in-pod path; the kubelet mapped it onto the claim's file, which held the copied bytes.
    expect(readFileSync(join(dir, "seen.xml"), "utf8")).toContain(`<source file='${claimFile}'/><target dev='sda' bus='scsi'/>`);
    expect(readFileSync(join(dir, "seen.sha"), "utf8").split(/\s+/)[0]).toBe(sha(raw));
    expect(readFileSync(join(dir, "seen.backend"), "utf8").trim()).toBe("direct");
    expect(messages).toContain(`converting conv-01 with virt-v2v-in-place (conversion pod, image ${IMAGE}): Opening the source`);
    expect(messages).toContain(`converting conv-01 with virt-v2v-in-place (conversion pod, image ${IMAGE}): 50%`);
    expect(env.store.get("pods" as never, NS, pod)).toBeUndefined();
    expect(env.store.get("configmaps" as never, NS, pod)).toBeUndefined();
    const vm = env.store.get("virtualmachines", NS, "conv-01") as any;
    expect(vm.spec.template.spec.domain.devices.disks).toEqual([{ name: "disk0", disk: { bus: "virtio" }, bootOrder: 1 }]);
    expect(vm.spec.template.spec.domain.devices.interfaces[0].model).toBe("virtio");
  });

  it.skipIf(!hasQemuNbd)("a warm move's conversion ends the transfer pod first (nothing writes the claims meanwhile), then converts the claim it served", async () => {
    for (const k of kubelets.splice(0)) await k.close();
    kubelets.push(Kubelet.start(env, cdi, { virtV2vInPlace: standIn }));
    const t = kubevirtMoveTarget({ api, namespace: NS, uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, pollMs: 20, waitTimeoutMs: 20_000, conversion: { image: IMAGE }, transfer: { image: "registry.example/qemu-nbd:1" } });
    const def = { id: "conv-03", name: "conv-03", targetName: "conv-03", cpus: 1, memoryBytes: 256 * 1024 * 1024, firmware: { kind: "bios" }, powerState: "running", guestOs: "debian12_64Guest",
      disks: [{ key: "sda", bus: "sata", format: "raw", sizeBytes: SIZE, storage: "datastore1", targetStorage: "local-path", device: "disk", bootOrder: 1 }], nics: [] } as unknown as MappedDefinition;
    const reservation = await t.reserve(def, { signal, mode: "warm" });
    expect(reservation.volumes[0]!.protocol).toBeDefined();
    const order: string[] = [];
    const unsubscribe = env.store.subscribe((e) => {
      if (e.resource === ("pods" as never) && (e.type === "ADDED" || e.type === "DELETED")) order.push(`${e.type} ${e.object.metadata.name}`);
    });
    await t.converter!.convert({ name: "conv-03", definition: def, volumes: reservation.volumes }, { signal });
    unsubscribe();
    expect(order).toEqual(["DELETED conv-03-vmshift-transfer", "ADDED conv-03-vmshift-convert", "DELETED conv-03-vmshift-convert"]);
    expect(readFileSync(join(dir, "seen.xml"), "utf8")).toContain(`<source file='${cdi.imagePath(NS, dataVolumeName("conv-03", "sda"))}'/><target dev='sda' bus='sata'/>`);
    await t.remove(reservation, { signal });
  });

  it.skipIf(!hasV2v)("a conversion pod that fails (real virt-v2v-in-place refusing the XML) rolls the move back with its termination message", async () => {
    for (const k of kubelets.splice(0)) await k.close();
    kubelets.push(Kubelet.start(env, cdi));
    const raw = join(dir, "src2.raw");
    writeFileSync(raw, Buffer.alloc(SIZE, 1));
    // The test's API client empties the XML on its way to the server (the only test double here).
    const emptying: KubeRequester = {
      request: (r) => api.request(r.method === "POST" && r.path.endsWith("/configmaps") ? { ...r, body: { ...(r.body as object), data: { "domain.xml": "" } } } : r),
      requestText: (r) => api.requestText(r),
    };
    const source = vsphereFileSource("conv-02", raw);
    const t0 = Date.now();
    const result = await createMover().moveVm({ from: source, to: target(emptying), vmId: "conv-02", ...maps }).wait();
    expect(result.outcome).toBe("failed");
    expect(result.error?.message).toMatch(/guest conversion failed: conversion pod conv-02-vmshift-convert exited 1 \(Error\): .*unable to parse XML/);
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running" });
    expect(source.calls).toEqual(["stop", "start"]);
    expect(env.store.get("virtualmachines", NS, "conv-02")).toBeUndefined();
    expect(env.store.get("datavolumes" as never, NS, dataVolumeName("conv-02", "scsi0:0"))).toBeUndefined();
    expect(env.store.get("pods" as never, NS, conversionPodName("conv-02"))).toBeUndefined();
    expect(env.store.get("configmaps" as never, NS, conversionPodName("conv-02"))).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it.skipIf(!hasV2v || !hasKubectl)("kubectl sees a failed conversion pod, its ConfigMap and its log as the API serves them", async () => {
    const kubectl = (args: string[], input?: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(KUBECTL, ["--kubeconfig", join(dir, "kubeconfig"), ...args], { timeout: 20_000 }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }));
        if (input !== undefined) child.stdin!.end(input);
      });
    for (const k of kubelets.splice(0)) await k.close();
    kubelets.push(Kubelet.start(env, cdi));
    const name = conversionPodName("shown-01");
    const manifests = {
      apiVersion: "v1", kind: "List", items: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data: { "domain.xml": "" } },
        { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS }, spec: { restartPolicy: "Never", containers: [{ name: "virt-v2v", image: IMAGE, command: ["virt-v2v-in-place", "-i", "libvirtxml", "--machine-readable", "/etc/vmshift-convert/domain.xml"], terminationMessagePolicy: "FallbackToLogsOnError", volumeMounts: [{ name: "domain-xml", mountPath: "/etc/vmshift-convert", readOnly: true }] }], volumes: [{ name: "domain-xml", configMap: { name } }] } },
      ],
    };
    const applied = await kubectl(["create", "--validate=false", "-f", "-"], JSON.stringify(manifests));
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const waited = await kubectl(["wait", "--for=jsonpath={.status.phase}=Failed", `pod/${name}`, "--timeout=20s"]);
    expect(waited).toMatchObject({ stderr: "", code: 0 });
    const get = await kubectl(["get", "pod", name, "--no-headers"]);
    expect(get.stdout.split(/\s+/).slice(0, 3)).toEqual([name, "0/1", "Error"]);
    expect((await kubectl(["get", "configmap", name, "--no-headers"])).stdout.split(/\s+/).slice(0, 2)).toEqual([name, "1"]);
    const logs = await kubectl(["logs", name]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("virt-v2v-in-place: error: internal error: invalid argument: parse_memory: unable to parse XML");
    expect(logs.stdout).toBe(await api.requestText({ method: "GET", path: `/api/v1/namespaces/${NS}/pods/${name}/log` }));
    const tail = await kubectl(["logs", name, "--tail=1"]);
    expect(logs.stdout.trimEnd().endsWith(tail.stdout.trimEnd())).toBe(true);
    expect(tail.stdout.trim().split("\n")).toHaveLength(1);
    const message = await kubectl(["get", "pod", name, "-o", "jsonpath={.status.containerStatuses[0].state.terminated.message}"]);
    expect(message.stdout).toContain("unable to parse XML");
    expect((await kubectl(["delete", "pod,configmap", name])).code).toBe(0);
    expect((await kubectl(["logs", name])).code).not.toBe(0);
  });
});
