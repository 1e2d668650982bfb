/**
 * PowerShell fragments shared by several templates. They contain no values: they only read the
 * `$vmshift_<name>` parameter variables the prelude assigns. Output objects have a fixed shape,
 * enums as names (`.ToString()`) and dates as ISO 8601 (`.ToString('o')`).
 */

/** Defines `VmshiftFindVm $hosts $id` → the VM object or `$null` (ids that are not GUIDs find nothing). */
export const FIND_VM = `
function VmshiftFindVm($hosts, $id) {
  $guid = [guid]::Empty
  if (-not [guid]::TryParse([string]$id, [ref]$guid)) { return $null }
  $all = if (@($hosts).Count -gt 0) { Get-VM -ComputerName @($hosts) } else { Get-VM }
  return @($all | Where-Object { $_.Id -eq $guid }) | Select-Object -First 1
}
function VmshiftRequireVm($hosts, $id) {
  $found = VmshiftFindVm $hosts $id
  if ($null -eq $found) { Write-Error -Category ObjectNotFound -ErrorId 'VmshiftVmNotFound' -Message 'no virtual machine with this id on the given hosts' }
  return $found
}`;

/**
 * Defines `VmshiftVmShape $vm $owners` → the fixed VM object. `$owners` true (the value of
 * `VmshiftClusterOwners`): a clustered VM's cluster group (role) and its owner node are read
 * through `VmshiftClusterGroup`, found by the VM's id (a role may be named differently from its VM).
 */
export const VM_SHAPE = `
function VmshiftVmShape($vm, $owners) {
  $group = if ($owners -and $vm.IsClustered) { VmshiftClusterGroup $vm } else { $null }
  [pscustomobject]@{
    id = $vm.Id.ToString()
    name = [string]$vm.Name
    state = $vm.State.ToString()
    computerName = [string]$vm.ComputerName
    memoryStartupBytes = [long]$vm.MemoryStartup
    processorCount = [int]$vm.ProcessorCount
    isClustered = [bool]$vm.IsClustered
    ownerNode = if ($null -ne $group) { [string]$group.OwnerNode.Name } else { $null }
    clusterGroup = if ($null -ne $group) { [string]$group.Name } else { $null }
    generation = [int]$vm.Generation
    version = [string]$vm.Version
  }
}`;

/**
 * Defines `VmshiftClusterOwners` → whether failover cluster cmdlets are available, and
 * `VmshiftClusterGroup $vm` → the VM's cluster group (role) found by the VM's id
 * (`Get-ClusterGroup -VMId`), or `$null`. The group's name is what
 * Move-ClusterVirtualMachineRole -Name expects; it need not be the VM's name (SCVMM names
 * roles "SCVMM <vm> Resources").
 */
export const CLUSTER_OWNERS = `
function VmshiftClusterOwners() {
  return [bool](Get-Command Get-ClusterGroup -ErrorAction SilentlyContinue)
}
function VmshiftClusterGroup($vm) {
  if (-not $vm.IsClustered -or -not (Get-Command Get-ClusterGroup -ErrorAction SilentlyContinue)) { return $null }
  try { return Get-ClusterGroup -VMId $vm.Id -ErrorAction Stop | Select-Object -First 1 } catch { return $null }
}
function VmshiftRequireClusterGroup($vm) {
  $g = VmshiftClusterGroup $vm
  if ($null -eq $g) { Write-Error -Category ObjectNotFound -ErrorId 'VmshiftClusterGroupNotFound' -Message 'no failover cluster group (role) holds this clustered virtual machine' }
  return $g
}`;

/** Defines `VmshiftHostShape $name $cluster $nodeState` → the fixed host object. */
export const HOST_SHAPE = `
function VmshiftHostShape($name, $cluster, $nodeState) {
  $h = Get-VMHost -ComputerName $name
  $os = Get-CimInstance -ComputerName $name -ClassName Win32_OperatingSystem
  [pscustomobject]@{
    name = [string]$h.ComputerName
    fqdn = [string]$h.FullyQualifiedDomainName
    migrationEnabled = [bool]$h.VirtualMachineMigrationEnabled
    authenticationType = $h.VirtualMachineMigrationAuthenticationType.ToString()
    maxMigrations = [int]$h.MaximumVirtualMachineMigrations
    maxStorageMigrations = [int]$h.MaximumStorageMigrations
    performanceOption = $h.VirtualMachineMigrationPerformanceOption.ToString()
    logicalProcessorCount = [int]$h.LogicalProcessorCount
    memoryCapacityBytes = [long]$h.MemoryCapacity
    freeMemoryBytes = [long]$os.FreePhysicalMemory * 1024
    virtualMachinePath = [string]$h.VirtualMachinePath
    cluster = $cluster
    nodeState = $nodeState
  }
}`;

/** Defines `VmshiftJobShape $job` → the fixed Msvm_MigrationJob object (or `$null`). */
export const JOB_SHAPE = `
function VmshiftMigrationJob($computer, $vmId, $jobId) {
  $jobs = @(Get-CimInstance -ComputerName $computer -Namespace 'root\\virtualization\\v2' -ClassName Msvm_MigrationJob | Where-Object { $_.VirtualSystemName -eq [string]$vmId })
  if ($jobId) { $jobs = @($jobs | Where-Object { $_.InstanceID -eq [string]$jobId }) }
  return $jobs | Sort-Object StartTime -Descending | Select-Object -First 1
}
function VmshiftJobShape($job) {
  if ($null -eq $job) { return $null }
  [pscustomobject]@{
    instanceId = [string]$job.InstanceID
    jobState = [int]$job.JobState
    percentComplete = [int]$job.PercentComplete
    errorCode = [int]$job.ErrorCode
    errorDescription = [string]$job.ErrorDescription
    cancellable = [bool]$job.Cancellable
    destinationHost = [string]$job.DestinationHost
    startTime = if ($job.StartTime) { ([datetime]$job.StartTime).ToUniversalTime().ToString('o') } else { $null }
  }
}`;
