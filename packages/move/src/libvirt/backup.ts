/**
 * libvirt change tracking for warm moves: libvirt's backup API in pull mode. Each pass is one
 * backup job (`virsh backup-begin`) exporting every copied disk over NBD on a private unix socket
 * and creating a checkpoint (a QEMU persistent dirty bitmap in each qcow2 disk); the passes after
 * the first are incremental against the previous checkpoint, and the NBD export then carries the
 * `qemu:dirty-bitmap:backup-<disk>` meta context, read with `nbdinfo --map`. The final pass runs
 * after the source was shut down: the backup API needs a running QEMU, so the domain is started
 * paused (the guest does not run) for it, and `finish` removes the checkpoints and powers it off.
 *
 * Needs libvirt ≥ 7.6 and QEMU ≥ 6.0 (incremental backup enabled by default), qcow2 disks
 * (persistent bitmaps), `nbdinfo` (libnbd-bin) where the mover runs, and that machine to be the
 * source host (the socket is a local path).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "../checks.ts";
import type { DiskDefinition, VmDefinition } from "../definition.ts";
import type { CommandRunner, ExecResult } from "../exec.ts";
import type { ChangedExtent, SpiContext, WarmPass, WarmPassDisk, WarmSource } from "../spi.ts";
import { escapeXml } from "./xml.ts";

/** Oldest libvirt a warm move from libvirt runs on: incremental backup on by default (libvirt 7.6.0 release notes). */
export const WARM_MIN_LIBVIRT = [7, 6, 0] as const;
/** Oldest QEMU a warm move from libvirt runs on (QEMU 6.0: persistent dirty bitmaps for incremental backup). */
export const WARM_MIN_QEMU = [6, 0, 0] as const;

type Virsh = (args: readonly string[], ctx?: SpiContext) => Promise<ExecResult>;

/** What the libvirt warm source needs from its provider. */
export interface LibvirtWarmDeps {
  readonly virsh: Virsh;
  readonly runner: CommandRunner;
  /** nbdinfo binary. Default `nbdinfo`. */
  readonly nbdinfo?: string;
  /** Domain state as virsh prints it (`running`, `paused`, `shut off`…); undefined when there is no such domain. */
  readonly rawState: (vmId: string, ctx?: SpiContext) => Promise<string | undefined>;
}

/** `a.b.c` ≥ `min`. */
function atLeast(version: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    const v = version[i] ?? 0;
    if (v !== min[i]) return v > min[i]!;
  }
  return true;
}

/** Versions from `virsh version`: the daemon's libvirt and the hypervisor's QEMU. Pure. */
export function parseVirshVersion(out: string): { libvirt?: number[]; qemu?: number[] } {
  const nums = (s: string | undefined) => (s ? s.split(".").map(Number) : undefined);
  const libvirt = nums(/Running against daemon:\s*([\d.]+)/.exec(out)?.[1] ?? /Using library: libvirt\s*([\d.]+)/.exec(out)?.[1]);
  const qemu = nums(/Running hypervisor: QEMU\s*([\d.]+)/.exec(out)?.[1]);
  return { ...(libvirt ? { libvirt } : {}), ...(qemu ? { qemu } : {}) };
}

/** Dirty ranges from `nbdinfo --json --map=qemu:dirty-bitmap:…` (type bit 1 = dirty). Pure. */
export function parseDirtyMap(json: string): ChangedExtent[] {
  const rows = JSON.parse(json) as { offset: number; length: number; type: number }[];
  return rows.filter((r) => (r.type & 1) === 1).map((r) => ({ offset: r.offset, length: r.length }));
}

/** A checkpoint name for pass `pass` of move `moveId` (letters, digits, `-` only). */
export function checkpointName(moveId: string, pass: number): string {
  return `vmshift-${moveId.replace(/[^A-Za-z0-9-]/g, "-")}-${pass}`;
}

