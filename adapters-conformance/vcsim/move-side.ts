/**
 * `vsphere-vcsim` as a move source: the project's vcsim launcher per VM, whose standalone host's
 * VM gets a real disk — the backing file on the datastore replaced by a flat VMDK (`qemu-img convert
 * -O vmdk -o subformat=monolithicFlat`, an ESXi datastore disk's layout) of the disk's capacity
 * holding the marker at offset 0; the mover reads it through
 * `@vmshift/move`'s vSphere source (cold: ExportVm → HttpNfcLease; warm: a snapshot per pass, which
 * the launcher freezes, QueryChangedDiskAreas and Range reads of the snapshot's disk). The VM gets
 * change tracking on (the launcher's stand-in for ReconfigVM_Task) and runs; the "guest" writes into
 * the VM's live file with qemu-io while a pass copies (a delta while a snapshot exists: the launcher
 * lays snapshots out as ESXi does). Hashes are read from the VM's live file with
 * qemu-img and the power state from vCenter's properties, never through the mover.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isVmshiftError } from "@vmshift/core";
import { vsphereMoveSource } from "@vmshift/move";
import { type VsphereMoveApi, createVsphereMoveApi } from "@vmshift/vsphere";
import { guestContentHash, qemuImgMissing } from "../../test-support/disk-hash.ts";
import type { Availability, MoveSourceSide, SidePowerState, SourceSession, SourceVm } from "../src/move/side.ts";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const MARKER = "vmshift-move-vsphere-marker";
const NAME = "vmshift-move-vc";
const FLAGS = ["-vm", "1", "-cluster", "1", "-host", "1", "-standalone-host", "1", "-maintenance-host", "0", "-full-host", "0"];

async function available(): Promise<Availability> {
  const missing = vcsimMissing();
  if (missing) return { ok: false, reason: missing };
  const noQemuImg = qemuImgMissing();
  return noQemuImg ? { ok: false, reason: noQemuImg } : { ok: true };
}

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : v && typeof v === "object" && "$value" in v ? text((v as { $value: unknown }).$value) : undefined);

function must(file: string, args: string[]): void {
  const r = spawnSync(file, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")}: ${r.error?.message ?? ""}${r.stderr}${r.stdout}`);
}

/** The disk the side wrote, found from vCenter's properties (not the mover's definition). */
interface RealDisk {
  readonly key: string;
  /** The base file the side wrote. */
  readonly path: string;
  /** The datastore's local directory. */
  readonly root: string;
  readonly vmId: string;
}

/** The local path of the file the VM's first disk names now (its base, or the delta a snapshot started); the base when vCenter does not say. */
async function liveFileOf(api: VsphereMoveApi | undefined, disk: RealDisk): Promise<string> {
  const props = await api?.properties({ type: "VirtualMachine", value: disk.vmId }, ["config.hardware.device"]).catch(() => undefined);
  const devices = [((props?.["config.hardware.device"] ?? {}) as { VirtualDevice?: unknown }).VirtualDevice].flat() as Record<string, unknown>[];
  const vdisk = devices.find((d) => d && Object.entries((d["attributes"] as Record<string, string> | undefined) ?? {}).some(([k, t]) => k.endsWith(":type") && t === "VirtualDisk"));
  const fileName = vdisk ? text((vdisk["backing"] as Record<string, unknown>)["fileName"]) : undefined;
  return fileName ? join(disk.root, fileName.replace(/^\[[^\]]+\]\s*/, "")) : disk.path;
}

