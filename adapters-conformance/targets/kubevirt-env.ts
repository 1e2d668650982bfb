/**
 * The `kubevirt-env` target: the KubeVirt adapter against the KubeVirt API environment
 * (adapters-conformance/kubevirt-env), a fresh local API server per scenario, over HTTPS with a
 * kubeconfig whose credentials come from an exec plugin (short-lived tokens, renewed after
 * `expireSession`).
 */
import { VmshiftClient } from "@vmshift/core";
import { type KubevirtAdapterOptions, createKubevirtAdapter } from "@vmshift/kubevirt";
import { KubevirtEnv, SEED } from "../kubevirt-env/index.ts";
import { STALL_DETECTION_GATE } from "../kubevirt-env/admission.ts";
import { type EnvPairing, pairEnvs } from "../kubevirt-env/pairing.ts";
import { kubevirtBudget } from "../src/budgets.ts";
import type { PlatformDeclaration } from "../src/platform.ts";
import { KUBEVIRT_PLATFORM } from "../src/platforms.ts";
import type { ConformanceSubjects, ConformanceTarget, PlatformDisks, PlatformLocation, PlatformTuning } from "../src/target.ts";
import { type KvMigrationObject, type KvVmObject, type KvVmiObject, kubevirtDisks, kubevirtLocation, kubevirtTuning, splitKubevirtId } from "../src/targets/kubevirt-readback.ts";

/** Adapter tuning for a fast local server: short polls and a short unschedulable grace. */
export const ENV_ADAPTER_TUNING: Omit<KubevirtAdapterOptions, "connection" | "transport"> = {
  cold: { unschedulableGraceMs: 400, pollInitialDelayMs: 40, pollMaxDelayMs: 200, stopTimeoutMs: 20_000, startTimeoutMs: 20_000 },
  // The environment serves virt-handler-style metrics at /metrics, read every 200 ms while transferring.
  watch: { watchBackoff: { initialDelayMs: 50, maxDelayMs: 500 }, metricsPath: "/metrics", metricsIntervalMs: 200 },
};

/** The KubeVirt API environment implements KubeVirt's API and migration controller (kubevirt-env/README.md). */
export const KUBEVIRT_ENV_PLATFORM: PlatformDeclaration = { ...KUBEVIRT_PLATFORM, name: "the KubeVirt API environment (KubeVirt's API and migration controller, kubevirt-env/README.md)" };

/** How often the adapter polls both clusters' migrations during a cross-cluster migration here, ms. */
export const CROSS_CLUSTER_POLL_MS = 100;

/** The environment's request budget: KubeVirt's, metrics read at most every 200 ms (ENV_ADAPTER_TUNING), cross-cluster polls every 100 ms; enforced. */
export const KUBEVIRT_ENV_BUDGET = kubevirtBudget(200, CROSS_CLUSTER_POLL_MS);

/** Where a VM is per the environment's store: its VMI's node and phase, or stopped when it has no VMI. */
export function kubevirtStoreLocation(store: KubevirtEnv["store"], vmId: string): PlatformLocation {
  const [namespace, name] = splitKubevirtId(vmId);
  return kubevirtLocation(store.get("virtualmachines", namespace, name) as KvVmObject | undefined, store.get("virtualmachineinstances", namespace, name) as KvVmiObject | undefined);
}

/**
 * The tuning a VirtualMachineInstanceMigration ran with, as the environment's controller recorded it
 * at hand-off: `status.migrationState.migrationConfiguration` (the KubeVirt CR's migration settings
 * with the matching MigrationPolicy's fields over them, as KubeVirt reports it), and the policy's name.
 */
export function kubevirtStoreTuning(store: KubevirtEnv["store"], migrationId: string): PlatformTuning | undefined {
  const [namespace, name] = splitKubevirtId(migrationId);
  return kubevirtTuning(store.get("virtualmachineinstancemigrations", namespace, name) as KvMigrationObject | undefined, `${namespace}/${name}`, "read from the environment's store");
}

