/**
 * @vmshift/move: moves a VM between platforms, cold or warm (delta passes while it runs): read its definition from a source,
 * map networks and storage, check it, reserve on a target, copy every disk with qemu-img, cut
 * over, roll back on failure. Sources and targets implement a small SPI; libvirt is the first.
 * @packageDocumentation
 */
export { MOVE_CAPABILITIES, type MoveCapabilities } from "./capabilities.ts";
export { MOVE_CHECK_IDS, type MoveCheck, type MoveCheckId, type MovePreflight } from "./checks.ts";
export { type QemuImgCopierOptions, mergeExtents, planRanges, qemuImgCopier, windowSpec } from "./copy.ts";
export type { DiskDefinition, DiskFormat, Firmware, NicDefinition, VmDefinition } from "./definition.ts";
export { type CommandRunner, type ExecOptions, type ExecResult, spawnRunner } from "./exec.ts";
export { CONVERT_MODES, type ConversionInput, type ConvertMode, type ConvertOptions, type GuestConverter, conversionChecks, conversionPlan, convertMode, withConversion } from "./convert.ts";
export { CONVERTING_SOURCES, type ConversionNeed, conversionNeed, isWindowsGuest } from "./convert-need.ts";
export { type ConversionEvent, conversionLineReader, parseConversionLine } from "./convert-progress.ts";
export { VIRT_V2V_PACKAGE, type VirtV2vInPlaceOptions, conversionArgv, conversionDomainXml, virtV2vInPlace } from "./convert-virt-v2v.ts";
export { type MappedDefinition, type MappedDisk, type MappedNic, type NameMap, type StorageMap, type StorageTarget, applyMaps, isCopied, parsePairs, parseStorageMap } from "./mapping.ts";
export { type AttachRequest, type MoveRequest, type Mover, type MoverOptions, createMover, cutoverTime } from "./move.ts";
export { MOVE_RECORD_VERSION, type Journaling, type MoveJournal, type MoveOwner, type MoveRecord, type ReplaceOutcome, attachDecision, parseMoveRecord, sameWrite } from "./journal.ts";
export { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_MS, type LeaseOptions, isLeaseLive, leaseEnd } from "./lease.ts";
export { MOVE_METADATA_URI, libvirtJournal, libvirtSourceRemoval, recordFromMetadata } from "./libvirt/journal.ts";
export type { Removable, SourceRemoval } from "./removal.ts";
export type { ChangedExtent, CopyProgress, DiskCopier, DiskReader, MoveSource, MoveTarget, Reservation, ReservedVolume, SpiContext, TargetCheckInput, WarmPass, WarmPassDisk, WarmSource } from "./spi.ts";
export { type PassProgress, type PassReport, type WarmOptions, copyWhileRunning, runPass } from "./warm.ts";
export { type ColdMovePlan, type MoveAdvice, type MovePlanInput, type PlannedPass, type WarmMovePlan, adviseMove, planColdMove, planWarmMove, ratesFromPasses } from "./planner.ts";
export { type MovePlanOptions, type MoveStepOptions, moveStepRunner, planMoves } from "./planner-fleet.ts";
export { WARM_MIN_LIBVIRT, WARM_MIN_QEMU, checkpointName, libvirtWarmSource, parseDirtyMap, parseVirshVersion, passXml } from "./libvirt/backup.ts";
export { MOVE_PHASES, type MoveResult, type MoveSnapshot, type MoveTask } from "./task.ts";
export { type TargetAccepts, definitionChecks, mappingChecks } from "./validate.ts";
export { type BuildOptions, type ParsedDomain, buildDomainXml, parseDomainXml } from "./libvirt/domain.ts";
export { type LibvirtConnectionOptions, type LibvirtMoveSourceOptions, type LibvirtMoveTargetOptions, libvirtMoveSource, libvirtMoveTarget } from "./libvirt/provider.ts";
export { type KubeRequester, type KubevirtMoveTargetOptions, type KubevirtTransferOptions, kubevirtMoveTarget } from "./kubevirt/target.ts";
export { NBD_PORT, TRANSFER_LABEL, type TransferClaim, nbdVolume, transferPodBody, transferPodName } from "./kubevirt/transfer-pod.ts";
export { conversionPodName } from "./kubevirt/conversion-pod.ts";
export type { KubevirtConversionOptions } from "./kubevirt/conversion.ts";
export { POD_NETWORK, dataVolumeBody, dataVolumeName, virtualMachineBody } from "./kubevirt/manifests.ts";
export { type HypervMoveSourceOptions, hypervMoveSource } from "./hyperv/provider.ts";
export type { HypervScript, HypervScriptParams, PowerShellScriptRunner } from "./hyperv/scripts.ts";
export type { ShareMap } from "./hyperv/share.ts";
export type { VimRef, VsphereMoveApi, VsphereMoveCall } from "./vsphere/api.ts";
export { VM_PATHS as VSPHERE_VM_PATHS, toVsphereDefinition } from "./vsphere/definition.ts";
export { type VsphereMoveSourceOptions, vsphereMoveSource } from "./vsphere/source.ts";
export { type VsphereWarmOptions, vsphereWarmSource } from "./vsphere/warm.ts";
export type { DiskChangeInfo as VsphereDiskChangeInfo } from "./vsphere/api.ts";
export { type ImageFileDownloader, type PrismConnection, prismImageFiles } from "./nutanix/download.ts";
export { prismPath, prismSegment } from "./nutanix/path.ts";
export { type NutanixMoveSourceOptions, type PrismRequest, type PrismRequester, nutanixMoveSource } from "./nutanix/source.ts";
export { AHV_BUS, type V4Disk, type V4Nic, type V4Vm, toDefinition as toNutanixDefinition } from "./nutanix/vm-definition.ts";
