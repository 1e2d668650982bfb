/**
 * What a move needs from each side (the service-provider interface). A platform becomes a move
 * source or target by implementing these; the mover never speaks a platform's protocol itself.
 */
import type { DiskDefinition, DiskFormat, VmDefinition } from "./definition.ts";
import type { MappedDefinition } from "./mapping.ts";

/** Context of every SPI call. */
export interface SpiContext {
  /** Aborted when the move is cancelled: stop and clean up what the call started. */
  readonly signal: AbortSignal;
}

/**
 * Where the bytes of one disk can be read: a locator qemu-img understands (a local file, an
 * `nbd://`/`nbd+unix://` URI, an `https://` URL) and its format.
 */
export interface DiskReader {
  /** A path or URI `qemu-img convert` can open. */
  readonly location: string;
  /** The image format the reader serves. */
  readonly format: DiskFormat;
  /**
   * The location as a QEMU protocol node (`{ driver: "nbd", server: {…}, export }`) when it is not
   * a local file: QEMU parses URIs only at the top of an image spec, so windows over the image
   * (warm deltas) need it spelled out.
   */
  readonly protocol?: Readonly<Record<string, unknown>>;
  /** Ends the export (e.g. a backup job); called once the copy is done or abandoned. */
  close(): Promise<void>;
}

/** A move source. */
export interface MoveSource {
  /** Platform name for messages, e.g. `libvirt`. */
  readonly platform: string;
  /** Reads the VM's full definition. `NOT_FOUND` when there is no such VM. */
  readDefinition(vmId: string, ctx: SpiContext): Promise<VmDefinition>;
  /** Opens one disk for reading; the VM must be stopped for a cold move (the mover stops it first). */
  openDisk(definition: VmDefinition, disk: DiskDefinition, ctx: SpiContext): Promise<DiskReader>;
  /**
   * Optional: opens a point-in-time copy of one disk **while the VM runs** (libvirt: a backup job
   * in pull mode exporting the disk over NBD). The building block of warm moves; cold moves do not
   * use it. `close()` ends the export.
   */
  openDiskLive?(definition: VmDefinition, disk: DiskDefinition, ctx: SpiContext): Promise<DiskReader>;
  /**
   * Optional: change tracking for warm moves (libvirt: incremental backups against checkpoints,
   * QEMU dirty bitmaps). Absent → a warm move fails its preflight with `source.changeTracking`.
   */
  readonly warm?: WarmSource;
  /** Stops the VM (graceful, then forced after `shutdownTimeoutMs`); no-op when stopped. */
  stop(vmId: string, options: { readonly shutdownTimeoutMs: number }, ctx: SpiContext): Promise<void>;
  /** Starts the VM again (rollback). */
  start(vmId: string, ctx: SpiContext): Promise<void>;
  /** Current power state. */
  powerState(vmId: string, ctx: SpiContext): Promise<"running" | "stopped" | "other">;
  /** Where the VM is, as a host id, when the source knows. */
  readonly hostId?: string;
  /**
   * Optional: read-only checks only the source platform can make (Hyper-V: differencing disks,
   * VHDX files the mover cannot reach, Secure Boot templates), run in preflight after
   * {@link readDefinition}. Writes nothing.
   */
  check?(definition: VmDefinition, ctx: SpiContext): Promise<readonly import("./checks.ts").MoveCheck[]>;
}

/** A byte range of a disk: `offset` and `length` in bytes. */
export interface ChangedExtent {
  /** Byte offset in the disk. */
  readonly offset: number;
  /** Bytes from `offset`. */
  readonly length: number;
}

/** One disk of a {@link WarmPass}: where to read it and, for a delta pass, what changed. */
export interface WarmPassDisk extends Omit<DiskReader, "close"> {
  /** Ranges written since the previous pass's checkpoint; `undefined` on the full (first) pass. */
  changedExtents(ctx: SpiContext): Promise<readonly ChangedExtent[] | undefined>;
}

/**
 * One pass of a warm move: a point-in-time export of every copied disk (libvirt: one backup job
 * in pull mode) that also starts tracking the writes made after it (a new checkpoint).
 */
export interface WarmPass {
  /** 1-based pass number. */
  readonly pass: number;
  /** Name of the checkpoint this pass created (the next pass is incremental against it). */
  readonly checkpoint: string;
  /** By disk key. */
  readonly disks: ReadonlyMap<string, WarmPassDisk>;
  /** Ends the export (the backup job); the checkpoint stays for the next pass. */
  close(): Promise<void>;
}

/** Change tracking of a source: what a warm move reads while the VM runs. */
export interface WarmSource {
  /** Read-only checks that warm moves can run on this VM (versions, disk formats). Writes nothing. */
  check(definition: VmDefinition, ctx: SpiContext): Promise<readonly import("./checks.ts").MoveCheck[]>;
  /**
   * Opens pass `pass` over `disks`: a full export when `since` is absent, else an incremental one
   * against checkpoint `since`. `final` marks the pass after the source was stopped (the source may
   * have to bring the VM up paused to export it; {@link finish} puts it down again).
   */
  beginPass(definition: VmDefinition, disks: readonly DiskDefinition[], options: { readonly pass: number; readonly since?: string; readonly final?: boolean; readonly moveId: string }, ctx: SpiContext): Promise<WarmPass>;
  /**
   * Removes what the passes left on the source (backup job, checkpoints, a VM brought up paused for
   * the final pass) and leaves the VM in the power state it had before (running stays running,
   * stopped stays stopped). Idempotent; called after the final pass and on rollback.
   */
  finish(definition: VmDefinition, options: { readonly moveId: string }, ctx: SpiContext): Promise<void>;
}

