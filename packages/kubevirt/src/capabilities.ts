/** What the KubeVirt adapter can do (KubeVirt v1.9.0). Every capability is decided. */
import { type CapabilityTable, type MigrationLimits, partial, supported, unsupported } from "@vmshift/core";

/** KubeVirt has no per-migration knob: tuning goes through a MigrationPolicy (resources/policy.ts). */
const VIA_POLICY = (what: string) =>
  `${what} through a MigrationPolicy vmshift creates, named after the settings and selecting a label it puts on the VMI (needs cluster-scoped create on migrationpolicies.migrations.kubevirt.io, else PERMISSION_DENIED before anything changes); a policy that matches the VMI with more labels, or as many with a name sorting before vmshift-…, wins by KubeVirt's precedence (preflight warns and says why; the final snapshot names the policy that applied)`;
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
  "migration.crossCluster": partial("KubeVirt's decentralized live migration (≥ 1.6, Alpha): targetClusterId names a cluster of the adapter option clusters; vmshift creates there a copy of the VM with runStrategy WaitAsReceiver and the receive migration, then the sendTo migration on the source, and follows both; needs the feature gate DecentralizedLiveMigration on both clusters (refused before anything is written otherwise), the target's synchronization address reachable from the source cluster and the clusters' CAs exchanged; disks, Secrets, ConfigMaps and networks the VM uses must already exist on the target (not copied); on success the source VM is left halted, not deleted; a failure is not retried by KubeVirt and leaves the receiving VM failed"),
  "migration.storage": partial("live volume migration (KubeVirt ≥ 1.3; needs vmRolloutStrategy LiveUpdate and workloadUpdateMethods [LiveMigrate]): targetStorageId is a StorageClass; vmshift creates per PersistentVolumeClaim volume a claim of it, per DataVolume volume a blank DataVolume of it (same size and modes; KubeVirt needs it Succeeded or its claim made by a CSI volume populator), swaps them into the VM (DataVolume templates renamed with them) with updateVolumesStrategy Migration and follows the VMIM KubeVirt creates; the scheduler chooses the node; cancel restores the old claims and templates, then deletes the destinations vmshift created once KubeVirt's migration ended (a start that fails after creating them, or whose migration KubeVirt never starts, deletes them too; one left is a warning in the result); a failed attempt ends the vmshift migration failed while KubeVirt retries it with backoff until the claims are restored"),
  "migration.cancel": supported("deletes the migration and follows abortStatus; a migration that completes first ends completed"),
  "migration.attach": supported("live: namespace/name of the VirtualMachineInstanceMigration (finished ones are garbage-collected after the 5 newest per VM); cold: read back from the VM's annotation, resumed if no driver runs"),
  "migration.watch": partial("live migrations are followed with one watch of the migration from the version last seen (bookmarks, reconnect, relist on 410); cold migrations are polled"),
  "migration.maxDowntime": partial(VIA_POLICY("maxDowntimeMs (KubeVirt ≥ 1.9 with the Alpha feature gate MigrationStallDetection: without it KubeVirt's policy validator refuses the field, preflight reports an error and the start fails CAPABILITY_UNAVAILABLE before anything changes; an older API server drops the field)")),
  "migration.bandwidthLimit": partial(VIA_POLICY("bandwidthPerMigration, rounded down to whole MiB/s (under 1 MiB/s is refused: 0 means unlimited),")),
  "migration.autoConverge": partial(VIA_POLICY("allowAutoConverge")),
  "migration.postCopy": partial(VIA_POLICY("allowPostCopy (the nodes need vm.unprivileged_userfaultfd=1; KubeVirt switches at the completion timeout)")),
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
