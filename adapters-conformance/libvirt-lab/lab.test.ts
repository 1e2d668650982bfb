/** The lab helpers that need no daemon: domain XML, health parsing, the lab lock. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "vmshift-lab-"));
process.env.VMSHIFT_LIBVIRT_LAB_DIR = dir;
const lab = await import("./lab.ts");
const health = await import("./health.ts");

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
