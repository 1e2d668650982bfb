/** KubeVirt: connect through a kubeconfig context and live-migrate. Type-checked here; running it needs a cluster. */
// #region docs
import { createClient } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";

const client = createClient(createKubevirtAdapter({ connection: { kubeconfigPath: "/path/kubeconfig", context: "prod" } }));
const task = await client.startMigration({ vmId: "default/web-01", targetHostId: "node-2" });
for await (const s of task.events()) console.log(s.phase, s.progress.message);
console.log(await task.wait());
// #endregion docs

/** Byte progress from the source node's virt-handler metrics. */
export function withMetrics() {
  // #region docs:metrics
  const adapter = createKubevirtAdapter({ watch: { metricsPath: "/api/v1/namespaces/kubevirt/pods/https:virt-handler-abcde:8443/proxy/metrics" } });
  // #endregion docs:metrics
  return adapter;
}

/** Tuning a migration: vmshift creates (or reuses) a MigrationPolicy that selects the VMI by one label. */
export async function tuned() {
  // #region docs:policy
  const adapter = createKubevirtAdapter({ migrationPolicy: { completionTimeoutPerGiB: 60 } });
  await createClient(adapter).startMigration({ vmId: "default/web-01", bandwidthBytesPerSecond: 256 * 2 ** 20, allowPostCopy: true });
  // → MigrationPolicy vmshift-<16 hex> { bandwidthPerMigration: 256Mi, allowPostCopy: true, completionTimeoutPerGiB: 60,
  //     selectors: { virtualMachineInstanceSelector: { migrations.vmshift.io/policy: vmshift-<16 hex> } } }
  // → the VMI labelled migrations.vmshift.io/policy=vmshift-<16 hex>, then the VMIM
  // #endregion docs:policy
}

/** Storage live migration: the VM's claims move to a StorageClass while it runs. */
export async function storage(client: ReturnType<typeof createClient>) {
  // #region docs:storage
  const task = await client.startMigration({ vmId: "default/db-01", targetStorageId: "fast-ssd" });
  // → PVC <claim>-<8 hex of the request id> per PersistentVolumeClaim volume (size, access and volume mode of the source, storageClassName fast-ssd)
  // → PATCH VM: spec.updateVolumesStrategy Migration, the claims swapped, annotation vmshift.io/volume-migration (old → new)
  // → the kubevirt-workload-update-* VMIM, found by its label; task.id is its namespace/name
  // #endregion docs:storage
  return task;
}

/** Cross-cluster (decentralized) live migration to a second cluster the adapter knows. */
export async function crossCluster() {
  // #region docs:cross-cluster
  const client = createClient(createKubevirtAdapter({
    connection: { kubeconfigPath: "~/.kube/west" },
    clusters: { east: { connection: { kubeconfigPath: "~/.kube/east" }, namespace: "vms" } },
  }));
  await client.startMigration({ vmId: "default/web-01", targetClusterId: "east" });
  // #endregion docs:cross-cluster
}
