/**
 * `vmshift move --remove-source` from a platform other than libvirt: the CLI no longer refuses it.
 * A Prism VM (prism-server, the lab's marker disk as its SCSI disk) moves cold into the libvirt
 * lab's host b through the CLI with `--remove-source`; once b runs it, the Prism VM is deleted (v4
 * DELETE with If-Match) — read back from the server's inventory: gone, its disk file with it — and
 * the JSON result says what was removed. `--convert never`: the cost of a guest conversion is not
 * what this measures. Skipped when the lab cannot run here; with CI=true a missing lab is a failure.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CONTAINER, type PrismServer, simId, startPrismServer } from "../prism-server/src/index.ts";
import { runCli } from "../../test-support/run-cli.ts";
import { labAvailability, labUri, run, virsh } from "./lab.ts";
import { holdMoveLab } from "./hold-move-lab.ts";
import { DST_POOL, MOVE_DIR, MOVE_DISK, MOVE_VM, freshSource } from "./move-lab.ts";

const VM = simId("0e000000", 200);
const PASSWORD = "lab-Prism-pw-remove-42";
const availability = await labAvailability();
const qemuImg = await run("qemu-img", ["--version"]);
if (process.env.CI === "true" && (!availability.ok || qemuImg.code !== 0)) throw new Error(`libvirt lab and qemu-img required in CI: ${availability.ok ? "qemu-img missing (.ci/setup.d/70-move.sh)" : availability.reason}`);

let server: PrismServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.skipIf(!availability.ok || qemuImg.code !== 0)("vmshift move --remove-source from Nutanix (prism-server) into the libvirt lab", { timeout: 60_000 }, () => {
  holdMoveLab("remove-source-cli.test.ts");

  it("moves the Prism VM, then deletes it on Prism once b runs it; the result says so and the VM is gone from the inventory", async () => {
    await freshSource(16 * 1024 * 1024);
    await virsh("a", ["destroy", "--domain", MOVE_VM]);
    server = await startPrismServer({ password: PASSWORD, imageMs: 50, timings: { queuedMs: 0, powerMs: 30, shutdownMs: 30 }, seed: { extraVms: 0, vmsWithDisks: [{ name: MOVE_VM, powerState: "ON", memorySizeBytes: 64 * 2 ** 20, disks: [{ image: MOVE_DISK }] }] } });
    const diskFile = server.inventory.vms.find((v) => v.extId === VM)!.hardware!.disks[0]!.file!;
    const config = join(MOVE_DIR, "remove-source-config.yaml");
    writeFileSync(join(MOVE_DIR, "prism-password-remove"), PASSWORD, { mode: 0o600 });
    writeFileSync(config, `profiles:\n  prism:\n    platform: nutanix\n    url: '${server.url}'\n    username: admin\n    password: { file: '${join(MOVE_DIR, "prism-password-remove")}' }\n  lab-b:\n    platform: libvirt\n    hosts: [{ id: b, uri: '${labUri("b")}' }]\n`);
    const r = await runCli(["move", VM, "--from", "prism", "--to", "lab-b", "--storage-map", `${DEFAULT_CONTAINER}=${DST_POOL}:raw`, "--shutdown-timeout", "5000", "--convert", "never", "--remove-source", "--json", "--config", config]);
    expect(r.code, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { outcome?: string; sourceRemoved?: boolean; sourceRemovedWhat?: string; vmLocation?: unknown };
    expect(last).toMatchObject({ outcome: "completed", sourceRemoved: true, vmLocation: { side: "target", hostId: "b", powerState: "running" } });
    expect(last.sourceRemovedWhat).toMatch(/deleted with its VM disks: SCSI\.0/);
    expect(server.inventory.vms.some((v) => v.extId === VM)).toBe(false);
    expect(existsSync(diskFile)).toBe(false);
    expect(server.log.filter((e) => e.method === "DELETE" && e.path.includes("/ahv/config/vms/"))).toEqual([expect.objectContaining({ ifMatch: expect.any(String), requestId: expect.any(String), status: 202 })]);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });
});
