/**
 * A vSphere VM's properties (`config.hardware.device`, `config.firmware`, …, as the vim25 client
 * decodes them) → the platform-neutral definition. Pure. What it reads, per the vSphere API
 * reference: VirtualDisk (capacityInBytes, controllerKey/unitNumber, backing fileName `[datastore]
 * path`, diskMode, sharing; a VirtualDiskRawDiskMappingVer1BackingInfo is a raw device mapping),
 * the controller's type (bus), VirtualEthernetCard subtypes (model, macAddress, backing network),
 * VirtualCdrom/VirtualFloppy (removable), `config.firmware` `bios`/`efi`, `config.guestId`.
 */
import type { DiskDefinition, Firmware, NicDefinition, VmDefinition } from "../definition.ts";
import { type Obj, list, str } from "./decoded.ts";

/** The VM properties {@link toVsphereDefinition} reads. */
export const VM_PATHS = [
  "name",
  "config.hardware.numCPU",
  "config.hardware.memoryMB",
  "config.hardware.device",
  "config.firmware",
  "config.bootOptions.efiSecureBootEnabled",
  "config.guestId",
  "config.changeTrackingEnabled",
  "snapshot",
  "runtime.powerState",
] as const;

function int(v: unknown): number | undefined {
  const s = str(v);
  return s === undefined || s.trim() === "" || !Number.isFinite(Number(s)) ? undefined : Number(s);
}

/** The `xsi:type` of a decoded value, whatever the prefix. */
export function vimType(v: unknown): string | undefined {
  const attrs = v && typeof v === "object" ? (v as { attributes?: Record<string, string> }).attributes : undefined;
  for (const [k, t] of Object.entries(attrs ?? {})) if (k.endsWith(":type") || k === "type") return t;
  return undefined;
}

/** The devices of an `ArrayOfVirtualDevice` value. */
export function devicesOf(value: unknown): Obj[] {
  if (value && typeof value === "object" && !Array.isArray(value) && "VirtualDevice" in value) return list((value as Obj)["VirtualDevice"]);
  return list(value);
}

const BUS: Readonly<Record<string, string>> = {
  VirtualLsiLogicController: "scsi",
  VirtualLsiLogicSASController: "scsi",
  ParaVirtualSCSIController: "scsi",
  VirtualBusLogicController: "scsi",
  VirtualIDEController: "ide",
  VirtualAHCIController: "sata",
  VirtualNVMEController: "nvme",
};

const NIC_MODEL: Readonly<Record<string, string>> = {
  VirtualE1000: "e1000",
  VirtualE1000e: "e1000e",
  VirtualVmxnet3: "vmxnet3",
  VirtualVmxnet2: "vmxnet2",
  VirtualVmxnet: "vmxnet",
  VirtualPCNet32: "pcnet",
  VirtualSriovEthernetCard: "sriov",
  VirtualVmxnet3Vrdma: "vmxnet3",
};

/** Devices every VM has that the target recreates on its own (not reported). */
const IMPLICIT = new Set(["VirtualPCIController", "VirtualPS2Controller", "VirtualSIOController", "VirtualKeyboard", "VirtualPointingDevice", "VirtualMachineVideoCard", "VirtualMachineVMCIDevice", "VirtualUSBController", "VirtualUSBXHCIController", ...Object.keys(BUS)]);

/** The datastore name of a `[datastore] dir/file.vmdk` path. */
export function datastoreOf(fileName: string): string | undefined {
  return /^\[([^\]]+)\]/.exec(fileName)?.[1];
}

function snapshotCount(snapshot: unknown): number {
  const count = (trees: unknown): number => list(trees).reduce((n, t) => n + 1 + count(t["childSnapshotList"]), 0);
  if (!snapshot || typeof snapshot !== "object") return 0;
  return count((snapshot as Obj)["rootSnapshotList"]);
}

const POWER: Readonly<Record<string, VmDefinition["powerState"]>> = { poweredOn: "running", poweredOff: "stopped" };

/** Where a device sits on its controller, for naming: controller bus number, then unit. */
function order(controller: Obj | undefined, d: Obj): number {
  return (int(controller?.["busNumber"]) ?? 0) * 1000 + (int(d["unitNumber"]) ?? 0);
}

/**
 * Disk keys as guest device names (`sda`, `sdb` for SCSI/SATA, `hda` for IDE, `nvme0n1` for NVMe,
 * in controller bus and unit order), so targets that name disks by device (libvirt) can use them;
 * the vSphere device key stays in `native.deviceKey`.
 */
function diskNames(slots: readonly { readonly bus: string; readonly position: number }[]): string[] {
  const family = (bus: string) => (bus === "ide" ? "hd" : bus === "nvme" ? "nvme" : "sd");
  const names: string[] = [];
  for (const f of new Set(slots.map((x) => family(x.bus)))) {
    const members = slots.map((x, i) => ({ ...x, i })).filter((x) => family(x.bus) === f).sort((a, b) => a.position - b.position);
    members.forEach((m, n) => (names[m.i] = f === "nvme" ? `nvme0n${n + 1}` : `${f}${n < 26 ? String.fromCharCode(97 + n) : `${String.fromCharCode(97 + Math.floor(n / 26) - 1)}${String.fromCharCode(97 + (n % 26))}`}`));
  }
  return names;
}