/** A VM's claim-backed volumes and their StorageClasses per the store: what its VMI runs on, and what the VM's template names. */
export function kubevirtStoreDisks(store: KubevirtEnv["store"], vmId: string): Promise<PlatformDisks | undefined> {
  const [namespace, name] = splitKubevirtId(vmId);
  return kubevirtDisks(namespace, store.get("virtualmachines", namespace, name) as KvVmObject | undefined, store.get("virtualmachineinstances", namespace, name) as KvVmiObject | undefined, async (claim) => {
    const pvc = store.get("persistentvolumeclaims", namespace, claim) as { spec?: { storageClassName?: string } } | undefined;
    return pvc?.spec?.storageClassName;
  });
}

/** The storage subject: `default/data-01` on the claim `data-01-root` (10Gi, StorageClass `local`), running; its disks may move to `fast`. */
export const STORAGE_SUBJECT = { vm: "default/data-01", claim: "data-01-root", from: "local", to: "fast" } as const;

/** Creates the storage subject in the store (as seed.ts does: no request counted) and waits for the VM controller to run its VMI. */
export async function createStorageVm(env: KubevirtEnv): Promise<void> {
  const { claim, from } = STORAGE_SUBJECT;
  env.store.create("persistentvolumeclaims", "PersistentVolumeClaim", {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: claim, namespace: "default" },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName: from, resources: { requests: { storage: "10Gi" } } },
  });
  const spec = {
    domain: { devices: { disks: [{ name: "rootdisk", disk: { bus: "virtio" } }] }, resources: { requests: { memory: "1Gi" } } },
    volumes: [{ name: "rootdisk", persistentVolumeClaim: { claimName: claim } }],
  };
  env.store.create("virtualmachines", "VirtualMachine", {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: "data-01", namespace: "default", labels: { app: "data" } },
    spec: { runStrategy: "Always", template: { metadata: { labels: { app: "data", "kubevirt.io/vm": "data-01" } }, spec } },
  });
  await env.until(() => (env.store.get("virtualmachineinstances", "default", "data-01")?.status as { phase?: string } | undefined)?.phase === "Running");
}

/**
 * Turns on KubeVirt's MigrationStallDetection feature gate in the environment's KubeVirt CR: KubeVirt
 * v1.9.0's MigrationPolicy validator accepts `maxDowntimeMs` only with it (kubevirt-env/admission.ts),
 * so `tuning.max-downtime` runs on a cluster configured for it, as an admin would configure one.
 */
export function enableStallDetection(env: KubevirtEnv): void {
  const kv = env.store.all("kubevirts")[0] as { metadata: { name: string; namespace?: string } } | undefined;
  if (!kv) return;
  env.store.mutate("kubevirts", kv.metadata.namespace, kv.metadata.name, (o) => {
    const spec = (o as { spec: { configuration?: { developerConfiguration?: { featureGates?: string[] } } } }).spec;
    const dev = ((spec.configuration ??= {}).developerConfiguration ??= {});
    dev.featureGates = [...(dev.featureGates ?? []).filter((g) => g !== STALL_DETECTION_GATE), STALL_DETECTION_GATE];
  });
}

/** The receiving cluster of `cross-cluster.live`: a second environment, paired for decentralized live migration, without the live VM. */
export const TARGET_CLUSTER = "east";

/** Starts the receiving cluster of `west`: a second environment without the live VM, paired with `west` as {@link TARGET_CLUSTER}. */
export async function startReceivingCluster(west: KubevirtEnv): Promise<{ east: KubevirtEnv; pairing: EnvPairing }> {
  const east = await KubevirtEnv.start();
  // The seed has the live VM on every environment: free its name on the receiving side.
  const [namespace, name] = splitKubevirtId(SEED.liveVm);
  for (const resource of ["virtualmachineinstances", "virtualmachines"] as const) {
    east.store.mutate(resource, namespace, name, (o) => void (o.metadata.finalizers = []));
    if (east.store.get(resource, namespace, name)) east.store.delete(resource, namespace, name);
  }
  await east.until(() => !east.store.get("virtualmachineinstances", namespace, name));
  return { east, pairing: pairEnvs({ west, [TARGET_CLUSTER]: east }) };
}