/** vcsim's standalone-host VM as a move source. */
export const vsphereVcsimSource: MoveSourceSide = {
  name: "vsphere-vcsim",
  description: "vmshift-vcsim: the standalone host's VM with its disk backing file replaced by a real VMDK (marker at 0) on the local datastore; disks read through ExportVm → HttpNfcLease",
  available,
  async open(): Promise<SourceSession> {
    const dir = mkdtempSync(join(tmpdir(), "vmshift-move-vc-"));
    let sim: Vcsim | undefined;
    let api: VsphereMoveApi | undefined;
    let disk: RealDisk | undefined;
    let source = placeholder();
    const stop = async () => {
      await api?.close().catch(() => {});
      await sim?.stop();
      sim = undefined;
      api = undefined;
    };
    const session: SourceSession = {
      get source() {
        return source;
      },
      async createVm({ diskBytes }): Promise<SourceVm> {
        await stop();
        sim = await startVcsim(FLAGS);
        api = createVsphereMoveApi({ url: sim.url, username: "u", password: `pw-${crypto.randomUUID()}`, ca: sim.caPem, pollMs: 50 }); // the CA, not the thumbprint: an in-process HTTP interceptor (kubevirt-env's side) wraps TLS sockets so that pinning cannot read the peer certificate
        const vmId = await standaloneVm(api);
        await sim.control("rename", { vm: vmId, name: NAME }); // a name every target accepts (KubeVirt: DNS-1123)
        await sim.control("change-tracking", { vm: vmId, enabled: "true" }); // what an administrator does before a warm move
        await sim.control("disk-capacity", { vm: vmId, bytes: String(Math.ceil(Math.max(diskBytes, 4 * 2 ** 20) / 2 ** 20) * 2 ** 20) }); // the model's disks are 1 MiB; the warm scenario writes at 1 and 2 MiB
        const props = await api.properties({ type: "VirtualMachine", value: vmId }, ["name", "config.hardware.device", "datastore"]);
        const devices = [((props["config.hardware.device"] ?? {}) as { VirtualDevice?: unknown }).VirtualDevice].flat() as Record<string, unknown>[];
        const vdisk = devices.find((d) => Object.entries((d["attributes"] as Record<string, string> | undefined) ?? {}).some(([k, t]) => k.endsWith(":type") && t === "VirtualDisk"));
        if (!vdisk) throw new Error(`vsphere-vcsim: ${vmId} has no VirtualDisk`);
        const fileName = text((vdisk["backing"] as Record<string, unknown>)["fileName"])!;
        const bytes = Number(text(vdisk["capacityInBytes"]) ?? Number(text(vdisk["capacityInKB"]) ?? 0) * 1024);
        const dsRef = text([((props["datastore"] ?? {}) as { ManagedObjectReference?: unknown }).ManagedObjectReference].flat()[0])!;
        const dsUrl = text((await api.properties({ type: "Datastore", value: dsRef }, ["summary.url"]))["summary.url"])!;
        const path = join(dsUrl.replace(/^ds:\/\//, ""), fileName.replace(/^\[[^\]]+\]\s*/, ""));
        const raw = Buffer.alloc(bytes);
        raw.write(MARKER, 0, "utf8");
        for (let off = 256 * 1024; off + 8 <= bytes; off += 256 * 1024) raw.writeUInt32LE((off * 2654435761) >>> 0, off + 3);
        writeFileSync(join(dir, "seed.raw"), raw);
        mkdirSync(dirname(path), { recursive: true });
        rmSync(path, { force: true }); // vcsim's placeholder descriptor: qemu-img would try to open it
        must("qemu-img", ["convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicFlat", join(dir, "seed.raw"), path]); // a descriptor and its -flat.vmdk extent, as on a VMFS datastore
        rmSync(join(dir, "seed.raw"), { force: true });
        source = vsphereMoveSource({ api, hostId: "vsphere-vcsim", stagingDir: dir, pollMs: 50 });
        // The mover names disks by guest device (sda…); the only SCSI disk after the CD-ROM's slot is read back by that name.
        const key = (await source.readDefinition(vmId, { signal: AbortSignal.timeout(30_000) })).disks.find((d) => d.device === "disk")!.key;
        disk = { key, path, root: dsUrl.replace(/^ds:\/\//, ""), vmId };
        const networks = devices.filter((d) => "macAddress" in d).map((d) => text(((d["backing"] as Record<string, unknown>)?.["deviceName"])) ?? "");
        return { vmId, name: text(props["name"])!, storages: [/^\[([^\]]+)\]/.exec(fileName)![1]!], networks: networks.every(Boolean) && networks.length ? networks : ["DC0_DVPG0"], marker: MARKER };
      },
      async diskHashes(): Promise<Readonly<Record<string, string>>> {
        if (!disk) return {};
        return { [disk.key]: guestContentHash(await liveFileOf(api, disk), "vmdk") };
      },
      async powerState(vm): Promise<SidePowerState> {
        if (!api) return "missing";
        // Gone only when vCenter says so (NOT_FOUND: ManagedObjectNotFound); any other failure is not "missing".
        const p = await api.properties({ type: "VirtualMachine", value: vm.vmId }, ["runtime.powerState"]).catch((e: unknown) => (isVmshiftError(e) && e.code === "NOT_FOUND" ? undefined : Promise.reject(e)));
        const s = text(p?.["runtime.powerState"]);
        return !p ? "missing" : s === "poweredOn" ? "running" : s === "poweredOff" ? "stopped" : "other";
      },
      async writeWhileRunning(_vm, offset, length, pattern) {
        // A guest write through QEMU's block layer into the running VM's live file (a delta while a snapshot froze the base).
        if (!disk) throw new Error("vsphere-vcsim: createVm first");
        must("qemu-io", ["-f", "vmdk", "-c", `write -P ${pattern} ${offset} ${length}`, await liveFileOf(api, disk)]);
      },
      async close() {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return session;
  },
};

/** The VM of the standalone host (`DC0_H0_VM0`): its moref id, found by reading names (vcsim numbers morefs from 1). */
async function standaloneVm(api: VsphereMoveApi): Promise<string> {
  for (let n = 1; n <= 200; n++) {
    const p = await api.properties({ type: "VirtualMachine", value: `vm-${n}` }, ["name"]).catch(() => undefined);
    if (text(p?.["name"]) === "DC0_H0_VM0") return `vm-${n}`;
  }
  throw new Error("vsphere-vcsim: no VM named DC0_H0_VM0");
}

/** The source before `createVm`: every call says so. */
function placeholder(): ReturnType<typeof vsphereMoveSource> {
  const fail = async (): Promise<never> => {
    throw new Error("vsphere-vcsim: createVm first");
  };
  return { platform: "vsphere", readDefinition: fail, openDisk: fail, stop: fail, start: fail, powerState: fail };
}
