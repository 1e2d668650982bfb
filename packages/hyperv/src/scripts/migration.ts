/** Live migration scripts: start (Move-VM / Move-ClusterVirtualMachineRole), status (Msvm_MigrationJob), cancel. */
import type { ScriptTemplate } from "../script.ts";
import { CLUSTER_OWNERS, FIND_VM, JOB_SHAPE, VM_SHAPE } from "./snippets.ts";

/**
 * Starts a live migration unless one is already running for the VM (then returns that one, so a
 * retried start never starts a second). Starts are idempotent on the request id whatever the
 * timing: before Move-VM the script writes a `vmshift-start <requestId> <source> <target> <time>`
 * line into the VM's notes (other lines kept; the notes travel with the VM), and a start whose
 * request id is already there adopts that earlier attempt — its job while it runs, its finished
 * job (or, when the host has dropped the job, the VM found on the target) once it has ended —
 * instead of calling Move-VM again, which would refuse a VM already on the target. Move-VM runs
 * as a PowerShell job in the runner's long-lived session; clustered VMs move with
 * Move-ClusterVirtualMachineRole -Wait 0. Returns the WMI migration job once it exists (waits up
 * to ~10 s for it).
 */
export const startLive: ScriptTemplate = {
  name: "startLive",
  params: ["vmId", "hostList", "targetHost", "storagePath", "requestId"],
  body: `${FIND_VM}${CLUSTER_OWNERS}${VM_SHAPE}${JOB_SHAPE}
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
$src = [string]$vm.ComputerName
$notes = @(([string]$vm.Notes) -split '\\r?\\n')
$earlier = $notes | Where-Object { ($_ -split '\\s+')[0] -eq 'vmshift-start' -and ($_ -split '\\s+')[1] -eq [string]$vmshift_requestId } | Select-Object -Last 1
$adopted = $false
$job = $null
if ($earlier) {
  $mark = $earlier -split '\\s+'
  $since = ([datetime]::Parse($mark[4], [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::RoundtripKind)).ToUniversalTime().AddSeconds(-5)
  $job = VmshiftMigrationJob $mark[2] $vm.Id $null
  if ($null -ne $job -and $job.StartTime -and ([datetime]$job.StartTime).ToUniversalTime() -lt $since) { $job = $null }
  if ($null -ne $job -or $src -eq $mark[3]) { $adopted = $true; $src = $mark[2] }
}
$reused = $adopted
if (-not $adopted) { $job = VmshiftMigrationJob $src $vm.Id $null; $reused = $true }
if (-not $adopted -and ($null -eq $job -or @(2, 3, 4) -notcontains [int]$job.JobState)) {
  $reused = $false
  $job = $null
  $notes = @($notes | Where-Object { $_ -and ($_ -split '\\s+')[0] -ne 'vmshift-start' }) + "vmshift-start $vmshift_requestId $src $vmshift_targetHost $((Get-Date).ToUniversalTime().ToString('o'))"
  Set-VM -VM $vm -Notes ($notes -join [char]10)
  if ($vm.IsClustered) {
    $group = VmshiftRequireClusterGroup $vm
    Move-ClusterVirtualMachineRole -Name $group.Name -Node $vmshift_targetHost -MigrationType Live -Wait 0 | Out-Null
    $psJob = $null
  } elseif ($vmshift_storagePath) {
    $psJob = Move-VM -VM $vm -DestinationHost $vmshift_targetHost -IncludeStorage -DestinationStoragePath $vmshift_storagePath -AsJob
  } else {
    $psJob = Move-VM -VM $vm -DestinationHost $vmshift_targetHost -AsJob
  }
  for ($i = 0; $i -lt 40 -and $null -eq $job; $i++) {
    $job = VmshiftMigrationJob $src $vm.Id $null
    if ($null -ne $job) { break }
    if ($null -ne $psJob -and $psJob.State -eq 'Failed') { Receive-Job -Job $psJob }
    Start-Sleep -Milliseconds 250
  }
  if ($null -eq $job) { Write-Error -Category OperationTimeout -ErrorId 'VmshiftMigrationJobNotFound' -Message 'the migration started but no Msvm_MigrationJob appeared' }
}
$vmshift_result = [pscustomobject]@{ vm = VmshiftVmShape $vm $vm.IsClustered; sourceHost = $src; reused = $reused; adopted = $adopted; job = VmshiftJobShape $job }`,
};

/** The migration job by instance id on the source, and where the VM is now. */
export const migrationStatus: ScriptTemplate = {
  name: "migrationStatus",
  params: ["vmId", "hostList", "sourceHost", "jobId"],
  body: `${FIND_VM}${VM_SHAPE}${JOB_SHAPE}
$job = VmshiftMigrationJob $vmshift_sourceHost $vmshift_vmId $vmshift_jobId
$vm = VmshiftFindVm $vmshift_hostList $vmshift_vmId
$vmshift_result = [pscustomobject]@{ job = VmshiftJobShape $job; vm = if ($null -ne $vm) { VmshiftVmShape $vm $null } else { $null } }`,
};

/** Asks for a cancel: RequestStateChange(4) on the WMI job, or Move-ClusterVirtualMachineRole -Cancel. */
export const cancelLive: ScriptTemplate = {
  name: "cancelLive",
  params: ["vmId", "sourceHost", "jobId", "clusterRole"],
  body: `${JOB_SHAPE}
$job = VmshiftMigrationJob $vmshift_sourceHost $vmshift_vmId $vmshift_jobId
$returnValue = $null
if ($vmshift_clusterRole) {
  Move-ClusterVirtualMachineRole -Name $vmshift_clusterRole -Cancel | Out-Null
} elseif ($null -ne $job -and [bool]$job.Cancellable) {
  $returnValue = [int](Invoke-CimMethod -InputObject $job -MethodName RequestStateChange -Arguments @{ RequestedState = [uint16]4 }).ReturnValue
}
$vmshift_result = [pscustomobject]@{ returnValue = $returnValue; job = VmshiftJobShape $job }`,
};