/** The backup and checkpoint XML of one pass. Pure. */
export function passXml(definition: VmDefinition, copied: readonly DiskDefinition[], options: { readonly socket: string; readonly scratchDir: string; readonly since?: string; readonly checkpoint: string }): { backup: string; checkpoint: string } {
  const keys = new Set(copied.map((d) => d.key));
  const all = definition.disks.filter((d) => d.device === "disk");
  const backupDisks = all.map((d) => (keys.has(d.key) ? `<disk name='${escapeXml(d.key)}' backup='yes' type='file'><scratch file='${escapeXml(join(options.scratchDir, `${d.key}.scratch.qcow2`))}'/></disk>` : `<disk name='${escapeXml(d.key)}' backup='no'/>`));
  const incremental = options.since === undefined ? "" : `<incremental>${escapeXml(options.since)}</incremental>`;
  const backup = `<domainbackup mode='pull'>${incremental}<server transport='unix' socket='${escapeXml(options.socket)}'/><disks>${backupDisks.join("")}</disks></domainbackup>`;
  const ckDisks = all.map((d) => `<disk name='${escapeXml(d.key)}' checkpoint='${keys.has(d.key) ? "bitmap" : "no"}'/>`);
  const checkpoint = `<domaincheckpoint><name>${escapeXml(options.checkpoint)}</name><disks>${ckDisks.join("")}</disks></domaincheckpoint>`;
  return { backup, checkpoint };
}

function virshError(op: string, subject: string, r: ExecResult): VmshiftError {
  const msg = r.stderr.trim().replace(/^error:\s*/gm, "").split("\n").filter(Boolean).join(": ");
  return new VmshiftError("MIGRATION_FAILED", `${op}: ${msg || `virsh exited ${r.code}`}`, { adapter: "libvirt", operation: op, subject, retryable: false });
}

