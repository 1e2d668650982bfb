/**
 * The PowerShell a Hyper-V move source runs, as script templates for @vmshift/hyperv's runner:
 * each body refers to its values only as `$vmshift_<name>` variables, which the runner assigns
 * from encoded literals (`renderScript` → `psValue`, the adapter's one escaping helper). No value
 * is ever part of a body. Enums are written as names (`.ToString()`), so Windows PowerShell 5.1 and
 * PowerShell 7 print the same JSON; the reader still accepts 5.1's numbers.
 */

/** A script template (the shape of `ScriptTemplate` in `@vmshift/hyperv`). */
export interface HypervScript {
  /** First line of the rendered script is `# vmshift:<name>`. */
  readonly name: string;
  /** Parameters the body reads as `$vmshift_<name>`. */
  readonly params: readonly string[];
  /** PowerShell body; assigns its result to `$vmshift_result`. */
  readonly body: string;
}

/** Parameter values (the adapter's `ScriptParams`). */
export type HypervScriptParams = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

/**
 * What the source needs from a PowerShell endpoint: `PowerShellRunner` from `@vmshift/hyperv`
 * (e.g. `createNodePowerShellRunner(…)`) satisfies it. It renders the template with its
 * parameters through the adapter's escaping helper, runs it, and resolves with the script's `data`
 * or rejects with a `VmshiftError` from the adapter's error table.
 */
export interface PowerShellScriptRunner {
  /** Runs `template` with `params` (bound through the adapter's escaping helper); resolves with the script's `data`, rejects with a VmshiftError. */
  run(template: HypervScript, params: HypervScriptParams, options: { readonly operation: string; readonly subject?: string; readonly signal?: AbortSignal }): Promise<unknown>;
}

/** Finds the VM by id on the given hosts (all of the endpoint's when empty) into `$vm`, or leaves it `$null`. */
const FIND = `
$vm = $null
$guid = [guid]::Empty
if ([guid]::TryParse([string]$vmshift_vmId, [ref]$guid)) {
  $scope = @{}
  if (@($vmshift_hostList).Count -gt 0) { $scope['ComputerName'] = @($vmshift_hostList) }
  $vm = @(Get-VM @scope -Id $guid -ErrorAction SilentlyContinue) | Select-Object -First 1
}`;

/** {@link FIND}, then a `VmshiftVmNotFound` error when there is no such VM. */
export const REQUIRE = `${FIND}
if ($null -eq $vm) { Write-Error -Category ObjectNotFound -ErrorId 'VmshiftVmNotFound' -Message 'no virtual machine with this id on the given hosts' }`;

/**
 * The VM's definition: Get-VM (processors, memory, generation, state, host), Get-VMHardDiskDrive
 * with Get-VHD of each virtual disk (format, type, virtual size, parent), Get-VMDvdDrive,
 * Get-VMNetworkAdapter (switch, MAC), Get-VMFirmware on generation 2 (Secure Boot and its
 * template), the checkpoint count (Get-VMSnapshot) and, when the guest's integration services
 * report it, the guest OS name (KVP exchange, `OSName`). `data` is null when no host has the VM.
 */
