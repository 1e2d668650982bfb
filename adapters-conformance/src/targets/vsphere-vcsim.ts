/**
 * The `vsphere-vcsim` target: the vSphere adapter against vmshift's vcsim launcher (govmomi's
 * simulator from Debian's packages plus timed vMotion tasks, CancelTask, faults and paging). One
 * fresh launcher per scenario; TLS with the launcher's certificate pinned by thumbprint.
 */
import { type Host, VmshiftClient } from "@vmshift/core";
import { createVsphereAdapter } from "@vmshift/vsphere";
import type { ConformanceSubjects, ConformanceTarget } from "../target.ts";
import { startVcsim, vcsimMissing } from "./vsphere-launcher.ts";

const FULL_HOST_BYTES = 16 * 1024 * 1024;

/** Picks scenario subjects from what the launcher built (it numbers objects, but placement is random). */
export async function discoverSubjects(client: VmshiftClient): Promise<ConformanceSubjects> {
  const hosts = await client.listHosts().all();
  const cluster = hosts.find((h) => h.clusterId !== undefined)?.clusterId;
  const inCluster = hosts.filter((h) => h.clusterId === cluster);
  const usable = (h: Host) => h.schedulable && h.memoryBytes !== FULL_HOST_BYTES;
  const vms = await client.listVms().all();
  const live = vms.find((vm) => vm.powerState === "running" && inCluster.some((h) => h.id === vm.hostId && usable(h)));
  const target = inCluster.find((h) => usable(h) && h.id !== live?.hostId);
  if (!live || !target) throw new Error("the vcsim inventory has no running VM with a second usable host in its cluster");
  const full = inCluster.find((h) => h.schedulable && h.memoryBytes === FULL_HOST_BYTES);
  const maintenance = inCluster.find((h) => h.maintenance);
  return {
    liveVm: live.id,
    targetHost: target.id,
    ...(full ? { fullHost: full.id } : {}),
    ...(maintenance ? { incompatibleHost: maintenance.id } : {}),
    minVmCount: vms.length,
    pageSize: 3,
    missingVmId: "vm-999999",
  };
}

export const vsphereVcsimTarget: ConformanceTarget = {
  name: "vsphere-vcsim",
  adapter: "vsphere",
  description: "@vmshift/vsphere against govmomi's vcsim (Debian 0.24.2) with vmshift's launcher",
  async available() {
    const missing = vcsimMissing();
    return missing === undefined ? { ok: true } : { ok: false, reason: missing };
  },
  async open() {
    const sim = await startVcsim(["-migrate-duration", "1s", "-migrate-steps", "4"]);
    let requests = 0;
    const clients: VmshiftClient[] = [];
    const connect = () => {
      const client = new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "vmshift", password: "vcsim-password", thumbprint: sim.thumbprint, onRequest: () => requests++, waitMaxSeconds: 5 }));
      clients.push(client);
      return client;
    };
    try {
      const client = connect();
      const subjects = await discoverSubjects(client);
      return {
        client,
        subjects,
        controls: {
          failDuringTransfer: (vmId) => sim.control("fail-transfer", { vm: vmId }),
          failColdStartOnTarget: (vmId) => sim.control("fail-cold-start", { vm: vmId }),
          slowDown: (vmId) => sim.control("slow", { vm: vmId, ms: "6000" }),
          restart: async () => connect(),
          requestCount: () => requests,
        },
        async close() {
          await Promise.allSettled(clients.map((c) => c.close()));
          await sim.stop();
        },
      };
    } catch (error) {
      await sim.stop();
      throw error;
    }
  },
};
