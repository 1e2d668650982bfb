/**
 * `libvirt-local` as both sides of a move: the libvirt lab's host `a` is the source (a domain with
 * a qcow2 data disk holding a marker, in a dir pool), host `b` the target (a dir pool, raw
 * volumes). Everything is read back with `virsh` and `qemu-img` on the hosts, not through the
 * mover. The lab is one per machine: sessions hold its lock (shared by the source and target
 * sessions of one process) and start its daemons.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { libvirtMoveSource, libvirtMoveTarget } from "@vmshift/move";
import { acquireLab, domainXml, failStartFlag, labAvailability, labUri, run, serialPath, startDaemons, virsh } from "../../libvirt-lab/lab.ts";
import { DST_POOL, MARKER, MOVE_DIR, MOVE_DISK, MOVE_VM, SRC_POOL, contentHash, must, writeThroughDomain } from "../../libvirt-lab/move-lab.ts";
import type { Availability, MoveSourceSide, MoveTargetSide, SidePowerState, SourceSession, SourceVm, TargetSession } from "./side.ts";

let holders = 0;
let taking: Promise<() => void> | undefined;
let lingering: NodeJS.Timeout | undefined;
/** How long the lab stays held after its last session closed: the suite's next scenario opens within it, so another lab user cannot slip in between scenarios. */
const LINGER_MS = 3000;

/** Takes the lab (once per process, however many sessions hold it) and starts its daemons. */
async function holdLab(owner: string): Promise<() => Promise<void>> {
  holders++;
  if (lingering) clearTimeout(lingering);
  lingering = undefined;
  taking ??= (async () => {
    const release = await acquireLab(owner);
    await startDaemons();
    return release;
  })();
  const release = await taking;
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    if (--holders === 0) {
      lingering = setTimeout(() => {
        if (holders > 0) return;
        taking = undefined;
        lingering = undefined;
        release();
      }, LINGER_MS);
      lingering.unref(); // a process that ends releases the lab through acquireLab's exit hook
    }
  };
}

async function available(): Promise<Availability> {
  const lab = await labAvailability();
  if (!lab.ok) return lab;
  const q = await run("qemu-img", ["--version"]);
  return q.code === 0 ? { ok: true } : { ok: false, reason: "qemu-img is not installed (.ci/setup.d/70-move.sh)" };
}

async function domState(host: "a" | "b", name: string): Promise<SidePowerState> {
  const r = await virsh(host, ["domstate", "--domain", name]);
  if (r.code !== 0) return "missing";
  const s = r.stdout.trim();
  return s === "running" ? "running" : s === "shut off" ? "stopped" : "other";
}

/** A fresh dir pool on host a (its files removed). */
async function freshSourcePool(path: string): Promise<void> {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  await virsh("a", ["pool-destroy", SRC_POOL]);
  await virsh("a", ["pool-undefine", SRC_POOL]);
  await must("a", ["pool-define-as", SRC_POOL, "dir", "--target", path]);
  await must("a", ["pool-start", SRC_POOL]);
}

/**
 * The source domain on host a, defined and started once: a qcow2 data disk (marker at offset 0, a
 * pattern every 512 KiB) in pool SRC_POOL, BIOS boot (every target can take it; with no bootable
 * disk SeaBIOS keeps QEMU running) and one user-mode NIC. An earlier one is removed first.
 */
async function createSourceVm(diskBytes: number): Promise<SourceVm> {
  for (const args of [["domjobabort", "--domain", MOVE_VM], ["destroy", "--domain", MOVE_VM], ["undefine", "--domain", MOVE_VM, "--checkpoints-metadata"]]) await virsh("a", args);
  await freshSourcePool(join(MOVE_DIR, "src"));
  const raw = Buffer.alloc(diskBytes);
  raw.write(MARKER, 0, "utf8");
  for (let off = 512 * 1024; off + 11 <= diskBytes; off += 512 * 1024) raw.writeUInt32LE((off * 2654435761) >>> 0, off + 7);
  const seed = join(MOVE_DIR, "seed.raw");
  writeFileSync(seed, raw);
  const c = await run("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", seed, MOVE_DISK], { timeoutMs: 120_000 });
  rmSync(seed, { force: true });
  if (c.code !== 0) throw new Error(`qemu-img convert: ${c.stderr}`);
  await must("a", ["pool-refresh", SRC_POOL]);
  mkdirSync(dirname(serialPath(MOVE_VM)), { recursive: true });
  writeFileSync(serialPath(MOVE_VM), "");
  const devices = `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${MOVE_DISK}'/><target dev='vdb' bus='virtio'/></disk>
    <interface type='user'><mac address='52:54:00:4d:56:01'/><model type='virtio'/></interface>
    <serial`;
  const xml = domainXml(MOVE_VM, 64, { fillMiB: 1, dirtyMiB: 1, rateMiBps: -1 })
    .replace(/<kernel>[^<]*<\/kernel>/, "")
    .replace(/<initrd>[^<]*<\/initrd>/, "")
    .replace(/<cmdline>[^<]*<\/cmdline>/, "")
    .replace("<serial", devices);
  const file = join(MOVE_DIR, `${MOVE_VM}.xml`);
  writeFileSync(file, xml);
  await must("a", ["define", "--file", file]);
  await must("a", ["start", "--domain", MOVE_VM]);
  return { vmId: MOVE_VM, name: MOVE_VM, storages: [SRC_POOL], networks: ["user"], marker: MARKER };
}