export const moveSourceDefinition: HypervScript = {
  name: "moveSourceDefinition",
  params: ["vmId", "hostList"],
  body: `${FIND}
if ($null -ne $vm) {
  $disks = @(foreach ($d in @(Get-VMHardDiskDrive -VM $vm)) {
    $vhd = $null
    if ($null -eq $d.DiskNumber -and $d.Path) {
      $v = Get-VHD -ComputerName $vm.ComputerName -Path $d.Path
      $vhd = [pscustomobject]@{ vhdFormat = $v.VhdFormat.ToString(); vhdType = $v.VhdType.ToString(); size = [long]$v.Size; fileSize = [long]$v.FileSize; parentPath = [string]$v.ParentPath }
    }
    [pscustomobject]@{ controllerType = $d.ControllerType.ToString(); controllerNumber = [int]$d.ControllerNumber; controllerLocation = [int]$d.ControllerLocation; path = [string]$d.Path; diskNumber = $d.DiskNumber; supportPersistentReservations = [bool]$d.SupportPersistentReservations; vhd = $vhd }
  })
  $dvds = @(foreach ($d in @(Get-VMDvdDrive -VM $vm)) {
    [pscustomobject]@{ controllerType = $d.ControllerType.ToString(); controllerNumber = [int]$d.ControllerNumber; controllerLocation = [int]$d.ControllerLocation; path = [string]$d.Path }
  })
  $nics = @(foreach ($n in @(Get-VMNetworkAdapter -VM $vm)) {
    [pscustomobject]@{ name = [string]$n.Name; switchName = [string]$n.SwitchName; macAddress = [string]$n.MacAddress; dynamicMacAddressEnabled = [bool]$n.DynamicMacAddressEnabled; isLegacy = [bool]$n.IsLegacy }
  })
  $firmware = $null
  if ([int]$vm.Generation -eq 2) {
    $f = Get-VMFirmware -VM $vm
    $firmware = [pscustomobject]@{ secureBoot = $f.SecureBoot.ToString(); secureBootTemplate = [string]$f.SecureBootTemplate }
  }
  $guestOs = $null
  try {
    $kvp = Get-CimInstance -ComputerName $vm.ComputerName -Namespace 'root\\virtualization\\v2' -ClassName Msvm_KvpExchangeComponent -ErrorAction Stop | Where-Object { $_.SystemName -eq $vm.Id.ToString() }
    foreach ($item in @($kvp.GuestIntrinsicExchangeItems)) {
      $props = @(([xml]$item).INSTANCE.PROPERTY)
      if ((($props | Where-Object { $_.NAME -eq 'Name' }).VALUE) -eq 'OSName') { $guestOs = [string](($props | Where-Object { $_.NAME -eq 'Data' }).VALUE) }
    }
  } catch { $guestOs = $null }
  $vmshift_result = [pscustomobject]@{
    vm = [pscustomobject]@{
      id = $vm.Id.ToString()
      name = [string]$vm.Name
      state = $vm.State.ToString()
      computerName = [string]$vm.ComputerName
      generation = [int]$vm.Generation
      version = [string]$vm.Version
      processorCount = [int]$vm.ProcessorCount
      memoryStartupBytes = [long]$vm.MemoryStartup
      dynamicMemoryEnabled = [bool]$vm.DynamicMemoryEnabled
      memoryMinimumBytes = [long]$vm.MemoryMinimum
      memoryMaximumBytes = [long]$vm.MemoryMaximum
    }
    firmware = $firmware
    disks = $disks
    dvds = $dvds
    nics = $nics
    checkpointCount = @(Get-VMSnapshot -VM $vm).Count
    guestOs = $guestOs
  }
}`,
};

/** The VM's state name (`Running`, `Off`, …); `data` is null when no host has the VM. */
export const moveSourceState: HypervScript = {
  name: "moveSourceState",
  params: ["vmId", "hostList"],
  body: `${FIND}
if ($null -ne $vm) { $vmshift_result = [pscustomobject]@{ state = $vm.State.ToString(); computerName = [string]$vm.ComputerName } }`,
};

/**
 * Stops the VM: a guest shutdown (Stop-VM as a job) for at most `timeoutSeconds`, then Stop-VM
 * -TurnOff when it is still not Off. The job's failure (no shutdown integration service) is
 * caught and reported as `data.shutdownError`. `data.how`: `alreadyOff`, `shutdown`, `turnedOff`.
 */
export const moveSourceStop: HypervScript = {
  name: "moveSourceStop",
  params: ["vmId", "hostList", "timeoutSeconds"],
  body: `${REQUIRE}
$how = 'alreadyOff'
$shutdownError = $null
if ($vm.State.ToString() -ne 'Off') {
  $how = 'shutdown'
  $job = Stop-VM -VM $vm -Force -AsJob
  if (-not (Wait-Job -Job $job -Timeout ([int]$vmshift_timeoutSeconds))) { $shutdownError = 'the guest did not shut down in time'; Stop-Job -Job $job }
  try { Receive-Job -Job $job -ErrorAction Stop | Out-Null } catch { if ($null -eq $shutdownError) { $shutdownError = [string]$_.Exception.Message } }
  Remove-Job -Job $job -Force -ErrorAction SilentlyContinue
  ${FIND.trim()}
  if ($vm.State.ToString() -ne 'Off') { Stop-VM -VM $vm -TurnOff -Force; $how = 'turnedOff' }
}
$vmshift_result = [pscustomobject]@{ how = $how; shutdownError = $shutdownError }`,
};

/** Starts the VM unless it runs already. */
export const moveSourceStart: HypervScript = {
  name: "moveSourceStart",
  params: ["vmId", "hostList"],
  body: `${REQUIRE}
if ($vm.State.ToString() -ne 'Running') { Start-VM -VM $vm }
$vmshift_result = [pscustomobject]@{ started = $true }`,
};
