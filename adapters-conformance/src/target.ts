/**
 * What a conformance target provides: a way to open an isolated session against one adapter
 * and platform (simulator, a local API environment, fixtures, a live endpoint), what that platform
 * is documented to do, the request budget the adapter is held to there, the VMs and hosts the
 * scenarios may use, and optional fault controls. Scenarios see only the core interface.
 */
import type { Capability, PowerState, VmshiftClient } from "@vmshift/core";
import type { RequestBudget } from "./budget.ts";
import type { PlatformDeclaration } from "./platform.ts";

/** Where a VM is, as the platform itself says (not the adapter under test). */
export interface PlatformLocation {
  /** The host it runs on (or is registered to); absent when it has none. */
  readonly hostId?: string;
  readonly powerState: PowerState;
}

/**
 * The tuning a migration runs with, as the platform itself recorded it (KubeVirt: the VMIM's
 * `status.migrationState.migrationConfiguration`; the simulator: its migration record), never what
 * the adapter says it asked for. A field is absent when the platform leaves it at its default.
 */
export interface PlatformTuning {
  /** Bandwidth cap, bytes/s; 0 or absent: unlimited. */
  readonly bandwidthBytesPerSecond?: number;
  readonly allowAutoConverge?: boolean;
  readonly allowPostCopy?: boolean;
  readonly maxDowntimeMs?: number;
  /** Where the values were read, e.g. `VMIM default/m1 status.migrationState (MigrationPolicy vmshift-…)`. */
  readonly source: string;
}

/** One disk of a VM as the platform has it: what holds it and in which storage. */
export interface PlatformDisk {
  /** The disk's name in the VM (KubeVirt: the volume name). */
  readonly name: string;
  /** What holds its data (KubeVirt: the PersistentVolumeClaim; vSphere: the VMDK path). */
  readonly location: string;
  /** The storage it is in (KubeVirt: the claim's StorageClass; vSphere: the datastore), as `targetStorageId` names it. */
  readonly storageId: string | undefined;
}

/** A VM's disks as the platform has them. */
export interface PlatformDisks {
  /** The disks the VM runs on (KubeVirt: the VMI's volumes). */
  readonly running: readonly PlatformDisk[];
  /** The disks its definition names, when the platform keeps that apart (KubeVirt: the VirtualMachine's template), so a restart uses them too. */
  readonly defined?: readonly PlatformDisk[];
}

/** VMs and hosts a session offers to the scenarios. */
export interface ConformanceSubjects {
  /** A running, live-migratable VM. */
  readonly liveVm: string;
  /** A schedulable host with room for `liveVm`, other than the one it runs on. */
  readonly targetHost: string;
  /** A host without room for `liveVm` (capacity), when the target can offer one. */
  readonly fullHost?: string;
  /** A host `liveVm` cannot move to for a compatibility or state reason (e.g. maintenance). */
  readonly incompatibleHost?: string;
  /** A VM to move cold; default `liveVm`. */
  readonly coldVm?: string;
  /** A target host for `coldVm`; default `targetHost`. */
  readonly coldTargetHost?: string;
  /** The listing returns at least this many VMs. */
  readonly minVmCount: number;
  /** A page size that makes the listing take several pages. */
  readonly pageSize: number;
  /** An id that names no VM. */
  readonly missingVmId: string;
  /** A running VM whose disks can move live to `targetStorage` (storage migration). */
  readonly storageVm?: string;
  /** A storage id (`targetStorageId`) none of `storageVm`'s disks is in yet. */
  readonly targetStorage?: string;
  /** A cluster id (`targetClusterId`) `liveVm` can be live-migrated to. */
  readonly targetCluster?: string;
}

