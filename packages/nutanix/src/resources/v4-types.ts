/**
 * Prism Central v4 wire types used by the adapter, in one place. Written by hand from the
 * digests of Nutanix's official v4 specs (`specs/nutanix/v4-sdk-digest/`: vmm 4.3.1, prism 4.4.1,
 * clustermgmt 4.3.1 Go SDK digests and the v4.0 Ruby parameter tables). Only the fields the
 * adapter reads or writes are listed; every field is optional because the server may omit it.
 * Enums keep the spec's sentinels `$UNKNOWN` and `$REDACTED` (values hidden by RBAC), and the
 * adapter treats both as unknown.
 */

/** Sentinels present in every v4 enum. */
export type V4Sentinel = "$UNKNOWN" | "$REDACTED";

/** `vmm.v4.ahv.config.PowerState`. */
export type V4PowerState = V4Sentinel | "ON" | "OFF" | "PAUSED" | "UNDETERMINED";
/** `prism.v4.config.TaskStatus`; terminal: SUCCEEDED, FAILED, CANCELED. */
export type V4TaskStatus = V4Sentinel | "QUEUED" | "RUNNING" | "CANCELING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "SUSPENDED";
/** `common.v1.config.MessageSeverity`. */
export type V4MessageSeverity = V4Sentinel | "INFO" | "WARNING" | "ERROR";
/** `clustermgmt.v4.config.HypervisorState`; only ACROPOLIS_NORMAL hosts take new VMs. */
export type V4HypervisorState =
  | V4Sentinel
  | "ACROPOLIS_NORMAL"
  | "ENTERING_MAINTENANCE_MODE"
  | "ENTERED_MAINTENANCE_MODE"
  | "RESERVED_FOR_HA_FAILOVER"
  | "ENTERING_MAINTENANCE_MODE_FROM_HA_FAILOVER"
  | "RESERVING_FOR_HA_FAILOVER"
  | "HA_FAILOVER_SOURCE"
  | "HA_FAILOVER_TARGET"
  | "HA_HEALING_SOURCE"
  | "HA_HEALING_TARGET";
/** `clustermgmt.v4.config.AcropolisConnectionState`. */
export type V4AcropolisConnectionState = V4Sentinel | "CONNECTED" | "DISCONNECTED";
/** `clustermgmt.v4.config.HypervisorType`. */
export type V4HypervisorType = V4Sentinel | "AHV" | "ESX" | "HYPERV" | "XEN" | "NATIVEHOST";

/** `{extId}` references (`vmm.v4.ahv.config.HostReference`, `ClusterReference`, `CategoryReference`, …). */
export interface V4ExtIdReference {
  readonly extId?: string;
}

/** `common.v1.response.ApiLink`. */
export interface V4ApiLink {
  readonly href?: string;
  readonly rel?: string;
}

/** `common.v1.config.Flag`. */
export interface V4Flag {
  readonly name?: string;
  readonly value?: boolean;
}

/** `common.v1.response.ApiResponseMetadata`. */
export interface V4Metadata {
  readonly totalAvailableResults?: number;
  readonly links?: readonly V4ApiLink[];
  readonly flags?: readonly V4Flag[];
}

/** The envelope of every v4 answer. */
export interface V4Envelope<T> {
  readonly data?: T;
  readonly metadata?: V4Metadata;
  readonly $objectType?: string;
}

/** `vmm.v4.error.AppMessage` / `prism.v4.error.AppMessage` (same fields). */
export interface V4AppMessage {
  readonly code?: string;
  readonly message?: string;
  readonly severity?: V4MessageSeverity;
  readonly errorGroup?: string;
  readonly locale?: string;
  readonly argumentsMap?: Readonly<Record<string, string>>;
}

/** `vmm.v4.error.ErrorResponse`: `error` is an array of AppMessage (or a SchemaValidationError). */
export interface V4ErrorResponse {
  readonly error?: readonly V4AppMessage[] | { readonly message?: string; readonly statusCode?: number; readonly error?: string };
}

/** `vmm.v4.ahv.config.GuestTools` (subset). */
export interface V4GuestTools {
  readonly isInstalled?: boolean;
  readonly isEnabled?: boolean;
  readonly isReachable?: boolean;
}

