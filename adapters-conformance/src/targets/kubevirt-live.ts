/**
 * The `kubevirt-live` target: the KubeVirt adapter against a real cluster named by
 * VMSHIFT_KUBECONFIG (the kind lane sets it; any cluster with KubeVirt ≥ 1.6 works).
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | VMSHIFT_KUBECONFIG | kubeconfig file | — (target unavailable without it) |
 * | VMSHIFT_KUBECONFIG_CONTEXT | context | the current one |
 * | VMSHIFT_KUBEVIRT_VM | running live-migratable VM, `namespace/name` | `default/vmshift-cirros-a` |
 * | VMSHIFT_KUBEVIRT_TARGET_HOST | node to migrate to | a schedulable node other than the VM's |
 * | VMSHIFT_KUBEVIRT_COLD_VM | VM to move cold | the live VM |
 * | VMSHIFT_KUBEVIRT_PAGE_SIZE | page size for the listing scenario | 1 |
 *
 * Only controls a real cluster can honour are offered (restart, request count); fault scenarios skip.
 */
import { VmshiftClient } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";
import { KUBEVIRT_BUDGET_TODO, kubevirtBudget } from "../budgets.ts";
import { KUBEVIRT_PLATFORM } from "../platforms.ts";
import type { ConformanceTarget } from "../target.ts";

const env = (name: string): string | undefined => process.env[name] || undefined;

export const kubevirtLiveTarget: ConformanceTarget = {
  name: "kubevirt-live",
  adapter: "kubevirt",
  description: "@vmshift/kubevirt against the cluster in VMSHIFT_KUBECONFIG (e.g. the kind lane)",
  platform: KUBEVIRT_PLATFORM,
  budget: { ...kubevirtBudget(), budgetEnforced: false, todo: KUBEVIRT_BUDGET_TODO },
  async available() {
    return env("VMSHIFT_KUBECONFIG") ? { ok: true } : { ok: false, reason: "VMSHIFT_KUBECONFIG is not set (see docs/platforms/kubevirt.md: the kind lane, or any cluster with KubeVirt)" };
  },
  async open() {
    const kubeconfigPath = env("VMSHIFT_KUBECONFIG")!;
    const context = env("VMSHIFT_KUBECONFIG_CONTEXT");
    const adapters: ReturnType<typeof createKubevirtAdapter>[] = [];
    const clients: VmshiftClient[] = [];
    const connect = () => {
      const adapter = createKubevirtAdapter({ connection: { kubeconfigPath, ...(context ? { context } : {}) } });
      adapters.push(adapter);
      clients.push(new VmshiftClient(adapter));
      return clients.at(-1)!;
    };
    const client = connect();
    const liveVm = env("VMSHIFT_KUBEVIRT_VM") ?? "default/vmshift-cirros-a";
    const vm = await client.getVm(liveVm);
    let targetHost = env("VMSHIFT_KUBEVIRT_TARGET_HOST");
    if (!targetHost) {
      const hosts = await client.listHosts().all();
      targetHost = hosts.find((h) => h.schedulable && h.id !== vm.hostId)?.id;
      if (!targetHost) throw new Error(`no schedulable node other than ${vm.hostId} for ${liveVm}`);
    }
    const total = (await client.listVms().all()).length;
    const pageSize = Number(env("VMSHIFT_KUBEVIRT_PAGE_SIZE") ?? "1");
    return {
      client,
      subjects: {
        liveVm,
        targetHost,
        coldVm: env("VMSHIFT_KUBEVIRT_COLD_VM") ?? liveVm,
        minVmCount: total,
        pageSize,
        missingVmId: `${liveVm.split("/")[0]}/vmshift-no-such-vm`,
      },
      controls: {
        async restart() {
          return connect();
        },
        requestCount: () => adapters.reduce((n, a) => n + a.api.transport.requestCount, 0),
      },
      timeScale: 10,
      async close() {
        await Promise.all(clients.map((c) => c.close()));
      },
    };
  },
};
