/**
 * Hyper-V as a move source, cold and warm (resilient change tracking, warm.ts), through PowerShell: the definition from Get-VM,
 * Get-VMHardDiskDrive + Get-VHD, Get-VMDvdDrive, Get-VMNetworkAdapter, Get-VMFirmware and
 * Get-VMSnapshot; Stop-VM / Start-VM for the cutover and rollback; Remove-VM for `removeSource` (removal.ts). The disks are read in place:
 * `qemu-img` opens each VHDX (`vhdx`) or VHD (`vpc`) through the host's administrative share,
 * which the caller mounts where the mover runs (see share.ts) — the mover must reach the VHDX files.
 *
 * It speaks PowerShell only through a {@link PowerShellScriptRunner} (`@vmshift/hyperv`'s runner
 * fits), so every value reaches a script through the adapter's one escaping helper.
 */
import { existsSync } from "node:fs";
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "../checks.ts";
import type { VmDefinition } from "../definition.ts";
import type { MoveSource, SpiContext } from "../spi.ts";
import { type HypervFacts, powerOf, toDefinition } from "./definition.ts";
import { type PowerShellScriptRunner, moveSourceDefinition, moveSourceStart, moveSourceState, moveSourceStop } from "./scripts.ts";
import { type ShareMap, localPath, uncPath } from "./share.ts";
import { hypervWarmSource } from "./warm.ts";
import { hypervSourceRemoval } from "./removal.ts";
import type { Removable } from "../removal.ts";

/** Options of {@link hypervMoveSource}. */
export interface HypervMoveSourceOptions {
  /** Runs the scripts (e.g. `createNodePowerShellRunner(…)` from `@vmshift/hyperv`). */
  readonly runner: PowerShellScriptRunner;
  /** Hyper-V hosts to look for the VM on (Get-VM -ComputerName); empty: the connected host. */
  readonly hosts?: readonly string[];
  /** Where the hosts' shares are mounted here: UNC prefix → local directory (share.ts). */
  readonly shares: ShareMap;
  /** Host id reported in results. Default: the host the VM is registered on, once read. */
  readonly hostId?: string;
}

const INVALID_STATES = new Set(["Saved", "Paused"]);

