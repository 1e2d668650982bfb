/**
 * A Nutanix AHV VM (`vmm.v4.ahv.config.Vm`, as `GET /api/vmm/v4.0/ahv/config/vms/{extId}` answers)
 * as a move's {@link VmDefinition}. Pure. Field names: the v4 VMM spec (prism-server's
 * spec/v4-content-images.json excerpt); v4.0 NICs carry `backingInfo`/`networkInfo`, v4.3 adds
 * `nicBackingInfo`/`nicNetworkInfo` (both read).
 */
import type { DiskDefinition, Firmware, NicDefinition, VmDefinition } from "../definition.ts";

/** The parts of a v4 Vm this module reads. */
export interface V4Vm {
  readonly extId?: string;
  readonly name?: string;
  readonly powerState?: string;
  readonly memorySizeBytes?: number;
  readonly numSockets?: number;
  readonly numCoresPerSocket?: number;
  readonly machineType?: string;
  readonly bootConfig?: { readonly $objectType?: string; readonly isSecureBootEnabled?: boolean };
  readonly disks?: readonly V4Disk[];
  readonly cdRoms?: readonly { readonly extId?: string; readonly diskAddress?: { readonly busType?: string; readonly index?: number } }[];
  readonly nics?: readonly V4Nic[];
  readonly guestTools?: { readonly guestOsVersion?: string };
}

/** A v4 `Disk`. */
export interface V4Disk {
  readonly extId?: string;
  readonly diskAddress?: { readonly busType?: string; readonly index?: number };
  readonly backingInfo?: {
    readonly $objectType?: string;
    readonly diskExtId?: string;
    readonly diskSizeBytes?: number;
    readonly storageContainer?: { readonly extId?: string };
    readonly volumeGroupExtId?: string;
  };
}

/** A v4 `Nic` (v4.0 and v4.3 field names). */
export interface V4Nic {
  readonly extId?: string;
  readonly backingInfo?: { readonly macAddress?: string; readonly model?: string };
  readonly networkInfo?: { readonly subnet?: { readonly extId?: string } };
  readonly nicBackingInfo?: { readonly macAddress?: string; readonly model?: string };
  readonly nicNetworkInfo?: { readonly subnet?: { readonly extId?: string } };
}

/**
 * AHV disk buses as the move's bus words: `PCI` disks are virtio-blk on AHV, so `virtio`; `SCSI`
 * (virtio-scsi), `SATA`, `IDE` keep their names; `SPAPR` (POWER) is carried as `spapr`, which no
 * target attaches (a preflight error).
 */
export const AHV_BUS: Readonly<Record<string, string>> = { SCSI: "scsi", SATA: "sata", IDE: "ide", PCI: "virtio", SPAPR: "spapr" };

const POWER: Readonly<Record<string, VmDefinition["powerState"]>> = { ON: "running", OFF: "stopped" };

/** The AHV address of a disk, `<bus>.<index>` (e.g. `scsi.0`). */
export function diskAddress(bus: string | undefined, index: number | undefined): string {
  return `${(bus ?? "unknown").toLowerCase()}.${index ?? 0}`;
}

/** Linux device-name prefix a guest sees per AHV bus (SCSI and SATA share `sd`). */
const PREFIX: Readonly<Record<string, string>> = { SCSI: "sd", SATA: "sd", IDE: "hd", PCI: "vd" };
const BUS_ORDER = ["PCI", "SCSI", "SATA", "IDE"];

/**
 * Disk keys as the guest device names a Linux guest sees (`sda`, `sdb`, `vda`, `hda`…): letters in
 * bus-then-index order per prefix, SCSI before SATA. Stable for a VM's configuration, and names
 * targets such as libvirt can use as the device. Other buses keep `<bus>.<index>`.
 */
export function diskKeys(disks: readonly V4Disk[]): string[] {
  const order = disks.map((d, i) => ({ i, bus: d.diskAddress?.busType ?? "", index: d.diskAddress?.index ?? 0 })).sort((a, b) => rank(a.bus) - rank(b.bus) || a.index - b.index);
  const next: Record<string, number> = {};
  const keys: string[] = [];
  for (const d of order) {
    const prefix = PREFIX[d.bus];
    if (!prefix) {
      keys[d.i] = diskAddress(d.bus, d.index);
      continue;
    }
    const n = next[prefix] ?? 0;
    next[prefix] = n + 1;
    keys[d.i] = `${prefix}${letters(n)}`;
  }
  return keys;
}

