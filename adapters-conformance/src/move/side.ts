/**
 * The move side of a conformance target: what the move suite (`vmshift conformance --suite move
 * --from <a> --to <b>`) needs from a platform to run real moves and check them **from the platform
 * itself**, never through the mover under test. A source side creates a VM with a real disk
 * holding a marker and reads its disk hashes and power state back; a target side hands out a
 * `MoveTarget` and reads back what exists there, the moved disks' hashes and the power state.
 *
 * Registering a platform is one entry in `sides.ts`.
 */
import type { MoveSource, MoveTarget, NameMap, StorageMap } from "@vmshift/move";

/** Whether a side can run on this machine, with the reason when not. */
export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Power state as the platform reports it; `missing` when the VM does not exist there. */
export type SidePowerState = "running" | "stopped" | "missing" | "other";

/** The VM a source side created for one scenario. */
export interface SourceVm {
  /** The VM's id at the source (what `moveVm({ vmId })` takes). */
  readonly vmId: string;
  /** Its name, the default name on the target. */
  readonly name: string;
  /** Source storages its copied disks live in (each must be mapped). */
  readonly storages: readonly string[];
  /** Source networks its NICs are on (each must be mapped). At least one: the unmapped-network scenario needs it. */
  readonly networks: readonly string[];
  /** The marker written into its first disk before the move (at offset 0). */
  readonly marker: string;
}

/** An open source side (one per scenario). */
export interface SourceSession {
  /** The mover's source for this platform. */
  readonly source: MoveSource;
  /** Creates a fresh VM, running, with one real disk of about `diskBytes` holding the marker. Replaces an earlier one. */
  createVm(options: { readonly diskBytes: number }): Promise<SourceVm>;
  /** sha256 of every copied disk's guest-visible bytes, by disk key, read from the platform's own files. */
  diskHashes(vm: SourceVm): Promise<Readonly<Record<string, string>>>;
  /** Power state, from the platform. */
  powerState(vm: SourceVm): Promise<SidePowerState>;
  /**
   * Warm: writes `length` bytes of `pattern` at `offset` of the first disk **while the VM runs**,
   * through the platform (a guest-visible write, seen by change tracking). Absent: warm scenarios
   * are skipped with {@link SourceSession.warmUnsupported}.
   */
  writeWhileRunning?(vm: SourceVm, offset: number, length: number, pattern: number): Promise<void>;
  /** Why this source cannot do warm moves (when `writeWhileRunning` is absent). */
  readonly warmUnsupported?: string;
  /**
   * The `vmshift` profile that reaches this source (e.g. `{ platform: "libvirt", hosts: [...] }`), so
   * the suite can run a move in a child process it kills (attach scenario). Absent: that scenario is skipped.
   */
  cliProfile?(): Readonly<Record<string, unknown>>;
  /** Removes what `createVm` made. */
  close(): Promise<void>;
}

/** Options of {@link TargetSession.target}. */
export interface TargetOptions {
  /** The next start of `name` on the target fails (the platform refuses it). */
  readonly failStartOf?: string;
}

/** An open target side (one per scenario). */
export interface TargetSession {
  /** The mover's target for this platform. */
  target(options?: TargetOptions): MoveTarget;
  /** Storage map for the source VM's storages into this target (`storages` of {@link SourceVm}). */
  storageMap(storages: readonly string[]): StorageMap;
  /** Network map for the source VM's networks into this target. */
  networkMap(networks: readonly string[]): NameMap;
  /** Everything that exists on the target for a VM named `name` (the VM, volumes, claims…), as readable names; empty when nothing. */
  leftovers(name: string): Promise<readonly string[]>;
  /** sha256 of every moved disk's bytes on the target, by source disk key, read from the platform's storage. */
  diskHashes(name: string, diskKeys: readonly string[]): Promise<Readonly<Record<string, string>>>;
  /** Power state of the moved VM, from the platform. */
  powerState(name: string): Promise<SidePowerState>;
  /** Why the target-start-failure scenario cannot run here (no fault control); absent when `failStartOf` works. */
  readonly failStartUnsupported?: string;
  /** Why warm moves cannot land here (e.g. KubeVirt: CDI upload is single-stage); absent when they can. */
  readonly warmUnsupported?: string;
  /** The `vmshift` profile that reaches this target, with `storageMap`/`networkMap` as CLI flags (see {@link SourceSession.cliProfile}). */
  cliProfile?(): Readonly<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A platform that can be a move source. */
export interface MoveSourceSide {
  /** The conformance target name, e.g. `libvirt-local`. */
  readonly name: string;
  readonly description: string;
  available(): Promise<Availability>;
  open(): Promise<SourceSession>;
}

/** A platform that can be a move target. */
export interface MoveTargetSide {
  readonly name: string;
  readonly description: string;
  available(): Promise<Availability>;
  open(): Promise<TargetSession>;
}
