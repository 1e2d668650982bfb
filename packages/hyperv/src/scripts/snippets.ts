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

/** Defines `VmshiftVmShape $vm $owners` → the fixed VM object. */
export const VM_SHAPE = `
function VmshiftVmShape($vm, $owners) {
  [pscustomobject]@{
    id = $vm.Id.ToString()
    name = [string]$vm.Name
    state = $vm.State.ToString()
    computerName = [string]$vm.ComputerName
    memoryStartupBytes = [long]$vm.MemoryStartup
    processorCount = [int]$vm.ProcessorCount
    isClustered = [bool]$vm.IsClustered
    ownerNode = if ($owners -and $owners.ContainsKey([string]$vm.Name)) { [string]$owners[[string]$vm.Name] } else { $null }
    generation = [int]$vm.Generation
    version = [string]$vm.Version
  }
}`;

/** Defines `VmshiftClusterOwners` → hashtable VM role name → owner node (empty without a cluster). */
export const CLUSTER_OWNERS = `
function VmshiftClusterOwners() {
  $owners = @{}
  if (Get-Command Get-ClusterGroup -ErrorAction SilentlyContinue) {
    try {
      Get-ClusterGroup -ErrorAction Stop | Where-Object { $_.GroupType.ToString() -eq 'VirtualMachine' } | ForEach-Object { $owners[[string]$_.Name] = [string]$_.OwnerNode.Name }
    } catch { $owners = @{} }
  }
  return $owners
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
