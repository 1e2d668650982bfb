/**
 * Removing a moved VM from Hyper-V (`MoveRequest.removeSource`): `Remove-VM -Force` on the VM,
 * which must be Off. Microsoft's documented behaviour of Remove-VM: it deletes the virtual
 * machine's configuration; it does NOT delete its virtual hard disks; its checkpoints are deleted
 * and merged into the virtual hard disk files. vmshift keeps that behaviour and deletes no VHDX
 * itself: the files are the source's only copy until someone has checked the target, they may be
 * shared with other VMs or kept by a backup policy, and deleting files on a host over an admin
 * share is not something a move should do behind the caller's back. The result names every VHDX
 * kept, so the caller can delete them once satisfied (the same as the libvirt source's removal).
 *
 * A clustered VM is refused (Remove-VM leaves its cluster role behind: remove the role with
 * Remove-ClusterGroup, which vmshift does not do).
 */
import type { SourceRemoval } from "../removal.ts";
import type { SpiContext } from "../spi.ts";
import { type HypervScript, REQUIRE } from "./scripts.ts";

/**
 * Removes the VM with Remove-VM -Force when it is Off (else `VmshiftVmNotOff`), after listing its
 * hard disk drives' files. `data`: `{ name, kept: string[] }`.
 */
export const moveSourceRemove: HypervScript = {
  name: "moveSourceRemove",
  params: ["vmId", "hostList"],
  body: `${REQUIRE}
if ($vm.State.ToString() -ne 'Off') { Write-Error -Category InvalidOperation -ErrorId 'VmshiftVmNotOff' -Message ('{0} is {1}; only a VM that is Off is removed' -f $vm.Name, $vm.State) }
if ($vm.IsClustered) { Write-Error -Category InvalidOperation -ErrorId 'VmshiftVmClustered' -Message ('{0} is a clustered role; remove the role (Remove-ClusterGroup) before the VM' -f $vm.Name) }
$kept = @(Get-VMHardDiskDrive -VM $vm | Where-Object { $_.Path -and $null -eq $_.DiskNumber } | ForEach-Object { [string]$_.Path })
$name = [string]$vm.Name
Remove-VM -VM $vm -Force
$vmshift_result = [pscustomobject]@{ name = $name; kept = $kept }`,
};

/** The Hyper-V source's removal, given its script runner (values only through the adapter's escaping). */
export function hypervSourceRemoval(run: (script: HypervScript, vmId: string, operation: string, ctx: SpiContext) => Promise<unknown>): SourceRemoval {
  return {
    async removeVm(vmId, ctx) {
      const data = (await run(moveSourceRemove, vmId, "move.removeSource", ctx)) as { name?: unknown; kept?: unknown } | null;
      const kept = Array.isArray(data?.kept) ? data.kept.map(String) : typeof data?.kept === "string" ? [data.kept] : [];
      return `VM ${typeof data?.name === "string" ? data.name : vmId} (${vmId}) removed with Remove-VM (configuration and checkpoints); virtual hard disks kept: ${kept.join(", ") || "none"}`;
    },
  };
}
