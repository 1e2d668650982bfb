/**
 * The guest converter of Debian's virt-v2v package: `virt-v2v-in-place` (virt-v2v 2.2.0 in
 * bookworm; virt-v2v-in-place(1)) converts the guest on the target's volumes where they are —
 * installs virtio drivers (Windows: from /usr/share/virtio-win), rebuilds a Linux guest's initramfs
 * with them, removes the source hypervisor's tools — inside libguestfs's appliance (QEMU; KVM when
 * /dev/kvm is there, else TCG). Input: a libvirt XML this writes into a private temporary directory
 * naming every volume with the bus the guest used at the source (`-i libvirtxml`). Run through the
 * package's argv runner, never a shell; progress from `--machine-readable` (convert-progress.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "./checks.ts";
import { type ConversionEvent, conversionLineReader } from "./convert-progress.ts";
import type { ConversionInput, GuestConverter } from "./convert.ts";
import { isWindowsGuest } from "./convert-need.ts";
import type { CommandRunner } from "./exec.ts";
import { spawnRunner } from "./exec.ts";
import { escapeXml } from "./libvirt/xml.ts";

/** The Debian package that ships virt-v2v-in-place. */
export const VIRT_V2V_PACKAGE = "virt-v2v";

/** Options of {@link virtV2vInPlace}. */
export interface VirtV2vInPlaceOptions {
  /** Runs the program. Default: {@link spawnRunner}. */
  readonly runner?: CommandRunner;
  /** The program. Default `virt-v2v-in-place` (on PATH). */
  readonly program?: string;
  /**
   * Environment for libguestfs. Default `LIBGUESTFS_BACKEND=direct` (libguestfs runs QEMU itself;
   * the libvirt backend's QEMU user may not read the volumes) and `VIRT_V2V_TMPDIR` left to
   * virt-v2v (/var/tmp).
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the conversion after this long, ms. Default 60 min. */
  readonly timeoutMs?: number;
  /** Where virt-v2v looks for Windows virtio drivers (checked for Windows guests). Default /usr/share/virtio-win. */
  readonly virtioWinDir?: string;
  /** Tells whether a path exists (tests). Default `fs.existsSync`. */
  readonly exists?: (path: string) => boolean;
}

const DEFAULT_TIMEOUT_MS = 60 * 60_000;

