/** What the Hyper-V adapter can do; the support matrix in docs is generated from this table. */
import { type CapabilityTable, type MigrationLimits, partial, supported, unsupported } from "@vmshift/core";

/** The static capability table. */
export const HYPERV_CAPABILITIES = {
  "vm.list": supported("Get-VM on every host (or cluster node), paged client-side by VM id"),
  "vm.get": supported(),
  "host.list": supported("Get-VMHost per host; cluster nodes when the endpoint is clustered"),
  "preflight": supported("host migration settings, Compare-VM incompatibilities, double-hop delegation, destination storage path"),
  "migration.live": supported("Move-VM, or Move-ClusterVirtualMachineRole -MigrationType Live for clustered VMs"),
  "migration.cold": supported("Stop-VM (guest shutdown, then turn off after shutdownTimeoutMs), Move-VM, Start-VM; restarts on the source when the target start fails"),
  "migration.schedulerChoosesTarget": unsupported("Move-VM needs a destination host; name the target"),
  "migration.explicitTarget": supported(),
  "migration.crossCluster": unsupported("moving a clustered VM out of its cluster needs the role removed first; not implemented"),
  "migration.storage": supported("shared-nothing move: Move-VM -IncludeStorage -DestinationStoragePath <targetStorageId>"),
  "migration.cancel": partial("live migrations only (Msvm_MigrationJob RequestStateChange 4, or Move-ClusterVirtualMachineRole -Cancel); a cold migration runs to its end"),
  "migration.attach": partial("live migrations re-attach through the WMI job; a cold migration started by another process is reported from where the VM is"),
  "migration.watch": unsupported("Hyper-V exposes migration progress only by polling Msvm_MigrationJob"),
  "migration.maxDowntime": unsupported("Hyper-V has no per-migration downtime setting"),
  "migration.bandwidthLimit": unsupported("only host-wide limits exist (Set-SmbBandwidthLimit for SMB transport)"),
  "migration.autoConverge": unsupported("not exposed by Hyper-V"),
  "migration.postCopy": unsupported("not offered by Hyper-V"),
  "progress.percent": supported("Msvm_MigrationJob.PercentComplete"),
  "progress.bytes": unsupported("Msvm_MigrationJob reports no byte counts"),
  "progress.dirtyRate": unsupported("not reported by Hyper-V"),
  "progress.bandwidth": unsupported("not reported per migration"),
  "progress.iteration": unsupported("not reported by Hyper-V"),
  "progress.expectedDowntime": unsupported("not reported by Hyper-V"),
} satisfies CapabilityTable;

/** Documented concurrency: MaximumVirtualMachineMigrations defaults to 2 per host (Set-VMHost). */
export const HYPERV_LIMITS: MigrationLimits = {
  perSourceHost: 2,
  perTargetHost: 2,
  source: "Set-VMHost -MaximumVirtualMachineMigrations (default 2); listHosts reports each host's value",
};
