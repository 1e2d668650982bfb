/** What the libvirt adapter can do (every capability decided). */
import { type CapabilityTable, partial, supported, unsupported } from "@vmshift/core";

/** The static capability table of `@vmshift/libvirt`. */
export const LIBVIRT_CAPABILITIES = {
  "vm.list": supported("domains on every configured connection, by UUID"),
  "vm.get": supported(),
  "host.list": supported("one host per configured connection: nodeinfo + nodememstats"),
  "preflight": supported("target memory, CPU (hypervisor-cpu-compare), disks, name clash, persistence, state"),
  "migration.live": supported("peer-to-peer `virsh migrate --live --persistent --undefinesource`"),
  "migration.cold": supported("shutdown (then destroy after the grace period), `migrate --offline`, start on target; restarts on source on failure"),
  "migration.schedulerChoosesTarget": unsupported("libvirt has no scheduler: name the target host"),
  "migration.explicitTarget": supported(),
  "migration.crossCluster": unsupported("libvirt connections have no cluster concept"),
  "migration.storage": partial("`--copy-storage-all` to the same paths on the target (targetStorageId is recorded, not a pool choice)"),
  "migration.cancel": supported("live: `domjobabort`, followed until the source runs the domain again; cold: until the start on the target begins, then the guest starts again on its source"),
  "migration.attach": supported("by connection + domain in the id; the job is read back with domjobinfo"),
  "migration.watch": unsupported("virsh has no streaming job stats; progress is polled with domjobinfo"),
  "migration.maxDowntime": partial("`migrate-setmaxdowntime` right after the job starts; the first pass runs with the default 300 ms"),
  "migration.bandwidthLimit": supported("`--bandwidth`, rounded up to whole MiB/s"),
  "migration.autoConverge": supported("`--auto-converge` (initial 50 %, step 20 % by default)"),
  "migration.postCopy": supported("`--postcopy`, switched with `migrate-postcopy` when pre-copy stops converging"),
  "progress.percent": supported("(total − remaining) / total; goes down when dirty memory is re-sent"),
  "progress.bytes": supported(),
  "progress.dirtyRate": supported("memory_dirty_rate × page size; saturates at working set / pass time"),
  "progress.bandwidth": supported(),
  "progress.iteration": supported(),
  "progress.expectedDowntime": supported(),
} satisfies CapabilityTable;
