/** Typed preflight checks of a move (the same shape as a migration's `PreflightCheck`). */
import type { CheckCategory } from "@vmshift/core";

/** Stable ids of the checks the mover itself runs. Targets may add their own (`<platform>.<name>`). */
export const MOVE_CHECK_IDS = [
  "network.unmapped",
  "storage.unmapped",
  "disk.shared",
  "disk.rawDevice",
  "disk.noFormat",
  "disk.removableSkipped",
  "source.snapshots",
  "firmware.unsupported",
  "firmware.kernelBoot",
  "device.unsupportedBus",
  "device.unsupported",
  "target.nameTaken",
  "target.storageMissing",
  "target.networkMissing",
  "target.insufficientSpace",
  "vm.state",
  "source.changeTracking",
  "disk.changeTracking",
  "guest.conversion",
  "guest.converterMissing",
] as const;

/** One check id the mover knows. */
export type MoveCheckId = (typeof MOVE_CHECK_IDS)[number];

/** One preflight result. `subject` names the network, storage, disk or device it is about. */
export interface MoveCheck {
  /** One of {@link MOVE_CHECK_IDS}, or a target's own `<platform>.<name>`. */
  readonly id: MoveCheckId | `${string}.${string}`;
  /** What the check is about (as a migration check's category). */
  readonly category: CheckCategory;
  /** `error` stops the move; `warning` and `info` are reported only. */
  readonly severity: "error" | "warning" | "info";
  /** What was found, for a person. */
  readonly message: string;
  /** The network, storage, disk or device it is about. */
  readonly subject?: string;
}

/** Result of a move preflight: `ok` is false when any check is an error. Nothing was written. */
export interface MovePreflight {
  /** False when any check is an error. */
  readonly ok: boolean;
  /** The VM checked (its id at the source). */
  readonly vmId: string;
  /** Every check that ran. */
  readonly checks: readonly MoveCheck[];
}
