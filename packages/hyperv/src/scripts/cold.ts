/** Cold migration steps: stop (guest shutdown, then turn off), move while stopped, start. */
import type { ScriptTemplate } from "../script.ts";
import { CLUSTER_OWNERS, FIND_VM, VM_SHAPE } from "./snippets.ts";

/**
 * Shuts the guest down; when the shutdown fails (the Stop-VM job fails, e.g. no shutdown
 * integration service) or does not finish within `timeoutSeconds`, turns the VM off. The job's
 * error is caught (Receive-Job rethrows it under `$ErrorActionPreference = 'Stop'`) and reported
 * as `data.shutdownError`. `data.how`: `alreadyOff`, `shutdown` or `turnedOff`.
 */
export const stopVm: ScriptTemplate = {
  name: "stopVm",
  params: ["vmId", "hostList", "timeoutSeconds"],
  body: `${FIND_VM}${VM_SHAPE}
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
$how = 'alreadyOff'
$shutdownError = $null
if ($vm.State.ToString() -ne 'Off') {
  $stop = Stop-VM -VM $vm -Force -AsJob
  $finished = Wait-Job -Job $stop -Timeout ([int]$vmshift_timeoutSeconds)
  if (-not $finished) {
    Stop-Job -Job $stop
    $shutdownError = 'the guest did not shut down in time'
  }
  try { Receive-Job -Job $stop -ErrorAction Stop | Out-Null } catch { if ($null -eq $shutdownError) { $shutdownError = [string]$_.Exception.Message } }
  Remove-Job -Job $stop -Force -ErrorAction SilentlyContinue
  $vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
  $how = 'shutdown'
  if ($vm.State.ToString() -ne 'Off') {
    Stop-VM -VM $vm -TurnOff -Force
    $how = 'turnedOff'
  }
}
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
$vmshift_result = [pscustomobject]@{ how = $how; shutdownError = $shutdownError; vm = VmshiftVmShape $vm $null }`,
};

/** Moves a stopped VM (Move-VM, or a quick Move-ClusterVirtualMachineRole on a cluster) and waits for it. */
export const moveStopped: ScriptTemplate = {
  name: "moveStopped",
  params: ["vmId", "hostList", "targetHost", "storagePath"],
  body: `${FIND_VM}${CLUSTER_OWNERS}${VM_SHAPE}
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
if ($vm.IsClustered) {
  $group = VmshiftRequireClusterGroup $vm
  Move-ClusterVirtualMachineRole -Name $group.Name -Node $vmshift_targetHost -MigrationType Quick | Out-Null
} elseif ($vmshift_storagePath) {
  Move-VM -VM $vm -DestinationHost $vmshift_targetHost -IncludeStorage -DestinationStoragePath $vmshift_storagePath
} else {
  Move-VM -VM $vm -DestinationHost $vmshift_targetHost
}
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
$vmshift_result = [pscustomobject]@{ vm = VmshiftVmShape $vm $null }`,
};

/** Starts the VM where it is registered. */
export const startVm: ScriptTemplate = {
  name: "startVm",
  params: ["vmId", "hostList"],
  body: `${FIND_VM}${VM_SHAPE}
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
Start-VM -VM $vm
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
$vmshift_result = [pscustomobject]@{ vm = VmshiftVmShape $vm $null }`,
};
