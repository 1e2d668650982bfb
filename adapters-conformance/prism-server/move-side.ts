/**
 * `nutanix-server` as a move source: a Prism-like server (prism-server) per session with one VM
 * whose SCSI disk is a real raw file holding the marker at offset 0, on one subnet, in the default
 * storage container; the mover reads it through `@vmshift/move`'s Nutanix source (v4 image from
 * the VM disk, file download). Hashes and power state are read from the server's own files and
 * inventory, never through the mover. Cold only: the v4 VMM API has no changed-block tracking.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nutanixMoveSource, prismImageFiles } from "@vmshift/move";
import { NutanixTransport } from "@vmshift/nutanix";
import { DEFAULT_CONTAINER, type PrismServer, simId, startPrismServer } from "./src/index.ts";
import type { Availability, MoveSourceSide, SidePowerState, SourceSession, SourceVm } from "../src/move/side.ts";
import { qemuImgMissing } from "../../test-support/disk-hash.ts";

const MARKER = "vmshift-move-nutanix-marker";
const SUBNET = "5b000000-0000-4000-8000-000000000001";
const NAME = "vmshift-move-nx";
const VM = simId("0e000000", 200);
/** The password of the session's server (a test server's, generated per session). */
const password = () => `pw-${crypto.randomUUID()}`;

/** The server needs nothing; the mover's copies need qemu-img. */
async function available(): Promise<Availability> {
  const missing = qemuImgMissing();
  return missing ? { ok: false, reason: missing } : { ok: true };
}

/** The Prism-like server as a move source. */
export const nutanixServerSource: MoveSourceSide = {
  name: "nutanix-server",
  description: "prism-server: a VM with a raw SCSI disk (real file), one subnet, the default storage container; disks read as v4 images from the VM disk",
  available,
  async open(): Promise<SourceSession> {
    const dir = mkdtempSync(join(tmpdir(), "vmshift-move-nx-"));
    let server: PrismServer | undefined;
    let source = placeholder();
    const session: SourceSession = {
      get source() {
        return source;
      },
      async createVm({ diskBytes }): Promise<SourceVm> {
        await server?.close();
        const raw = Buffer.alloc(diskBytes);
        raw.write(MARKER, 0, "utf8");
        for (let off = 512 * 1024; off + 11 <= diskBytes; off += 512 * 1024) raw.writeUInt32LE((off * 2654435761) >>> 0, off + 7);
        writeFileSync(join(dir, "seed.img"), raw);
        const pw = password();
        server = await startPrismServer({ password: pw, imageMs: 50, timings: { queuedMs: 0, powerMs: 50, shutdownMs: 50 }, seed: { extraVms: 0, vmsWithDisks: [{ name: NAME, powerState: "ON", memorySizeBytes: 64 * 2 ** 20, disks: [{ image: join(dir, "seed.img") }], nics: [{ subnetExtId: SUBNET, macAddress: "50:6b:8d:00:4e:01" }] }] } });
        rmSync(join(dir, "seed.img"), { force: true });
        const connection = { baseUrl: server.url, auth: { username: "admin", password: pw } };
        source = nutanixMoveSource({ api: new NutanixTransport(connection), files: prismImageFiles(connection), stagingDir: dir, hostId: "nutanix-server", pollMs: 50 });
        return { vmId: VM, name: NAME, storages: [DEFAULT_CONTAINER], networks: [SUBNET], marker: MARKER };
      },
      async diskHashes() {
        const file = server?.inventory.vms.find((v) => v.extId === VM)?.hardware?.disks[0]?.file;
        return file ? { sda: createHash("sha256").update(readFileSync(file)).digest("hex") } : {};
      },
      async powerState(): Promise<SidePowerState> {
        const vm = server?.inventory.vms.find((v) => v.extId === VM);
        return !vm ? "missing" : vm.powerState === "ON" ? "running" : vm.powerState === "OFF" ? "stopped" : "other";
      },
      warmUnsupported: "Nutanix's v4 VMM API offers no changed-block tracking of VM disks (MOVE_CAPABILITIES.nutanix)",
      async close() {
        await server?.close();
        server = undefined;
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return session;
  },
};

/** The source before `createVm`: every call says so. */
function placeholder(): ReturnType<typeof nutanixMoveSource> {
  const fail = async (): Promise<never> => {
    throw new Error("nutanix-server: createVm first");
  };
  return { platform: "nutanix", readDefinition: fail, openDisk: fail, stop: fail, start: fail, powerState: fail };
}
