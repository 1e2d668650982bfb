/**
 * The `kubevirt-env` target: the KubeVirt adapter against the KubeVirt API environment
 * (adapters-conformance/kubevirt-env), a fresh local API server per scenario, over HTTPS with a
 * kubeconfig whose credentials come from an exec plugin (short-lived tokens, renewed after
 * `expireSession`).
 */
import { type PowerState, VmshiftClient } from "@vmshift/core";
import { type KubevirtAdapterOptions, createKubevirtAdapter } from "@vmshift/kubevirt";
import { KubevirtEnv, SEED } from "../kubevirt-env/index.ts";
import { kubevirtBudget } from "../src/budgets.ts";
import type { PlatformDeclaration } from "../src/platform.ts";
import { KUBEVIRT_PLATFORM } from "../src/platforms.ts";
import type { ConformanceSubjects, ConformanceTarget, PlatformLocation } from "../src/target.ts";

/** Adapter tuning for a fast local server: short polls and a short unschedulable grace. */
export const ENV_ADAPTER_TUNING: Omit<KubevirtAdapterOptions, "connection" | "transport"> = {
  cold: { unschedulableGraceMs: 400, pollInitialDelayMs: 40, pollMaxDelayMs: 200, stopTimeoutMs: 20_000, startTimeoutMs: 20_000 },
  // The environment serves virt-handler-style metrics at /metrics, read every 200 ms while transferring.
  watch: { watchBackoff: { initialDelayMs: 50, maxDelayMs: 500 }, metricsPath: "/metrics", metricsIntervalMs: 200 },
};

/** The KubeVirt API environment implements KubeVirt's API and migration controller (kubevirt-env/README.md). */
export const KUBEVIRT_ENV_PLATFORM: PlatformDeclaration = { ...KUBEVIRT_PLATFORM, name: "the KubeVirt API environment (KubeVirt's API and migration controller, kubevirt-env/README.md)" };

/** The environment's request budget: KubeVirt's, metrics read at most every 200 ms (ENV_ADAPTER_TUNING); enforced. */
export const KUBEVIRT_ENV_BUDGET = kubevirtBudget(200);

/** Where a VM is per the environment's store: its VMI's node and phase, or stopped when it has no VMI. */
export function kubevirtStoreLocation(store: KubevirtEnv["store"], vmId: string): PlatformLocation {
  const [namespace, name] = vmId.includes("/") ? (vmId.split("/", 2) as [string, string]) : ["default", vmId];
  const vmi = store.get("virtualmachineinstances", namespace, name) as { status?: { nodeName?: string; phase?: string } } | undefined;
  if (vmi) {
    const phase = vmi.status?.phase;
    const powerState: PowerState = phase === "Running" ? "running" : phase === "Succeeded" || phase === "Failed" ? "stopped" : "unknown";
    return { ...(vmi.status?.nodeName ? { hostId: vmi.status.nodeName } : {}), powerState };
  }
  const vm = store.get("virtualmachines", namespace, name) as { spec?: { template?: { spec?: { nodeSelector?: Record<string, string> } } } } | undefined;
  if (!vm) return { powerState: "unknown" };
  const pinned = vm.spec?.template?.spec?.nodeSelector?.["kubernetes.io/hostname"];
  return { ...(pinned ? { hostId: pinned } : {}), powerState: "stopped" };
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
    const kubeconfigYaml = env.kubeconfigWithExec();
    const connect = () => new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml }, ...ENV_ADAPTER_TUNING }), { follow: { poll: { initialDelayMs: 50, maxDelayMs: 500 } } });
    const clients: VmshiftClient[] = [connect()];
    return {
      client: clients[0]!,
      subjects: envSubjects(),
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
        requestCount: () => env.requestCount,
        async locateVm(vmId) {
          return kubevirtStoreLocation(env.store, vmId);
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
        requestLog: () => env.requestKinds(),
        // The controller's write of phase Succeeded on the VirtualMachineInstanceMigration (live ids are `namespace/name` of it).
        async platformCompletedAt(migrationId) {
          return env.migrationsSucceededAt.get(migrationId);
        },
      },
      async close() {
        await Promise.all(clients.map((c) => c.close()));
        await env.close();
      },
    };
  },
};