/** Facts looked up beside the VM's own properties. */
export interface VsphereFacts {
  /** Distributed port group key → name. */
  readonly portgroupNames?: ReadonlyMap<string, string>;
}

/** The VM's properties (paths of {@link VM_PATHS}) → its definition. */
export function toVsphereDefinition(id: string, props: Readonly<Record<string, unknown>>, facts: VsphereFacts = {}): VmDefinition {
  const devices = devicesOf(props["config.hardware.device"]);
  const byKey = new Map(devices.map((d) => [str(d["key"]) ?? "", d]));
  const disks: DiskDefinition[] = [];
  const nics: NicDefinition[] = [];
  const unsupported: string[] = [];
  const slots: { bus: string; position: number }[] = [];
  for (const d of devices) {
    const type = vimType(d) ?? "VirtualDevice";
    const key = str(d["key"]) ?? "";
    const backing = (d["backing"] ?? {}) as Obj;
    const backingType = vimType(backing) ?? "";
    const fileName = str(backing["fileName"]) ?? "";
    const controller = byKey.get(str(d["controllerKey"]) ?? "");
    const controllerType = controller ? (vimType(controller) ?? "") : "";
    const bus = BUS[controllerType] ?? (controllerType || "unknown");
    const label = str((d["deviceInfo"] as Obj | undefined)?.["label"]) ?? `${type} ${key}`;
    if (type === "VirtualDisk" || type === "VirtualCdrom" || type === "VirtualFloppy") slots.push({ bus, position: order(controller, d) });
    if (type === "VirtualDisk") {
      const bytes = int(d["capacityInBytes"]) ?? (int(d["capacityInKB"]) ?? 0) * 1024;
      const rdm = backingType === "VirtualDiskRawDiskMappingVer1BackingInfo" || backingType === "VirtualDiskRawDiskVer2BackingInfo" || backingType === "VirtualDiskPartitionedRawDiskVer2BackingInfo";
      const sharing = str(backing["sharing"]);
      const mode = str(backing["diskMode"]) ?? "persistent";
      disks.push({
        key,
        sizeBytes: bytes,
        ...(rdm ? {} : { format: "vmdk" as const }),
        bus,
        storage: datastoreOf(fileName) ?? "",
        device: "disk",
        ...(sharing === "sharingMultiWriter" ? { shared: true } : {}),
        ...(rdm ? { rawDevice: true } : {}),
        native: {
          deviceKey: key,
          fileName,
          diskMode: mode,
          // What an export lease's deviceUrl key names this disk by: /<vm>/<controller type><bus>:<unit>.
          exportKey: `/${id}/${controllerType}${str(controller?.["busNumber"]) ?? "0"}:${str(d["unitNumber"]) ?? "0"}`,
        },
      });
    } else if (type === "VirtualCdrom" || type === "VirtualFloppy") {
      disks.push({ key, sizeBytes: 0, bus, storage: datastoreOf(fileName) ?? "", device: type === "VirtualCdrom" ? "cdrom" : "floppy", native: { deviceKey: key, fileName } });
    } else if (NIC_MODEL[type] !== undefined || "macAddress" in d) {
      const portgroup = str((backing["port"] as Obj | undefined)?.["portgroupKey"]);
      const network = str(backing["deviceName"]) ?? (portgroup ? (facts.portgroupNames?.get(portgroup) ?? portgroup) : "");
      const mac = str(d["macAddress"])?.toLowerCase();
      nics.push({ key, network, ...(mac ? { mac } : {}), model: NIC_MODEL[type] ?? type });
    } else if (!IMPLICIT.has(type)) {
      unsupported.push(label);
    }
  }
  const names = diskNames(slots);
  const fw = str(props["config.firmware"]) ?? "bios";
  const firmware: Firmware = fw === "efi" ? { kind: "uefi", ...(str(props["config.bootOptions.efiSecureBootEnabled"]) === "true" ? { secureBoot: true } : {}) } : fw === "bios" ? { kind: "bios" } : { kind: "other", name: fw };
  const guestOs = str(props["config.guestId"]);
  return {
    id,
    name: str(props["name"]) ?? id,
    cpus: int(props["config.hardware.numCPU"]) ?? 1,
    memoryBytes: (int(props["config.hardware.memoryMB"]) ?? 0) * 1024 * 1024,
    arch: "x86_64",
    firmware,
    disks: disks.map((d, i) => ({ ...d, key: names[i]! })),
    nics,
    ...(guestOs ? { guestOs } : {}),
    snapshotCount: snapshotCount(props["snapshot"]),
    powerState: POWER[str(props["runtime.powerState"]) ?? ""] ?? "other",
    ...(unsupported.length ? { unsupportedDevices: unsupported } : {}),
  };
}
