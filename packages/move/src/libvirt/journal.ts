/**
 * The libvirt target's move journal: the record as JSON inside the domain's `<metadata>`
 * (namespace `urn:vmshift:move:1`), written with `virsh metadata --set --config`, so it lives
 * and dies with the domain the move defined. libvirt has no compare-and-swap on metadata, so a
 * conditional write (`replace`) reads the record, compares, writes, and reads it back (after
 * `settleMs` for a takeover, so that a rival's write that raced it is seen): the last writer's
 * record is what both read back, and only that writer is told it won.
 */
import type { ExecResult } from "../exec.ts";
import { type MoveJournal, type MoveRecord, parseMoveRecord, sameWrite } from "../journal.ts";
import type { SpiContext } from "../spi.ts";
import { escapeXml } from "./xml.ts";
import { VmshiftError, pause } from "@vmshift/core";

/** The metadata namespace URI of a move record. */
export const MOVE_METADATA_URI = "urn:vmshift:move:1";

type Virsh = (args: readonly string[], ctx?: SpiContext) => Promise<ExecResult>;

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The record inside a domain's metadata element (`<move>JSON</move>`), or undefined. */
export function recordFromMetadata(xml: string): MoveRecord | undefined {
  const text = /<move[^>]*>([\s\S]*?)<\/move>/.exec(xml)?.[1];
  return text === undefined ? undefined : parseMoveRecord(unescape(text));
}

/** A journal over `virsh` on one connection. */
export function libvirtJournal(virsh: Virsh): MoveJournal {
  async function read(domain: string, ctx: SpiContext): Promise<MoveRecord | undefined> {
    const r = await virsh(["metadata", "--domain", domain, "--uri", MOVE_METADATA_URI, "--config"], ctx);
    return r.code === 0 ? recordFromMetadata(r.stdout) : undefined;
  }
  /** Like `read`, but only a missing domain or record reads as none: any other failure throws (a heartbeat tries again). */
  async function readOrThrow(domain: string, ctx: SpiContext): Promise<MoveRecord | undefined> {
    const r = await virsh(["metadata", "--domain", domain, "--uri", MOVE_METADATA_URI, "--config"], ctx);
    if (r.code === 0) return recordFromMetadata(r.stdout);
    if (/failed to get domain|not found|not present|no domain/i.test(r.stderr)) return undefined;
    throw new VmshiftError("TRANSPORT", `reading the move record on domain ${domain} failed: ${r.stderr.trim()}`, { adapter: "libvirt", operation: "move.journal", subject: domain });
  }
  async function write(record: MoveRecord, ctx: SpiContext): Promise<void> {
    const vmId = record.reservation.vmId;
    const r = await virsh(["metadata", "--domain", vmId, "--uri", MOVE_METADATA_URI, "--key", "vmshift", "--set", `<move>${escapeXml(JSON.stringify(record))}</move>`, "--config"], ctx);
    if (r.code !== 0) throw new VmshiftError("MIGRATION_FAILED", `recording move ${record.moveId} on domain ${vmId} failed: ${r.stderr.trim()}`, { adapter: "libvirt", operation: "move.journal", subject: vmId });
  }
  return {
    write,
    async replace(expected, next, ctx, options = {}) {
      const vmId = next.reservation.vmId;
      const current = await readOrThrow(vmId, ctx);
      if (!current || current.moveId !== expected.moveId || !sameWrite(current, expected)) return { written: false, current: current?.moveId === expected.moveId ? current : undefined };
      await write(next, ctx);
      if (options.settleMs) await pause(options.settleMs, ctx.signal);
      const back = await readOrThrow(vmId, ctx);
      return back && sameWrite(back, next) ? { written: true } : { written: false, current: back?.moveId === next.moveId ? back : undefined };
    },
    async find(moveId, ctx) {
      const list = await virsh(["list", "--all", "--name"], ctx);
      if (list.code !== 0) throw new VmshiftError("MIGRATION_FAILED", `listing domains to find move ${moveId} failed: ${list.stderr.trim()}`, { adapter: "libvirt", operation: "move.attach" });
      for (const name of list.stdout.split("\n").map((l) => l.trim()).filter(Boolean)) {
        const record = await read(name, ctx);
        if (record?.moveId === moveId) return record;
      }
      return undefined;
    },
  };
}

/**
 * The libvirt source's removal: `virsh undefine` with its NVRAM, snapshot and checkpoint metadata;
 * the disk volumes are kept (not `--remove-all-storage`).
 */
export function libvirtSourceRemoval(virsh: Virsh): import("../removal.ts").SourceRemoval {
  return {
    async removeVm(vmId, ctx) {
      const disks = await virsh(["domblklist", "--domain", vmId, "--details"], ctx);
      const files = disks.code === 0 ? disks.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter((c) => c[1] === "disk" && c[3] && c[3] !== "-").map((c) => c[3]!) : [];
      let r = await virsh(["undefine", "--domain", vmId, "--nvram", "--snapshots-metadata", "--checkpoints-metadata"], ctx);
      if (r.code !== 0) r = await virsh(["undefine", "--domain", vmId, "--snapshots-metadata", "--checkpoints-metadata"], ctx);
      if (r.code !== 0) throw new VmshiftError("MIGRATION_FAILED", `undefining the source domain ${vmId} failed: ${r.stderr.trim()}`, { adapter: "libvirt", operation: "move.removeSource", subject: vmId });
      return `domain ${vmId} undefined (definition, NVRAM, snapshot and checkpoint metadata); disks kept: ${files.join(", ") || "none"}`;
    },
  };
}
