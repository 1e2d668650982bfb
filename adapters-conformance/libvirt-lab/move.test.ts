/**
 * Real cold moves in the libvirt lab (@vmshift/move): a domain on lab host `a` with a qcow2 data
 * disk holding a marker moves to host `b` into a raw volume of a dir pool, byte for byte; a target
 * start refused by host b's qemu hook rolls back (target removed, source running again); an
 * unmapped storage stops the move in preflight with nothing written.
 *
 * The hosts are two daemons on one machine, so the source disk file is readable where the mover
 * runs (the source provider reads files directly today). Skipped when the lab cannot run here;
 * with CI=true a missing lab is a failure.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MoveResult, createMover } from "@vmshift/move";
import { describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.ts";
import { failStartFlag, labAvailability, labUri, qemuPid, run, virsh } from "./lab.ts";
import { holdMoveLab } from "./hold-move-lab.ts";
import { DST_POOL, MARKER, MOVE_DIR as DIR, MOVE_DISK, MOVE_VM, SRC_POOL, contentHash, freshSource as fresh, moveEndpoints as endpoints, must } from "./move-lab.ts";

const freshSource = () => fresh(DISK_BYTES);

const NAME = MOVE_VM;
const DISK = MOVE_DISK;
const DISK_BYTES = 32 * 1024 * 1024;

const availability = await labAvailability();
const qemuImg = await run("qemu-img", ["--version"]);
if (process.env.CI === "true" && (!availability.ok || qemuImg.code !== 0)) throw new Error(`libvirt lab and qemu-img required in CI: ${availability.ok ? "qemu-img missing (.ci/setup.d/70-move.sh)" : availability.reason}`);

const state = async (host: "a" | "b") => (await virsh(host, ["domstate", "--domain", NAME])).stdout.trim();

describe.skipIf(!availability.ok || qemuImg.code !== 0)("cold moves in the libvirt lab (@vmshift/move)", { timeout: 120_000 }, () => {
  holdMoveLab("move.test.ts", {
    async prepare() {
      const p = await virsh("b", ["pool-list", "--all"]);
      if (p.code !== 0) throw new Error(`lab host b has no storage driver (run .ci/setup.d/70-move.sh, then restart the lab): ${p.stderr}`);
    },
  });

  it("refuses an unmapped storage in preflight, naming it, and writes nothing on the target", async () => {
    await freshSource();
    const { from, to } = endpoints();
    const task = createMover().moveVm({ from, to, vmId: NAME, storageMap: {}, shutdownTimeoutMs: 500 });
    const result = await task.wait({ maxWaitMs: 30_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("INCOMPATIBLE");
    expect(result.error?.message).toContain(`storage ${SRC_POOL} (disk vdb) is not in the storage map`);
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running", hostId: "a" });
    expect(await state("a")).toBe("running");
    expect((await virsh("b", ["domstate", "--domain", NAME])).code).not.toBe(0);
    expect((await must("b", ["vol-list", DST_POOL])).trim()).toBe("");
  });

  it("moves the domain cold from a to b: qcow2 → raw, byte-identical, QEMU runs it on b, the source stays defined and stopped", async () => {
    await freshSource();
    const before = await contentHash(DISK, "qcow2");
    const { from, to } = endpoints();
    const mover = createMover();
    const t0 = Date.now();
    const request = { from, to, vmId: NAME, storageMap: { [SRC_POOL]: { storage: DST_POOL, format: "raw" as const } }, shutdownTimeoutMs: 500, requestId: "lab-move-1" };
    const task = mover.moveVm(request);
    expect(mover.moveVm(request)).toBe(task); // idempotent retry: the same task, no second move
    const phases: string[] = [];
    for await (const s of task.events()) if (phases.at(-1) !== s.phase) phases.push(s.phase);
    const result: MoveResult = await task.wait();
    const elapsed = Date.now() - t0;
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe("completed");
    expect(phases).toEqual(["preparing", "requested", "transferring", "finalizing", "completed"]);
    expect(result.vmLocation).toEqual({ side: "target", powerState: "running", hostId: "b" });
    expect(result.copiedBytes).toEqual({ vdb: DISK_BYTES });
    expect(await state("b")).toBe("running");
    expect(await state("a")).toBe("shut off"); // kept, powered off
    const volume = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", `${NAME}-vdb.img`])).trim();
    const xml = await must("b", ["dumpxml", "--domain", NAME]);
    expect(xml).toMatch(new RegExp(`<driver name='qemu' type='raw'/>\\s*<source file='${volume}'`));
    const info = JSON.parse(await (await run("qemu-img", ["info", "-U", "--output=json", volume])).stdout) as { format: string; "virtual-size": number };
    expect(info).toMatchObject({ format: "raw", "virtual-size": DISK_BYTES });
    expect(await contentHash(volume, "raw")).toBe(before);
    expect(readFileSync(volume).subarray(0, MARKER.length).toString()).toBe(MARKER);
    // QEMU on b runs with the moved volume as its disk (the guest's boot is not awaited: under TCG on busy cores it can take minutes).
    const pid = qemuPid("b", NAME);
    expect(pid).toBeDefined();
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain(volume);
    const again = await mover.preflight({ ...request, requestId: "lab-move-2" });
    expect(again.checks).toContainEqual(expect.objectContaining({ id: "target.nameTaken", severity: "error", subject: NAME }));
    console.log(`[move] cold lab move of a ${DISK_BYTES / 2 ** 20} MiB qcow2 disk → raw: ${elapsed} ms total, source stopped ${result.downtimeMs} ms`);
  });

  it("rolls back when the target refuses to start the VM: target removed, source running again on a", async () => {
    await freshSource();
    await virsh("b", ["destroy", "--domain", NAME]);
    await virsh("b", ["undefine", "--domain", NAME]);
    writeFileSync(failStartFlag("b", NAME), "");
    const { from, to } = endpoints();
    const result = await createMover().moveVm({ from, to, vmId: NAME, storageMap: { [SRC_POOL]: DST_POOL }, shutdownTimeoutMs: 500 }).wait({ maxWaitMs: 60_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("MIGRATION_FAILED");
    expect(result.error?.message).toContain("refused on purpose");
    expect(result.vmLocation).toEqual({ side: "source", powerState: "running", hostId: "a" });
    expect(result.downtimeMs).toBeGreaterThan(0);
    expect(await state("a")).toBe("running");
    expect((await virsh("b", ["domstate", "--domain", NAME])).code).not.toBe(0);
    expect((await must("b", ["vol-list", DST_POOL])).trim()).toBe("");
  });
  it("vmshift move --json moves it through two libvirt profiles and exits 0", async () => {
    await freshSource();
    const before = await contentHash(DISK, "qcow2");
    const config = join(DIR, "config.yaml");
    writeFileSync(config, `profiles:\n  lab-a:\n    platform: libvirt\n    hosts: [{ id: a, uri: '${labUri("a")}' }]\n  lab-b:\n    platform: libvirt\n    hosts: [{ id: b, uri: '${labUri("b")}' }]\n`);
    const r = await runCli(["move", NAME, "--from", "lab-a", "--to", "lab-b", "--storage-map", `${SRC_POOL}=${DST_POOL}:raw`, "--shutdown-timeout", "500", "--json", "--config", config]);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { phase?: string; outcome?: string; vmLocation?: unknown });
    expect(r.code, r.stderr).toBe(0);
    expect(events.at(-1)).toMatchObject({ outcome: "completed", vmLocation: { side: "target", hostId: "b", powerState: "running" } });
    expect(await state("b")).toBe("running");
    const volume = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", `${NAME}-vdb.img`])).trim();
    expect(await contentHash(volume, "raw")).toBe(before);
  });
  it("exports a disk of the running source over NBD (backup API, pull mode) for warm reads: same bytes, the job ends on close", async () => {
    await freshSource();
    const before = await contentHash(DISK, "qcow2");
    const { from } = endpoints();
    const def = await from.readDefinition(NAME, { signal: new AbortController().signal });
    const disk = def.disks.find((d) => d.key === "vdb")!;
    const reader = await from.openDiskLive!(def, disk, { signal: new AbortController().signal });
    expect(reader.location).toMatch(/^nbd\+unix:\/\/\/vdb\?socket=/);
    expect(await state("a")).toBe("running");
    const out = join(DIR, "live.raw");
    const copy = await run("qemu-img", ["convert", "-f", "raw", "-O", "raw", reader.location, out]);
    await reader.close();
    expect(copy.code, copy.stderr).toBe(0);
    expect(await contentHash(out, "raw")).toBe(before);
    expect((await virsh("a", ["domjobinfo", "--domain", NAME])).stdout).toMatch(/Job type:\s+None/);
    const again = await from.openDiskLive!(def, disk, { signal: new AbortController().signal }); // the first job is gone
    await again.close();
  });
});
