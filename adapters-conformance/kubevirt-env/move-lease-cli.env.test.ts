/**
 * `vmshift move --attach` against a move that is still alive (kubevirt-env, no lab needed): a move
 * runs in this process (a mover whose source is stuck reading its disk, heartbeating its record in
 * the VirtualMachine's annotation); the CLI attaching to it exits 1 with `CONFLICT` naming the
 * owner (host, pid, id) and when its lease ends, and changes nothing on the cluster (VM,
 * DataVolume, record's owner). `--lease` shorter than twice `--heartbeat` is a usage error (exit 2).
 */
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { HttpKubeTransport } from "@vmshift/kubevirt";
import { type MoveSource, createMover, dataVolumeName, kubevirtMoveTarget, parseMoveRecord } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.ts";
import type { CdiEnvironment } from "./cdi.ts";
import type { KubevirtEnv } from "./env.ts";
import { type MoveCluster, startMoveCluster } from "./move-cluster.ts";

const SIZE = 1024 * 1024;

describe("vmshift move --attach while the move's process still holds its lease", { timeout: 60_000 }, () => {
  let cluster: MoveCluster;
  let env: KubevirtEnv;
  let cdi: CdiEnvironment;
  let transport: HttpKubeTransport;
  let dir: string;
  beforeAll(async () => {
    cluster = await startMoveCluster({ dirPrefix: "move-lease-cli-" });
    ({ env, cdi, dir } = cluster);
    transport = cluster.api;
    writeFileSync(join(dir, "disk.raw"), Buffer.alloc(SIZE, 3));
    cluster.writeKubeconfig();
    writeFileSync(join(dir, "cdi-ca.pem"), env.tls.cert);
    // The source profile is never reached: the refusal comes from the target's record.
    const profiles = { profiles: { src: { platform: "libvirt", hosts: [{ id: "a", uri: "qemu+unix:///system?socket=/nonexistent/vmshift-lease-cli" }] }, kv: { platform: "kubevirt", kubeconfig: join(dir, "kubeconfig"), namespace: "default", uploadProxyUrl: cdi.uploadProxyUrl, uploadProxyCa: { file: join(dir, "cdi-ca.pem") } } } };
    writeFileSync(join(dir, "config.yaml"), JSON.stringify(profiles), { mode: 0o600 });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("exits 1 with CONFLICT naming the owner and its lease's end; nothing on the cluster changes", async () => {
    const state = { hang: true, calls: [] as string[] };
    const source: MoveSource = {
      platform: "file",
      readDefinition: async (id) => ({ id, name: id, cpus: 1, memoryBytes: 64 << 20, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "stopped", disks: [{ key: "vda", sizeBytes: SIZE, format: "raw", bus: "virtio", storage: "local", device: "disk" }], nics: [] }),
      openDisk: async () => {
        state.calls.push("open");
        while (state.hang) await new Promise((r) => setTimeout(r, 10));
        return { location: join(dir, "disk.raw"), format: "raw" as const, close: async () => {} };
      },
      stop: async () => void state.calls.push("stop"),
      start: async () => void state.calls.push("start"),
      powerState: async () => "stopped",
    };
    const target = kubevirtMoveTarget({ api: transport, namespace: "default", uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, pollMs: 20 });
    const live = createMover({ lease: { heartbeatMs: 100, leaseMs: 30_000 } }).moveVm({ from: source, to: target, vmId: "vm-held", storageMap: { local: "local-path" }, requestId: "held-1" });
    for (let i = 0; i < 1000 && !state.calls.includes("open"); i++) await new Promise((r) => setTimeout(r, 10));
    const record = () => parseMoveRecord((env.store.get("virtualmachines", "default", "vm-held") as { metadata: { annotations?: Record<string, string> } } | undefined)?.metadata.annotations?.["vmshift.io/move"] ?? "");
    const owner = record()!.owner!;

    const r = await runCli(["move", "--attach", "move-held-1", "--from", "src", "--to", "kv", "--config", join(dir, "config.yaml")]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`CONFLICT: move move-held-1 is still run by ${hostname()} pid ${process.pid} (owner ${owner.id})`);
    expect(r.stderr).toMatch(/its lease ends at \d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+ s\)\. Nothing was changed\. Attach after that, or take it over with force \(--force\)/);
    const json = await runCli(["move", "--attach", "move-held-1", "--from", "src", "--to", "kv", "--config", join(dir, "config.yaml"), "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ event: "error", error: { code: "CONFLICT", operation: "move.attach", subject: "move-held-1" } });

    expect(record()!.owner).toEqual(owner);
    expect(env.store.get("datavolumes" as never, "default", dataVolumeName("vm-held", "vda"))).toBeDefined();
    expect(state.calls).toEqual(["open"]);
    expect(live.snapshot().phase).toBe("transferring");
    const cancelled = live.cancel();
    state.hang = false;
    expect((await cancelled).outcome).toBe("cancelled");
  });

  it("--lease shorter than twice --heartbeat is a usage error before any platform is asked", async () => {
    const r = await runCli(["move", "vm-x", "--from", "src", "--to", "kv", "--heartbeat", "1000", "--lease", "1500", "--config", join(dir, "config.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--lease 1500 must be at least twice the heartbeat (1000 ms)");
  });
});
