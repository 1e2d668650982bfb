/**
 * The virt-v2v lane's move (virt-v2v-lane.sh --move): the lane's Debian guest as a Nutanix VM on
 * the Prism-like server (its disk a real qcow2 file the server serves as the VM's SCSI disk), moved
 * cold by the real `vmshift move` CLI into a libvirt host with `--convert auto` — a Nutanix guest on
 * SCSI is converted at cutover (virt-v2v-in-place on the target's volume), and the target is
 * defined on virtio. Writes the CLI's `--json` lines to `<work>/move.jsonl`, its stderr to
 * `<work>/move.err`, and exits with the CLI's exit code.
 *
 *   node --import tools/workspace-sources.mjs v2v-prism-move.ts <guest.qcow2> <work dir> <libvirt uri> <target pool>
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_CONTAINER, simId, startPrismServer } from "../prism-server/src/index.ts";
import { CLI_BIN } from "../../test-support/cli-bin.ts";

const [image, work, targetUri, pool] = process.argv.slice(2);
if (!image || !work || !targetUri || !pool) {
  process.stderr.write("usage: v2v-prism-move.ts <guest.qcow2> <work dir> <libvirt uri> <target pool>\n");
  process.exit(2);
}
const VM_NAME = "vmshift-v2v-guest";
const VM_ID = simId("0e000000", 200);
const password = `lane-${process.pid}-${Date.now()}`;
const hooks = fileURLToPath(new URL("../../tools/workspace-sources.mjs", import.meta.url));

const server = await startPrismServer({
  password,
  imageMs: 50,
  timings: { queuedMs: 0, powerMs: 30, shutdownMs: 30 },
  seed: { extraVms: 0, vmsWithDisks: [{ name: VM_NAME, powerState: "ON", memorySizeBytes: 1024 * 2 ** 20, disks: [{ image }] }] },
});
let code = 1;
try {
  const vm = server.inventory.vms.find((v) => v.extId === VM_ID);
  const disk = vm?.hardware?.disks[0];
  process.stdout.write(`v2v-prism-move: Prism VM ${VM_ID} (${VM_NAME}) at ${server.url}, disk ${disk?.busType}.${disk?.index} ${disk?.format} ${disk?.file}\n`);
  const passwordFile = join(work, "prism-password");
  writeFileSync(passwordFile, password, { mode: 0o600 });
  const config = join(work, "config.yaml");
  writeFileSync(config, `profiles:\n  prism:\n    platform: nutanix\n    url: '${server.url}'\n    username: admin\n    password: { file: '${passwordFile}' }\n  v2v-target:\n    platform: libvirt\n    hosts: [{ id: b, uri: '${targetUri}' }]\n`);
  const out = openSync(join(work, "move.jsonl"), "w");
  const err = openSync(join(work, "move.err"), "w");
  const argv = ["--import", hooks, CLI_BIN, "move", VM_ID, "--from", "prism", "--to", "v2v-target", "--storage-map", `${DEFAULT_CONTAINER}=${pool}:raw`, "--shutdown-timeout", "5000", "--convert", "auto", "--json", "--config", config];
  code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ["ignore", out, err] });
    child.on("error", () => resolve(1));
    child.on("exit", (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  closeSync(out);
  closeSync(err);
} finally {
  await server.close();
}
process.exit(code);