/** Fault and environment controls. Each is optional; scenarios needing an absent one are skipped with a reason. */
export interface ConformanceControls {
  /** The next migration of `vmId` fails while transferring. */
  failDuringTransfer?(vmId: string): Promise<void>;
  /** The next cold migration of `vmId` cannot start the VM on the target. */
  failColdStartOnTarget?(vmId: string): Promise<void>;
  /** Migrations of `vmId` take long enough (seconds) for cancel and wait timeouts to catch them in `transferring`. */
  slowDown?(vmId: string): Promise<void>;
  /** A new client, as after a process restart, on the same platform state. */
  restart?(): Promise<VmshiftClient>;
  /** Requests sent to the platform so far (for "no request sent" checks and request budgets). */
  requestCount?(): number;
  /**
   * Where a VM is, read from the platform directly (the simulator's world, the environment's store,
   * the hosts themselves), never through the adapter under test. Every scenario ends by checking
   * it. `undefined` when this target cannot observe it (a replay that recorded no such state);
   * targets without this control are read back through a fresh `getVm` of the session's client.
   */
  locateVm?(vmId: string): Promise<PlatformLocation | undefined>;
  /** Where a VM is on another cluster (`subjects.targetCluster`), read from that cluster's platform. */
  locateVmInCluster?(clusterId: string, vmId: string): Promise<PlatformLocation | undefined>;
  /** The tuning migration `migrationId` of `vmId` runs (or ran) with, read from the platform; `undefined` when it has no record of that migration (the scenario then fails). */
  migrationTuning?(migrationId: string, vmId: string): Promise<PlatformTuning | undefined>;
  /** A VM's disks and their storage, read from the platform. */
  vmStorage?(vmId: string): Promise<PlatformDisks | undefined>;

  // Fault controls (the `faults.*` scenarios). Each is optional.

  /**
   * The next `times` requests of one kind fail transiently (HTTP 5xx, connection reset, a dying
   * PowerShell host…) before the platform acts: `start` the migration start, `progress` the reads
   * and watches that follow it, `cancel` the cancel request.
   */
  failTransiently?(where: "start" | "progress" | "cancel", times: number): Promise<void>;
  /** The platform acts on the next start, but its answer never reaches the client. */
  loseNextStartResponse?(): Promise<void>;
  /** Ends the platform's progress streams (watches) now; the client must reconnect. */
  dropProgressStreams?(): Promise<void>;
  /** Invalidates the client's session now (vSphere session, token); the client must log in again. */
  expireSession?(): Promise<void>;
  /** How many migrations the platform has ever created for `vmId` (proves no duplicate start). */
  migrationCount?(vmId: string): Promise<number>;

  // Measurement controls (bench/adapters.ts). Each is optional.

  /** The kind of every request sent so far (e.g. `GET /apis/kubevirt.io/v1/…`, `RelocateVM_Task`, `Move-VM`), in order. */
  requestLog?(): readonly string[];
  /** When the platform itself recorded the migration as finished, ms since the epoch (server side). */
  platformCompletedAt?(migrationId: string): Promise<number | undefined>;
}

/** One open session. */
export interface ConformanceSession {
  readonly client: VmshiftClient;
  readonly subjects: ConformanceSubjects;
  readonly controls: ConformanceControls;
  /** Scenario time budget multiplier for slow targets (real QEMU). Default 1. */
  readonly timeScale?: number;
  /**
   * Capabilities this session turns off on purpose, each with why (e.g. a read-only run against a
   * production endpoint). Scenarios needing one are skipped with that reason instead of failing.
   */
  readonly withheld?: Readonly<Partial<Record<Capability, string>>>;
  /**
   * Why a subject or control is absent here (e.g. `a replay: no recording of a storage migration`);
   * scenarios needing it are skipped with this reason.
   */
  readonly absent?: Readonly<Partial<Record<keyof ConformanceSubjects | keyof ConformanceControls, string>>>;
  close(): Promise<void>;
}

/** A place the suite can run. */
export interface ConformanceTarget {
  /** CLI name, e.g. `simulator`, `kubevirt-env`, `vsphere-vcsim`. */
  readonly name: string;
  /** Adapter name, e.g. `kubevirt`. */
  readonly adapter: string;
  readonly description: string;
  /**
   * What the platform behind this target is documented to do, with sources. A scenario whose
   * capability the platform offers, but the adapter declares unsupported, fails; so does one whose
   * capability the declaration does not mention (or when there is no declaration): only what the
   * platform is declared to lack is skipped.
   */
  readonly platform?: PlatformDeclaration;
  /**
   * How many requests the adapter may send here for what each scenario does. Without one, requests
   * are counted and reported but not checked.
   */
  readonly budget?: RequestBudget;
  /** Whether it can run on this machine; a reason when not (e.g. `vcsim not built: run …`). */
  available?(): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }>;
  /** Opens a fresh, isolated session for one scenario. */
  open(): Promise<ConformanceSession>;
  /** Stops what `open` started for all sessions (servers), once at the end. */
  dispose?(): Promise<void>;
}
