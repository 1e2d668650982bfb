/**
 * Removing the source after a move (`MoveRequest.removeSource`): an optional operation of a move
 * source. It runs only once the target reports the moved VM running; it removes the VM's
 * definition and keeps its disks (the bytes stay where they were until someone deletes them).
 */
import type { SpiContext } from "./spi.ts";

/** How a source removes a moved VM. */
export interface SourceRemoval {
  /** Removes the VM's definition (it is stopped), keeping its disks. Resolves with what was removed and what was kept, for the result. */
  removeVm(vmId: string, ctx: SpiContext): Promise<string>;
}

/** A source that can remove a moved VM. */
export interface Removable {
  /** Present when the source can remove a moved VM (`MoveRequest.removeSource`). */
  readonly removal?: SourceRemoval;
}
