/** The preflight script: reads the VM, both hosts, Compare-VM's report and the delegation setup. Changes nothing. */
import type { ScriptTemplate } from "../script.ts";
import { FIND_VM, HOST_SHAPE, VM_SHAPE } from "./snippets.ts";

/**
 * `storagePath` empty: shared storage. `data.vm` null when the VM is not found. `runsOnSource`
 * tells whether the script runs on the source host (no double hop). `delegation` lists the
 * source computer account's `msDS-AllowedToDelegateTo` when the ActiveDirectory module is present.
 */
export const preflight: ScriptTemplate = {
  name: "preflight",
  params: ["vmId", "hostList", "targetHost", "storagePath"],
  body: `${FIND_VM}${VM_SHAPE}${HOST_SHAPE}
$vm = VmshiftFindVm $vmshift_hostList $vmshift_vmId
if ($null -eq $vm) {
  $vmshift_result = [pscustomobject]@{ vm = $null }
} else {
  $src = [string]$vm.ComputerName
  $source = VmshiftHostShape $src $null $null
  $target = $null
  $targetError = $null
  try { $target = VmshiftHostShape $vmshift_targetHost $null $null } catch { $targetError = [string]$_.Exception.Message }
  $incompatibilities = @()
  $compareError = $null
  if ($null -ne $target) {
    try {
      $report = if ($vmshift_storagePath) {
        Compare-VM -ComputerName $src -Name $vm.Name -DestinationHost $vmshift_targetHost -IncludeStorage -DestinationStoragePath $vmshift_storagePath
      } else {
        Compare-VM -ComputerName $src -Name $vm.Name -DestinationHost $vmshift_targetHost
      }
      $incompatibilities = @($report.Incompatibilities | ForEach-Object { [pscustomobject]@{ messageId = [long]$_.MessageId; message = [string]$_.Message } })
    } catch { $compareError = [string]$_.Exception.Message }
  }
  $runsOnSource = ([string]$env:COMPUTERNAME) -eq ($src.Split('.')[0])
  $delegation = $null
  if (-not $runsOnSource -and (Get-Command Get-ADComputer -ErrorAction SilentlyContinue)) {
    try { $delegation = @((Get-ADComputer -Identity ($src.Split('.')[0]) -Properties 'msDS-AllowedToDelegateTo').'msDS-AllowedToDelegateTo' | ForEach-Object { [string]$_ }) } catch { $delegation = $null }
  }
  $storagePathExists = $null
  if ($vmshift_storagePath -and $null -ne $target) {
    try { $storagePathExists = [bool](Invoke-Command -ComputerName $vmshift_targetHost -ScriptBlock { param($p) Test-Path -LiteralPath $p } -ArgumentList $vmshift_storagePath) } catch { $storagePathExists = $null }
  }
  $vmshift_result = [pscustomobject]@{
    vm = VmshiftVmShape $vm $null
    source = $source
    target = $target
    targetError = $targetError
    incompatibilities = $incompatibilities
    compareError = $compareError
    runsOnSource = $runsOnSource
    delegation = $delegation
    storagePathExists = $storagePathExists
  }
}`,
};