function rank(bus: string): number {
  const r = BUS_ORDER.indexOf(bus);
  return r < 0 ? BUS_ORDER.length : r;
}

/** 0 → a, 25 → z, 26 → aa (as Linux names disks). */
function letters(n: number): string {
  return n < 26 ? String.fromCharCode(97 + n) : letters(Math.floor(n / 26) - 1) + String.fromCharCode(97 + (n % 26));
}

/** The definition of `vm`. Disks: VmDisk-backed ones are images (read as raw until the download says otherwise); volume-group ones are shared raw devices (not copyable). */
export function toDefinition(vmId: string, vm: V4Vm): VmDefinition {
  const disks: DiskDefinition[] = [];
  const unsupported: string[] = [];
  const keys = diskKeys(vm.disks ?? []);
  for (const [i, d] of (vm.disks ?? []).entries()) {
    const bus = d.diskAddress?.busType;
    const key = keys[i]!;
    const b = d.backingInfo ?? {};
    const vg = b.$objectType?.endsWith("ADSFVolumeGroupReference") || b.volumeGroupExtId !== undefined;
    disks.push({
      key,
      sizeBytes: b.diskSizeBytes ?? 0,
      bus: AHV_BUS[bus ?? ""] ?? (bus ?? "unknown").toLowerCase(),
      storage: vg ? `volume-group:${b.volumeGroupExtId ?? "?"}` : (b.storageContainer?.extId ?? "unknown"),
      device: "disk",
      ...(vg ? { shared: true, rawDevice: true } : { format: "raw" as const }),
      native: { diskExtId: d.extId ?? "", address: diskAddress(bus, d.diskAddress?.index), ...(b.diskExtId ? { vmDiskExtId: b.diskExtId } : {}), ...(vg && b.volumeGroupExtId ? { volumeGroupExtId: b.volumeGroupExtId } : {}) },
    });
  }
  for (const c of vm.cdRoms ?? []) {
    disks.push({ key: `cdrom.${diskAddress(c.diskAddress?.busType, c.diskAddress?.index)}`, sizeBytes: 0, bus: (c.diskAddress?.busType ?? "ide").toLowerCase(), storage: "", device: "cdrom", native: { cdRomExtId: c.extId ?? "" } });
  }
  const nics: NicDefinition[] = (vm.nics ?? []).map((n, i) => {
    const backing = n.nicBackingInfo ?? n.backingInfo ?? {};
    const subnet = (n.nicNetworkInfo ?? n.networkInfo)?.subnet?.extId;
    if (!subnet) unsupported.push(`nic ${n.extId ?? i} (no subnet)`);
    return { key: n.extId ?? String(i), network: subnet ?? "unattached", ...(backing.macAddress ? { mac: backing.macAddress.toLowerCase() } : {}), ...(backing.model ? { model: backing.model.toLowerCase() } : {}) };
  });
  const machine = vm.machineType;
  return {
    id: vmId,
    name: vm.name ?? vmId,
    cpus: (vm.numSockets ?? 1) * (vm.numCoresPerSocket ?? 1),
    memoryBytes: vm.memorySizeBytes ?? 0,
    ...(machine === "PC" || machine === "Q35" ? { machine: machine.toLowerCase(), arch: "x86_64" } : machine === "PSERIES" ? { machine: "pseries", arch: "ppc64le" } : {}),
    firmware: firmwareOf(vm.bootConfig),
    disks,
    nics,
    ...(vm.guestTools?.guestOsVersion ? { guestOs: vm.guestTools.guestOsVersion } : {}),
    // Recovery points are not VM snapshots in the v4 VMM API; none are read here.
    snapshotCount: 0,
    powerState: POWER[vm.powerState ?? ""] ?? "other",
    ...(unsupported.length > 0 ? { unsupportedDevices: unsupported } : {}),
  };
}

function firmwareOf(boot: V4Vm["bootConfig"]): Firmware {
  const kind = boot?.$objectType ?? "";
  if (kind.endsWith("UefiBoot")) return { kind: "uefi", ...(boot?.isSecureBootEnabled ? { secureBoot: true } : {}) };
  // Absent bootConfig: AHV's default is legacy BIOS.
  if (kind === "" || kind.endsWith("LegacyBoot")) return { kind: "bios" };
  return { kind: "other", name: kind };
}
