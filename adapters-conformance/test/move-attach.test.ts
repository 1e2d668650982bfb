/**
 * Attach after a restart, with a process really killed: `vmshift move` runs as a child process on
 * the libvirt lab (host a → host b, cold), is SIGKILLed while it stops the source (mid-transfer,
 * the volumes reserved and the record in the domain's metadata on b), then a new process finds the
 * move from that record alone — refused (exit 1, CONFLICT naming the killed process) while that
 * process's short lease lasts, then `vmshift move --attach <id>` resumes it (cold copies are whole-disk,
 * so the copy starts again), and a retried start with the same request id in the library attaches
 * too instead of starting a second move. A killed warm move is rolled back (its passes lived in the
 * dead process). `--cutover-at` and `--remove-source` run through the CLI too. Disk hashes and
 * power states are read back from the hosts. Skipped when the lab
 * cannot run here; with CI=true a missing lab is a failure.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MoveResult, createMover } from "@vmshift/move";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.ts";
import { labUri, virsh } from "../libvirt-lab/lab.ts";
import { DST_POOL, MOVE_DIR, MOVE_DISK, MOVE_VM, SRC_POOL } from "../libvirt-lab/move-lab.ts";
import { runAndKill } from "../src/move/kill-mid-move.ts";
import { libvirtLocalSource, libvirtLocalTarget } from "../src/move/libvirt-local.ts";
import type { SourceSession, TargetSession } from "../src/move/side.ts";
import { pairAvailable } from "./move-suite-helpers.ts";

const ok = await pairAvailable("libvirt-local", "libvirt-local");
const DISK = 8 * 1024 * 1024;

/** The killed moves' heartbeat and lease (ms): short, so that a test waits the lease out in seconds. */
const LEASE = { heartbeat: 300, lease: 2000 };
/** Runs `vmshift move …` (with the short lease) as a child and SIGKILLs it `afterMs` after its JSON output shows `phase`; resolves with the lines it printed. */
const killDuring = (argv: readonly string[], phase: string, afterMs: number) => runAndKill([...argv, "--heartbeat", String(LEASE.heartbeat), "--lease", String(LEASE.lease)], phase, afterMs, { XDG_CONFIG_HOME: "/nonexistent/vmshift-test-xdg" });
/** Waits until the killed process's lease is over (its last heartbeat was before the kill). */
const leaseOver = () => new Promise((r) => setTimeout(r, LEASE.lease + 100));

