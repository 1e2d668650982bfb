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
 * | VMSHIFT_KUBEVIRT_STORAGE_VM | running VM on claims to move (`storage.*`), `namespace/name` | — (skipped) |
 * | VMSHIFT_KUBEVIRT_TARGET_STORAGE | StorageClass to move its claims to | — (skipped) |
 * | VMSHIFT_KUBEVIRT_TARGET_CLUSTER_KUBECONFIG | kubeconfig of a cluster paired for decentralized live migration (`cross-cluster.*`) | — (skipped) |
 * | VMSHIFT_KUBEVIRT_TARGET_CLUSTER | its cluster id | `remote` |
 * | VMSHIFT_KUBECTL | kubectl for the read-backs | `kubectl` on PATH |
 *
 * Only controls a real cluster can honour are offered (restart, request count); fault scenarios skip.
 * Where a VM is, what a migration ran with and which claims a VM's disks are on are read back with
 * kubectl (a client of the cluster's own, not the adapter under test); without a kubectl they are
 * read back with a fresh `getVm` and the scenarios needing the others skip.
 */
import { VmshiftClient } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";
import { KUBEVIRT_BUDGET_TODO, kubevirtBudget } from "../budgets.ts";
import { KUBEVIRT_PLATFORM } from "../platforms.ts";
import type { ConformanceControls, ConformanceSession, ConformanceTarget } from "../target.ts";
import { type KubectlReader, kubectlReader } from "./kubectl.ts";
import { type KvMigrationObject, type KvVmObject, type KvVmiObject, kubevirtDisks, kubevirtLocation, kubevirtTuning, splitKubevirtId } from "./kubevirt-readback.ts";

const env = (name: string): string | undefined => process.env[name] || undefined;

const VM = "virtualmachines.kubevirt.io";
const VMI = "virtualmachineinstances.kubevirt.io";
const VMIM = "virtualmachineinstancemigrations.kubevirt.io";

/** Where a VM is, read with kubectl. */
async function locate(kubectl: KubectlReader, vmId: string) {
  const [namespace, name] = splitKubevirtId(vmId);
  return kubevirtLocation(await kubectl.get<KvVmObject>(VM, namespace, name), await kubectl.get<KvVmiObject>(VMI, namespace, name));
}

/** The read-back controls kubectl gives, for the source cluster and the paired one. */
function readBacks(kubectl: KubectlReader, targetCluster: { readonly id: string; readonly kubectl: KubectlReader } | undefined): Partial<ConformanceControls> {
  return {
    locateVm: (vmId) => locate(kubectl, vmId),
    async migrationTuning(migrationId) {
      const [namespace, name] = splitKubevirtId(migrationId);
      return kubevirtTuning(await kubectl.get<KvMigrationObject>(VMIM, namespace, name), `${namespace}/${name}`, "read with kubectl");
    },
    async vmStorage(vmId) {
      const [namespace, name] = splitKubevirtId(vmId);
      return kubevirtDisks(namespace, await kubectl.get<KvVmObject>(VM, namespace, name), await kubectl.get<KvVmiObject>(VMI, namespace, name), async (claim) => (await kubectl.get<{ spec?: { storageClassName?: string } }>("persistentvolumeclaims", namespace, claim))?.spec?.storageClassName);
    },
    ...(targetCluster ? { locateVmInCluster: async (clusterId: string, vmId: string) => (clusterId === targetCluster.id ? locate(targetCluster.kubectl, vmId) : undefined) } : {}),
  };
}

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
    const remoteKubeconfig = env("VMSHIFT_KUBEVIRT_TARGET_CLUSTER_KUBECONFIG");
    const remoteId = env("VMSHIFT_KUBEVIRT_TARGET_CLUSTER") ?? "remote";
    const clusters = remoteKubeconfig ? { clusters: { [remoteId]: { connection: { kubeconfigPath: remoteKubeconfig } } } } : {};
    const connect = () => {
      const adapter = createKubevirtAdapter({ connection: { kubeconfigPath, ...(context ? { context } : {}) }, ...clusters });
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
    const kubectlPath = env("VMSHIFT_KUBECTL");
    const kubectl = kubectlReader({ kubeconfig: kubeconfigPath, ...(context ? { context } : {}), ...(kubectlPath ? { kubectl: kubectlPath } : {}) });
    const usable = await kubectl.usable();
    const remote = remoteKubeconfig ? { id: remoteId, kubectl: kubectlReader({ kubeconfig: remoteKubeconfig, ...(kubectlPath ? { kubectl: kubectlPath } : {}) }) } : undefined;
    const storageVm = env("VMSHIFT_KUBEVIRT_STORAGE_VM");
    const targetStorage = env("VMSHIFT_KUBEVIRT_TARGET_STORAGE");
    const absent: NonNullable<ConformanceSession["absent"]> = {
      ...(storageVm && targetStorage ? {} : { storageVm: "set VMSHIFT_KUBEVIRT_STORAGE_VM (a running VM on claims) and VMSHIFT_KUBEVIRT_TARGET_STORAGE (a StorageClass)", targetStorage: "set VMSHIFT_KUBEVIRT_TARGET_STORAGE" }),
      ...(remote ? {} : { targetCluster: "set VMSHIFT_KUBEVIRT_TARGET_CLUSTER_KUBECONFIG to a cluster paired for decentralized live migration" }),
      ...(usable.ok ? {} : { migrationTuning: usable.reason, vmStorage: usable.reason, locateVmInCluster: usable.reason }),
    };
    return {
      client,
      subjects: {
        liveVm,
        targetHost,
        coldVm: env("VMSHIFT_KUBEVIRT_COLD_VM") ?? liveVm,
        minVmCount: total,
        pageSize,
        missingVmId: `${liveVm.split("/")[0]}/vmshift-no-such-vm`,
        ...(storageVm && targetStorage ? { storageVm, targetStorage } : {}),
        ...(remote ? { targetCluster: remote.id } : {}),
      },
      controls: {
        async restart() {
          return connect();
        },
        requestCount: () => adapters.reduce((n, a) => n + a.api.transport.requestCount, 0),
        ...(usable.ok ? readBacks(kubectl, remote) : {}),
      },
      absent,
      timeScale: 10,
      async close() {
        await Promise.all(clients.map((c) => c.close()));
      },
    };
  },
};
