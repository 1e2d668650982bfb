/** The lab helpers that need no daemon: domain XML, health parsing, the lab lock. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "vmshift-lab-"));
process.env.VMSHIFT_LIBVIRT_LAB_DIR = dir;
const lab = await import("./lab.ts");
const health = await import("./health.ts");
const trace = await import("./qemu-trace.ts");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("libvirt lab helpers", () => {
  it("builds a TCG domain with direct kernel boot, the workload on the command line and an appending serial log", () => {
    const xml = lab.domainXml("g1", 128, { fillMiB: 32, dirtyMiB: 16, rateMiBps: -1 });
    expect(xml).toContain("<domain type='qemu'>");
    expect(xml).toContain("<memory unit='MiB'>128</memory>");
    expect(xml).toContain("wl=32,16,-1</cmdline>");
    expect(xml).toContain(`<source path='${join(dir, "serial", "g1.log")}' append='on'/>`);
    expect(xml).toContain(`<kernel>${join(dir, "guest", "vmlinuz")}</kernel>`);
  });

  it("adds QEMU trace events through libvirt's qemu namespace, and refuses anything but an event pattern", () => {
    const xml = lab.domainXml("g1", 128, { fillMiB: 32, dirtyMiB: 16, rateMiBps: -1 }, { traceEvents: ["migrate_pending_*", "vmstate_downtime_checkpoint"] });
    expect(xml).toContain("<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>");
    expect(xml).toContain("<qemu:arg value='-trace'/><qemu:arg value='enable=migrate_pending_*'/><qemu:arg value='-trace'/><qemu:arg value='enable=vmstate_downtime_checkpoint'/>");
    expect(() => lab.domainXml("g1", 128, { fillMiB: 1, dirtyMiB: 1, rateMiBps: -1 }, { traceEvents: ["x'/><qemu:arg value='-S"] })).toThrowError(/not a QEMU trace event pattern/);
  });

  it("reads QEMU's switch-over from its trace lines", () => {
    // Lines as QEMU 10.0.2's log trace backend wrote them in the lab (dirty 10 MiB/s, cap 32 MiB/s), shortened.
    const log = [
      "-trace enable=migration_thread_low_pending \\",
      "12320@1795645413.681232:migrate_pending_exact exact pending size 40837120 (pre = 40837120 post=0)",
      "12320@1795645414.582009:migrate_pending_exact exact pending size 17424384 (pre = 17424384 post=0)",
      "12320@1795645414.981700:migrate_pending_exact exact pending size 7839744 (pre = 7839744 post=0)",
      "12320@1795645414.981702:migration_thread_low_pending 7839744",
      "12320@1795645414.981720:vmstate_downtime_checkpoint src-downtime-start",
      "12320@1795645414.981800:vmstate_downtime_checkpoint src-vm-stopped",
      "12320@1795645414.989800:vmstate_downtime_checkpoint src-iterable-saved",
      "12320@1795645414.992500:vmstate_downtime_checkpoint src-non-iterable-saved",
      "12320@1795645414.994020:vmstate_downtime_checkpoint src-downtime-end",
    ].join("\n");
    const events = trace.parseTrace(log);
    expect(events).toHaveLength(9);
    const s = trace.switchoverOf(events);
    expect(s).toMatchObject({ syncs: 3, remainderBytes: 7839744 });
    expect(s!.sourceDowntimeMs).toBeCloseTo(12.3, 3);
    expect(s!.ramCopyMs).toBeCloseTo(8, 3);
    expect(trace.switchoverOf(events.slice(0, 4))).toBeUndefined();
  });

  it("reads the guest's health from its serial log, from an offset on", () => {
    mkdirSync(join(dir, "serial"), { recursive: true });
    const log = "init: workload fill=32 dirty=32 rate=5\nACPI BIOS Error (bug): A valid RSDP was not found\ntick 1 t=1.001 dirtied=5MiB verify=ok\ntick 2 t=2.001 dirtied=10MiB verify=ok\n";
    writeFileSync(lab.serialPath("g1"), log);
    expect(lab.readHealth("g1")).toMatchObject({ lastTick: 2, ticks: 2, verifyFailed: false, crashed: false });
    const offset = health.logOffset("g1");
    writeFileSync(lab.serialPath("g1"), `${log}tick 3 t=3.001 dirtied=15MiB verify=FAIL\n`);
    expect(lab.readHealth("g1", offset)).toMatchObject({ lastTick: 3, ticks: 1, verifyFailed: true });
    writeFileSync(lab.serialPath("g1"), `${log}[   9.1] BUG: unable to handle page fault\n`);
    expect(lab.readHealth("g1", offset).crashed).toBe(true);
  });

  it("waits for ticks and fails with the log tail when none come", async () => {
    writeFileSync(lab.serialPath("g2"), "tick 7 t=7.000 dirtied=0MiB verify=ok\n");
    await expect(lab.waitForTicks("g2", 6, 1, 1000)).resolves.toMatchObject({ lastTick: 7 });
    await expect(lab.waitForTicks("g2", 7, 1, 300)).rejects.toThrowError(/printed no tick beyond 7.*tick 7/);
  });

  it("lets one holder take the lab at a time, and takes over a lock whose owner died", async () => {
    const release = await lab.acquireLab("first");
    await expect(lab.acquireLab("second", 600)).rejects.toThrowError(/busy \(held by \d+ first\)/);
    release();
    const again = await lab.acquireLab("third", 600);
    again();
    mkdirSync(join(dir, "lock"), { recursive: true });
    writeFileSync(join(dir, "lock", "owner"), "999999999 dead\n");
    const takeover = await lab.acquireLab("fourth", 2000);
    takeover();
  });
});
