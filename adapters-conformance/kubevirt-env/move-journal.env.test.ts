/**
 * The KubeVirt move target's journal against kubevirt-env (no lab needed): a move records itself
 * in the VirtualMachine's `vmshift.io/move` annotation once the DataVolumes and the VM are
 * reserved, naming its owner and a heartbeat; while that owner lives, a mover in "another process"
 * is refused (CONFLICT, nothing changed); once the first one is gone (stuck reading the source disk,
 * its API calls never answered, its short lease run out) a new mover finds the move by its id and
 * rolls it back — CDI uploads cannot be continued — removing the VM and DataVolumes; a completed
 * move is found and reported completed; two conditional writes of the record at once: the
 * resourceVersion precondition lets one through (the other's PATCH is a 409). Sources are test
 * doubles over a real raw file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HttpKubeTransport } from "@vmshift/kubevirt";
import { type KubeRequester, type MoveRecord, type MoveSource, type VmDefinition, createMover, dataVolumeName, isLeaseLive, kubevirtMoveTarget, parseMoveRecord } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CdiEnvironment } from "./cdi.ts";
import type { KubevirtEnv } from "./env.ts";
import { type MoveCluster, startMoveCluster } from "./move-cluster.ts";

const SIZE = 1024 * 1024;
/** Short enough to wait out; `LIVE` outlasts the test. */
const SHORT = { heartbeatMs: 50, leaseMs: 300 };
const LIVE = { heartbeatMs: 50, leaseMs: 30_000 };
const DEF = (name: string): VmDefinition => ({
  id: name, name, cpus: 1, memoryBytes: 64 * 1024 * 1024, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "running",
  disks: [{ key: "vda", sizeBytes: SIZE, format: "raw", bus: "virtio", storage: "local", device: "disk" }],
  nics: [],
});

/** A running VM over a raw file; while `hang`, openDisk does not return (the moving process is stuck). */
function source(file: string, state: { power: "running" | "stopped"; hang: boolean; calls: string[] }): MoveSource {
  return {
    platform: "file",
    readDefinition: async (id) => ({ ...DEF(id), powerState: state.power }),
    openDisk: async () => {
      state.calls.push("open");
      while (state.hang) await new Promise((r) => setTimeout(r, 10));
      return { location: file, format: "raw" as const, close: async () => {} };
    },
    stop: async () => void ((state.power = "stopped"), state.calls.push("stop")),
    start: async () => void ((state.power = "running"), state.calls.push("start")),
    powerState: async () => state.power,
  };
}

