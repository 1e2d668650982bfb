/**
 * Real disk files behind the Prism-like server's VMs and images: one private directory per server
 * instance holds every VM disk and every image as a raw or qcow2 file. Seeding attaches a copy of
 * a caller's image (e.g. a small guest disk with a marker) or a sparse raw file to a VM.
 */
import { closeSync, copyFileSync, constants, mkdtempSync, openSync, readSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A disk image format the server stores (qemu-img names). */
export type SimDiskFormat = "raw" | "qcow2";

/** One disk of a VM (a `vmm.v4.ahv.config.Disk`). */
export interface SimDisk {
  /** The Disk's extId (what `VmDiskSource.extId` names). */
  readonly extId: string;
  /** The VmDisk's `diskExtId`. */
  readonly diskExtId: string;
  readonly busType: "SCSI" | "IDE" | "PCI" | "SATA" | "SPAPR";
  readonly index: number;
  readonly sizeBytes: number;
  readonly containerExtId: string;
  /** The file holding the bytes; absent for a volume-group disk. */
  readonly file?: string;
  readonly format?: SimDiskFormat;
  /** Backed by a volume group (`ADSFVolumeGroupReference`) instead of a VmDisk. */
  readonly volumeGroupExtId?: string;
}

/** A NIC. */
export interface SimNic {
  readonly extId: string;
  readonly macAddress: string;
  readonly model: "VIRTIO" | "E1000";
  readonly subnetExtId: string;
}

/** What a VM carries beyond the inventory basics: disks, CD-ROMs, NICs, boot configuration. */
export interface SimHardware {
  readonly numCoresPerSocket: number;
  readonly machineType: "PC" | "Q35";
  readonly boot: "LEGACY" | "UEFI" | "SECURE_BOOT";
  readonly disks: SimDisk[];
  readonly cdRoms: { readonly extId: string; readonly busType: "IDE" | "SATA"; readonly index: number }[];
  readonly nics: SimNic[];
  /** `guestTools.guestOsVersion` as NGT reports it. */
  readonly guestOsVersion?: string;
}

/** An image in the content library. */
export interface SimImage {
  readonly extId: string;
  readonly name: string;
  readonly type: "DISK_IMAGE" | "ISO_IMAGE";
  readonly sizeBytes: number;
  readonly file: string;
  readonly format: SimDiskFormat;
  readonly clusterExtId: string;
  readonly createTime: string;
  readonly sourceVmExtId: string;
  readonly sourceDiskExtId: string;
  readonly description?: string;
}

/** One disk to seed. */
export interface SeedDisk {
  /** An image file copied in as the disk (raw or qcow2, detected from its header). */
  readonly image?: string;
  /** Size of a blank sparse raw disk when `image` is absent. Default 64 MiB. */
  readonly sizeBytes?: number;
  readonly busType?: SimDisk["busType"];
  /** Backed by a volume group (no file; images cannot be made from it). */
  readonly volumeGroup?: boolean;
}

/** A VM with real disks, seeded next to the default inventory. */
export interface SeedVmWithDisks {
  readonly name: string;
  /** Default OFF. */
  readonly powerState?: "ON" | "OFF";
  /** Default 1 GiB. */
  readonly memorySizeBytes?: number;
  /** Default 1. */
  readonly numSockets?: number;
  /** Default 1. */
  readonly numCoresPerSocket?: number;
  /** Default LEGACY. */
  readonly boot?: SimHardware["boot"];
  /** Default PC. */
  readonly machineType?: SimHardware["machineType"];
  readonly disks: readonly SeedDisk[];
  /** CD-ROM drives (IDE). Default 0. */
  readonly cdRoms?: number;
  readonly nics?: readonly { readonly subnetExtId: string; readonly macAddress: string; readonly model?: SimNic["model"] }[];
  readonly guestOsVersion?: string;
  /** NGT installed (guest shutdown works). Default false. */
  readonly ngt?: boolean;
}

/** The server's directory of disk and image files. */
export class DiskStore {
  readonly dir: string;
  #n = 0;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "prism-server-disks-"));
  }

  /** A new file name in the store. */
  path(stem: string, format: SimDiskFormat): string {
    this.#n++;
    return join(this.dir, `${stem}-${this.#n}.${format === "qcow2" ? "qcow2" : "img"}`);
  }

  /** Copies `image` in (a reflink where the file system offers one); returns its file, format and virtual size. */
  attach(image: string, stem: string): { file: string; format: SimDiskFormat; sizeBytes: number } {
    const { format, sizeBytes } = probeImage(image);
    const file = this.path(stem, format);
    copyFileSync(image, file, constants.COPYFILE_FICLONE);
    return { file, format, sizeBytes };
  }

  /** A blank sparse raw disk. */
  blank(stem: string, sizeBytes: number): { file: string; format: SimDiskFormat; sizeBytes: number } {
    const file = this.path(stem, "raw");
    writeFileSync(file, "");
    truncateSync(file, sizeBytes);
    return { file, format: "raw", sizeBytes };
  }

  /** A point-in-time copy of a disk file (an image made from it). */
  copy(from: string, stem: string, format: SimDiskFormat): string {
    const file = this.path(stem, format);
    copyFileSync(from, file, constants.COPYFILE_FICLONE);
    return file;
  }

  remove(file: string): void {
    rmSync(file, { force: true });
  }

  /** Removes the directory and every file in it. */
  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Format and virtual size of an image file: qcow2 by its magic (`QFI\xfb`, size at byte 24), else raw (file size). */
export function probeImage(file: string): { format: SimDiskFormat; sizeBytes: number } {
  const header = Buffer.alloc(32);
  const fd = openSync(file, "r");
  try {
    readSync(fd, header, 0, 32, 0);
  } finally {
    closeSync(fd);
  }
  if (header.readUInt32BE(0) === 0x514649fb) return { format: "qcow2", sizeBytes: Number(header.readBigUInt64BE(24)) };
  return { format: "raw", sizeBytes: statSync(file).size };
}
