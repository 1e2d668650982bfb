/**
 * The KubeVirt move target's journal against kubevirt-env (no lab needed): a move records itself
 * in the VirtualMachine's `vmshift.io/move` annotation once the DataVolumes and the VM are
 * reserved; a mover in "another process" (a new mover, the first one stuck for good while it reads
 * the source disk) finds it by the move id and rolls it back — CDI uploads cannot be continued —
 * removing the VM and DataVolumes; a completed move is found and reported completed. Sources are
 * test doubles over a real raw file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpKubeTransport, loadKubeConfig } from "@vmshift/kubevirt";
import { type MoveSource, type VmDefinition, createMover, dataVolumeName, kubevirtMoveTarget } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CdiEnvironment } from "./cdi.ts";
import { KubevirtEnv } from "./env.ts";

const SIZE = 1024 * 1024;
const DEF = (name: string): VmDefinition => ({
  id: name, name, cpus: 1, memoryBytes: 64 * 1024 * 1024, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [{ key: "vda", sizeBytes: SIZE, format: "raw", bus: "virtio", storage: "local", device: "disk" }],
  nics: [],
});

/** A running VM over a raw file; `hang` makes openDisk never return (the moving process is as good as dead). */
function source(file: string, state: { power: "running" | "stopped"; hang: boolean; calls: string[] }): MoveSource {
  return {
    platform: "file",
    readDefinition: async (id) => ({ ...DEF(id), powerState: state.power }),
    openDisk: () => (state.calls.push("open"), state.hang ? new Promise(() => {}) : Promise.resolve({ location: file, format: "raw" as const, close: async () => {} })),
    stop: async () => void ((state.power = "stopped"), state.calls.push("stop")),
    start: async () => void ((state.power = "running"), state.calls.push("start")),
    powerState: async () => state.power,
  };
}

describe("the KubeVirt move target's journal (annotations on the VirtualMachine)", { timeout: 60_000 }, () => {
  let env: KubevirtEnv;
  let cdi: CdiEnvironment;
  let transport: HttpKubeTransport;
  let dir: string;
  beforeAll(async () => {
    env = await KubevirtEnv.start();
    cdi = await CdiEnvironment.start(env);
    transport = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: env.kubeconfig() }) });
    dir = mkdtempSync(join(tmpdir(), "move-journal-"));
    writeFileSync(join(dir, "disk.raw"), Buffer.alloc(SIZE, 7));
  });
  afterAll(async () => {
    transport?.close?.();
    await cdi?.close();
    await env?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const target = () => kubevirtMoveTarget({ api: transport, namespace: "default", uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, pollMs: 20 });
  const annotation = (name: string) => (env.store.get("virtualmachines", "default", name) as { metadata: { annotations?: Record<string, string> } } | undefined)?.metadata.annotations?.["vmshift.io/move"];

  it("records the move on the VM; a new mover attaching to it rolls it back (upload) and starts the source again; then NOT_FOUND", async () => {
    const state = { power: "running" as "running" | "stopped", hang: true, calls: [] as string[] };
    const request = { from: source(join(dir, "disk.raw"), state), to: target(), vmId: "vm-stuck", storageMap: { local: "local-path" }, shutdownTimeoutMs: 100, requestId: "stuck-1" };
    const first = createMover().moveVm(request);
    for (let i = 0; i < 400 && !state.calls.includes("open"); i++) await new Promise((r) => setTimeout(r, 10));
    expect(first.snapshot().phase).toBe("transferring");
    const recorded = JSON.parse(annotation("vm-stuck") ?? "{}") as { moveId?: string; phase?: string; sourceStopAsked?: boolean };
    expect(recorded).toMatchObject({ moveId: "move-stuck-1", phase: "transferring", sourceStopAsked: true });
    state.hang = false;
    const result = await (await createMover().attach("move-stuck-1", { from: request.from, to: target() })).wait({ maxWaitMs: 30_000 });
    expect(result).toMatchObject({ outcome: "failed", attach: { action: "rollback", recordedPhase: "transferring" }, vmLocation: { side: "source", powerState: "running" } });
    expect(result.attach?.why).toContain("uploads whole disks itself");
    expect(env.store.get("virtualmachines", "default", "vm-stuck")).toBeUndefined();
    expect(env.store.get("datavolumes" as never, "default", dataVolumeName("vm-stuck", "vda"))).toBeUndefined();
    expect(state.calls.at(-1)).toBe("start");
    await expect(createMover().attach("move-stuck-1", { from: request.from, to: target() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a finished move is found by a retried start with its request id and reported completed, with nothing created twice", async () => {
    const state = { power: "running" as "running" | "stopped", hang: false, calls: [] as string[] };
    const request = { from: source(join(dir, "disk.raw"), state), to: target(), vmId: "vm-done", storageMap: { local: "local-path" }, shutdownTimeoutMs: 100, requestId: "done-1" };
    const result = await createMover().moveVm(request).wait({ maxWaitMs: 30_000 });
    expect(result.outcome, result.error?.message).toBe("completed");
    expect(JSON.parse(annotation("vm-done")!)).toMatchObject({ moveId: "move-done-1", phase: "completed" });
    const again = await createMover().moveVm(request).wait({ maxWaitMs: 30_000 });
    expect(again).toMatchObject({ outcome: "completed", attach: { action: "completed" } });
    expect(state.calls.filter((c) => c === "open")).toHaveLength(1);
  });
});
