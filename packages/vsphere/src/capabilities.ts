/** What the vSphere adapter can do, decided for every capability; `probe()` narrows it per vCenter. */
import { type CapabilityTable, partial, supported, unsupported } from "@vmshift/core";

/** The static capability table of `@vmshift/vsphere`. */
export const VSPHERE_CAPABILITIES = {
  "vm.list": supported("ContainerView + RetrievePropertiesEx/ContinueRetrievePropertiesEx, one page per call"),
  "vm.get": supported(),
  "host.list": supported("connection state, maintenance mode, cluster, CPU cores and memory"),
  "preflight": supported("own checks (power state, host state, capacity, datastore and network visibility) plus CheckRelocate_Task where the server implements it"),
  "migration.live": supported("RelocateVM_Task (vMotion)"),
  "migration.cold": supported("guest shutdown (power-off without VMware Tools), RelocateVM_Task, power-on; powered on again at the source on failure"),
  "migration.schedulerChoosesTarget": partial("the adapter picks the connected, non-maintenance host of the VM's cluster with the most free memory; DRS placement (PlaceVm) is not used"),
  "migration.explicitTarget": supported(),
  "migration.crossCluster": partial("within one vCenter: supported (the target cluster's root resource pool is passed with the host). Across vCenters (option `peers`, target \"<peer>/<moref>\"): live only, RelocateVM_Task with spec.service (ServiceLocator); the request shape is tested against vcsim, which cannot perform the move, so it is not verified against real vCenters"),
  "migration.storage": supported("RelocateVM_Task spec.datastore (Storage vMotion of the VM home and disks)"),
  "migration.cancel": supported("CancelTask while the task is cancelable; the task is followed to its terminal state"),
  "migration.attach": supported("live migration ids carry the task moref; cold ids are resumed from the VM's observed state"),
  "migration.watch": supported("PropertyCollector filter on Task.info + WaitForUpdatesEx"),
  "migration.maxDowntime": unsupported("vSphere has no per-migration downtime limit"),
  "migration.bandwidthLimit": unsupported("vMotion bandwidth is not settable per migration"),
  "migration.autoConverge": unsupported("vMotion's Stun During Page Send is automatic, not requested per migration"),
  "migration.postCopy": unsupported("vMotion has no post-copy mode"),
  "progress.percent": supported("TaskInfo.progress"),
  "progress.bytes": unsupported("TaskInfo carries no byte counts"),
  "progress.dirtyRate": unsupported("not reported by the vim25 API"),
  "progress.bandwidth": unsupported("not reported by the vim25 API"),
  "progress.iteration": unsupported("not reported by the vim25 API"),
  "progress.expectedDowntime": unsupported("not reported by the vim25 API"),
} as const satisfies CapabilityTable;
