/**
 * libvirt domain XML ↔ the platform-neutral definition: what a libvirt source reads and what a
 * libvirt target defines. Pure functions; sizes, snapshots and pools come from the provider.
 */
import type { DiskDefinition, DiskFormat, Firmware, NicDefinition, VmDefinition } from "../definition.ts";
import type { MappedDefinition } from "../mapping.ts";
import type { ReservedVolume } from "../spi.ts";
import { type XmlElement, child, children, escapeXml, parseXml } from "./xml.ts";

const UNITS: Readonly<Record<string, number>> = { b: 1, bytes: 1, k: 1024, kib: 1024, kb: 1000, m: 1024 ** 2, mib: 1024 ** 2, mb: 1e6, g: 1024 ** 3, gib: 1024 ** 3, gb: 1e9, t: 1024 ** 4, tib: 1024 ** 4, tb: 1e12 };
const FORMATS: readonly string[] = ["raw", "qcow2", "vmdk", "vhdx", "vpc"];
/** Devices the move does not carry (reported as warnings). */
const NOT_CARRIED = ["hostdev", "redirdev", "filesystem", "smartcard", "tpm", "shmem", "vsock"];

/** A libvirt memory element (`<memory unit='KiB'>131072</memory>`) in bytes. */
export function memoryBytes(e: XmlElement | undefined): number {
  if (!e) return 0;
  return Math.round(Number(e.text) * (UNITS[(e.attrs["unit"] ?? "KiB").toLowerCase()] ?? 1024));
}

/** One disk as the XML shows it, before sizes and pools are known. */
export interface XmlDisk {
  readonly key: string;
  readonly device: DiskDefinition["device"];
  readonly type: string;
  readonly bus: string;
  readonly format?: DiskFormat;
  /** File path, block device, or `pool/volume`. */
  readonly source?: string;
  readonly pool?: string;
  readonly shared: boolean;
  readonly readOnly: boolean;
  readonly bootOrder?: number;
}

/** The parts of a domain's XML the move uses. */
export interface ParsedDomain {
  readonly name: string;
  readonly uuid?: string;
  readonly domainType: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly machine?: string;
  readonly arch?: string;
  readonly firmware: Firmware;
  readonly disks: readonly XmlDisk[];
  readonly nics: readonly NicDefinition[];
  readonly guestOs?: string;
  readonly unsupportedDevices: readonly string[];
}

/** The network a libvirt interface is on, as a map key: `<name>` for type network, `bridge:<br>`, `direct:<dev>`, `user`, else `<type>`. */
export function interfaceNetwork(i: XmlElement): string {
  const type = i.attrs["type"] ?? "network";
  const src = child(i, "source");
  if (type === "network") return src?.attrs["network"] ?? "default";
  if (type === "bridge") return `bridge:${src?.attrs["bridge"] ?? ""}`;
  if (type === "direct") return `direct:${src?.attrs["dev"] ?? ""}`;
  return type;
}

/** Parses `virsh dumpxml`. */
export function parseDomainXml(xml: string): ParsedDomain {
  const d = parseXml(xml);
  if (d.name !== "domain") throw new Error(`not a domain XML (root <${d.name}>)`);
  const os = child(d, "os");
  const type = child(os, "type");
  const loader = child(os, "loader");
  const kernel = child(os, "kernel");
  let firmware: Firmware;
  if (kernel) {
    const initrd = child(os, "initrd")?.text;
    const cmdline = child(os, "cmdline")?.text;
    firmware = { kind: "kernel", kernel: kernel.text, ...(initrd ? { initrd } : {}), ...(cmdline ? { cmdline } : {}) };
  } else if (os?.attrs["firmware"] === "efi" || loader?.attrs["type"] === "pflash") {
    firmware = { kind: "uefi", ...(loader?.attrs["secure"] === "yes" ? { secureBoot: true } : {}) };
  } else if (loader && loader.attrs["type"] !== "rom") firmware = { kind: "other", name: loader.attrs["type"] ?? loader.text };
  else firmware = { kind: "bios" };
  const devices = child(d, "devices");
  const disks: XmlDisk[] = children(devices, "disk").map((e, i) => {
    const target = child(e, "target");
    const driver = child(e, "driver");
    const src = child(e, "source");
    const t = e.attrs["type"] ?? "file";
    const fmt = driver?.attrs["type"];
    const source = t === "file" ? src?.attrs["file"] : t === "block" ? src?.attrs["dev"] : t === "volume" ? `${src?.attrs["pool"]}/${src?.attrs["volume"]}` : src?.attrs["name"];
    const order = child(e, "boot")?.attrs["order"];
    return {
      key: target?.attrs["dev"] ?? `disk${i}`,
      device: (["disk", "cdrom", "floppy", "lun"].includes(e.attrs["device"] ?? "disk") ? e.attrs["device"] ?? "disk" : "disk") as DiskDefinition["device"],
      type: t,
      bus: target?.attrs["bus"] ?? "ide",
      ...(fmt && FORMATS.includes(fmt) ? { format: fmt as DiskFormat } : {}),
      ...(source ? { source } : {}),
      ...(t === "volume" && src?.attrs["pool"] ? { pool: src.attrs["pool"] } : {}),
      shared: child(e, "shareable") !== undefined,
      readOnly: child(e, "readonly") !== undefined,
      ...(order ? { bootOrder: Number(order) } : {}),
    };
  });
  const nics: NicDefinition[] = children(devices, "interface").map((i, n) => {
    const mac = child(i, "mac")?.attrs["address"]?.toLowerCase();
    const model = child(i, "model")?.attrs["type"];
    return { key: `net${n}`, network: interfaceNetwork(i), ...(mac ? { mac } : {}), ...(model ? { model } : {}) };
  });
  const osinfo = d.children.find((c) => c.name === "metadata")?.children.find((c) => c.name.endsWith(":libosinfo"));
  const osId = osinfo?.children.find((c) => c.name.endsWith(":os"))?.attrs["id"];
  const unsupportedDevices = (devices?.children ?? []).filter((c) => NOT_CARRIED.includes(c.name)).map((c) => c.name);
  const uuid = child(d, "uuid")?.text;
  return {
    name: child(d, "name")?.text ?? "",
    ...(uuid ? { uuid } : {}),
    domainType: d.attrs["type"] ?? "kvm",
    cpus: Number(child(d, "vcpu")?.text ?? "1"),
    memoryBytes: memoryBytes(child(d, "memory")),
    ...(type?.attrs["machine"] ? { machine: type.attrs["machine"] } : {}),
    ...(type?.attrs["arch"] ? { arch: type.attrs["arch"] } : {}),
    firmware,
    disks,
    nics,
    ...(osId ? { guestOs: osId } : {}),
    unsupportedDevices,
  };
}

