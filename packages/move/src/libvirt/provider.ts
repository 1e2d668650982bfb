/**
 * libvirt as a move source and a move target, through `virsh` and `qemu-img`.
 *
 * Today's limits (docs/move.md): cold moves read disks from their files directly, so the source's
 * disk paths must be readable where the mover runs (a local host, or hosts sharing storage); warm
 * moves read them through the backup API's NBD export on a local unix socket (backup.ts), so the
 * mover runs on the source host. Target volumes are
 * written in place (`qemu-img convert -n` into the path `vol-path` names), so the target pool's
 * paths must be writable here too.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "../checks.ts";
import type { DiskFormat } from "../definition.ts";
import { type CommandRunner, type ExecResult, spawnRunner } from "../exec.ts";
import type { MoveSource, MoveTarget, Reservation, ReservedVolume, SpiContext } from "../spi.ts";
import type { TargetAccepts } from "../validate.ts";
import { libvirtWarmSource } from "./backup.ts";
import type { Journaling } from "../journal.ts";
import type { Removable } from "../removal.ts";
import { libvirtJournal, libvirtSourceRemoval } from "./journal.ts";
import { buildDomainXml, parseDomainXml, toDefinition } from "./domain.ts";
import { escapeXml } from "./xml.ts";

/** The libvirt connection both move endpoints talk through (`virsh -c <uri>`). */
export interface LibvirtConnectionOptions {
  /** Connection URI, e.g. `qemu:///system`. */
  readonly uri: string;
  /** Host id reported in results. Default: the URI. */
  readonly hostId?: string;
  /** Runs `virsh` (a source also `qemu-img info` and, warm, `nbdinfo`). Default: {@link spawnRunner}, child processes here. */
  readonly runner?: CommandRunner;
  /** virsh binary. Default `virsh`. */
  readonly virsh?: string;
}

/** Options of {@link libvirtMoveSource}. */
export interface LibvirtMoveSourceOptions extends LibvirtConnectionOptions {
  /** Poll interval while waiting for a shutdown, ms. Default 250. */
  readonly pollMs?: number;
  /** The nbdinfo binary warm moves read dirty blocks with. Default `nbdinfo`. */
  readonly nbdinfo?: string;
}

/** Options of {@link libvirtMoveTarget}. */
export interface LibvirtMoveTargetOptions extends LibvirtConnectionOptions {
  /** Domain type of defined VMs. Default `kvm` when /dev/kvm exists, else `qemu`. */
  readonly domainType?: string;
  /** Device XML added to every defined domain (e.g. a serial console). */
  readonly extraDevicesXml?: string;
}

const STATE: Readonly<Record<string, "running" | "stopped" | "other">> = { running: "running", "shut off": "stopped", "in shutdown": "running", crashed: "stopped" };

function virshOf(options: LibvirtConnectionOptions) {
  const runner = options.runner ?? spawnRunner();
  const binary = options.virsh ?? "virsh";
  return (args: readonly string[], ctx?: SpiContext): Promise<ExecResult> => runner.run(binary, ["-q", "-c", options.uri, ...args], { timeoutMs: 120_000, ...(ctx ? { signal: ctx.signal } : {}) });
}

function fail(code: "NOT_FOUND" | "MIGRATION_FAILED" | "INSUFFICIENT_RESOURCES" | "CONFLICT", op: string, subject: string, r: ExecResult): VmshiftError {
  const msg = r.stderr.trim().replace(/^error:\s*/gm, "").split("\n").filter(Boolean).join(": ");
  return new VmshiftError(/failed to get domain|Domain not found/i.test(msg) ? "NOT_FOUND" : code, `${op}: ${msg || `virsh exited ${r.code}`}`, { adapter: "libvirt", operation: op, subject, retryable: false });
}

async function domState(virsh: ReturnType<typeof virshOf>, name: string, ctx?: SpiContext): Promise<"running" | "stopped" | "other"> {
  const r = await virsh(["domstate", "--domain", name], ctx);
  if (r.code !== 0) throw fail("NOT_FOUND", "move.state", name, r);
  return STATE[r.stdout.trim()] ?? "other";
}

