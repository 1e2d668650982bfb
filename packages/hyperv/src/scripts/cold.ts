/** Cold migration steps: stop (guest shutdown, then turn off), move while stopped, start. */
import type { ScriptTemplate } from "../script.ts";
import { FIND_VM, VM_SHAPE } from "./snippets.ts";

/** Shuts the guest down; after `timeoutSeconds` turns the VM off. `data.how`: `alreadyOff`, `shutdown` or `turnedOff`. */
export const stopVm: ScriptTemplate = {
  name: "stopVm",
  params: ["vmId", "hostList", "timeoutSeconds"],
  body: `${FIND_VM}${VM_SHAPE}
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
$how = 'alreadyOff'
if ($vm.State.ToString() -ne 'Off') {
  $stop = Stop-VM -VM $vm -Force -AsJob
  if (Wait-Job -Job $stop -Timeout ([int]$vmshift_timeoutSeconds)) {
    Receive-Job -Job $stop | Out-Null
    $how = 'shutdown'
  } else {
    Stop-Job -Job $stop
    Stop-VM -VM $vm -TurnOff -Force
    $how = 'turnedOff'
  }
}
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
$vmshift_result = [pscustomobject]@{ how = $how; vm = VmshiftVmShape $vm $null }`,
};

/** Moves a stopped VM (Move-VM, or a quick Move-ClusterVirtualMachineRole on a cluster) and waits for it. */
export const moveStopped: ScriptTemplate = {
  name: "moveStopped",
  params: ["vmId", "hostList", "targetHost", "storagePath"],
  body: `${FIND_VM}${VM_SHAPE}
$vm = VmshiftRequireVm $vmshift_hostList $vmshift_vmId
if ($vm.IsClustered) {
  Move-ClusterVirtualMachineRole -Name $vm.Name -Node $vmshift_targetHost -MigrationType Quick | Out-Null
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
