/** What the KubeVirt adapter can do (KubeVirt v1.9.0). Every capability is decided. */
import { type CapabilityTable, type MigrationLimits, partial, supported, unsupported } from "@vmshift/core";

const PER_MIGRATION_TUNING = "KubeVirt has no per-migration setting; it is cluster-wide (KubeVirt CR spec.configuration.migrations) or per MigrationPolicy, which vmshift does not edit";
const NO_PROGRESS = "KubeVirt's API carries no transfer figures (kubevirt/kubevirt#10722, #12260)";
const FROM_METRICS = `${NO_PROGRESS}: reported only when the adapter's metricsPath names virt-handler's Prometheus metrics`;

/** The static capability table. */
export const kubevirtCapabilities = {
  "vm.list": supported("VirtualMachines with their VMIs, one namespace (scope) or all, paged with limit/continue; an expired continue token restarts the listing with a warning"),
  "vm.get": supported("id is namespace/name"),
  "host.list": supported("Nodes: schedulable, kubevirt.io/schedulable, allocatable CPU/memory, taints"),
  "preflight": supported("LiveMigratable condition and reasons, eviction strategy, target node schedulability, room and placement, in-flight migrations, cluster limits from the KubeVirt CR"),
  "migration.live": supported("VirtualMachineInstanceMigration"),
  "migration.cold": supported("stop (runStrategy Halted or the stop subresource), pin to the target with nodeSelector kubernetes.io/hostname, start; back on the source if the start fails"),
  "migration.schedulerChoosesTarget": supported("live only: the Kubernetes scheduler picks the node; a cold move needs a target"),
  "migration.explicitTarget": supported("addedNodeSelector kubernetes.io/hostname (KubeVirt ≥ 1.6)"),
  "migration.crossCluster": unsupported("decentralized live migration is Alpha (feature gate DecentralizedLiveMigration) and not implemented"),
  "migration.storage": unsupported("volume migration (updateVolumesStrategy: Migration) is not implemented"),
  "migration.cancel": supported("deletes the migration and follows abortStatus; a migration that completes first ends completed"),
  "migration.attach": supported("live: namespace/name of the VirtualMachineInstanceMigration (finished ones are garbage-collected after the 5 newest per VM); cold: read back from the VM's annotation, resumed if no driver runs"),
  "migration.watch": partial("live migrations are followed with one watch of the migration from the version last seen (bookmarks, reconnect, relist on 410); cold migrations are polled"),
  "migration.maxDowntime": unsupported(PER_MIGRATION_TUNING),
  "migration.bandwidthLimit": unsupported(PER_MIGRATION_TUNING),
  "migration.autoConverge": unsupported(PER_MIGRATION_TUNING),
  "migration.postCopy": unsupported(PER_MIGRATION_TUNING),
  "progress.percent": unsupported(`${NO_PROGRESS}; a percentage from the metrics would run backwards as dirty pages are re-sent, so none is made up`),
  "progress.bytes": partial(FROM_METRICS),
  "progress.dirtyRate": partial(FROM_METRICS),
  "progress.bandwidth": partial(FROM_METRICS),
  "progress.iteration": unsupported("not exposed by KubeVirt"),
  "progress.expectedDowntime": unsupported("not exposed by KubeVirt"),
} as const satisfies CapabilityTable;

/** KubeVirt v1.9.0 defaults (KubeVirt CR spec.configuration.migrations); a cluster may change them. */
export const kubevirtLimits: MigrationLimits = {
  perSourceHost: 2,
  perCluster: 5,
  source: "KubeVirt v1.9.0 defaults: parallelOutboundMigrationsPerNode 2 (HCO sets 1), parallelMigrationsPerCluster 5 (pkg/virt-config/virt-config.go)",
};
