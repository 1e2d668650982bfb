/**
 * Removing the source after a move (`MoveRequest.removeSource`): an optional operation of a move
 * source. It runs only once the target reports the moved VM running. What goes with the VM is the
 * platform's decision, not vmshift's: Hyper-V's Remove-VM and libvirt's undefine keep the disk
 * files (checkpoints merged into them); vSphere's Destroy_Task and Nutanix AHV's DELETE delete the
 * VM's disks with it (volume groups attached on AHV stay). The result names what went and what stayed.
 */
import type { SpiContext } from "./spi.ts";

/** How a source removes a moved VM. */
export interface SourceRemoval {
  /**
   * Removes the VM (it is stopped) the platform's way, which decides whether its disks go with it
   * (see the module comment). Resolves with a sentence naming what was removed and what stayed, for the result.
   */
  removeVm(vmId: string, ctx: SpiContext): Promise<string>;
}

/** A source that can remove a moved VM. */
export interface Removable {
  /** Present when the source can remove a moved VM (`MoveRequest.removeSource`). */
  readonly removal?: SourceRemoval;
}
