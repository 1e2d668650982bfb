/**
 * The default cluster of the environment, shaped for the conformance subjects:
 *
 * | node | allocatable memory | role |
 * | --- | --- | --- |
 * | node-1 | 8Gi | runs `default/web-01` (live VM) and `default/app-01` (cold VM) |
 * | node-2 | 8Gi | the target host |
 * | node-3 | 4Gi | full: `default/db-01` takes 3.5Gi (fullHost) |
 * | node-4 | 8Gi | cordoned for maintenance (incompatibleHost) |
 *
 * Seven VMs in two namespaces (two stopped, one not live-migratable), so pageSize 3 takes 3 pages.
 */
import type { Controllers } from "./controller.ts";
import type { Store } from "./store.ts";

/** VM names by role. */
export const SEED = {
  liveVm: "default/web-01",
  coldVm: "default/app-01",
  targetHost: "node-2",
  fullHost: "node-3",
  incompatibleHost: "node-4",
  notMigratableVm: "default/legacy-01",
  vmCount: 7,
} as const;

function node(name: string, memory: string, cordoned = false): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubevirt.io/schedulable": "true", "node-role.kubernetes.io/worker": "" } },
    spec: cordoned ? { unschedulable: true, taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: "2026-08-01T09:00:00Z" }] } : {},
    status: {
      capacity: { cpu: "8", memory },
      allocatable: { cpu: "8", memory },
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" }],
      nodeInfo: { kubeletVersion: "v1.35.0", architecture: "amd64", operatingSystem: "linux" },
    },
  };
}

function template(name: string, memory: string): Record<string, unknown> {
  return {
    metadata: { labels: { "kubevirt.io/vm": name, app: name.split("-")[0]! } },
    spec: {
      evictionStrategy: "LiveMigrate",
      domain: {
        cpu: { cores: 1 },
        resources: { requests: { memory } },
        devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }], interfaces: [{ name: "default", masquerade: {} }] },
      },
      networks: [{ name: "default", pod: {} }],
      volumes: [{ name: "containerdisk", containerDisk: { image: "quay.io/kubevirt/cirros-container-disk-demo" } }],
    },
  };
}

/** Creates the namespaces, nodes, VMs, running VMIs and the KubeVirt CR. */
export function seedCluster(store: Store, controllers: Controllers, migrations: Record<string, unknown>): void {
  for (const name of ["default", "prod", "kubevirt"]) {
    store.create("namespaces", "Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name } }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
  }
  for (const [name, memory, cordoned] of [["node-1", "8Gi", false], ["node-2", "8Gi", false], ["node-3", "4Gi", false], ["node-4", "8Gi", true]] as const) {
    store.create("nodes", "Node", node(name, memory, cordoned));
  }
  store.create("kubevirts", "KubeVirt", {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: "kubevirt" },
    spec: {
      configuration: {
        developerConfiguration: { featureGates: [] },
        migrations: { parallelMigrationsPerCluster: 5, parallelOutboundMigrationsPerNode: 2, completionTimeoutPerGiB: 150, progressTimeout: 150, bandwidthPerMigration: "0Mi", ...migrations },
      },
    },
    status: { phase: "Deployed", observedKubeVirtVersion: "v1.9.0", operatorVersion: "v1.9.0" },
  });
  controllers.notMigratable.set(SEED.notMigratableVm, {
    reason: "DisksNotLiveMigratable",
    message: "cannot migrate VMI: PVC legacy-disk is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)",
  });
  const vms: [string, string, string, string | undefined][] = [
    ["default", "web-01", "1Gi", "node-1"],
    ["default", "app-01", "1Gi", "node-1"],
    ["default", "db-01", "3584Mi", "node-3"],
    ["default", "legacy-01", "1Gi", "node-2"],
    ["default", "batch-01", "2Gi", undefined],
    ["prod", "api-01", "1Gi", "node-2"],
    ["prod", "api-02", "1Gi", undefined],
  ];
  for (const [namespace, name, memory, host] of vms) {
    const tpl = template(name, memory);
    const vm = store.create("virtualmachines", "VirtualMachine", {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name, namespace, labels: { app: name.split("-")[0]! } },
      spec: { runStrategy: host ? "Always" : "Halted", template: tpl },
    });
    if (!host) continue;
    const notMigratable = controllers.notMigratable.get(`${namespace}/${name}`);
    store.create("virtualmachineinstances", "VirtualMachineInstance", {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: {
        name,
        namespace,
        labels: { ...(tpl["metadata"] as { labels: Record<string, string> }).labels, "kubevirt.io/nodeName": host },
        ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name, uid: vm.metadata.uid, controller: true, blockOwnerDeletion: true }],
        finalizers: ["foregroundDeleteVirtualMachine"],
      },
      spec: structuredClone((tpl["spec"] as Record<string, unknown>)),
      status: {
        phase: "Running",
        nodeName: host,
        runtimeUser: 107,
        migrationMethod: "BlockMigration",
        migrationTransport: "Unix",
        conditions: [
          notMigratable
            ? { type: "LiveMigratable", status: "False", reason: notMigratable.reason, message: notMigratable.message, lastProbeTime: null, lastTransitionTime: null }
            : { type: "LiveMigratable", status: "True", lastProbeTime: null, lastTransitionTime: null },
          { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2026-08-01T09:55:12Z" },
        ],
      },
    });
  }
}