describe.skipIf(!ok)("attach to a move whose process was killed (libvirt lab, a → b)", { timeout: 120_000 }, () => {
  let source: SourceSession;
  let target: TargetSession;
  const config = join(MOVE_DIR, "attach-config.yaml");
  const maps = ["--storage-map", `${SRC_POOL}=${DST_POOL}:raw`, "--network-map", "user=user"];
  // Fresh sides for every test (closing the target removes what the moves left on b); the lab stays held in between.
  beforeEach(async () => {
    source = await libvirtLocalSource.open();
    target = await libvirtLocalTarget.open();
    mkdirSync(MOVE_DIR, { recursive: true });
    writeFileSync(config, `profiles:\n  lab-a:\n    platform: libvirt\n    hosts: [{ id: a, uri: '${labUri("a")}' }]\n  lab-b:\n    platform: libvirt\n    hosts: [{ id: b, uri: '${labUri("b")}' }]\n`);
  }, 600_000);
  afterEach(async () => {
    await target?.leftovers(MOVE_VM);
    await target?.close();
    await source?.close();
  });

  it("vmshift move --attach resumes a cold move killed mid-transfer: byte-identical, the target runs, the source stopped", async () => {
    const vm = await source.createVm({ diskBytes: DISK });
    const before = await source.diskHashes(vm);
    const requestId = `attach-cli-${Date.now()}`;
    const printed = await killDuring(["move", vm.vmId, "--from", "lab-a", "--to", "lab-b", ...maps, "--shutdown-timeout", "4000", "--request-id", requestId, "--json", "--config", config], "transferring", 1000);
    expect(printed.some((l) => l.includes('"outcome"'))).toBe(false); // it never finished
    const recorded = await virsh("b", ["metadata", "--domain", vm.name, "--uri", "urn:vmshift:move:1", "--config"]);
    expect(recorded.stdout).toContain(`move-${requestId}`);
    // The killed process's lease still holds: --attach is refused (exit 1, CONFLICT naming it) and changes nothing.
    const refused = await runCli(["move", "--attach", `move-${requestId}`, "--from", "lab-a", "--to", "lab-b", "--config", config]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`CONFLICT: move move-${requestId} is still run by .+ pid \\d+ \\(owner [0-9a-f-]+\\): its last heartbeat was at .+ and its lease ends at .+ Nothing was changed`));
    expect((await virsh("b", ["metadata", "--domain", vm.name, "--uri", "urn:vmshift:move:1", "--config"])).stdout).toBe(recorded.stdout);
    await leaseOver();
    const r = await runCli(["move", "--attach", `move-${requestId}`, "--from", "lab-a", "--to", "lab-b", "--shutdown-timeout", "500", "--json", "--config", config]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as MoveResult;
    expect(result.outcome).toBe("completed");
    expect(result.attach).toMatchObject({ action: "resume", recordedPhase: expect.stringMatching(/^(requested|transferring)$/) });
    expect(result.attach?.why).toContain("whole-disk copies are idempotent");
    expect(await target.diskHashes(vm.name, ["vdb"])).toEqual(before);
    expect(await target.powerState(vm.name)).toBe("running");
    expect(await source.powerState(vm)).toBe("stopped");
  });

  it("a retried start with the same request id in a new process attaches to the killed move instead of starting another", async () => {
    const vm = await source.createVm({ diskBytes: DISK });
    const before = await source.diskHashes(vm);
    const requestId = `attach-retry-${Date.now()}`;
    await killDuring(["move", vm.vmId, "--from", "lab-a", "--to", "lab-b", ...maps, "--shutdown-timeout", "4000", "--request-id", requestId, "--json", "--config", config], "transferring", 1000);
    await leaseOver();
    const request = { from: source.source, to: target.target(), vmId: vm.vmId, storageMap: target.storageMap(vm.storages), networkMap: target.networkMap(vm.networks), shutdownTimeoutMs: 500, requestId };
    const task = createMover().moveVm(request);
    expect(task.id).toBe(`move-${requestId}`);
    const result = await task.wait({ maxWaitMs: 90_000 });
    expect(result.error?.message).toBeUndefined();
    expect(result.outcome).toBe("completed");
    expect(result.attach?.action).toBe("resume");
    expect(await target.diskHashes(vm.name, ["vdb"])).toEqual(before);
    expect(await target.leftovers(vm.name)).toEqual([`domain ${vm.name}`, `volume ${DST_POOL}/${vm.name}-vdb.img`]);
  });

  it("a warm move killed mid-transfer is rolled back on attach: nothing left on b, the source running", async () => {
    const vm = await source.createVm({ diskBytes: DISK });
    const requestId = `attach-warm-${Date.now()}`;
    await killDuring(["move", vm.vmId, "--from", "lab-a", "--to", "lab-b", ...maps, "--warm", "--max-passes", "3", "--converged-bytes", "0", "--request-id", requestId, "--json", "--config", config], "transferring", 300);
    await leaseOver();
    const task = await createMover().attach(`move-${requestId}`, { from: source.source, to: target.target(), shutdownTimeoutMs: 500 });
    const result = await task.wait({ maxWaitMs: 90_000 });
    expect(result.outcome).toBe("failed");
    expect(result.attach).toMatchObject({ action: "rollback" });
    expect(result.error?.message).toContain("is rolled back: a warm move's passes and checkpoints lived in the interrupted process");
    expect(await target.leftovers(vm.name)).toEqual([]);
    expect(await source.powerState(vm)).toBe("running");
    await expect(createMover().attach(`move-${requestId}`, { from: source.source, to: target.target() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("vmshift move --cutover-at <in 3 s> --remove-source: stops the source only at that time, then undefines it and keeps its disk", async () => {
    const vm = await source.createVm({ diskBytes: DISK });
    const before = await source.diskHashes(vm);
    const at = new Date(Date.now() + 3000);
    const r = await runCli(["move", vm.vmId, "--from", "lab-a", "--to", "lab-b", ...maps, "--shutdown-timeout", "500", "--cutover-at", at.toISOString(), "--remove-source", "--json", "--config", config]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { message?: string; phase?: string; observedAt?: string } & Partial<MoveResult>);
    const waiting = lines.find((l) => l.message?.startsWith("waiting for the cutover time"));
    expect(waiting?.phase).toBe("requested");
    const stopping = lines.find((l) => l.message === "stopping the source");
    expect(Date.parse(stopping!.observedAt!)).toBeGreaterThanOrEqual(at.getTime());
    const result = lines.at(-1)!;
    expect(result).toMatchObject({ outcome: "completed", sourceRemoved: true });
    expect(result.sourceRemovedWhat).toContain(`disks kept: ${MOVE_DISK}`);
    expect(await source.powerState(vm)).toBe("missing"); // undefined on a
    expect(existsSync(MOVE_DISK)).toBe(true);
    expect(await target.diskHashes(vm.name, ["vdb"])).toEqual(before);
    expect(await target.powerState(vm.name)).toBe("running");
  });
});