/** A Hyper-V endpoint as a cold move source. */
export function hypervMoveSource(options: HypervMoveSourceOptions): MoveSource & Removable {
  const { runner } = options;
  const hostList = [...(options.hosts ?? [])];
  const facts = new Map<string, HypervFacts>();
  const run = (script: Parameters<PowerShellScriptRunner["run"]>[0], vmId: string, operation: string, ctx: SpiContext, extra: Readonly<Record<string, string | number | boolean>> = {}) =>
    runner.run(script, { vmId, hostList, ...extra }, { operation, subject: vmId, signal: ctx.signal });

  async function state(vmId: string, ctx: SpiContext): Promise<string> {
    const data = (await run(moveSourceState, vmId, "move.state", ctx)) as { state?: unknown } | null;
    if (data === null || data === undefined) throw notFound(vmId, "move.state");
    const s = data.state;
    return typeof s === "number" ? ({ 2: "Running", 3: "Off", 6: "Saved", 9: "Paused" } as Record<number, string>)[s] ?? `Unknown(${s})` : String(s);
  }

  function readerPath(definition: VmDefinition, windowsPath: string): { unc: string; local: string | undefined } {
    const host = facts.get(definition.id)?.host;
    if (!host) throw new VmshiftError("INTERNAL", "openDisk before readDefinition", { adapter: "hyperv", operation: "move.openDisk", subject: definition.id });
    const unc = uncPath(host, windowsPath);
    return { unc, local: localPath(unc, options.shares) };
  }

  return {
    platform: "hyperv",
    removal: hypervSourceRemoval((script, vmId, operation, ctx) => run(script, vmId, operation, ctx)),
    warm: hypervWarmSource({ run, facts: (vmId) => facts.get(vmId), localOf: (definition, windowsPath) => readerPath(definition, windowsPath).local }),
    ...(options.hostId ? { hostId: options.hostId } : {}),
    async readDefinition(vmId, ctx) {
      const data = await run(moveSourceDefinition, vmId, "move.readDefinition", ctx);
      if (data === null || data === undefined) throw notFound(vmId, "move.readDefinition");
      const { definition, facts: f } = toDefinition(vmId, data);
      facts.set(vmId, f);
      return definition;
    },
    async check(definition) {
      const f = facts.get(definition.id);
      const checks: MoveCheck[] = [];
      if (!f) return checks;
      for (const [key, parent] of f.differencing) {
        checks.push({ id: "hyperv.differencingDisk", category: "storage", severity: "error", subject: key, message: `disk ${key} is a differencing disk (parent ${parent}); qemu-img cannot follow VHDX parents: delete the checkpoints or merge the disk (Merge-VHD) first` });
      }
      for (const d of definition.disks) {
        if (d.device !== "disk" || d.rawDevice || d.shared || !d.format || !d.native?.["path"]) continue;
        const { unc, local } = readerPath(definition, d.native["path"]);
        if (local === undefined) checks.push({ id: "hyperv.diskUnreachable", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} (${unc}) is under no share the mover has mounted: add its share to the source's shares` });
        else if (!existsSync(local)) checks.push({ id: "hyperv.diskUnreachable", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} (${unc}) is not readable here at ${local}: is the share mounted?` });
      }
      if (f.dynamicMemory) {
        const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
        checks.push({ id: "hyperv.dynamicMemory", category: "compatibility", severity: "info", subject: definition.name, message: `${definition.name} uses dynamic memory (${mib(f.dynamicMemory.minimumBytes)}–${mib(f.dynamicMemory.maximumBytes)}); the target gets its startup memory, ${mib(definition.memoryBytes)}, fixed` });
      }
      if (f.secureBootTemplate) {
        checks.push({ id: "hyperv.secureBootTemplate", category: "compatibility", severity: "warning", subject: f.secureBootTemplate, message: `${definition.name} boots with Secure Boot (template ${f.secureBootTemplate}): the target's UEFI must trust the same keys (libvirt: OVMF with Microsoft's keys enrolled${f.secureBootTemplate === "OpenSourceShieldedVM" ? "; a shielded VM's vTPM state is not carried" : ""}), or the guest will not boot` });
      }
      return checks;
    },
    async openDisk(definition, disk, ctx) {
      const s = await state(definition.id, ctx);
      if (s !== "Off") throw new VmshiftError("INVALID_STATE", `disk ${disk.key} of ${definition.name} can only be read while the VM is off (cold move); it is ${s}`, { adapter: "hyperv", operation: "move.openDisk", subject: definition.id });
      const path = disk.native?.["path"];
      if (disk.rawDevice || !disk.format || !path) throw new VmshiftError("NOT_SUPPORTED", `disk ${disk.key} is not a virtual hard disk file; only VHD/VHDX disks can be read`, { adapter: "hyperv", operation: "move.openDisk", subject: definition.id });
      const { unc, local } = readerPath(definition, path);
      if (local === undefined || !existsSync(local)) throw new VmshiftError("NOT_FOUND", `disk ${disk.key} (${unc}) is not readable here${local ? ` at ${local}` : ": no share mapping covers it"}`, { adapter: "hyperv", operation: "move.openDisk", subject: definition.id });
      return { location: local, format: disk.format, close: async () => {} };
    },
    async stop(vmId, { shutdownTimeoutMs }, ctx) {
      const s = await state(vmId, ctx);
      if (s === "Off") return;
      if (INVALID_STATES.has(s)) throw new VmshiftError("INVALID_STATE", `${vmId} is ${s}; resume or discard its saved state before a cold move`, { adapter: "hyperv", operation: "move.stopSource", subject: vmId });
      await run(moveSourceStop, vmId, "move.stopSource", ctx, { timeoutSeconds: Math.max(1, Math.ceil(shutdownTimeoutMs / 1000)) });
      const after = await state(vmId, ctx);
      if (after !== "Off") throw new VmshiftError("MIGRATION_FAILED", `${vmId} is still ${after} after Stop-VM`, { adapter: "hyperv", operation: "move.stopSource", subject: vmId });
    },
    async start(vmId, ctx) {
      await run(moveSourceStart, vmId, "move.startSource", ctx);
    },
    async powerState(vmId, ctx) {
      return powerOf(await state(vmId, ctx));
    },
  };
}

function notFound(vmId: string, operation: string): VmshiftError {
  return new VmshiftError("NOT_FOUND", `no Hyper-V virtual machine with id ${vmId} on the given hosts`, { adapter: "hyperv", operation, subject: vmId });
}