/** Both clusters' request kinds, in the order this log first saw them (each environment's own order kept). */
function mergedRequestLog(envs: readonly KubevirtEnv[]): () => readonly string[] {
  const merged: string[] = [];
  const seen = envs.map(() => 0);
  return () => {
    envs.forEach((env, i) => {
      const kinds = env.requestKinds();
      for (; seen[i]! < kinds.length; seen[i]!++) merged.push(kinds[seen[i]!]!);
    });
    return merged;
  };
}

/** The seeded cluster's subjects (see kubevirt-env/seed.ts). */
export function envSubjects(): ConformanceSubjects {
  return {
    liveVm: SEED.liveVm,
    targetHost: SEED.targetHost,
    fullHost: SEED.fullHost,
    incompatibleHost: SEED.incompatibleHost,
    coldVm: SEED.coldVm,
    coldTargetHost: SEED.targetHost,
    minVmCount: SEED.vmCount,
    pageSize: 3,
    missingVmId: "default/no-such-vm",
  };
}

export const kubevirtEnvTarget: ConformanceTarget = {
  name: "kubevirt-env",
  adapter: "kubevirt",
  description: "@vmshift/kubevirt against the local KubeVirt API environment (Kubernetes conventions, KubeVirt admission and migration controller)",
  platform: KUBEVIRT_ENV_PLATFORM,
  budget: KUBEVIRT_ENV_BUDGET,
  async open() {
    const env = await KubevirtEnv.start();
    enableStallDetection(env);
    await createStorageVm(env);
    const { east, pairing } = await startReceivingCluster(env);
    const kubeconfigYaml = env.kubeconfigWithExec();
    const clusters = { [TARGET_CLUSTER]: { connection: { kubeconfigYaml: east.kubeconfig() } } };
    const connect = () =>
      new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml }, ...ENV_ADAPTER_TUNING, clusters, crossClusterPollMs: CROSS_CLUSTER_POLL_MS }), { follow: { poll: { initialDelayMs: 50, maxDelayMs: 500 } } });
    const clients: VmshiftClient[] = [connect()];
    const envs = [env, east];
    return {
      client: clients[0]!,
      subjects: { ...envSubjects(), storageVm: STORAGE_SUBJECT.vm, targetStorage: STORAGE_SUBJECT.to, targetCluster: TARGET_CLUSTER },
      controls: {
        async failDuringTransfer(vmId) {
          env.fault(vmId, { failTransfer: true });
        },
        async failColdStartOnTarget(vmId) {
          env.fault(vmId, { refuseStartOn: SEED.targetHost });
        },
        async slowDown(vmId) {
          env.fault(vmId, { slow: true });
        },
        async restart() {
          const client = connect();
          clients.push(client);
          return client;
        },
        // Both clusters: a cross-cluster migration talks to the receiving one too.
        requestCount: () => env.requestCount + east.requestCount,
        async locateVm(vmId) {
          return kubevirtStoreLocation(env.store, vmId);
        },
        async locateVmInCluster(clusterId, vmId) {
          return clusterId === TARGET_CLUSTER ? kubevirtStoreLocation(east.store, vmId) : undefined;
        },
        async migrationTuning(migrationId) {
          return kubevirtStoreTuning(env.store, migrationId);
        },
        async vmStorage(vmId) {
          return kubevirtStoreDisks(env.store, vmId);
        },
        async failTransiently(where, times) {
          env.failTransiently(where, times);
        },
        async loseNextStartResponse() {
          env.loseNextStartResponse();
        },
        async dropProgressStreams() {
          env.dropWatches();
        },
        async expireSession() {
          env.expireSession();
        },
        async migrationCount(vmId) {
          return env.migrationsCreated.get(vmId) ?? 0;
        },
        // Server side: every request the API server received, ids generalised.
        requestLog: mergedRequestLog(envs),
        // The controller's write of phase Succeeded on the VirtualMachineInstanceMigration (live ids are `namespace/name` of it).
        async platformCompletedAt(migrationId) {
          return env.migrationsSucceededAt.get(migrationId);
        },
      },
      async close() {
        await Promise.all(clients.map((c) => c.close()));
        pairing.stop();
        await Promise.all(envs.map((e) => e.close()));
      },
    };
  },
};
