/**
 * Cold moves from Nutanix AHV (the Prism-like server, real disk files) into the libvirt lab's host
 * b (@vmshift/move's Nutanix source → libvirt target): the lab's marker disk is seeded as the
 * Prism VM's SCSI disk; the mover shuts the VM down, makes a temporary image of the disk, downloads
 * it, writes it into a raw volume of a dir pool on b, and QEMU runs the defined domain there,
 * byte for byte; a start refused by b's qemu hook rolls back (target removed, image deleted, the
 * Prism VM on again); `vmshift move --from <nutanix profile> --to <libvirt profile>` does the same.
 * Skipped when the lab cannot run here; with CI=true a missing lab is a failure.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createMover, nutanixMoveSource, prismImageFiles } from "@vmshift/move";
import { NutanixTransport } from "@vmshift/nutanix";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CONTAINER, type PrismServer, simId, startPrismServer } from "../prism-server/src/index.ts";
import { runCli } from "../../test-support/run-cli.ts";
import { failStartFlag, labAvailability, labUri, qemuPid, run, virsh } from "./lab.ts";
import { holdMoveLab } from "./hold-move-lab.ts";
import { DST_POOL, MARKER, MOVE_DIR, MOVE_DISK, MOVE_VM, contentHash, freshSource, moveEndpoints, must } from "./move-lab.ts";

/** The disks hold test patterns, not an OS: no guest conversion (auto would run virt-v2v-in-place on these SCSI/IDE disks). */
const NO_CONVERSION = { mode: "never" } as const;

const DISK_BYTES = 16 * 1024 * 1024;
const VM = simId("0e000000", 200);
const PASSWORD = "lab-Prism-pw-31";
/** The moved domain on b takes the lab's move name, so the lab's clean-up removes it. */
const NAME = MOVE_VM;
const VOLUME = `${NAME}-sda.img`;

const availability = await labAvailability();
const qemuImg = await run("qemu-img", ["--version"]);
if (process.env.CI === "true" && (!availability.ok || qemuImg.code !== 0)) throw new Error(`libvirt lab and qemu-img required in CI: ${availability.ok ? "qemu-img missing (.ci/setup.d/70-move.sh)" : availability.reason}`);

let server: PrismServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A fresh lab (marker disk, pools) and a Prism-like server whose VM `VM` runs with that disk. */
async function fresh() {
  await freshSource(DISK_BYTES);
  await virsh("a", ["destroy", "--domain", MOVE_VM]); // the lab's libvirt source domain is not used here
  server = await startPrismServer({ password: PASSWORD, imageMs: 50, timings: { queuedMs: 0, powerMs: 30, shutdownMs: 30 }, seed: { extraVms: 0, vmsWithDisks: [{ name: NAME, powerState: "ON", memorySizeBytes: 64 * 2 ** 20, disks: [{ image: MOVE_DISK }] }] } });
  const connection = { baseUrl: server.url, auth: { username: "admin", password: PASSWORD } };
  const from = nutanixMoveSource({ api: new NutanixTransport({ ...connection, retries: 0 }), files: prismImageFiles(connection), stagingDir: MOVE_DIR, hostId: "prism", pollMs: 20 });
  return { from, to: moveEndpoints().to, before: await contentHash(MOVE_DISK, "qcow2") };
}

const storageMap = { [DEFAULT_CONTAINER]: { storage: DST_POOL, format: "raw" as const } };
const prismVm = () => server!.inventory.vms.find((v) => v.extId === VM)!;

describe.skipIf(!availability.ok || qemuImg.code !== 0)("cold moves from Nutanix (prism-server) into the libvirt lab", { timeout: 120_000 }, () => {
  holdMoveLab("nutanix-move.test.ts");

  it("moves the running Prism VM cold into a raw volume on b, byte for byte, and QEMU runs it there", async () => {
    const { from, to, before } = await fresh();
    const t0 = Date.now();
    const result = await createMover().moveVm({ from, to, vmId: VM, storageMap, shutdownTimeoutMs: 5_000, convert: NO_CONVERSION }).wait({ maxWaitMs: 100_000 });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe("completed");
    expect(result.vmLocation).toMatchObject({ side: "target", hostId: "b", powerState: "running" });
    const volume = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", VOLUME])).trim();
    expect(await contentHash(volume, "raw")).toBe(before);
    expect(readFileSync(volume).subarray(0, MARKER.length).toString()).toBe(MARKER);
    const pid = qemuPid("b", NAME);
    expect(pid).toBeDefined();
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain(volume);
    expect(prismVm().powerState).toBe("OFF");
    expect(server!.images.all).toEqual([]);
    console.log(`[move] cold Nutanix → libvirt move of a ${DISK_BYTES / 2 ** 20} MiB disk: ${Date.now() - t0} ms total, source off ${result.downtimeMs} ms`);
  });

  it("rolls back when b refuses to start the VM: nothing left on b, temporary image deleted, the Prism VM on again", async () => {
    const { from, to } = await fresh();
    writeFileSync(failStartFlag("b", NAME), "");
    const result = await createMover().moveVm({ from, to, vmId: VM, storageMap, shutdownTimeoutMs: 5_000, convert: NO_CONVERSION }).wait({ maxWaitMs: 100_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.code).toBe("MIGRATION_FAILED");
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running", hostId: "prism" });
    expect((await virsh("b", ["domstate", "--domain", NAME])).code).not.toBe(0);
    expect((await must("b", ["vol-list", DST_POOL])).trim()).toBe("");
    expect(server!.images.all).toEqual([]);
    expect(prismVm().powerState).toBe("ON");
  });

  it("vmshift move --json --from <nutanix profile> --to <libvirt profile> moves it and exits 0, the password nowhere in the output", async () => {
    const { before } = await fresh();
    const config = join(MOVE_DIR, "nutanix-config.yaml");
    writeFileSync(join(MOVE_DIR, "prism-password"), PASSWORD, { mode: 0o600 });
    writeFileSync(config, `profiles:\n  prism:\n    platform: nutanix\n    url: '${server!.url}'\n    username: admin\n    password: { file: '${join(MOVE_DIR, "prism-password")}' }\n  lab-b:\n    platform: libvirt\n    hosts: [{ id: b, uri: '${labUri("b")}' }]\n`);
    const r = await runCli(["move", VM, "--from", "prism", "--to", "lab-b", "--storage-map", `${DEFAULT_CONTAINER}=${DST_POOL}:raw`, "--shutdown-timeout", "5000", "--convert", "never", "--json", "--config", config]);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { outcome?: string; vmLocation?: unknown });
    expect(events.at(-1)).toMatchObject({ outcome: "completed", vmLocation: { side: "target", hostId: "b", powerState: "running" } });
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    const volume = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", VOLUME])).trim();
    expect(await contentHash(volume, "raw")).toBe(before);
    expect(server!.images.all).toEqual([]);
  });
});
