/** Inventory scripts: VMs (Get-VM, cluster owner node), hosts (Get-VMHost, cluster nodes), probe. */
import type { ScriptTemplate } from "../script.ts";
import { CLUSTER_OWNERS, FIND_VM, HOST_SHAPE, VM_SHAPE } from "./snippets.ts";

/** All VMs on `hostList` (empty: the connected host), with their cluster owner node where a failover cluster exists. */
export const listVms: ScriptTemplate = {
  name: "listVms",
  params: ["hostList"],
  body: `${CLUSTER_OWNERS}${VM_SHAPE}
$owners = VmshiftClusterOwners
$all = if (@($vmshift_hostList).Count -gt 0) { Get-VM -ComputerName @($vmshift_hostList) } else { Get-VM }
$vmshift_result = @($all | Sort-Object { $_.Id.ToString() } | ForEach-Object { VmshiftVmShape $_ $owners })`,
};

/** One VM by id (GUID); `data` is null when no host has it. */
export const getVm: ScriptTemplate = {
  name: "getVm",
  params: ["vmId", "hostList"],
  body: `${FIND_VM}${CLUSTER_OWNERS}${VM_SHAPE}
$vm = VmshiftFindVm $vmshift_hostList $vmshift_vmId
if ($null -ne $vm) { $vmshift_result = VmshiftVmShape $vm (VmshiftClusterOwners) }`,
};

/** Hosts: the cluster's nodes when the connected host is clustered, else `hostList` (or the connected host). */
export const listHosts: ScriptTemplate = {
  name: "listHosts",
  params: ["hostList"],
  body: `${HOST_SHAPE}
$names = @($vmshift_hostList)
$cluster = $null
$nodes = @{}
if (Get-Command Get-ClusterNode -ErrorAction SilentlyContinue) {
  try {
    $cluster = [string](Get-Cluster -ErrorAction Stop).Name
    Get-ClusterNode -ErrorAction Stop | ForEach-Object { $nodes[[string]$_.Name] = $_.State.ToString() }
  } catch { $cluster = $null; $nodes = @{} }
}
if ($nodes.Count -gt 0) { $names = @($nodes.Keys | Sort-Object) }
if ($names.Count -eq 0) { $names = @($env:COMPUTERNAME) }
$vmshift_result = @(foreach ($n in $names) { VmshiftHostShape $n $cluster $nodes[$n] })`,
};

/** What the connected endpoint runs: PowerShell edition/version, OS, Hyper-V module. */
export const probe: ScriptTemplate = {
  name: "probe",
  params: [],
  body: `
$module = Get-Module -ListAvailable -Name Hyper-V | Sort-Object Version -Descending | Select-Object -First 1
$vmshift_result = [pscustomobject]@{
  psEdition = [string]$PSVersionTable.PSEdition
  psVersion = $PSVersionTable.PSVersion.ToString()
  os = [string][Environment]::OSVersion.VersionString
  computerName = [string]$env:COMPUTERNAME
  hyperVModule = if ($module) { $module.Version.ToString() } else { $null }
  clustered = [bool](Get-Command Get-ClusterNode -ErrorAction SilentlyContinue)
}`,
};