describe("the KubeVirt move target's journal (annotations on the VirtualMachine)", { timeout: 60_000 }, () => {
  let cluster: MoveCluster;
  let env: KubevirtEnv;
  let cdi: CdiEnvironment;
  let transport: HttpKubeTransport;
  let dir: string;
  beforeAll(async () => {
    cluster = await startMoveCluster({ dirPrefix: "move-journal-" });
    ({ env, cdi, dir } = cluster);
    transport = cluster.api;
    writeFileSync(join(dir, "disk.raw"), Buffer.alloc(SIZE, 7));
  });
  afterAll(async () => {
    await cluster?.close();
  });
  const target = (api: KubeRequester = transport) => kubevirtMoveTarget({ api, namespace: "default", uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, pollMs: 20 });
  const annotation = (name: string) => (env.store.get("virtualmachines", "default", name) as { metadata: { annotations?: Record<string, string> } } | undefined)?.metadata.annotations?.["vmshift.io/move"];
  const record = (name: string) => parseMoveRecord(annotation(name) ?? "");
  /** The first process's API: once `dead.is`, its requests never answer (the process is gone). */
  const dying = (dead: { is: boolean }): KubeRequester => ({ request: (r) => (dead.is ? new Promise(() => {}) : transport.request(r)) });
  const until = async (cond: () => boolean, ms = 10_000) => {
    for (const end = Date.now() + ms; !cond() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    expect(cond()).toBe(true);
  };

  it("records the move and its owner on the VM; once the owner is gone and its lease over, a new mover rolls it back (upload) and starts the source again; then NOT_FOUND", async () => {
    const state = { power: "running" as "running" | "stopped", hang: true, calls: [] as string[] };
    const dead = { is: false };
    const request = { from: source(join(dir, "disk.raw"), state), to: target(), vmId: "vm-stuck", storageMap: { local: "local-path" }, shutdownTimeoutMs: 100, requestId: "stuck-1" };
    const first = createMover({ lease: SHORT }).moveVm({ ...request, to: target(dying(dead)) });
    await until(() => state.calls.includes("open"));
    expect(first.snapshot().phase).toBe("transferring");
    const recorded = record("vm-stuck");
    expect(recorded).toMatchObject({ moveId: "move-stuck-1", phase: "transferring", sourceStopAsked: true, owner: { pid: process.pid }, leaseMs: 300 });
    dead.is = true;
    await until(() => !isLeaseLive(record("vm-stuck")!));
    state.hang = false;
    const result = await (await createMover().attach("move-stuck-1", { from: request.from, to: target() })).wait({ maxWaitMs: 30_000 });
    expect(result).toMatchObject({ outcome: "failed", attach: { action: "rollback", recordedPhase: "transferring" }, vmLocation: { side: "source", powerState: "running" } });
    expect(result.attach?.why).toContain("uploads whole disks itself");
    expect(env.store.get("virtualmachines", "default", "vm-stuck")).toBeUndefined();
    expect(env.store.get("datavolumes" as never, "default", dataVolumeName("vm-stuck", "vda"))).toBeUndefined();
    expect(state.calls.at(-1)).toBe("start");
    await expect(createMover().attach("move-stuck-1", { from: request.from, to: target() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("while the owner heartbeats, an attach and a retried start from another mover are refused (CONFLICT naming it) and change nothing", async () => {
    const state = { power: "running" as "running" | "stopped", hang: true, calls: [] as string[] };
    const request = { from: source(join(dir, "disk.raw"), state), to: target(), vmId: "vm-live", storageMap: { local: "local-path" }, shutdownTimeoutMs: 100, requestId: "live-1" };
    const first = createMover({ lease: LIVE }).moveVm(request);
    await until(() => state.calls.includes("open"));
    const owner = record("vm-live")!.owner!;
    const refused = await createMover().attach("move-live-1", { from: request.from, to: target() }).then(() => undefined, (e: unknown) => e as Error & { code: string });
    expect(refused?.code).toBe("CONFLICT");
    expect(refused?.message).toContain(`is still run by ${owner.host} pid ${owner.pid} (owner ${owner.id})`);
    const retried = await createMover().moveVm(request).wait({ maxWaitMs: 30_000 });
    expect(retried.error?.code).toBe("CONFLICT");
    expect(env.store.get("virtualmachines", "default", "vm-live")).toBeDefined();
    expect(env.store.get("datavolumes" as never, "default", dataVolumeName("vm-live", "vda"))).toBeDefined();
    expect(record("vm-live")!.owner).toEqual(owner);
    const beat = record("vm-live")!.heartbeatAt;
    await until(() => record("vm-live")!.heartbeatAt !== beat);
    expect(state.calls).not.toContain("start");
    const cancelled = first.cancel();
    state.hang = false;
    expect((await cancelled).outcome).toBe("cancelled");
    expect(env.store.get("virtualmachines", "default", "vm-live")).toBeUndefined();
  });

  it("two conditional writes of one record at once: the resourceVersion precondition lets exactly one through (the other's PATCH is a 409, read again and lost)", async () => {
    const state = { power: "running" as "running" | "stopped", hang: true, calls: [] as string[] };
    const dead = { is: false };
    const request = { from: source(join(dir, "disk.raw"), state), to: target(dying(dead)), vmId: "vm-race", storageMap: { local: "local-path" }, shutdownTimeoutMs: 100, requestId: "race-1" };
    createMover({ lease: SHORT }).moveVm(request);
    await until(() => state.calls.includes("open"));
    dead.is = true;
    const expected = record("vm-race")!;
    // Both writers read the VM before either patches it: the first two GETs' answers are held until both arrived.
    const held: (() => void)[] = [];
    let gets = 0;
    const conflicts: string[] = [];
    const barrier: KubeRequester = {
      async request<T>(r: Parameters<KubeRequester["request"]>[0]): Promise<T> {
        const answer = transport.request<T>(r).catch((e: unknown) => {
          if ((e as { code?: string }).code === "CONFLICT") conflicts.push(r.method);
          throw e;
        });
        if (r.method === "GET" && gets++ < 2) {
          await answer.catch(() => undefined);
          await new Promise<void>((go) => {
            held.push(go);
            if (held.length === 2) held.forEach((g) => g());
          });
        }
        return answer;
      },
    };
    const journal = target(barrier).journal!;
    const stamp = (id: string): MoveRecord => ({ ...expected, owner: { id, host: "h", pid: 1 }, updatedAt: new Date().toISOString() });
    const [a, b] = await Promise.all([journal.replace!(expected, stamp("a"), { signal: AbortSignal.timeout(10_000) }), journal.replace!(expected, stamp("b"), { signal: AbortSignal.timeout(10_000) })]);
    expect([a.written, b.written].filter(Boolean)).toHaveLength(1);
    expect(conflicts).toEqual(["PATCH"]);
    const winner = a.written ? "a" : "b";
    expect(record("vm-race")!.owner!.id).toBe(winner);
    expect((a.written ? b : a) as unknown).toMatchObject({ written: false, current: { owner: { id: winner } } });
    await createMover().attach("move-race-1", { from: request.from, to: target(), force: true }).then((t) => t.wait({ maxWaitMs: 30_000 }));
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
