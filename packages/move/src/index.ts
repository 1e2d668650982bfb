/**
 * @vmshift/move: moves a VM between platforms, cold or warm (delta passes while it runs): read its definition from a source,
 * map networks and storage, check it, reserve on a target, copy every disk with qemu-img, cut
 * over, roll back on failure. Sources and targets implement a small SPI; libvirt is the first.
 *
 * What this entry point exports, and nothing else (the rest is internal to the package):
 * - the mover: {@link createMover}, its request, task and result types;
 * - the sources and targets: one factory per platform with its `<Platform>MoveSourceOptions` /
 *   `<Platform>MoveTargetOptions`, and the connection object each option takes;
 * - the SPI for writing a new source or target (spi.ts, the definition types, journaling, removal);
 * - the planner (single moves and fleet plans), the capability table and the preflight checks.
 * @packageDocumentation
 */

// The mover: request, task, result.
export { type AttachRequest, type MoveRequest, type Mover, type MoverOptions, createMover } from "./move.ts";
export { MOVE_PHASES, type MoveResult, type MoveSnapshot, type MoveTask } from "./task.ts";
export type { PassReport, WarmOptions } from "./warm.ts";
export { type NameMap, type StorageMap, type StorageTarget, parsePairs, parseStorageMap } from "./mapping.ts";
export { CONVERT_MODES, type ConversionInput, type ConvertMode, type ConvertOptions, type GuestConverter } from "./convert.ts";
export { type VirtV2vInPlaceOptions, virtV2vInPlace } from "./convert-virt-v2v.ts";
export { type QemuImgCopierOptions, qemuImgCopier } from "./copy.ts";
export { type CommandRunner, type ExecOptions, type ExecResult, spawnRunner } from "./exec.ts";
export { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_MS, type LeaseOptions, isLeaseLive, leaseEnd } from "./lease.ts";

// Preflight checks and the capability table.
export { MOVE_CHECK_IDS, type MoveCheck, type MoveCheckId, type MovePreflight } from "./checks.ts";
export { MOVE_CAPABILITIES, type MoveCapabilities } from "./capabilities.ts";

// The planner.
export { type ColdMovePlan, type MoveAdvice, type MovePlanInput, type PlannedPass, type WarmMovePlan, adviseMove, planColdMove, planWarmMove, ratesFromPasses } from "./planner.ts";
export { type MovePlanOptions, type MoveStepOptions, moveStepRunner, planMoves } from "./planner-fleet.ts";

// The SPI: what a new source or target implements, and the helpers it may use.
export type { ChangedExtent, CopyProgress, DiskCopier, DiskReader, MoveSource, MoveTarget, Reservation, ReservedVolume, SpiContext, TargetCheckInput, WarmPass, WarmPassDisk, WarmSource } from "./spi.ts";
export type { DiskDefinition, DiskFormat, Firmware, NicDefinition, VmDefinition } from "./definition.ts";
export { type MappedDefinition, type MappedDisk, type MappedNic, applyMaps, isCopied } from "./mapping.ts";
export type { TargetAccepts } from "./validate.ts";
export { MOVE_RECORD_VERSION, type Journaling, type MoveJournal, type MoveOwner, type MoveRecord, type ReplaceOutcome, parseMoveRecord, sameWrite } from "./journal.ts";
export type { Removable, SourceRemoval } from "./removal.ts";

// libvirt: source and target.
export { type LibvirtConnectionOptions, type LibvirtMoveSourceOptions, type LibvirtMoveTargetOptions, libvirtMoveSource, libvirtMoveTarget } from "./libvirt/provider.ts";
export { WARM_MIN_LIBVIRT, WARM_MIN_QEMU } from "./libvirt/backup.ts";

// KubeVirt: target.
export { type KubeRequester, type KubevirtMoveTargetOptions, type KubevirtTransferOptions, kubevirtMoveTarget } from "./kubevirt/target.ts";
export { POD_NETWORK, dataVolumeName } from "./kubevirt/manifests.ts";
export { transferPodName } from "./kubevirt/transfer-pod.ts";
export { conversionPodName } from "./kubevirt/conversion-pod.ts";
export type { KubevirtConversionOptions } from "./kubevirt/conversion.ts";

// Hyper-V: source.
export { type HypervMoveSourceOptions, hypervMoveSource } from "./hyperv/provider.ts";
export type { HypervScript, HypervScriptParams, PowerShellScriptRunner } from "./hyperv/scripts.ts";
export type { ShareMap } from "./hyperv/share.ts";

// vSphere: source.
export { type VsphereMoveSourceOptions, vsphereMoveSource } from "./vsphere/source.ts";
export type { VimRef, VsphereMoveApi, VsphereMoveCall } from "./vsphere/api.ts";
export type { DiskChangeInfo as VsphereDiskChangeInfo } from "./vsphere/api.ts";

// Nutanix: source.
export { type NutanixMoveSourceOptions, type PrismRequest, type PrismRequester, nutanixMoveSource } from "./nutanix/source.ts";
export { type ImageFileDownloader, type PrismConnection, prismImageFiles } from "./nutanix/download.ts";