/** Joins the XML with what the provider measured into a {@link VmDefinition}. */
export function toDefinition(id: string, parsed: ParsedDomain, facts: { readonly sizes: ReadonlyMap<string, number>; readonly storage: ReadonlyMap<string, string>; readonly snapshotCount: number; readonly powerState: VmDefinition["powerState"] }): VmDefinition {
  return {
    id,
    name: parsed.name,
    cpus: parsed.cpus,
    memoryBytes: parsed.memoryBytes,
    ...(parsed.machine ? { machine: parsed.machine } : {}),
    ...(parsed.arch ? { arch: parsed.arch } : {}),
    firmware: parsed.firmware,
    disks: parsed.disks.map((x) => ({
      key: x.key,
      sizeBytes: facts.sizes.get(x.key) ?? 0,
      ...(x.format ? { format: x.format } : {}),
      bus: x.bus,
      storage: facts.storage.get(x.key) ?? "",
      device: x.device,
      ...(x.shared ? { shared: true } : {}),
      ...(x.type === "block" || x.type === "network" || x.device === "lun" ? { rawDevice: true } : {}),
      ...(x.readOnly ? { readOnly: true } : {}),
      ...(x.bootOrder === undefined ? {} : { bootOrder: x.bootOrder }),
      native: { type: x.type, ...(x.source ? { source: x.source } : {}) },
    })),
    nics: parsed.nics,
    ...(parsed.guestOs ? { guestOs: parsed.guestOs } : {}),
    snapshotCount: facts.snapshotCount,
    powerState: facts.powerState,
    ...(parsed.unsupportedDevices.length ? { unsupportedDevices: parsed.unsupportedDevices } : {}),
  };
}

function interfaceXml(n: MappedDefinition["nics"][number]): string {
  const net = n.targetNetwork;
  const mac = n.mac ? `<mac address='${escapeXml(n.mac)}'/>` : "";
  const model = n.model ? `<model type='${escapeXml(n.model)}'/>` : "";
  if (net.startsWith("bridge:")) return `<interface type='bridge'>${mac}<source bridge='${escapeXml(net.slice(7))}'/>${model}</interface>`;
  if (net === "user") return `<interface type='user'>${mac}${model}</interface>`;
  return `<interface type='network'>${mac}<source network='${escapeXml(net)}'/>${model}</interface>`;
}

/** Options of {@link buildDomainXml}. */
export interface BuildOptions {
  /** `kvm` or `qemu` (TCG). */
  readonly domainType: string;
  /** Extra device XML appended inside `<devices>` (e.g. a serial console). */
  readonly extraDevicesXml?: string;
}

/** The target domain's XML from the mapped definition and the reserved volumes (MACs kept). */
export function buildDomainXml(def: MappedDefinition, volumes: readonly ReservedVolume[], options: BuildOptions): string {
  const fw = def.firmware;
  const osType = `<type${def.arch ? ` arch='${escapeXml(def.arch)}'` : ""}${def.machine ? ` machine='${escapeXml(def.machine)}'` : ""}>hvm</type>`;
  const osBody =
    fw.kind === "kernel"
      ? `${osType}<kernel>${escapeXml(fw.kernel)}</kernel>${fw.initrd ? `<initrd>${escapeXml(fw.initrd)}</initrd>` : ""}${fw.cmdline ? `<cmdline>${escapeXml(fw.cmdline)}</cmdline>` : ""}`
      : osType;
  const osAttr = fw.kind === "uefi" ? " firmware='efi'" : "";
  const disks = def.disks.map((d) => {
    const v = volumes.find((x) => x.diskKey === d.key);
    if (!v) throw new Error(`no volume for disk ${d.key}`);
    return `<disk type='file' device='disk'><driver name='qemu' type='${v.format}'/><source file='${escapeXml(v.location)}'/><target dev='${escapeXml(d.key)}' bus='${escapeXml(d.bus)}'/>${d.readOnly ? "<readonly/>" : ""}${d.bootOrder === undefined ? "" : `<boot order='${d.bootOrder}'/>`}</disk>`;
  });
  return `<domain type='${escapeXml(options.domainType)}'>
  <name>${escapeXml(def.targetName)}</name>
  <memory unit='KiB'>${Math.ceil(def.memoryBytes / 1024)}</memory>
  <vcpu>${def.cpus}</vcpu>
  <os${osAttr}>${osBody}</os>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    ${[...disks, ...def.nics.map(interfaceXml)].join("\n    ")}${options.extraDevicesXml ? `\n    ${options.extraDevicesXml}` : ""}
    <memballoon model='none'/>
  </devices>
</domain>
`;
}
