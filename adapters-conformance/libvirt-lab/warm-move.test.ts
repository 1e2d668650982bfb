/**
 * Real warm moves in the libvirt lab (@vmshift/move, mode "warm"): the domain on lab host `a`
 * keeps running while its qcow2 data disk is copied to host `b` — a full pass through libvirt's
 * backup API in pull mode (NBD export + checkpoint), then incremental passes reading only the
 * blocks QEMU's dirty bitmap marks — while writes go to the disk through the domain (QEMU's
 * `qemu-io` monitor command on the disk's device). At cutover the source stops, the last delta is
 * copied, the target starts; `qemu-img compare` then finds both disks identical. A fault in the
 * middle of a delta pass (the pass's backup job aborted under the mover) rolls back: the target is
 * removed, the source runs on `a`, no checkpoint or backup job is left; so does a fault in the
 * final pass. A raw source disk fails the warm preflight (`disk.changeTracking`) with nothing written.
 *
 * Skipped when the lab cannot run here; with CI=true a missing lab is a failure.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MoveResult, type MoveSource, createMover } from "@vmshift/move";
import { describe, expect, it } from "vitest";
import { labAvailability, run, virsh } from "./lab.ts";
import { holdMoveLab } from "./hold-move-lab.ts";
import { DST_POOL, MOVE_DIR, MOVE_DISK, MOVE_VM, SRC_POOL, freshSource, moveEndpoints, must, writeThroughDomain } from "./move-lab.ts";

const DISK_BYTES = 32 * 1024 * 1024;
const availability = await labAvailability();
const tools = await Promise.all([run("qemu-img", ["--version"]), run("nbdinfo", ["--version"])]);
const toolsOk = tools.every((t) => t.code === 0);
if (process.env.CI === "true" && (!availability.ok || !toolsOk)) throw new Error(`libvirt lab, qemu-img and nbdinfo required in CI: ${availability.ok ? "qemu-img or nbdinfo (libnbd-bin) missing" : availability.reason}`);

const state = async (host: "a" | "b") => (await virsh(host, ["domstate", "--domain", MOVE_VM])).stdout.trim();
const checkpoints = async () => (await must("a", ["checkpoint-list", "--domain", MOVE_VM, "--name"])).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!availability.ok || !toolsOk)("warm moves in the libvirt lab (@vmshift/move)", { timeout: 150_000 }, () => {
  holdMoveLab("warm-move.test.ts");

  it("copies while the source runs and writes to its disk: a full pass, smaller delta passes, the final delta after the stop; qemu-img compare finds the disks identical", async () => {
    await freshSource(DISK_BYTES);
    const { from, to } = endpoints();
    const task = createMover().moveVm({ from, to, vmId: MOVE_VM, mode: "warm", storageMap: { [SRC_POOL]: { storage: DST_POOL, format: "raw" } }, shutdownTimeoutMs: 500, warm: { maxDeltaPasses: 3, convergedBytes: 1024 * 1024, passIntervalMs: 1500 } });
    // The writer: 64 KiB of a new pattern at a new offset, one after the other, while the move transfers.
    const written: { offset: number; pattern: number; phase: string; iteration: number }[] = [];
    const writer = (async () => {
      for (let i = 0; ; i++) {
        const s = task.snapshot();
        if (s.phase === "finalizing" || s.result) return;
        if (s.phase === "transferring") {
          const offset = (1 + ((i * 7) % 30)) * 1024 * 1024 + (i % 4) * 65536;
          const pattern = 0x20 + (i % 200);
          try {
            await writeThroughDomain(offset, 65536, pattern);
          } catch (error) {
            if (task.snapshot().phase === "transferring") throw error;
            return; // the cutover began while this write was on its way: the source is stopping
          }
          written.push({ offset, pattern, phase: s.phase, iteration: s.progress.iteration ?? 0 });
        }
        await sleep(100);
      }
    })();
    const phases: string[] = [];
    const iterations = new Set<number>();
    for await (const s of task.events()) {
      if (phases.at(-1) !== s.phase) phases.push(s.phase);
      if (s.progress.iteration !== undefined) iterations.add(s.progress.iteration);
    }
    await writer;
    const result: MoveResult = await task.wait();
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe("completed");
    expect(result.moveMode).toBe("warm");
    expect(phases).toEqual(["preparing", "requested", "transferring", "finalizing", "completed"]);
    const passes = result.passes ?? [];
    expect(passes.length).toBeGreaterThanOrEqual(2);
    expect(passes[0]).toMatchObject({ pass: 1, kind: "full", bytes: DISK_BYTES });
    expect(passes.at(-1)!.kind).toBe("final");
    for (const p of passes.slice(1)) expect(p.bytes).toBeLessThan(passes[0]!.bytes);
    expect(passes[1]!.bytes).toBeGreaterThan(0); // the writes made during the full pass
    expect([...iterations].sort((a, b) => a - b)).toEqual(passes.map((p) => p.pass));
    expect(written.filter((w) => w.iteration === 1).length).toBeGreaterThan(0);
    expect(result.vmLocation).toEqual({ side: "target", powerState: "running", hostId: "b" });
    expect(await state("b")).toBe("running");
    expect(await state("a")).toBe("shut off");
    expect(await checkpoints()).toBe(""); // the source keeps no checkpoint (nor its bitmaps)
    const volume = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", `${MOVE_VM}-vdb.img`])).trim();
    const cmp = await run("qemu-img", ["compare", "-U", "-f", "qcow2", "-F", "raw", MOVE_DISK, volume], { timeoutMs: 120_000 });
    expect(cmp.code, cmp.stdout + cmp.stderr).toBe(0);
    expect(cmp.stdout).toContain("Images are identical");
    // Every write made during the copy is on the target (the last write at each offset wins).
    const target = readFileSync(volume);
    const last = new Map<number, number>();
    for (const w of written) last.set(w.offset, w.pattern);
    for (const [offset, pattern] of last) expect(target[offset], `pattern at ${offset}`).toBe(pattern);
    const bitmaps = JSON.parse((await run("qemu-img", ["info", "-U", "--output=json", MOVE_DISK])).stdout) as { "format-specific"?: { data?: { bitmaps?: unknown[] } } };
    expect(bitmaps["format-specific"]?.data?.bitmaps ?? []).toEqual([]);
    console.log(`[move] warm lab move of a ${DISK_BYTES / 2 ** 20} MiB qcow2 disk → raw, ${written.length} writes of 64 KiB during the copy: passes ${passes.map((p) => `${p.pass}:${p.kind}=${p.bytes}B/${p.durationMs}ms`).join(", ")}; total ${result.durationMs} ms, source stopped ${result.downtimeMs} ms`);
  });

  it("refuses a warm move of a raw disk in preflight (disk.changeTracking, naming it): nothing written on b, the source untouched", async () => {
    await freshSource(DISK_BYTES);
    await must("a", ["destroy", "--domain", MOVE_VM]);
    const raw = MOVE_DISK.replace(/\.qcow2$/, ".raw");
    const c = await run("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", MOVE_DISK, raw]);
    expect(c.code, c.stderr).toBe(0);
    const xmlFile = join(MOVE_DIR, `${MOVE_VM}-raw.xml`);
    writeFileSync(xmlFile, readFileSync(join(MOVE_DIR, `${MOVE_VM}.xml`), "utf8").replace("type='qcow2'", "type='raw'").replace(MOVE_DISK, raw));
    await must("a", ["undefine", "--domain", MOVE_VM]); // the XML has no UUID: a new definition, not an update
    await must("a", ["define", "--file", xmlFile]);
    await must("a", ["start", "--domain", MOVE_VM]);
    const { from, to } = endpoints();
    const result = await createMover().moveVm({ from, to, vmId: MOVE_VM, mode: "warm", storageMap: { [SRC_POOL]: DST_POOL }, shutdownTimeoutMs: 500 }).wait({ maxWaitMs: 60_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("INCOMPATIBLE");
    expect(result.error?.message).toContain("disk vdb is raw; warm moves need qcow2 disks");
    expect(result.vmLocation).toEqual({ side: "source", powerState: "running", hostId: "a" });
    expect((await virsh("b", ["domstate", "--domain", MOVE_VM])).code).not.toBe(0);
    expect((await must("b", ["vol-list", DST_POOL])).trim()).toBe("");
    expect(await checkpoints()).toBe("");
  });

  it("rolls back on a fault in the middle of a delta pass: target removed, source running on a, no checkpoint or backup job left", async () => {
    await freshSource(DISK_BYTES);
    const { from, to } = endpoints();
    // The fault: right after pass 2's backup job began, it is aborted under the mover (its NBD export vanishes).
    const faulty = abortingPass(from, async (options) => {
      if (options.pass === 2) await must("a", ["domjobabort", "--domain", MOVE_VM]);
    });
    const task = createMover().moveVm({ from: faulty, to, vmId: MOVE_VM, mode: "warm", storageMap: { [SRC_POOL]: DST_POOL }, shutdownTimeoutMs: 500 });
    const result = await task.wait({ maxWaitMs: 120_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("MIGRATION_FAILED");
    expect(result.error?.message).toContain("pass 2");
    expect(result.passes?.map((p) => p.kind)).toEqual(["full"]);
    expect(result.vmLocation).toEqual({ side: "source", powerState: "running", hostId: "a" });
    expect(await state("a")).toBe("running");
    expect((await virsh("b", ["domstate", "--domain", MOVE_VM])).code).not.toBe(0);
    expect((await must("b", ["vol-list", DST_POOL])).trim()).toBe("");
    expect(await checkpoints()).toBe("");
    expect((await virsh("a", ["domjobinfo", "--domain", MOVE_VM])).stdout).toMatch(/Job type:\s+None/);
  });

  it("rolls back on a fault in the final pass (source stopped, brought up paused for the export): target removed, the source started again and running on a, no checkpoint left", async () => {
    await freshSource(DISK_BYTES);
    const { from, to } = endpoints();
    let finalState = "";
    const faulty = abortingPass(from, async (options) => {
      if (options.final) {
        finalState = await state("a");
        await must("a", ["domjobabort", "--domain", MOVE_VM]);
      }
    });
    const result = await createMover().moveVm({ from: faulty, to, vmId: MOVE_VM, mode: "warm", storageMap: { [SRC_POOL]: DST_POOL }, shutdownTimeoutMs: 500, warm: { maxDeltaPasses: 1 } }).wait({ maxWaitMs: 120_000 });
    expect(finalState).toBe("paused"); // the final export ran on the stopped source brought up paused
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("MIGRATION_FAILED");
    expect(result.error?.message).toContain("pass 3");
    expect(result.passes?.map((p) => p.kind)).toEqual(["full", "delta"]);
    expect(result.vmLocation).toEqual({ side: "source", powerState: "running", hostId: "a" });
    expect(await state("a")).toBe("running");
    expect((await virsh("b", ["domstate", "--domain", MOVE_VM])).code).not.toBe(0);
    expect((await must("b", ["vol-list", DST_POOL])).trim()).toBe("");
    expect(await checkpoints()).toBe("");
  });
});

/** `from` with `fault` run right after each pass's backup job began (with that pass's options). */
function abortingPass(from: MoveSource, fault: (options: { readonly pass: number; readonly final?: boolean }) => Promise<void>): MoveSource {
  const real = from.warm!;
  return {
    ...from,
    warm: {
      ...real,
      async beginPass(def, disks, options, ctx) {
        const pass = await real.beginPass(def, disks, options, ctx);
        await fault(options);
        return pass;
      },
    },
  };
}

function endpoints() {
  return moveEndpoints();
}