/** Debian's `virt-v2v-in-place` as the mover's {@link GuestConverter}. */
export function virtV2vInPlace(options: VirtV2vInPlaceOptions = {}): GuestConverter {
  const runner = options.runner ?? spawnRunner();
  const program = options.program ?? "virt-v2v-in-place";
  const env = options.env ?? { LIBGUESTFS_BACKEND: "direct" };
  const virtioWin = options.virtioWinDir ?? "/usr/share/virtio-win";
  const exists = options.exists ?? existsSync;
  return {
    program,
    async probe(ctx) {
      const r = await runner.run(program, ["--version"], { signal: ctx.signal, timeoutMs: 30_000 });
      const version = /virt-v2v-in-place\s+(\S+)/.exec(r.stdout)?.[1];
      if (r.code === 0 && version) return { version };
      return { missing: r.code === null ? `${program} is not installed where the mover runs (${lastLine(r.stderr)})` : `${program} --version failed (exit ${r.code}): ${lastLine(r.stderr || r.stdout)}` };
    },
    check(definition) {
      const checks: MoveCheck[] = [];
      if (isWindowsGuest(definition.guestOs) && !exists(virtioWin)) {
        checks.push({ id: "guest.conversion", category: "compatibility", severity: "warning", subject: definition.name, message: `${definition.name} is a Windows guest and ${virtioWin} is missing: virt-v2v has no virtio drivers to install (Debian does not package them; the virtio-win ISO's drivers go there), so the guest keeps its source drivers` });
      }
      return checks;
    },
    // virt-v2v installs virtio drivers in every Linux guest it converts; in a Windows guest only from virtio-win.
    givesVirtio: (definition) => !isWindowsGuest(definition.guestOs) || exists(virtioWin),
    async convert(input, ctx) {
      for (const v of input.volumes) {
        if (!v.location.startsWith("/")) throw new VmshiftError("MIGRATION_FAILED", `guest conversion needs the target's volumes as local files; volume ${v.diskKey} is at ${v.location}`, { operation: "move.convert", subject: input.name, retryable: false });
      }
      const dir = mkdtempSync(join(tmpdir(), "vmshift-convert-"));
      try {
        const xml = join(dir, "guest.xml");
        writeFileSync(xml, conversionDomainXml(input), { mode: 0o600 });
        const reader = conversionLineReader();
        const report = (events: readonly ConversionEvent[]) => events.forEach((e) => ctx.onEvent?.(e));
        const r = await runner.run(program, conversionArgv(xml), {
          signal: ctx.signal, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, env,
          onStdout: (chunk) => report(reader.push(chunk)),
        });
        report(reader.end());
        if (r.code !== 0) {
          const why = r.code === null ? lastLines(r.stderr, 3) : lastLines(r.stderr || r.stdout, 3);
          throw new VmshiftError("MIGRATION_FAILED", `guest conversion failed: ${program} ${r.code === null ? "did not run to its end" : `exited ${r.code}`}: ${why}`, { operation: "move.convert", subject: input.name, retryable: false });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The argv of one conversion: libvirt XML input, machine-readable output on stdout. */
export function conversionArgv(xmlPath: string): string[] {
  return ["-i", "libvirtxml", "--machine-readable", xmlPath];
}

/**
 * The libvirt XML virt-v2v-in-place reads (its man page's "Minimal XML for -i libvirtxml"): the
 * guest's name, memory and vCPUs, and every volume as a file disk on the bus the guest used at
 * the source (virt-v2v renames a Linux guest's block devices for virtio from those names).
 */
export function conversionDomainXml(input: ConversionInput): string {
  const { definition } = input;
  const counters = new Map<string, number>();
  const disks = definition.disks
    .map((d) => ({ d, v: input.volumes.find((v) => v.diskKey === d.key) }))
    .filter((x) => x.v !== undefined)
    .map(({ d, v }) => {
      const bus = V2V_BUS[d.bus] ?? "scsi";
      const prefix = bus === "virtio" ? "vd" : bus === "ide" ? "hd" : "sd";
      const n = counters.get(prefix) ?? 0;
      counters.set(prefix, n + 1);
      return `    <disk type='file' device='disk'><driver name='qemu' type='${escapeXml(v!.format)}'/><source file='${escapeXml(v!.location)}'/><target dev='${prefix}${deviceLetters(n)}' bus='${bus}'/></disk>`;
    });
  const kib = Math.max(1, Math.round(definition.memoryBytes / 1024));
  return [
    "<domain type='kvm'>",
    `  <name>${escapeXml(input.name)}</name>`,
    `  <memory unit='KiB'>${kib}</memory>`,
    `  <vcpu>${Math.max(1, definition.cpus)}</vcpu>`,
    "  <os><type>hvm</type><boot dev='hd'/></os>",
    "  <features><acpi/><apic/></features>",
    "  <devices>",
    ...disks,
    "  </devices>",
    "</domain>",
    "",
  ].join("\n");
}

/** The move's bus words as libvirt's disk buses virt-v2v knows. */
const V2V_BUS: Readonly<Record<string, string>> = { virtio: "virtio", ide: "ide", sata: "sata", scsi: "scsi" };

/** 0 → a, 25 → z, 26 → aa (the kernel's disk names). */
function deviceLetters(n: number): string {
  let s = "";
  for (let i = n + 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(97 + ((i - 1) % 26)) + s;
  return s;
}

function lastLine(text: string): string {
  return lastLines(text, 1);
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").filter((l) => l.trim() !== "").slice(-n).join(" / ") || "no output";
}