/** A volume the target reserved for one disk. */
export interface ReservedVolume {
  /** The disk it holds (`DiskDefinition.key`). */
  readonly diskKey: string;
  /** Target storage it lives in (the mapped name). */
  readonly storage: string;
  /** A path or URI `qemu-img convert -n` can write into. */
  readonly location: string;
  /** The volume's image format (what the copier writes). */
  readonly format: DiskFormat;
  /** The volume's size, bytes. */
  readonly sizeBytes: number;
  /**
   * The location as a QEMU protocol node when it is not a local file (KubeVirt warm moves: an NBD
   * export of the claim, `{ driver: "nbd", server: {…}, export }`): the copier's windows for delta
   * extents need it spelled out, as for {@link DiskReader.protocol}.
   */
  readonly protocol?: Readonly<Record<string, unknown>>;
}

/** What the target reserved in `request`; handed back to write, start and rollback. */
export interface Reservation {
  /** Target VM id (e.g. the new domain's name or UUID). */
  readonly vmId: string;
  /** One volume per copied disk. */
  readonly volumes: readonly ReservedVolume[];
}

/** A target check that needs the target's own inventory (name collisions, missing pools/networks). */
export interface TargetCheckInput {
  /** The definition with the maps applied: what the target would create. */
  readonly definition: MappedDefinition;
}

/** A move target. */
export interface MoveTarget {
  /** The platform's name (`libvirt`, `kubevirt`, …), as in results and capability tables. */
  readonly platform: string;
  /** Host (or cluster/namespace) reported in results. */
  readonly hostId?: string;
  /**
   * The target's own guest converter, when it converts where its volumes are (KubeVirt: a
   * conversion pod in the cluster). The mover's conversion hook uses it instead of its local one.
   */
  readonly converter?: import("./convert.ts").GuestConverter;
  /** Read-only checks against the target (name taken, storage or network missing, no room). Writes nothing. */
  check(input: TargetCheckInput, ctx: SpiContext): Promise<readonly import("./checks.ts").MoveCheck[]>;
  /**
   * Creates the volumes and defines the VM stopped. No room → throws, leaving nothing behind.
   * `ctx.mode` says which move it is for (a target may reserve differently for a warm move).
   */
  reserve(definition: MappedDefinition, ctx: SpiContext & { readonly mode?: "cold" | "warm" }): Promise<Reservation>;
  /** Starts the moved VM. */
  start(reservation: Reservation, ctx: SpiContext): Promise<void>;
  /** Deletes everything `reserve` created (rollback); idempotent. */
  remove(reservation: Reservation, ctx: SpiContext): Promise<void>;
  /** Power state of the moved VM. */
  powerState(reservation: Reservation, ctx: SpiContext): Promise<"running" | "stopped" | "other">;
  /**
   * Optional, for a target with {@link writeDisk}: it can still take warm moves, because `reserve`
   * with `mode: "warm"` returns volumes the {@link DiskCopier} writes at offsets (KubeVirt: blank
   * DataVolumes served over NBD by a transfer pod). Returns its warm-only checks (read-only).
   */
  checkWarm?(input: TargetCheckInput, ctx: SpiContext): Promise<readonly import("./checks.ts").MoveCheck[]>;
  /**
   * Optional: writes one disk's bytes itself, for targets whose volumes are not a location
   * `qemu-img` can write (KubeVirt: an upload through CDI's upload proxy). When present, cold moves
   * call it instead of the {@link DiskCopier}; warm moves are refused (no extent writes) unless the
   * target also has {@link checkWarm}.
   */
  writeDisk?(from: Omit<DiskReader, "close">, to: ReservedVolume, ctx: SpiContext & { readonly onProgress?: (p: CopyProgress) => void }): Promise<void>;
}

/** Progress of one copy. */
export interface CopyProgress {
  /** Bytes of this disk copied so far. */
  readonly copiedBytes: number;
  /** Bytes of this disk to copy. */
  readonly totalBytes: number;
}

/** Copies the bytes of one disk from a reader into a reserved volume (qemu-img by default). */
export interface DiskCopier {
  /** Copies every byte of `from` into the reserved volume `to`, converting the format on the way; reports progress while it runs. */
  copy(from: Omit<DiskReader, "close">, to: ReservedVolume, ctx: SpiContext & { readonly onProgress?: (p: CopyProgress) => void }): Promise<void>;
  /**
   * Optional (warm moves need it): copies only `extents` of the disk, each written at its own offset
   * into the volume. Progress counts the bytes of the extents. Returns the bytes copied.
   */
  copyExtents?(from: Omit<DiskReader, "close">, to: ReservedVolume, extents: readonly ChangedExtent[], ctx: SpiContext & { readonly onProgress?: (p: CopyProgress) => void }): Promise<number>;
}
