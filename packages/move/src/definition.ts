/**
 * A VM's full definition as a move reads it from its source: what the target needs to build the
 * same machine. Platform-neutral; each source fills what its platform knows and leaves the rest
 * absent (never invented).
 */

/** Firmware the guest boots with. `kernel`: direct kernel boot (libvirt only; paths are the source host's). */
export type Firmware =
  | { readonly kind: "bios" }
  | { readonly kind: "uefi"; readonly secureBoot?: boolean }
  | { readonly kind: "kernel"; readonly kernel: string; readonly initrd?: string; readonly cmdline?: string }
  | { readonly kind: "other"; readonly name: string };

/** Disk image formats a move can read and write (qemu-img names). */
export type DiskFormat = "raw" | "qcow2" | "vmdk" | "vhdx" | "vpc";

/** One disk of the VM. */
export interface DiskDefinition {
  /** Stable key within the VM, e.g. the guest device name `vda`, a vSphere device key. */
  readonly key: string;
  /** Virtual size seen by the guest, bytes. */
  readonly sizeBytes: number;
  /** Image format at the source; absent when the disk is not an image (raw device). */
  readonly format?: DiskFormat;
  /** Bus/controller, platform word kept (`virtio`, `sata`, `scsi`, `ide`, `nvme`, …). */
  readonly bus: string;
  /** Where the source keeps it: the name a storage map maps (a libvirt pool, a datastore, a storage class). */
  readonly storage: string;
  /** `disk` or `cdrom`/`floppy` (removable media are not copied). */
  readonly device: "disk" | "cdrom" | "floppy" | "lun";
  /** Shared between VMs (multi-writer): Forklift refuses these. */
  readonly shared?: boolean;
  /** Raw device / passthrough (RDM, a block device, an iSCSI LUN) rather than an image file. */
  readonly rawDevice?: boolean;
  /** Read-only to the guest. */
  readonly readOnly?: boolean;
  /** Boot order, 1-based, when the source says. */
  readonly bootOrder?: number;
  /** Source-specific locator (e.g. the file path); opaque to the mover. */
  readonly native?: Readonly<Record<string, string>>;
}

/** One network interface. */
export interface NicDefinition {
  /** Stable key within the VM (the interface's index or device key). */
  readonly key: string;
  /** MAC address, lower case, colon separated. */
  readonly mac?: string;
  /** The source network's name: what a network map maps. */
  readonly network: string;
  /** Device model (`virtio`, `e1000`, `vmxnet3`, …). */
  readonly model?: string;
}

/** The VM as the source defines it. */
export interface VmDefinition {
  /** Source VM id (the one `moveVm` was given). */
  readonly id: string;
  /** The VM's name at the source. */
  readonly name: string;
  /** Virtual CPUs. */
  readonly cpus: number;
  /** Memory, bytes. */
  readonly memoryBytes: number;
  /** Machine type / architecture, when known (e.g. `pc`, `q35`; `x86_64`). */
  readonly machine?: string;
  /** CPU architecture (e.g. `x86_64`), when the source says. */
  readonly arch?: string;
  /** BIOS or UEFI (with secure boot), or direct kernel boot. */
  readonly firmware: Firmware;
  /** Every disk and removable drive, in the source's order. */
  readonly disks: readonly DiskDefinition[];
  /** Every network interface. */
  readonly nics: readonly NicDefinition[];
  /** Guest OS, when the source knows it (libvirt's libosinfo metadata, vSphere's guestId). */
  readonly guestOs?: string;
  /** Snapshots the source holds for this VM (Forklift refuses VMs with snapshots in some providers). */
  readonly snapshotCount: number;
  /** The power state when the definition was read. */
  readonly powerState: "running" | "stopped" | "other";
  /** Devices the source has that the mover does not know how to carry (reported by preflight). */
  readonly unsupportedDevices?: readonly string[];
}