/** A libvirt host as a move source. */
export function libvirtMoveSource(options: LibvirtMoveSourceOptions): MoveSource & Removable {
  const virsh = virshOf(options);
  const runner = options.runner ?? spawnRunner();
  const pollMs = options.pollMs ?? 250;
  const rawState = async (vmId: string, ctx?: SpiContext) => {
    const r = await virsh(["domstate", "--domain", vmId], ctx);
    return r.code === 0 ? r.stdout.trim() : undefined;
  };
  return {
    platform: "libvirt",
    hostId: options.hostId ?? options.uri,
    warm: libvirtWarmSource({ virsh, runner, rawState, ...(options.nbdinfo ? { nbdinfo: options.nbdinfo } : {}) }),
    removal: libvirtSourceRemoval(virsh),
    async readDefinition(vmId, ctx) {
      const x = await virsh(["dumpxml", "--inactive", "--domain", vmId], ctx);
      if (x.code !== 0) throw fail("NOT_FOUND", "move.readDefinition", vmId, x);
      const parsed = parseDomainXml(x.stdout);
      const sizes = new Map<string, number>();
      const storage = new Map<string, string>();
      for (const d of parsed.disks) {
        if (d.device !== "disk" || !d.source) continue;
        const info = await virsh(["domblkinfo", "--domain", vmId, "--device", d.key], ctx);
        const cap = /Capacity:\s*(\d+)/.exec(info.stdout);
        if (cap) sizes.set(d.key, Number(cap[1]));
        else if (d.type === "file") {
          const q = await runner.run("qemu-img", ["info", "-U", "--output=json", d.source], { signal: ctx.signal });
          if (q.code === 0) sizes.set(d.key, Number((JSON.parse(q.stdout) as { "virtual-size": number })["virtual-size"]));
        }
        if (d.pool) storage.set(d.key, d.pool);
        else if (d.type === "file") {
          const p = await virsh(["vol-pool", d.source], ctx);
          storage.set(d.key, p.code === 0 && p.stdout.trim() ? p.stdout.trim() : `dir:${dirname(d.source)}`);
        } else storage.set(d.key, `${d.type}:${d.source}`);
      }
      const snaps = await virsh(["snapshot-list", "--domain", vmId, "--name"], ctx);
      const snapshotCount = snaps.code === 0 ? snaps.stdout.split("\n").filter((l) => l.trim()).length : 0;
      const powerState = await domState(virsh, vmId, ctx);
      return toDefinition(vmId, parsed, { sizes, storage, snapshotCount, powerState });
    },
    async openDisk(definition, disk, ctx) {
      const state = await domState(virsh, definition.id, ctx);
      if (state !== "stopped") throw new VmshiftError("INVALID_STATE", `disk ${disk.key} of ${definition.name} can only be read while the VM is stopped (cold move); it is ${state}`, { adapter: "libvirt", operation: "move.openDisk", subject: definition.id });
      const path = disk.native?.["source"];
      if (disk.native?.["type"] !== "file" || !path || !disk.format) throw new VmshiftError("NOT_SUPPORTED", `disk ${disk.key} is not a file image; only file disks can be read today`, { adapter: "libvirt", operation: "move.openDisk", subject: definition.id });
      return { location: path, format: disk.format, close: async () => {} };
    },
    async openDiskLive(definition, disk, ctx) {
      const state = await domState(virsh, definition.id, ctx);
      if (state !== "running") throw new VmshiftError("INVALID_STATE", `a live export of disk ${disk.key} needs ${definition.name} running; it is ${state}`, { adapter: "libvirt", operation: "move.openDiskLive", subject: definition.id });
      // Short path: unix socket paths are limited to 108 bytes. The daemon must see this directory (same host).
      const dir = mkdtempSync(join(tmpdir(), "vmshift-nbd-"));
      const socket = join(dir, "nbd.sock");
      const others = definition.disks.filter((d) => d.key !== disk.key && d.device === "disk").map((d) => `<disk name='${escapeXml(d.key)}' backup='no'/>`).join("");
      const xml = `<domainbackup mode='pull'><server transport='unix' socket='${escapeXml(socket)}'/><disks><disk name='${escapeXml(disk.key)}' backup='yes' type='file'><scratch file='${escapeXml(join(dir, "scratch.qcow2"))}'/></disk>${others}</disks></domainbackup>`;
      writeFileSync(join(dir, "backup.xml"), xml, { mode: 0o600 });
      const b = await virsh(["backup-begin", "--domain", definition.id, "--backupxml", join(dir, "backup.xml")], ctx);
      if (b.code !== 0) {
        rmSync(dir, { recursive: true, force: true });
        throw fail("MIGRATION_FAILED", "move.openDiskLive", definition.id, b);
      }
      return {
        location: `nbd+unix:///${disk.key}?socket=${socket}`,
        format: "raw",
        close: async () => {
          await virsh(["domjobabort", "--domain", definition.id]);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    async stop(vmId, { shutdownTimeoutMs }, ctx) {
      if ((await domState(virsh, vmId, ctx)) === "stopped") return;
      await virsh(["shutdown", "--domain", vmId], ctx);
      const deadline = Date.now() + shutdownTimeoutMs;
      while (Date.now() < deadline) {
        if ((await domState(virsh, vmId, ctx)) === "stopped") return;
        await new Promise((r) => setTimeout(r, pollMs));
      }
      const d = await virsh(["destroy", "--domain", vmId], ctx);
      if (d.code !== 0 && (await domState(virsh, vmId, ctx)) !== "stopped") throw fail("MIGRATION_FAILED", "move.stopSource", vmId, d);
    },
    async start(vmId, ctx) {
      const r = await virsh(["start", "--domain", vmId], ctx);
      if (r.code !== 0 && (await domState(virsh, vmId, ctx)) !== "running") throw fail("MIGRATION_FAILED", "move.startSource", vmId, r);
    },
    powerState: (vmId, ctx) => domState(virsh, vmId, ctx),
  };
}

const EXT: Readonly<Record<DiskFormat, string>> = { raw: "img", qcow2: "qcow2", vmdk: "vmdk", vhdx: "vhdx", vpc: "vhd" };

/** A libvirt host as a move target. */
export function libvirtMoveTarget(options: LibvirtMoveTargetOptions): MoveTarget & Journaling & { readonly accepts: TargetAccepts } {
  const virsh = virshOf(options);
  const domainType = options.domainType ?? (existsKvm() ? "kvm" : "qemu");
  async function removeVolumes(volumes: readonly ReservedVolume[]): Promise<void> {
    for (const v of volumes) await virsh(["vol-delete", "--pool", v.storage, "--vol", volName(v)]);
  }
  return {
    platform: "libvirt",
    hostId: options.hostId ?? options.uri,
    accepts: { buses: ["virtio", "sata", "scsi", "ide"], firmware: ["bios", "uefi", "kernel"] },
    async check({ definition }, ctx) {
      const checks: MoveCheck[] = [];
      const existing = await virsh(["domstate", "--domain", definition.targetName], ctx);
      if (existing.code === 0) checks.push({ id: "target.nameTaken", category: "policy", severity: "error", subject: definition.targetName, message: `a domain named ${definition.targetName} already exists on the target` });
      const need = new Map<string, number>();
      for (const d of definition.disks) need.set(d.targetStorage, (need.get(d.targetStorage) ?? 0) + d.sizeBytes);
      for (const [pool, bytes] of need) {
        const info = await virsh(["pool-info", "--pool", pool, "--bytes"], ctx);
        if (info.code !== 0) {
          checks.push({ id: "target.storageMissing", category: "storage", severity: "error", subject: pool, message: `storage pool ${pool} does not exist on the target` });
          continue;
        }
        const avail = /Available:\s*(\d+)/.exec(info.stdout);
        const poolState = /State:\s+(\S+)/.exec(info.stdout)?.[1];
        if (poolState !== "running") checks.push({ id: "target.storageMissing", category: "storage", severity: "error", subject: pool, message: `storage pool ${pool} is ${poolState ?? "not active"} on the target, not running` });
        else if (avail && Number(avail[1]) < bytes) checks.push({ id: "target.insufficientSpace", category: "capacity", severity: "error", subject: pool, message: `storage pool ${pool} has ${avail[1]} bytes available, the disks need up to ${bytes}` });
      }
      for (const n of new Set(definition.nics.map((x) => x.targetNetwork))) {
        if (n.includes(":") || n === "user") continue;
        const r = await virsh(["net-info", "--network", n], ctx);
        if (r.code !== 0) checks.push({ id: "target.networkMissing", category: "network", severity: "error", subject: n, message: `network ${n} does not exist on the target` });
      }
      return checks;
    },
    async reserve(definition, ctx) {
      const volumes: ReservedVolume[] = [];
      try {
        for (const d of definition.disks) {
          const format = d.targetFormat ?? d.format ?? "raw";
          const name = `${definition.targetName}-${d.key}.${EXT[format]}`;
          const c = await virsh(["vol-create-as", "--pool", d.targetStorage, "--name", name, "--capacity", `${d.sizeBytes}b`, "--format", format], ctx);
          if (c.code !== 0) throw fail("INSUFFICIENT_RESOURCES", "move.reserve", name, c);
          const p = await virsh(["vol-path", "--pool", d.targetStorage, "--vol", name], ctx);
          volumes.push({ diskKey: d.key, storage: d.targetStorage, location: p.stdout.trim(), format, sizeBytes: d.sizeBytes });
          if (p.code !== 0) throw fail("MIGRATION_FAILED", "move.reserve", name, p);
        }
        const xml = buildDomainXml(definition, volumes, { domainType, ...(options.extraDevicesXml ? { extraDevicesXml: options.extraDevicesXml } : {}) });
        const dir = mkdtempSync(join(tmpdir(), "vmshift-move-"));
        try {
          writeFileSync(join(dir, "domain.xml"), xml, { mode: 0o600 });
          const def = await virsh(["define", "--file", join(dir, "domain.xml")], ctx);
          if (def.code !== 0) throw fail("CONFLICT", "move.reserve", definition.targetName, def);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        return { vmId: definition.targetName, volumes };
      } catch (error) {
        await removeVolumes(volumes);
        throw error;
      }
    },
    async start(reservation: Reservation, ctx) {
      const r = await virsh(["start", "--domain", reservation.vmId], ctx);
      if (r.code !== 0) throw fail("MIGRATION_FAILED", "move.startTarget", reservation.vmId, r);
    },
    async remove(reservation) {
      await virsh(["destroy", "--domain", reservation.vmId]);
      const u = await virsh(["undefine", "--domain", reservation.vmId, "--nvram"]);
      if (u.code !== 0) await virsh(["undefine", "--domain", reservation.vmId]);
      await removeVolumes(reservation.volumes);
    },
    powerState: (r, ctx) => domState(virsh, r.vmId, ctx),
    journal: libvirtJournal(virsh),
  };
}

function volName(v: ReservedVolume): string {
  return v.location.split("/").at(-1)!;
}

function existsKvm(): boolean {
  return existsSync("/dev/kvm");
}
