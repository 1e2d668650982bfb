/**
 * Resilient change tracking (RCT, Windows Server 2016+, VM configuration version 8.0+) for warm
 * moves, through Hyper-V's WMI classes in `root\virtualization\v2`, the way backup products use
 * it: a **recovery checkpoint** (`Msvm_VirtualSystemSnapshotService.CreateSnapshot`, SnapshotType
 * 32768) freezes the VHDX files (new writes go to AVHDX files) so they can be read while the VM
 * runs; `ConvertToReferencePoint` then merges the checkpoint back and leaves a **reference point**
 * (`Msvm_VirtualSystemReferencePoint`, with one RCT id per disk); the next pass asks
 * `Msvm_ImageManagementService.GetVirtualDiskChanges(Path, LimitId = that RCT id, …)` which byte
 * ranges changed since. Values reach the scripts only as `$vmshift_` variables (see scripts.ts).
 *
 * A pass's checkpoint is the one its CreateSnapshot returned (`ResultingSnapshot`, or — when it
 * ran as a job — the job's CIM_AffectedJobElement with ElementEffects 5 = Create, as Microsoft's
 * CIM_VirtualSystemSnapshotService.CreateSnapshot page documents), never "the newest recovery
 * checkpoint": another product's checkpoint made at the same moment would be renamed, converted
 * and destroyed as ours. {@link moveSourceWarmCheckpoint} only reports what CreateSnapshot returned
 * and the VM's recovery checkpoints; warm.ts picks the checkpoint by that id and hands it to
 * {@link moveSourceWarmPass}, which renames exactly that one.
 *
 * (verify on a real host: that the reference point keeps the checkpoint's ElementName, that
 * ResilientChangeTrackingIdentifiers are in the order of the VM's hard disk drives, and that a
 * snapshot's InstanceID is `Microsoft:<the VMSnapshot's Id>`.)
 */
import { type HypervScript, REQUIRE } from "./scripts.ts";

/** The VM (or an error), its host's CIM scope, and the WMI job and reference-point helpers every RCT script uses. */
const PRELUDE = `${REQUIRE}
$cim = @{ ComputerName = $vm.ComputerName; Namespace = 'root\\virtualization\\v2' }
function VmshiftWaitJob($result, $what) {
  if ($result.ReturnValue -eq 4096) {
    $job = Get-CimInstance -InputObject $result.Job
    while ($job.JobState -lt 7) { Start-Sleep -Milliseconds 200; $job = Get-CimInstance -InputObject $job }
    if ($job.JobState -ne 7) { Write-Error -Category InvalidResult -ErrorId 'VmshiftWmiJobFailed' -Message ('{0} failed: {1}' -f $what, $job.ErrorDescription) }
  } elseif ($result.ReturnValue -ne 0) { Write-Error -Category InvalidResult -ErrorId 'VmshiftWmiFailed' -Message ('{0} returned {1}' -f $what, $result.ReturnValue) }
}
function VmshiftReferencePoint($name) {
  return @(Get-CimInstance @cim -ClassName Msvm_VirtualSystemReferencePoint | Where-Object { $_.VirtualSystemIdentifier -eq $vm.Id.ToString() -and $_.ElementName -eq $name }) | Select-Object -First 1
}`;

/**
 * Takes a pass's recovery checkpoint (`Msvm_VirtualSystemSnapshotService.CreateSnapshot`,
 * SnapshotType 32768) and reports, without choosing anything: `made`, the Id of the checkpoint
 * CreateSnapshot returned (its `ResultingSnapshot`, else the job's affected element; the snapshot's
 * InstanceID is `Microsoft:<Id>`), null when it returned none; and `recovery`, the VM's recovery
 * checkpoints (`id`, `name`, `created` in UTC) as Get-VMSnapshot lists them afterwards.
 */
