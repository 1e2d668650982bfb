/**
 * The real kubectl (≥ 1.28; CI has /usr/bin/kubectl 1.32) sees a warm move's transfer pod in
 * kubevirt-env as it would in a cluster: `pods` in api-resources, `get pods` (and `-o wide`) with
 * the pod printer's columns, Ready, Running and the pod's IP, the qemu-nbd command, `wait
 * --for=condition=Ready`; `kubectl delete pod` stops its qemu-nbd (the NBD port closes). A pod whose
 * command is not qemu-nbd fails with ContainerCannotRun. Needs kubectl and qemu-nbd.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { HttpKubeTransport } from "@vmshift/kubevirt";
import { type MappedDefinition, kubevirtMoveTarget, transferPodName } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CdiEnvironment } from "./cdi.ts";
import type { KubevirtEnv } from "./env.ts";
import { type MoveCluster, acceptsTcp, startMoveCluster } from "./move-cluster.ts";
import type { Kubelet } from "./kubelet.ts";

const KUBECTL = process.env["KUBECTL"] ?? (existsSync("/usr/bin/kubectl") ? "/usr/bin/kubectl" : "kubectl");
const tools = spawnSync(KUBECTL, ["version", "--client"]).status === 0 && spawnSync("qemu-nbd", ["--version"]).status === 0;
if (process.env.CI === "true" && !tools) throw new Error("kubectl and qemu-nbd are required in CI");
const MI = 1024 * 1024;
const VM = "shown-01";
const POD = transferPodName(VM);

let cluster: MoveCluster;
let env: KubevirtEnv;
let cdi: CdiEnvironment;
let kubelet: Kubelet;
let api: HttpKubeTransport;
let dir: string;
let kubectlEnv: NodeJS.ProcessEnv;

function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, args, { env: kubectlEnv, timeout: 20_000 }, (error, stdout, stderr) => resolve({ code: error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : -1) : 0, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}
async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(!tools)("kubectl and a warm move's transfer pod", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    cluster = await startMoveCluster({ dirPrefix: "kubectl-pods-", kubelet: true });
    ({ env, cdi, dir } = cluster);
    api = cluster.api;
    kubelet = cluster.kubelet!;
    cluster.writeKubeconfig();
    kubectlEnv = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: join(dir, "home"), KUBECACHEDIR: join(dir, "cache"), KUBECONFIG: join(dir, "kubeconfig") };
    const target = kubevirtMoveTarget({ api, namespace: "default", uploadProxy: { url: cdi.uploadProxyUrl }, pollMs: 20, waitTimeoutMs: 20_000, transfer: { image: "registry.example/qemu-nbd:1" } });
    const definition = {
      id: VM, name: VM, targetName: VM, cpus: 1, memoryBytes: 256 * MI, firmware: { kind: "bios" }, powerState: "running",
      disks: [
        { key: "vda", bus: "virtio", format: "raw", sizeBytes: 4 * MI, storage: "p", targetStorage: "local-path", location: "/unused" },
        { key: "vdb", bus: "virtio", format: "raw", sizeBytes: 2 * MI, storage: "p", targetStorage: "local-path", location: "/unused" },
      ],
      nics: [],
    } as unknown as MappedDefinition;
    await target.reserve(definition, { signal: new AbortController().signal, mode: "warm" });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("lists pods among the core resources (short name po)", async () => {
    const out = await ok(["api-resources", "--api-group="]);
    expect(out.split("\n").find((l) => l.startsWith("pods "))).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/);
  });

  it("get pods shows the transfer pod Ready 2/2 and Running; -o wide its IP; its containers run qemu-nbd per claim", async () => {
    const ip = (env.store.get("pods" as never, "default", POD) as { status: { podIP: string } }).status.podIP;
    const lines = (await ok(["get", "pods"])).trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines[1]).toMatch(new RegExp(`^${POD}\\s+2/2\\s+Running\\s+0\\s+\\d+s$`));
    const wide = (await ok(["get", "pods", "-o", "wide"])).trim().split("\n");
    expect(wide[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(wide[1]!.split(/\s+/)[5]).toBe(ip);
    const commands = JSON.parse(await ok(["get", "pod", POD, "-o", "jsonpath={.spec.containers[*].command}"]).then((s) => `[${s.trim().replace(/\] \[/g, "],[")}]`)) as string[][];
    expect(commands.map((c) => c[0])).toEqual(["qemu-nbd", "qemu-nbd"]);
    expect(commands[1]).toContain("--port=10810");
    expect(await ok(["wait", "--for=condition=Ready", `pod/${POD}`, "--timeout=10s"])).toContain("condition met");
    expect(await acceptsTcp(ip, 10809)).toBe(true);
    expect(await acceptsTcp(ip, 10810)).toBe(true);
  });

  it("kubectl delete pod stops its qemu-nbd", async () => {
    const ip = (env.store.get("pods" as never, "default", POD) as { status: { podIP: string } }).status.podIP;
    expect(await ok(["delete", "pod", POD])).toContain(`pod "${POD}" deleted`);
    for (let i = 0; i < 50 && (await acceptsTcp(ip, 10809)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await acceptsTcp(ip, 10809)).toBe(false);
    expect((await kubectl(["get", "pods"])).stderr).toContain("No resources found");
  });

  it("a pod whose claim does not exist stays Pending, unschedulable, and is not rewritten while it waits", async () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: waits\nspec:\n  containers:\n  - name: nbd\n    image: x\n    command: [qemu-nbd, --persistent, /mnt/d/disk.img]\n    volumeMounts: [{name: d, mountPath: /mnt/d}]\n  volumes:\n  - name: d\n    persistentVolumeClaim: {claimName: nowhere}\n";
    await ok(["create", "-f", "-"], pod);
    await ok(["wait", "--for=condition=PodScheduled=False", "pod/waits", "--timeout=10s"]);
    const first = JSON.parse(await ok(["get", "pod", "waits", "-o", "json"]));
    expect(first.status.phase).toBe("Pending");
    expect(first.status.conditions[0].message).toContain('persistentvolumeclaim "nowhere" not found');
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.parse(await ok(["get", "pod", "waits", "-o", "json"])).metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect((await ok(["get", "pod", "waits"])).trim().split("\n")[1]).toMatch(/^waits\s+0\/1\s+Pending\s+0/);
    await ok(["delete", "pod", "waits"]);
  });

  it("a pod whose command is not qemu-nbd fails with ContainerCannotRun", async () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: shell\nspec:\n  restartPolicy: Never\n  containers:\n  - name: sh\n    image: busybox\n    command: [sh, -c, 'sleep 1']\n";
    await ok(["create", "-f", "-"], pod);
    await ok(["wait", "--for=jsonpath={.status.phase}=Failed", "pod/shell", "--timeout=10s"]);
    expect((await ok(["get", "pod", "shell"])).trim().split("\n")[1]).toMatch(/^shell\s+0\/1\s+ContainerCannotRun\s+0/);
  });
});
