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
