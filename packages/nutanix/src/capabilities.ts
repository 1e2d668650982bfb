/** What the Nutanix adapter can do over Prism Central v4, and what the v3 fallback cannot. */
import { type Capability, type CapabilityTable, type Support, partial, supported, unsupported } from "@vmshift/core";

/** The static table (Prism Central with the v4 vmm, prism and clustermgmt APIs). */
export const NUTANIX_CAPABILITIES = {
  "vm.list": supported("GET /api/vmm/v4.0/ahv/config/vms with $page/$limit; hostId and scope (a cluster extId) become $filter clauses"),
  "vm.get": supported(),
  "host.list": supported("clustermgmt hosts: hypervisor state, maintenance, memory, cluster; no free-memory figure (preflight computes headroom)"),
  "preflight": supported("power state, live-migrate capability, target state/maintenance/cluster, memory headroom, VM-host affinity, $dryrun across clusters"),
  "migration.live": supported("$actions/migrate-to-host within a cluster, $actions/migrate across clusters"),
  "migration.cold": supported("shutdown, (cross-cluster move), power-on; within a cluster AHV places the VM at power-on and vmshift then live-migrates it to the requested host"),
  "migration.schedulerChoosesTarget": partial("AHV's migrate-to-host always names a host: for a live move without targetHostId vmshift picks the schedulable host of the VM's cluster with the most free memory; cold and cross-cluster moves let AHV's scheduler place the VM"),
  "migration.explicitTarget": supported(),
  "migration.crossCluster": partial("needs the adapter option availabilityZoneId and paired clusters; AHV picks the host in the target cluster"),
  "migration.storage": unsupported("storage-container moves ($actions/migrate-vm-disks) are not wired into migrations"),
  "migration.cancel": partial("only while the Prism task reports isCancelable; cold migrations are not cancelled part-way"),
  "migration.attach": supported("by migration id or by Prism task extId"),
  "migration.watch": unsupported("Prism tasks are polled with backoff; there is no push channel"),
  "migration.maxDowntime": unsupported("AHV migrate-to-host takes no downtime limit"),
  "migration.bandwidthLimit": unsupported("AHV migrate-to-host takes no bandwidth limit"),
  "migration.autoConverge": unsupported("not exposed by the v4 API"),
  "migration.postCopy": unsupported("not exposed by the v4 API"),
  "progress.percent": supported("task progressPercentage"),
  "progress.bytes": unsupported("Prism tasks report no byte counts"),
  "progress.dirtyRate": unsupported("Prism tasks report no dirty rate"),
  "progress.bandwidth": unsupported("Prism tasks report no bandwidth"),
  "progress.iteration": unsupported("Prism tasks report no pre-copy rounds"),
  "progress.expectedDowntime": unsupported("Prism tasks report no expected downtime"),
} as const satisfies CapabilityTable;

const V3_NOTE = "this Prism Central has no v4 API; the v3 fallback";

/** Overrides when only the v3 API answers: listing and power operations, nothing that moves a VM. */
export const V3_FALLBACK_OVERRIDES: Partial<Record<Capability, Support>> = {
  "vm.list": supported(`${V3_NOTE} lists VMs (POST /api/nutanix/v3/vms/list)`),
  "vm.get": supported(`${V3_NOTE} reads VMs (GET /api/nutanix/v3/vms/{uuid})`),
  "host.list": supported(`${V3_NOTE} lists hosts (POST /api/nutanix/v3/hosts/list); no maintenance detail`),
  "preflight": unsupported(`${V3_NOTE} has no host state or capacity checks`),
  "migration.live": unsupported(`${V3_NOTE} has no documented in-cluster migrate`),
  "migration.cold": unsupported(`${V3_NOTE} can power VMs off and on but cannot place them`),
  "migration.crossCluster": unsupported(`${V3_NOTE}'s migrate is a DR (cross-AZ) operation`),
  "migration.cancel": unsupported(`${V3_NOTE} starts no migrations`),
  "migration.attach": unsupported(`${V3_NOTE} starts no migrations`),
  "progress.percent": unsupported(`${V3_NOTE} starts no migrations`),
};
