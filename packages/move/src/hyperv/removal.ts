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
 * A VM with checkpoints runs on a checkpoint's differencing disk (`.avhdx`, `.avhd` for VHD):
 * Remove-VM merges those into their parents and deletes them, so the file that remains is the
 * first file down the chain (Get-VHD `ParentPath`) that is not a checkpoint's. A differencing disk
 * of the user's own (a `.vhdx` with a parent) is not merged: it is the file kept.
 *
 * A clustered VM is refused (Remove-VM leaves its cluster role behind: remove the role with
 * Remove-ClusterGroup, which vmshift does not do).
 */
import type { SourceRemoval } from "../removal.ts";
import type { SpiContext } from "../spi.ts";
import { type HypervScript, REQUIRE } from "./scripts.ts";

/**
 * Removes the VM with Remove-VM -Force when it is Off (else `VmshiftVmNotOff`), after listing each
 * hard disk drive's chain of files: its path, then (while the file is a checkpoint's `.avhdx` or
 * `.avhd`) Get-VHD's `ParentPath`, at most 64 deep. `data`: `{ name, disks: [{ chain: string[] }] }`.
 */
export const moveSourceRemove: HypervScript = {
  name: "moveSourceRemove",
  params: ["vmId", "hostList"],
  body: `${REQUIRE}
if ($vm.State.ToString() -ne 'Off') { Write-Error -Category InvalidOperation -ErrorId 'VmshiftVmNotOff' -Message ('{0} is {1}; only a VM that is Off is removed' -f $vm.Name, $vm.State) }
if ($vm.IsClustered) { Write-Error -Category InvalidOperation -ErrorId 'VmshiftVmClustered' -Message ('{0} is a clustered role; remove the role (Remove-ClusterGroup) before the VM' -f $vm.Name) }
$disks = @(foreach ($d in @(Get-VMHardDiskDrive -VM $vm | Where-Object { $_.Path -and $null -eq $_.DiskNumber })) {
  $chain = @([string]$d.Path)
  while ($chain[-1] -match '\\.avhdx?$' -and $chain.Count -lt 64) {
    $parent = [string](Get-VHD -ComputerName $vm.ComputerName -Path $chain[-1]).ParentPath
    if (-not $parent) { break }
    $chain += $parent
  }
  [pscustomobject]@{ chain = $chain }
})
$name = [string]$vm.Name
Remove-VM -VM $vm -Force
$vmshift_result = [pscustomobject]@{ name = $name; disks = $disks }`,
};

/** A checkpoint's differencing disk, which Remove-VM merges into its parent and deletes. */
const CHECKPOINT_FILE = /\.avhdx?$/i;

/** 5.1's ConvertTo-Json prints a single-element array as its element. */
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * What Remove-VM leaves of the drives' chains: per drive the first file that is not a checkpoint's
 * (the chain's last when every file is one, e.g. a parent Get-VHD could not name), and the
 * checkpoint files merged away.
 */
export function filesAfterRemoveVm(disks: unknown): { kept: string[]; merged: string[] } {
  const kept: string[] = [];
  const merged: string[] = [];
  for (const disk of list(disks)) {
    const chain = list((disk as { chain?: unknown } | null)?.chain).map(String).filter((p) => p !== "");
    const root = chain.findIndex((p) => !CHECKPOINT_FILE.test(p));
    const at = root === -1 ? chain.length - 1 : root;
    if (at < 0) continue;
    if (!kept.includes(chain[at]!)) kept.push(chain[at]!);
    for (const p of chain.slice(0, at)) if (!merged.includes(p)) merged.push(p);
  }
  return { kept, merged };
}

/** The Hyper-V source's removal, given its script runner (values only through the adapter's escaping). */
export function hypervSourceRemoval(run: (script: HypervScript, vmId: string, operation: string, ctx: SpiContext) => Promise<unknown>): SourceRemoval {
  return {
    async removeVm(vmId, ctx) {
      const data = (await run(moveSourceRemove, vmId, "move.removeSource", ctx)) as { name?: unknown; disks?: unknown } | null;
      const { kept, merged } = filesAfterRemoveVm(data?.disks);
      const what = `VM ${typeof data?.name === "string" ? data.name : vmId} (${vmId}) removed with Remove-VM (configuration and checkpoints); virtual hard disks kept: ${kept.join(", ") || "none"}`;
      return merged.length === 0 ? what : `${what}; checkpoint differencing disks merged into them and deleted: ${merged.join(", ")}`;
    },
  };
}
