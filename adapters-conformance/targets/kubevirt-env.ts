/**
 * The `kubevirt-env` target: the KubeVirt adapter against the KubeVirt API environment
 * (adapters-conformance/kubevirt-env), a fresh local API server per scenario, over HTTPS with a
 * kubeconfig whose credentials come from an exec plugin (short-lived tokens, renewed after
 * `expireSession`).
 */
import { VmshiftClient } from "@vmshift/core";
import { type KubevirtAdapterOptions, createKubevirtAdapter } from "@vmshift/kubevirt";
import { KubevirtEnv, SEED } from "../kubevirt-env/index.ts";
import type { ConformanceSubjects, ConformanceTarget } from "../src/target.ts";

/** Adapter tuning for a fast local server: short polls and a short unschedulable grace. */
export const ENV_ADAPTER_TUNING: Omit<KubevirtAdapterOptions, "connection" | "transport"> = {
  cold: { unschedulableGraceMs: 400, pollInitialDelayMs: 40, pollMaxDelayMs: 200, stopTimeoutMs: 20_000, startTimeoutMs: 20_000 },
  // The environment serves virt-handler-style metrics at /metrics, read every 200 ms while transferring.
  watch: { watchBackoff: { initialDelayMs: 50, maxDelayMs: 500 }, metricsPath: "/metrics", metricsIntervalMs: 200 },
};

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