export const moveSourceWarmCheckpoint: HypervScript = {
  name: "moveSourceWarmCheckpoint",
  params: ["vmId", "hostList"],
  body: `${PRELUDE}
$system = Get-CimInstance @cim -ClassName Msvm_ComputerSystem | Where-Object { $_.Name -eq $vm.Id.ToString() }
$service = Get-CimInstance @cim -ClassName Msvm_VirtualSystemSnapshotService
$settings = New-CimInstance -ClientOnly -Namespace 'root\\virtualization\\v2' -ClassName Msvm_VirtualSystemSnapshotSettingData -Property @{ ConsistencyLevel = [byte]1; IgnoreNonSnapshottableDisks = $true }
$serializer = [Microsoft.Management.Infrastructure.Serialization.CimSerializer]::Create()
$settingsText = [Text.Encoding]::Unicode.GetString($serializer.Serialize($settings, [Microsoft.Management.Infrastructure.Serialization.InstanceSerializationOptions]::None))
$created = Invoke-CimMethod -InputObject $service -MethodName CreateSnapshot -Arguments @{ AffectedSystem = $system; SnapshotSettings = $settingsText; SnapshotType = [uint16]32768 }
VmshiftWaitJob $created 'CreateSnapshot'
$made = $created.ResultingSnapshot
if ($null -eq $made -and $created.ReturnValue -eq 4096) { $made = @(Get-CimAssociatedInstance -InputObject $created.Job -ResultClassName Msvm_VirtualSystemSettingData) | Select-Object -First 1 }
$madeId = if ($null -ne $made) { ([string](Get-CimInstance -InputObject $made).InstanceID) -replace '^Microsoft:', '' } else { $null }
$recovery = @(Get-VMSnapshot -VM $vm -SnapshotType Recovery | ForEach-Object { [pscustomobject]@{ id = $_.Id.ToString(); name = [string]$_.Name; created = $_.CreationTime.ToUniversalTime().ToString('o') } })
$vmshift_result = [pscustomobject]@{ made = $madeId; recovery = $recovery }`,
};

/**
 * Opens a pass: when `checkpointId` is set, names that recovery checkpoint (the one
 * {@link moveSourceWarmCheckpoint} made) `checkpointName` and reads its frozen drives; else (the
 * final pass: the VM is off, its files are still) the VM's drives. Then each hard disk's path,
 * size and — when `since` names the previous pass's reference point — the byte ranges
 * GetVirtualDiskChanges reports changed since it. `data.disks[i].changes` is null on a full pass.
 */
export const moveSourceWarmPass: HypervScript = {
  name: "moveSourceWarmPass",
  params: ["vmId", "hostList", "checkpointId", "checkpointName", "since"],
  body: `${PRELUDE}
$checkpoint = $null
if ([string]$vmshift_checkpointId -ne '') {
  $checkpoint = @(Get-VMSnapshot -VM $vm -SnapshotType Recovery | Where-Object { $_.Id -eq [guid][string]$vmshift_checkpointId }) | Select-Object -First 1
  if ($null -eq $checkpoint) { Write-Error -Category ObjectNotFound -ErrorId 'VmshiftCheckpointNotFound' -Message ('the recovery checkpoint {0} is gone' -f [string]$vmshift_checkpointId) }
  Rename-VMSnapshot -VMSnapshot $checkpoint -NewName $vmshift_checkpointName
}
$drives = if ($null -ne $checkpoint) { @(Get-VMHardDiskDrive -VMSnapshot $checkpoint) } else { @(Get-VMHardDiskDrive -VM $vm) }
$rctIds = @()
if ($vmshift_since) {
  $point = VmshiftReferencePoint $vmshift_since
  if ($null -eq $point) { Write-Error -Category ObjectNotFound -ErrorId 'VmshiftReferencePointNotFound' -Message 'the previous pass left no reference point' }
  $rctIds = @($point.ResilientChangeTrackingIdentifiers)
}
$images = Get-CimInstance @cim -ClassName Msvm_ImageManagementService
$disks = @()
for ($i = 0; $i -lt $drives.Count; $i++) {
  $d = $drives[$i]
  $size = [long](Get-VHD -ComputerName $vm.ComputerName -Path $d.Path).Size
  $changes = $null
  if ($vmshift_since) {
    $changes = @()
    $offset = [uint64]0
    while ($offset -lt $size) {
      $r = Invoke-CimMethod -InputObject $images -MethodName GetVirtualDiskChanges -Arguments @{ Path = $d.Path; LimitId = [string]$rctIds[$i]; TargetSnapshotId = ''; ByteOffset = [uint64]$offset; ByteLength = [uint64]($size - $offset) }
      VmshiftWaitJob $r 'GetVirtualDiskChanges'
      for ($j = 0; $j -lt @($r.ChangedByteOffsets).Count; $j++) { $changes += [pscustomobject]@{ offset = [long]$r.ChangedByteOffsets[$j]; length = [long]$r.ChangedByteLengths[$j] } }
      if ([uint64]$r.ProcessedByteLength -eq 0) { break }
      $offset += [uint64]$r.ProcessedByteLength
    }
  }
  $disks += [pscustomobject]@{ controllerType = $d.ControllerType.ToString(); controllerNumber = [int]$d.ControllerNumber; controllerLocation = [int]$d.ControllerLocation; path = [string]$d.Path; size = $size; changes = $changes }
}
$vmshift_result = [pscustomobject]@{ checkpoint = if ($null -ne $checkpoint) { [string]$vmshift_checkpointName } else { $null }; disks = $disks }`,
};

