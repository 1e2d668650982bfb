/**
 * What each platform can do in a move, as a source and as a target: the move's rows of the
 * support matrix (docs/move.md shows them). Uses the core's `Support` values.
 */
import { type Support, partial, supported, unsupported } from "@vmshift/core";

/** The move capabilities of one platform. */
export interface MoveCapabilities {
  /** Cold move from it: definition read, the VM stopped, every disk read. */
  readonly "move.source.cold": Support;
  /** Warm move from it: disks copied while it runs, delta passes of changed blocks, last delta after the stop. */
  readonly "move.source.warm": Support;
  /** Move into it: volumes created, VM defined, disks written, started. */
  readonly "move.target": Support;
  /** `removeSource`: once the target runs the moved VM, the source VM is removed (the note says what goes with it and what stays). */
  readonly "move.source.remove": Support;
}

/** Per platform (adapter name). */
export const MOVE_CAPABILITIES: Readonly<Record<"libvirt" | "kubevirt" | "vsphere" | "hyperv" | "nutanix", MoveCapabilities>> = {
  libvirt: {
    "move.source.cold": partial("file disks read with qemu-img where the mover runs (local host or shared storage)"),
    "move.source.warm": partial("backup API in pull mode: full pass, then incremental passes against checkpoints (QEMU dirty bitmaps, read with nbdinfo --map); needs libvirt ≥ 7.6, QEMU ≥ 6.0, qcow2 disks; the NBD export is a local unix socket, so the mover runs on the source host"),
    "move.target": partial("volumes in the mapped pool (vol-create-as), domain defined from the mapped definition; volume paths must be writable where the mover runs; guests converted at cutover on the volumes by Debian's virt-v2v-in-place (convert: auto for vSphere, Hyper-V and Nutanix guests that are Windows or not on virtio; always; never), which must be installed where the mover runs"),
    "move.source.remove": supported("virsh undefine with --nvram, --snapshots-metadata and --checkpoints-metadata; the disk volumes are kept and named in the result"),
  },
  kubevirt: {
    "move.source.cold": unsupported("not implemented"),
    "move.source.warm": unsupported("not implemented"),
    "move.target": partial("cold: a CDI DataVolume per disk filled through the CDI upload proxy (UploadTokenRequest, POST /v1beta1/upload); warm (needs a transfer image with qemu-nbd): blank DataVolumes served over NBD by a transfer pod, one qemu-nbd per claim, full and delta passes written at their offsets into nbd://<podIP>:<port>/<claim>, the pod deleted before the VM starts — the mover must reach the pod network (run it in the cluster) or be given a forwarding address; a VirtualMachine Halted then Always; tested against kubevirt-env's CDI model and its kubelet (real qemu-nbd on loopback addresses), not a real CDI or cluster; BIOS/UEFI only (no direct kernel boot), storage classes and Multus networks are not checked in preflight; guest conversion at cutover with a conversion image (conversion.image, CLI profile conversionImage): a pod mounting every claim runs virt-v2v-in-place -i libvirtxml on them (the libvirt XML from a ConfigMap), after the disks are written and before the VM starts, and the VM is built on virtio; a failed pod rolls the move back with its termination message; tested against kubevirt-env's kubelet, which runs the pod's virt-v2v-in-place as a local process on the claims' files (a real conversion of a Debian guest in a lane script, not in vitest); without an image, convert always is a preflight error and auto a warning"),
    "move.source.remove": unsupported("not a move source"),
  },
  vsphere: {
    "move.source.cold": partial("ExportVm → one HttpNfcLease per VM: each disk downloaded from its deviceUrl (on the vCenter the profile names: with the session cookie, kept in the vCenter client; on an ESXi host: no cookie, TLS pinned to the deviceUrl's sslThumbprint) and staged as a private VMDK file where the mover runs (needs the disk's size in local space), then converted by qemu-img; the VM powered off through the API (ShutdownGuest when tools run, then PowerOffVM_Task); tested against the project's vcsim launcher, not a real vCenter/ESXi (whose export is a stream-optimized VMDK)"),
    "move.source.warm": partial("changed block tracking in the order backup products use (VDDK): a snapshot per pass (CreateSnapshot_Task, memory and quiesce off), QueryChangedDiskAreas against the changeId the previous pass carried in its checkpoint (\"*\" on the full pass), only the areas it lists (neighbours merged, 4 Range requests in flight) read from the snapshot's frozen flat extent through the datastore interface (/folder) into a private sparse staging file, each pass's snapshot removed when it closes (consolidating, so the next snapshot freezes the flat base, as ESXi needs), a cancel during CreateSnapshot_Task cleaned up, a disk resized between passes refused, the final pass after the VM is powered off; needs changeTrackingEnabled, no independent disks, no snapshots before the move, flat disks (vSAN/vVols/seSparse refused in preflight); tested against the project's vcsim launcher (snapshots laid out as on ESXi: the frozen base, the VM on a delta, consolidation on removal), not a real vCenter/ESXi"),
    "move.target": unsupported("not a move target"),
    "move.source.remove": partial("Destroy_Task on the powered-off VM: vSphere removes it from the inventory AND deletes its files, virtual disks included (no keep-the-disks variant; UnregisterVM would leave an unmanaged directory), and the result names the disks deleted; tested against the project's vcsim launcher"),
  },
  hyperv: {
    "move.source.cold": partial("definition read through PowerShell (Get-VM, Get-VMHardDiskDrive, Get-VHD, Get-VMNetworkAdapter, Get-VMFirmware); VHDX/VHD files read in place by qemu-img through the hosts' administrative shares, which must be mounted where the mover runs (the source's share map); no Export-VM; differencing disks (checkpoints), pass-through and shared VHDX refused; tested against the stand-in pwsh's model with real VHDX files, not a real Hyper-V host"),
    "move.source.warm": partial("resilient change tracking: a recovery checkpoint per pass (its frozen VHDX read through the mounted admin shares), delta passes of the ranges GetVirtualDiskChanges reports since the previous reference point, the final pass with the VM off; needs configuration version 8.0+ and VHDX disks; tested against the stand-in pwsh's RCT model, not a real host"),
    "move.target": unsupported("not a move target"),
    "move.source.remove": partial("Remove-VM -Force on the Off VM: its configuration and checkpoints go, its VHDX files are kept (as Remove-VM documents; vmshift deletes no file on the host) and named in the result; clustered VMs refused (remove the cluster role first); tested against the stand-in pwsh's model of Remove-VM"),
  },
  nutanix: {
    "move.source.cold": partial("per disk a temporary content-library image from the VM disk (v4 CreateImage with a VmDiskSource), its file downloaded by Node into a private staging file (credentials never in argv; needs free space for one disk) and deleted after the copy; VmDisk-backed disks only (volume groups refused); networks and storage are mapped by subnet and storage-container extId; tested against prism-server, not a real Prism Central"),
    "move.source.warm": unsupported("the v4 VMM API offers no changed-block tracking of VM disks; Nutanix's changed-regions tracking belongs to data-protection recovery points, an API outside the pinned specs and not implemented"),
    "move.target": unsupported("not a move target"),
    "move.source.remove": partial("v4 DELETE of the powered-off VM (If-Match with its ETag, NTNX-Request-Id; a stale ETag re-read up to 3 times): AHV deletes the VM's disks with it (no keep-the-disks variant; volume groups stay), and the result names them; tested against prism-server"),
  },
};