/** The lab's host `a` as a move source. */
export const libvirtLocalSource: MoveSourceSide = {
  name: "libvirt-local",
  description: "libvirt lab host a: a BIOS domain with a qcow2 data disk in a dir pool and a user-mode NIC",
  available,
  async open(): Promise<SourceSession> {
    const release = await holdLab("conformance --suite move (libvirt-local source)");
    return {
      source: libvirtMoveSource({ uri: labUri("a"), hostId: "a", pollMs: 100 }),
      createVm: ({ diskBytes }) => createSourceVm(diskBytes),
      diskHashes: async () => ({ vdb: await contentHash(MOVE_DISK, "qcow2") }),
      powerState: (vm) => domState("a", vm.vmId),
      writeWhileRunning: (_vm, offset, length, pattern) => writeThroughDomain(offset, length, pattern),
      cliProfile: () => ({ platform: "libvirt", hosts: [{ id: "a", uri: labUri("a") }] }),
      async close() {
        for (const args of [["domjobabort", "--domain", MOVE_VM], ["destroy", "--domain", MOVE_VM], ["undefine", "--domain", MOVE_VM, "--checkpoints-metadata"]]) await virsh("a", args);
        await release();
      },
    };
  },
};

/** Disk files of a domain on `b`, by target dev, with their format. */
async function domainDisks(name: string): Promise<Map<string, { file: string; format: string }>> {
  const r = await virsh("b", ["dumpxml", "--domain", name]);
  const disks = new Map<string, { file: string; format: string }>();
  if (r.code !== 0) return disks;
  for (const m of r.stdout.matchAll(/<disk type='file' device='disk'>([\s\S]*?)<\/disk>/g)) {
    const body = m[1]!;
    const file = /<source file='([^']+)'/.exec(body)?.[1];
    const dev = /<target dev='([^']+)'/.exec(body)?.[1];
    const format = /<driver name='qemu' type='([^']+)'/.exec(body)?.[1] ?? "raw";
    if (file && dev) disks.set(dev, { file, format });
  }
  return disks;
}

async function freshTargetPool(): Promise<void> {
  const path = join(MOVE_DIR, "dst");
  const listed = await virsh("b", ["pool-info", "--pool", DST_POOL]);
  if (listed.code === 0 && /State:\s+running/.test(listed.stdout)) return;
  mkdirSync(path, { recursive: true });
  await virsh("b", ["pool-destroy", DST_POOL]);
  await virsh("b", ["pool-undefine", DST_POOL]);
  await must("b", ["pool-define-as", DST_POOL, "dir", "--target", path]);
  await must("b", ["pool-start", DST_POOL]);
}

/** The lab's host `b` as a move target: raw volumes in a dir pool. */
export const libvirtLocalTarget: MoveTargetSide = {
  name: "libvirt-local",
  description: "libvirt lab host b: raw volumes in a dir pool, a defined domain (TCG)",
  available,
  async open(): Promise<TargetSession> {
    const release = await holdLab("conformance --suite move (libvirt-local target)");
    await freshTargetPool();
    const seen = new Set<string>();
    const volumes = async (name: string) => (await must("b", ["vol-list", DST_POOL])).split("\n").map((l) => l.trim().split(/\s+/)[0] ?? "").filter((v) => v.startsWith(`${name}-`));
    return {
      target(options = {}) {
        if (options.failStartOf) seen.add(options.failStartOf);
        if (options.failStartOf) writeFileSync(failStartFlag("b", options.failStartOf), "armed by the move conformance suite\n");
        return libvirtMoveTarget({ uri: labUri("b"), hostId: "b", domainType: "qemu", extraDevicesXml: `<serial type='file'><source path='${serialPath(`${MOVE_VM}-b`)}' append='on'/><target port='0'/></serial>` });
      },
      storageMap: (storages) => Object.fromEntries(storages.map((s) => [s, { storage: DST_POOL, format: "raw" as const }])),
      networkMap: (networks) => Object.fromEntries(networks.map((n) => [n, "user"])),
      async leftovers(name) {
        seen.add(name);
        await must("b", ["pool-refresh", DST_POOL]);
        const domain = (await virsh("b", ["domstate", "--domain", name])).code === 0 ? [`domain ${name}`] : [];
        return [...domain, ...(await volumes(name)).map((v) => `volume ${DST_POOL}/${v}`)];
      },
      async diskHashes(name, keys) {
        seen.add(name);
        const disks = await domainDisks(name);
        const out: Record<string, string> = {};
        for (const k of keys) {
          const d = disks.get(k);
          if (d) out[k] = await contentHash(d.file, d.format);
        }
        return out;
      },
      powerState: (name) => (seen.add(name), domState("b", name)),
      cliProfile: () => ({ platform: "libvirt", hosts: [{ id: "b", uri: labUri("b") }] }),
      async close() {
        for (const name of seen) {
          rmSync(failStartFlag("b", name), { force: true });
          await virsh("b", ["destroy", "--domain", name]);
          await virsh("b", ["undefine", "--domain", name]);
          for (const v of await volumes(name).catch(() => [])) await virsh("b", ["vol-delete", "--pool", DST_POOL, "--vol", v]);
        }
        await release();
      },
    };
  },
};
