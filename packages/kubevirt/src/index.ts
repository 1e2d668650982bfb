/**
 * @vmshift/kubevirt: live and cold VM migration on KubeVirt / OpenShift Virtualization over the
 * Kubernetes REST API (Node's own `node:https`, no HTTP client library), with types generated from
 * KubeVirt v1.9.0's OpenAPI document.
 * @packageDocumentation
 */
export { BLOCKING_CHECK_CODE, KubevirtAdapter, type KubevirtAdapterOptions, type KubevirtClusterOptions, createKubevirtAdapter } from "./adapter.ts";
export { CROSS_CLUSTER_PREFIX, DECENTRALIZED_GATE, crossClusterId, isCrossClusterId } from "./cross-cluster.ts";
export { kubevirtCapabilities, kubevirtLimits } from "./capabilities.ts";
export { type ColdOptions, type ColdRecord } from "./cold.ts";
export { type KubevirtConnectionOptions, loadKubeConfig } from "./connection.ts";
export type { KubeClusterConfig, KubeConfig, KubeExecApiVersion, KubeExecConfig, KubeExecInteractiveMode, KubeUserConfig } from "./kubeconfig/types.ts";
export { type ExecOutcome, type ExecRequest, type ExecRunner, type FileStamp, type KubeconfigSystem, nodeSystem } from "./kubeconfig/system.ts";
export { ERROR_TABLE, type ErrorRow, type KubeFault, errorRowFor, mapKubeFault } from "./errors.ts";
export { apiPath, formatColdId, formatRef, isColdMigrationId, parseColdId, parseRef, requestIdLabel } from "./ids.ts";
export { LIVE_MIGRATABLE_CATEGORY, MIGRATION_DEFAULTS } from "./preflight.ts";
export { KubevirtApi } from "./resources/api.ts";
export { type LiveOptions } from "./live.ts";
export { migrationFigures } from "./resources/metrics.ts";
export { VOLUME_MIGRATION_LABEL, VOLUME_RECORD_ANNOTATION, VOLUME_RELEASE_ANNOTATION, type VolumeRecord, destinationClaim, planVolumeMove, volumeRecord } from "./storage.ts";
export { DESTINATION_ANNOTATION } from "./storage-release.ts";
export { CLUSTER_MIGRATION_DEFAULTS, type EffectiveMigrationConfiguration, POLICY_LABEL, type PolicyDefaults, type PolicyTuning, effectiveConfiguration, matchPolicy, policyBody, policyName, tuningOf } from "./resources/policy.ts";
export { liveSnapshot } from "./resources/migration.ts";
export { parseQuantity } from "./resources/quantity.ts";
export { AxiosKubeTransport, type AxiosTransportOptions, HttpKubeTransport, type HttpTransportOptions, type KubeRequest, type KubeTransport, type KubeWatchEvent } from "./transport.ts";
export * from "./types.ts";
