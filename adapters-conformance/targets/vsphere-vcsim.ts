/**
 * The `vsphere-vcsim` target: the vSphere adapter against vmshift's vcsim launcher (govmomi's
 * simulator from Debian's packages plus timed vMotion tasks, CancelTask, faults and paging). One
 * fresh launcher per scenario; TLS verified against the launcher's certificate (`ca`; the
 * thumbprint pin is covered by adapters-conformance/vcsim/vcsim.test.ts, where no nock is loaded).
 */
import { type Host, VmshiftClient } from "@vmshift/core";
import { type SoapExchange, createVsphereAdapter, decodeMigrationId } from "@vmshift/vsphere";
import { vsphereBudget } from "../src/budgets.ts";
import type { PlatformDeclaration } from "../src/platform.ts";
import { VSPHERE_PLATFORM } from "../src/platforms.ts";
import type { ConformanceControls, ConformanceSubjects, ConformanceTarget, PlatformLocation } from "../src/target.ts";

/** vmshift-vcsim: vim25 as govmomi's simulator serves it, with our launcher's timed vMotion tasks, CancelTask and faults (vcsim/README.md). */
export const VCSIM_PLATFORM: PlatformDeclaration = { ...VSPHERE_PLATFORM, name: "vmshift-vcsim (govmomi's vcsim 0.24 with vmshift's launcher: timed RelocateVM_Task, CancelTask, faults; vcsim/README.md)" };

/**
 * The launcher's shortest time between two progress updates, ms: its tasks step every 250 ms
 * (`-migrate-duration 1s -migrate-steps 4` below; `slow` keeps one step per 250 ms, vcsim/README.md),
 * and govmomi's simulator gathers changes for 250 ms before a WaitForUpdatesEx answers.
 */
export const VCSIM_PROGRESS_EVERY_MS = 250;

/** vSphere's budget, enforced. */
export const VCSIM_BUDGET = vsphereBudget(VCSIM_PROGRESS_EVERY_MS);
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

/** Hooks for recording a session (fixtures): every HTTP exchange, every control call, the subjects. */
export interface VcsimRecordingHooks {
  readonly password?: string;
  onExchange?(exchange: SoapExchange): void;
  /** A control call; `location` for a read-back (`locateVm`): where the launcher said the VM was. */
  onControl?(name: keyof ConformanceControls, arg?: string, result?: number, location?: PlatformLocation): void;
  onSubjects?(subjects: ConformanceSubjects): void;
}

/** The vcsim target, optionally with recording hooks. */
export function createVcsimTarget(hooks: VcsimRecordingHooks = {}): ConformanceTarget {
  return {
    name: "vsphere-vcsim",
    adapter: "vsphere",
    description: "@vmshift/vsphere against govmomi's vcsim (Debian 0.24.2) with vmshift's launcher",
    platform: VCSIM_PLATFORM,
    budget: VCSIM_BUDGET,
    async available() {
      const missing = vcsimMissing();
      return missing === undefined ? { ok: true } : { ok: false, reason: missing };
    },
    async open() {
      const sim = await startVcsim(["-migrate-duration", "1s", "-migrate-steps", "4"]);
      // SOAP method of every request sent (the launcher logs the same on its side: GET /vmshift/request-log).
      const sent: string[] = [];
      const clients: VmshiftClient[] = [];
      const connect = () => {
        const client = new VmshiftClient(
          createVsphereAdapter({
            url: sim.url,
            username: "vmshift",
            password: hooks.password ?? "vcsim-password",
            ca: sim.caPem,
            onRequest: (method) => void sent.push(method),
            ...(hooks.onExchange ? { onExchange: hooks.onExchange } : {}),
            waitMaxSeconds: 5,
          }),
        );
        clients.push(client);
        return client;
      };
      const control = async (name: keyof ConformanceControls, path: string, vm: string, extra: Record<string, string> = {}) => {
        hooks.onControl?.(name, vm);
        await sim.control(path, { vm, ...extra });
      };
      // Reads where a VM is through a connection of its own (its requests are neither counted nor recorded).
      let reader: VmshiftClient | undefined;
      const readBack = () =>
        (reader ??= new VmshiftClient(createVsphereAdapter({ url: sim.url, username: "vmshift", password: hooks.password ?? "vcsim-password", ca: sim.caPem, waitMaxSeconds: 5 })));
      try {
        const client = connect();
        const subjects = await discoverSubjects(client);
        hooks.onSubjects?.(subjects);
        return {
          client,
          subjects,
          controls: {
            failDuringTransfer: (vmId) => control("failDuringTransfer", "fail-transfer", vmId),
            failColdStartOnTarget: (vmId) => control("failColdStartOnTarget", "fail-cold-start", vmId),
            slowDown: (vmId) => control("slowDown", "slow", vmId, { ms: "6000" }),
            restart: async () => {
              hooks.onControl?.("restart");
              return connect();
            },
            requestCount: () => sent.length,
            locateVm: async (vmId) => {
              const vm = await readBack().getVm(vmId);
              const location = { ...(vm.hostId === undefined ? {} : { hostId: vm.hostId }), powerState: vm.powerState };
              hooks.onControl?.("locateVm", vmId, undefined, location);
              return location;
            },
            failTransiently: async (where, times) => {
              hooks.onControl?.("failTransiently", `${where}:${times}`);
              await sim.control("fail-transiently", { where, times: String(times) });
            },
            loseNextStartResponse: async () => {
              hooks.onControl?.("loseNextStartResponse");
              await sim.control("lose-next-start-response");
            },
            dropProgressStreams: async () => {
              hooks.onControl?.("dropProgressStreams");
              await sim.control("drop-progress-streams");
            },
            expireSession: async () => {
              hooks.onControl?.("expireSession");
              await sim.control("expire-sessions");
            },
            migrationCount: async (vmId) => {
              const { count } = (await sim.query("migrations", { vm: vmId })) as { count: number };
              hooks.onControl?.("migrationCount", vmId, count);
              return count;
            },
            requestLog: () => sent,
            // The launcher's record of the task's info.completeTime (live ids end in the RelocateVM_Task moref).
            platformCompletedAt: async (migrationId) => {
              let key: string;
              try {
                const ref = decodeMigrationId(migrationId);
                if (ref.mode !== "live") return undefined;
                key = ref.key;
              } catch {
                return undefined;
              }
              const { completeTime } = (await sim.query("task", { task: key })) as { completeTime?: number };
              return completeTime;
            },
          },
          async close() {
            await Promise.allSettled([...clients, ...(reader ? [reader] : [])].map((c) => c.close()));
            await sim.stop();
          },
        };
      } catch (error) {
        await sim.stop();
        throw error;
      }
    },
  };
}

export const vsphereVcsimTarget: ConformanceTarget = createVcsimTarget();