/** The libvirt warm source (see the file's comment). */
export function libvirtWarmSource(deps: LibvirtWarmDeps): WarmSource {
  const { virsh, runner, rawState } = deps;
  const nbdinfo = deps.nbdinfo ?? "nbdinfo";
  /** Moves whose final pass brought the domain up paused. */
  const pausedByUs = new Set<string>();
  const quiet = (): SpiContext => ({ signal: new AbortController().signal });

  return {
    async check(definition, ctx) {
      const checks: MoveCheck[] = [];
      const v = await virsh(["version"], ctx);
      const { libvirt, qemu } = parseVirshVersion(v.stdout);
      if (v.code !== 0 || !libvirt || !qemu) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: definition.id, message: `cannot tell the source's libvirt and QEMU versions (virsh version: ${(v.stderr.trim() || v.stdout.trim()).split("\n")[0] ?? ""}); warm moves need libvirt ≥ ${WARM_MIN_LIBVIRT.join(".")} and QEMU ≥ ${WARM_MIN_QEMU.join(".")}` });
      else {
        if (!atLeast(libvirt, WARM_MIN_LIBVIRT)) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: definition.id, message: `the source runs libvirt ${libvirt.join(".")}; warm moves need libvirt ≥ ${WARM_MIN_LIBVIRT.join(".")} (incremental backup)` });
        if (!atLeast(qemu, WARM_MIN_QEMU)) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: definition.id, message: `the source runs QEMU ${qemu.join(".")}; warm moves need QEMU ≥ ${WARM_MIN_QEMU.join(".")} (persistent dirty bitmaps)` });
      }
      for (const d of definition.disks) {
        if (d.device !== "disk") continue;
        if (d.format !== "qcow2") checks.push({ id: "disk.changeTracking", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} is ${d.format ?? "of unknown format"}; warm moves need qcow2 disks (QEMU keeps dirty bitmaps only in qcow2)` });
      }
      if (definition.powerState !== "running") checks.push({ id: "vm.state", category: "state", severity: "error", subject: definition.id, message: `${definition.name} is ${definition.powerState}; a warm move copies while the VM runs — start it or move it cold` });
      const nb = await runner.run(nbdinfo, ["--version"], { signal: ctx.signal });
      if (nb.code !== 0) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: nbdinfo, message: `${nbdinfo} (libnbd-bin) is not runnable where the mover runs; warm moves read dirty blocks with it` });
      return checks;
    },

    async beginPass(definition, disks, options, ctx): Promise<WarmPass> {
      const vm = definition.id;
      if (options.final) {
        const state = await rawState(vm, ctx);
        if (state === "shut off") {
          const s = await virsh(["start", "--paused", "--domain", vm], ctx);
          if (s.code !== 0) throw virshError("move.finalPass", vm, s);
          pausedByUs.add(options.moveId);
        }
      }
      const dir = mkdtempSync(join(tmpdir(), "vmshift-warm-"));
      const socket = join(dir, "nbd.sock");
      const checkpoint = checkpointName(options.moveId, options.pass);
      const xml = passXml(definition, disks, { socket, scratchDir: dir, checkpoint, ...(options.since === undefined ? {} : { since: options.since }) });
      writeFileSync(join(dir, "backup.xml"), xml.backup, { mode: 0o600 });
      writeFileSync(join(dir, "checkpoint.xml"), xml.checkpoint, { mode: 0o600 });
      const b = await virsh(["backup-begin", "--domain", vm, "--backupxml", join(dir, "backup.xml"), "--checkpointxml", join(dir, "checkpoint.xml")], ctx);
      if (b.code !== 0) {
        rmSync(dir, { recursive: true, force: true });
        throw virshError("move.beginPass", vm, b);
      }
      const map = new Map<string, WarmPassDisk>();
      for (const d of disks) {
        const location = `nbd+unix:///${encodeURIComponent(d.key)}?socket=${socket}`;
        map.set(d.key, {
          location,
          format: "raw",
          protocol: { driver: "nbd", server: { type: "unix", path: socket }, export: d.key },
          async changedExtents(c) {
            if (options.since === undefined) return undefined;
            const r = await runner.run(nbdinfo, ["--json", `--map=qemu:dirty-bitmap:backup-${d.key}`, location], { signal: c.signal, timeoutMs: 120_000 });
            if (r.code !== 0) throw new VmshiftError("MIGRATION_FAILED", `reading the dirty blocks of disk ${d.key} (pass ${options.pass}) failed: ${r.stderr.trim().split("\n").at(-1) ?? `nbdinfo exited ${r.code}`}`, { adapter: "libvirt", operation: "move.changedExtents", subject: vm, retryable: false });
            return parseDirtyMap(r.stdout);
          },
        });
      }
      let closed = false;
      return {
        pass: options.pass,
        checkpoint,
        disks: map,
        async close() {
          if (closed) return;
          closed = true;
          await virsh(["domjobabort", "--domain", vm], quiet());
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },

    async finish(definition, { moveId }) {
      const vm = definition.id;
      const q = quiet();
      const state = await rawState(vm, q);
      if (state === undefined) return;
      // No domjobabort here: the mover closed its pass (which aborts its own job); another tool's job is not ours to end.
      const prefix = checkpointName(moveId, 0).replace(/-0$/, "-");
      const list = await virsh(["checkpoint-list", "--domain", vm, "--name"], q);
      const ours = list.stdout.split("\n").map((l) => l.trim()).filter((n) => n.startsWith(prefix)).sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
      let broughtUp = false;
      if (ours.length > 0 && state === "shut off") {
        // libvirt deletes checkpoints (and their bitmaps) only of a running domain.
        const s = await virsh(["start", "--paused", "--domain", vm], q);
        if (s.code !== 0) throw virshError("move.finishWarm", vm, s);
        broughtUp = true;
      }
      const problems: string[] = [];
      for (const name of ours) {
        const r = await virsh(["checkpoint-delete", "--domain", vm, "--checkpointname", name], q);
        if (r.code !== 0) problems.push(`checkpoint ${name}: ${r.stderr.trim()}`);
      }
      if (broughtUp || pausedByUs.has(moveId)) {
        const d = await virsh(["destroy", "--domain", vm], q);
        if (d.code !== 0 && (await rawState(vm, q)) !== "shut off") problems.push(`powering off the paused source: ${d.stderr.trim()}`);
        pausedByUs.delete(moveId);
      }
      if (problems.length > 0) throw new VmshiftError("MIGRATION_PARTIAL", `warm move left state on the source: ${problems.join("; ")}`, { adapter: "libvirt", operation: "move.finishWarm", subject: vm, retryable: false });
    },
  };
}