/**
 * Ends a pass: the recovery checkpoint `checkpointName` becomes a reference point of the same name
 * (its AVHDX merged back), and the previous pass's reference point `previousName` (whose changes
 * this pass has read) is destroyed, so a VM never carries more than one of a move's reference points.
 */
export const moveSourceWarmSettle: HypervScript = {
  name: "moveSourceWarmSettle",
  params: ["vmId", "hostList", "checkpointName", "previousName"],
  body: `${PRELUDE}
$snapshot = @(Get-CimInstance @cim -ClassName Msvm_VirtualSystemSettingData | Where-Object { $_.VirtualSystemIdentifier -eq $vm.Id.ToString() -and $_.ElementName -eq $vmshift_checkpointName }) | Select-Object -First 1
if ($null -ne $snapshot) {
  $service = Get-CimInstance @cim -ClassName Msvm_VirtualSystemSnapshotService
  VmshiftWaitJob (Invoke-CimMethod -InputObject $service -MethodName ConvertToReferencePoint -Arguments @{ AffectedSnapshot = $snapshot }) 'ConvertToReferencePoint'
}
if ([string]$vmshift_previousName -ne '' -and [string]$vmshift_previousName -ne [string]$vmshift_checkpointName) {
  $previous = VmshiftReferencePoint $vmshift_previousName
  if ($null -ne $previous) {
    $points = Get-CimInstance @cim -ClassName Msvm_VirtualSystemReferencePointService
    VmshiftWaitJob (Invoke-CimMethod -InputObject $points -MethodName DestroyReferencePoint -Arguments @{ AffectedReferencePoint = $previous }) 'DestroyReferencePoint'
  }
}
$vmshift_result = [pscustomobject]@{ referencePoint = [bool](VmshiftReferencePoint $vmshift_checkpointName) }`,
};

/** Removes what a move's passes left: recovery checkpoints and reference points whose names start with `prefix`. Idempotent. */
export const moveSourceWarmFinish: HypervScript = {
  name: "moveSourceWarmFinish",
  params: ["vmId", "hostList", "prefix"],
  body: `${PRELUDE}
$removed = 0
foreach ($c in @(Get-VMSnapshot -VM $vm -SnapshotType Recovery | Where-Object { $_.Name.StartsWith([string]$vmshift_prefix) })) { Remove-VMSnapshot -VMSnapshot $c; $removed++ }
$service = Get-CimInstance @cim -ClassName Msvm_VirtualSystemReferencePointService
foreach ($p in @(Get-CimInstance @cim -ClassName Msvm_VirtualSystemReferencePoint | Where-Object { $_.VirtualSystemIdentifier -eq $vm.Id.ToString() -and ([string]$_.ElementName).StartsWith([string]$vmshift_prefix) })) {
  VmshiftWaitJob (Invoke-CimMethod -InputObject $service -MethodName DestroyReferencePoint -Arguments @{ AffectedReferencePoint = $p }) 'DestroyReferencePoint'
  $removed++
}
$vmshift_result = [pscustomobject]@{ removed = $removed }`,
};

/** Removes the recovery checkpoint `checkpointId` (a pass that failed before naming it; its AVHDX merged back). Idempotent. */
export const moveSourceWarmDrop: HypervScript = {
  name: "moveSourceWarmDrop",
  params: ["vmId", "hostList", "checkpointId"],
  body: `${REQUIRE}
$removed = 0
foreach ($c in @(Get-VMSnapshot -VM $vm -SnapshotType Recovery | Where-Object { $_.Id -eq [guid][string]$vmshift_checkpointId })) { Remove-VMSnapshot -VMSnapshot $c; $removed++ }
$vmshift_result = [pscustomobject]@{ removed = $removed }`,
};
