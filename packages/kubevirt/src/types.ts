/**
 * KubeVirt object types: generated from the pinned v1.9.0 spec (`generated/kubevirt.ts`), plus the
 * string-literal unions for fields the spec leaves as plain strings (values from KubeVirt v1.9.0's
 * `staging/src/kubevirt.io/api/core/v1/types.go`). Platform words stay inside the adapter.
 */
import type { components } from "./generated/kubevirt.ts";

type Schemas = components["schemas"];

/** `kubevirt.io/v1` VirtualMachine. */
export type KvVirtualMachine = Schemas["v1.VirtualMachine"];
/** `kubevirt.io/v1` VirtualMachineInstance. */
export type KvVmi = Schemas["v1.VirtualMachineInstance"];
/** `kubevirt.io/v1` VirtualMachineInstanceMigration. */
export type KvMigration = Schemas["v1.VirtualMachineInstanceMigration"];
/** `status.migrationState` of a VMI or (once final) a VMIM. */
export type KvMigrationState = Schemas["v1.VirtualMachineInstanceMigrationState"];
/** `kubevirt.io/v1` KubeVirt (install and cluster configuration). */
export type KvKubeVirt = Schemas["v1.KubeVirt"];
/** `spec.configuration.migrations` of the KubeVirt CR. */
export type KvMigrationConfiguration = Schemas["v1.MigrationConfiguration"];
/** `migrations.kubevirt.io/v1alpha1` MigrationPolicy. */
export type KvMigrationPolicy = Schemas["v1alpha1.MigrationPolicy"];
/** Kubernetes `Status`, the body of every API error. */
export type KubeStatus = Schemas["k8s.io.apimachinery.pkg.apis.meta.v1.Status"];
/** Kubernetes object metadata. */
export type KubeObjectMeta = Schemas["k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
/** Kubernetes list metadata (`resourceVersion`, `continue`). */
export type KubeListMeta = Schemas["k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta"];
export type { KubeNode, KubeNodeCondition, KubeTaint } from "./resources/kube-node.ts";

/** A core/v1 PersistentVolumeClaim, as far as the adapter reads and writes it (volume migration). */
export interface KubeClaim {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObjectMeta;
  spec?: Schemas["k8s.io.api.core.v1.PersistentVolumeClaimSpec"];
  status?: { phase?: string; capacity?: Record<string, string> };
}

/** Any object with metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObjectMeta;
}

/** A list answer. */
export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeListMeta;
  items: T[];
}

/** `VirtualMachineInstanceMigrationPhase` (types.go:1838). */
export type KvMigrationPhase =
  | ""
  | "Pending"
  | "Scheduling"
  | "Scheduled"
  | "PreparingTarget"
  | "TargetReady"
  | "Running"
  | "Succeeded"
  | "Failed"
  | "WaitingForSync"
  | "Synchronizing";

/** All migration phases, for parsing. */
export const KV_MIGRATION_PHASES: readonly KvMigrationPhase[] = ["", "Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running", "Succeeded", "Failed", "WaitingForSync", "Synchronizing"];

/** `MigrationMode`: pre-copy, post-copy, or paused to force convergence. */
export type KvMigrationMode = "PreCopy" | "PostCopy" | "Paused";
/** `MigrationAbortStatus`. */
export type KvAbortStatus = "Aborting" | "Succeeded" | "Failed";
/** `EvictionStrategy`. */
export type KvEvictionStrategy = "None" | "LiveMigrate" | "LiveMigrateIfPossible" | "External";
/** `VirtualMachineRunStrategy`. */
export type KvRunStrategy = "Always" | "Halted" | "Manual" | "RerunOnFailure" | "Once" | "WaitAsReceiver";
/** `VirtualMachineInstancePhase`. */
export type KvVmiPhase = "" | "Pending" | "Scheduling" | "Scheduled" | "Running" | "Succeeded" | "Failed" | "Unknown" | "WaitingForSync";
/** Reasons of the VMI `LiveMigratable=False` condition (types.go:690–790). */
export type KvLiveMigratableReason =
  | "DisksNotLiveMigratable"
  | "InterfaceNotLiveMigratable"
  | "HotplugNotLiveMigratable"
  | "CPUModeLiveMigratable"
  | "VirtIOFSNotLiveMigratable"
  | "HostDeviceNotLiveMigratable"
  | "SEVNotLiveMigratable"
  | "SecureExecutionNotLiveMigratable"
  | "TDXNotLiveMigratable"
  | "NoTSCFrequencyNotLiveMigratable"
  | "HypervPassthroughNotLiveMigratable"
  | "PersistentReservationNotLiveMigratable"
  | "DecentralizedNotLiveMigratable"
  | "NotMigratable";

/** Labels, annotations and finalizers with a meaning to KubeVirt or to vmshift. */
export const LABELS = {
  /** Set by KubeVirt's mutating webhook on every VMIM. */
  vmiName: "kubevirt.io/vmi-name",
  /** Node of a VMI. */
  nodeName: "kubevirt.io/nodeName",
  /** Kubernetes' hostname label, used to pin a VMI to one node. */
  hostname: "kubernetes.io/hostname",
  /** Node label set by virt-handler on nodes that can run VMIs. */
  schedulable: "kubevirt.io/schedulable",
  /** vmshift's request id (a label-safe form of it), for idempotent starts. */
  requestId: "vmshift.io/request-id",
  /** vmshift's record of a cold migration on the VM (JSON). */
  coldMigration: "vmshift.io/cold-migration",
  /** On VMIMs that KubeVirt's evacuation controller creates (node drain): the node being evacuated, i.e. the source. */
  evacuationMigration: "kubevirt.io/evacuationMigration",
  /** The VMIM finalizer added by KubeVirt's mutating webhook. */
  migrationFinalizer: "kubevirt.io/migrationJobFinalize",
} as const;
