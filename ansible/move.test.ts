/**
 * vmshift.migration.move through ansible-playbook and the workspace CLI (a wrapper around
 * packages/cli/src/bin.ts as the module's `executable`): refusals with nothing changed (profiles of
 * a platform moves do not support → NOT_SUPPORTED; malformed maps, refused by the module or by the
 * CLI as a usage error; warm tuning on a cold move; check mode validates too), and, where the
 * libvirt lab runs (.ci/setup.d/40-libvirt.sh), one real cold move between the lab's hosts set up
 * with the lab's move helpers: check mode starts nothing, the move reports changed with the result,
 * the same task again is found moved (changed=false).
 *
 * Without ansible-core the tests skip, saying so; in CI (CI=true) they fail instead. The lab part
 * skips without the lab (and fails in CI), like adapters-conformance/libvirt-lab/move.test.ts.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labAvailability, labUri, run as labRun, virsh } from "../adapters-conformance/libvirt-lab/lab.ts";
import { holdMoveLab } from "../adapters-conformance/libvirt-lab/hold-move-lab.ts";
import { DST_POOL, MOVE_VM, SRC_POOL, freshSource, must } from "../adapters-conformance/libvirt-lab/move-lab.ts";
import { AnsibleWork, type Played } from "./harness.ts";

const ansible = spawnSync("ansible-playbook", ["--version"], { stdio: "ignore" }).status === 0;
if (!ansible && process.env["CI"] === "true") throw new Error("ansible-playbook missing: .ci/setup.d/50-ansible.sh installs Debian's ansible-core");

const scratch = new AnsibleWork("vmshift-ansible-move-");
const work = scratch.dir;
afterAll(() => scratch.dispose());
const wrapper = () => scratch.wrapper();
const playbook = (name: string, file: string, vars: Record<string, unknown>) => scratch.playbook(name, file, vars);

function result(played: Played, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(played.out, `${name}.json`), "utf8")) as Record<string, unknown>;
}

describe.skipIf(!ansible)("vmshift.migration.move refusals (ansible-playbook, workspace CLI)", () => {
  it("refuses an unsupported platform with NOT_SUPPORTED, malformed maps and cold-move warm tuning with INVALID_ARGUMENT, in check mode too; nothing changed", { timeout: 600_000 }, async () => {
    const config = join(work, "simulators.yaml");
    writeFileSync(config, "profiles:\n  sim-a:\n    platform: simulator\n  sim-b:\n    platform: simulator\n");
    const played = await playbook("refusals", "move-refusals.yml", {
      move_defaults: { executable: wrapper(), config },
      vm: "web-01",
      from_profile: "sim-a",
      to_profile: "sim-b",
    });
    expect(played.code, played.stdout + played.stderr).toBe(0);

    const unsupported = result(played, "unsupported");
    expect(unsupported).toMatchObject({ failed: true, changed: false, code: "NOT_SUPPORTED", rc: 2, exit: "usage", error: { code: "NOT_SUPPORTED" } });
    expect(unsupported["msg"]).toMatch(/profile sim-a is a simulator profile; moves support libvirt, vsphere, hyperv, nutanix sources/);
    expect(unsupported["cmd"]).toEqual(expect.arrayContaining(["move", "web-01", "--from", "sim-a", "--to", "sim-b", "--storage-map", "images=images", "--request-id"]));

    // The module refuses a format no target writes before any CLI runs (no rc).
    const format = result(played, "malformed_format");
    expect(format).toMatchObject({ failed: true, changed: false, code: "INVALID_ARGUMENT" });
    expect(format["msg"]).toMatch(/storage_map entry images: 'images:qcow3' is not <storage> or <storage>:<format>/);
    expect(format).not.toHaveProperty("rc");

    // A map source the CLI's name rule refuses: the CLI's usage error (exit 2) before it loads a profile.
    const name = result(played, "malformed_name");
    expect(name).toMatchObject({ failed: true, changed: false, code: "INVALID_ARGUMENT", rc: 2, exit: "usage" });
    expect(name["msg"]).toMatch(/network map entry "lan =default" is not <source>=<target>/);

    const tuned = result(played, "cold_tuned");
    expect(tuned).toMatchObject({ failed: true, changed: false, code: "INVALID_ARGUMENT" });
    expect(tuned["msg"]).toMatch(/max_passes and converged_bytes tune warm moves/);

    const check = result(played, "malformed_check");
    expect(check).toMatchObject({ failed: true, changed: false, code: "INVALID_ARGUMENT" });
    expect(check["msg"]).toMatch(/storage_map entry 'a=b'/);
  });
});

const availability = await labAvailability();
const qemuImg = await labRun("qemu-img", ["--version"]);
const labReady = availability.ok && qemuImg.code === 0;
if (ansible && process.env["CI"] === "true" && !labReady) throw new Error(`libvirt lab and qemu-img required in CI: ${availability.ok ? "qemu-img missing" : availability.reason}`);

describe.skipIf(!ansible || !labReady)("vmshift.migration.move in the libvirt lab: a real cold move", { timeout: 900_000 }, () => {
  holdMoveLab("ansible/move.test.ts", { prepare: () => freshSource(16 * 1024 * 1024), setupTimeoutMs: 20 * 60_000 });

  it("check mode starts nothing; the move is changed with its result; the same task again, and check mode, find it moved, unchanged", async () => {
    const config = join(work, "lab.yaml");
    writeFileSync(config, `profiles:\n  lab-a:\n    platform: libvirt\n    hosts: [{ id: a, uri: '${labUri("a")}' }]\n  lab-b:\n    platform: libvirt\n    hosts: [{ id: b, uri: '${labUri("b")}' }]\n`);
    const played = await playbook("lab", "move-lab.yml", {
      move_defaults: { executable: wrapper(), config },
      vm: MOVE_VM,
      from_profile: "lab-a",
      to_profile: "lab-b",
      storage_map: { [SRC_POOL]: `${DST_POOL}:raw` },
    });
    expect(played.code, played.stdout + played.stderr).toBe(0);

    const checked = result(played, "checked");
    expect(checked).toMatchObject({ changed: true, outcome: "planned", target_name: MOVE_VM });
    expect(checked["cmd"]).toEqual(expect.arrayContaining(["move", MOVE_VM, "--storage-map", `${SRC_POOL}=${DST_POOL}:raw`]));

    const moved = result(played, "moved");
    expect(moved).toMatchObject({ changed: true, outcome: "completed", rc: 0, exit: "ok", target_name: MOVE_VM, location: { host_id: "b", side: "target", power_state: "running" } });
    expect(moved["request_id"]).toMatch(/^ansible-[0-9a-f]{24}$/);
    expect(moved["migration_id"]).toBe(`move-${moved["request_id"] as string}`);
    expect(moved["copied_bytes"]).toEqual({ vdb: 16 * 1024 * 1024 });
    expect(moved["downtime_ms"]).toEqual(expect.any(Number));
    expect(moved["target_vm_id"]).toBe(MOVE_VM); // the libvirt target names its domains

    const again = result(played, "again");
    expect(again).toMatchObject({ changed: false, outcome: "unchanged", request_id: moved["request_id"], location: { host_id: "b", side: "target", power_state: "running" } });
    expect(again).toMatchObject({ vm: { name: MOVE_VM, hostId: "b", powerState: "running" } });
    expect(again).not.toHaveProperty("migration_id");
    expect(result(played, "checked_again")).toMatchObject({ changed: false, outcome: "unchanged" });

    // On the hosts: one domain on b, running, the one the second run found; the source kept, stopped; one volume in the target pool.
    expect((await must("b", ["domstate", "--domain", MOVE_VM])).trim()).toBe("running");
    expect((await must("b", ["domuuid", "--domain", MOVE_VM])).trim()).toBe((again["vm"] as { id: string }).id);
    expect((await virsh("a", ["domstate", "--domain", MOVE_VM])).stdout.trim()).toBe("shut off");
    expect((await must("b", ["vol-list", DST_POOL])).trim().split("\n")).toHaveLength(1);
  });
});