/** `vmm.v4.ahv.config.Vm` (subset). `host` and `isLiveMigrateCapable` are null while OFF. */
export interface V4Vm {
  readonly extId?: string;
  readonly name?: string;
  readonly powerState?: V4PowerState;
  readonly host?: V4ExtIdReference | null;
  readonly cluster?: V4ExtIdReference | null;
  readonly memorySizeBytes?: number;
  readonly numSockets?: number;
  readonly numCoresPerSocket?: number;
  readonly numThreadsPerCore?: number;
  readonly isLiveMigrateCapable?: boolean | null;
  readonly isAgentVm?: boolean;
  readonly isCpuPassthroughEnabled?: boolean;
  readonly isVcpuHardPinningEnabled?: boolean;
  readonly isCrossClusterMigrationInProgress?: boolean;
  readonly gpus?: readonly { readonly mode?: string; readonly vendor?: string }[];
  readonly pcieDevices?: readonly unknown[];
  readonly categories?: readonly V4ExtIdReference[];
  readonly guestTools?: V4GuestTools;
}

/** `vmm.v4.ahv.config.VmMigrateToHostParams`: `host` is required. */
export interface V4VmMigrateToHostParams {
  readonly host: { readonly extId: string };
}

/** `vmm.v4.ahv.config.VmCrossClusterMigrateParams`: `isLiveMigration` and `targetAvailabilityZone` are required. */
export interface V4VmCrossClusterMigrateParams {
  readonly isLiveMigration: boolean;
  readonly targetAvailabilityZone: { readonly extId: string };
  readonly targetCluster?: { readonly extId: string };
  readonly shouldMigrateStorage?: boolean;
}

/** `vmm.v4.ahv.config.GuestPowerOptions`. */
export interface V4GuestPowerOptions {
  readonly guestPowerStateTransitionConfig?: { readonly shouldEnableScriptExec?: boolean; readonly shouldFailOnScriptFailure?: boolean };
}

/** `prism.v4.config.TaskReference`: the 202 body of every async action. */
export interface V4TaskReference {
  readonly extId?: string;
}

/** `prism.v4.config.EntityReference`. */
export interface V4EntityReference {
  readonly extId?: string;
  readonly name?: string;
  readonly rel?: string;
}

/** `prism.v4.config.Task` (subset). */
export interface V4Task {
  readonly extId?: string;
  readonly operation?: string;
  readonly operationDescription?: string;
  readonly status?: V4TaskStatus;
  readonly progressPercentage?: number;
  readonly createdTime?: string;
  readonly startedTime?: string;
  readonly completedTime?: string;
  readonly lastUpdatedTime?: string;
  readonly errorMessages?: readonly V4AppMessage[];
  readonly legacyErrorMessage?: string;
  readonly warnings?: readonly V4AppMessage[];
  readonly isCancelable?: boolean;
  readonly isBackgroundTask?: boolean;
  readonly entitiesAffected?: readonly V4EntityReference[];
  readonly clusterExtIds?: readonly string[];
  readonly subSteps?: readonly { readonly name?: string }[];
}

/** `clustermgmt.v4.config.ClusterReference` (note: `uuid`, not `extId`). */
export interface V4HostClusterReference {
  readonly uuid?: string;
  readonly name?: string;
}

/** `clustermgmt.v4.config.HypervisorReference` (subset). */
export interface V4HypervisorReference {
  readonly type?: V4HypervisorType;
  readonly state?: V4HypervisorState;
  readonly numberOfVms?: number;
  readonly acropolisConnectionState?: V4AcropolisConnectionState;
}

/** `clustermgmt.v4.config.Host` (subset). `maintenanceState` is a free string, e.g. `normal`. */
export interface V4Host {
  readonly extId?: string;
  readonly hostName?: string;
  readonly cluster?: V4HostClusterReference;
  readonly hypervisor?: V4HypervisorReference;
  readonly maintenanceState?: string;
  readonly nodeStatus?: string;
  readonly memorySizeBytes?: number;
  readonly numberOfCpuCores?: number;
  readonly cpuModel?: string;
}

/** `vmm.v4.ahv.policies.VmHostAffinityPolicy` (subset). */
export interface V4VmHostAffinityPolicy {
  readonly extId?: string;
  readonly name?: string;
  readonly vmCategories?: readonly V4ExtIdReference[];
  readonly hostCategories?: readonly V4ExtIdReference[];
}
