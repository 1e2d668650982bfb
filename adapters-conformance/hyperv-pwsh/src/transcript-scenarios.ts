/**
 * The scenarios stored as transcript fixtures (packages/hyperv/test/fixtures/<name>/). Each runs
 * against a client and returns a small, timing-free summary of what it observed; recording saves
 * that summary beside the transcript and replaying must reproduce it.
 */
import type { VmshiftClient } from "@vmshift/core";
import { isTerminalPhase, isVmshiftError } from "@vmshift/core";

/** VMs and hosts a transcript scenario uses. */
export interface TranscriptSubjects {
  readonly liveVm: string;
  readonly coldVm: string;
  readonly targetHost: string;
  readonly fullHost: string;
  readonly incompatibleHost: string;
  readonly missingVmId: string;
}

/** Fault hooks (recording only; replay needs none, the faults are in the answers). */
export interface TranscriptFaults {
  failDuringTransfer?(vmId: string): void;
  failColdStartOnTarget?(vmId: string): void;
  slowDown?(vmId: string): void;
}

/** One transcript scenario. */
export interface TranscriptScenario {
  readonly name: string;
  readonly description: string;
  run(client: VmshiftClient, subjects: TranscriptSubjects, faults: TranscriptFaults): Promise<unknown>;
}

async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return "ok";
  } catch (error) {
    return isVmshiftError(error) ? error.code : `not a VmshiftError: ${String(error)}`;
  }
}

async function follow(client: VmshiftClient, request: Parameters<VmshiftClient["startMigration"]>[0]) {
  const task = await client.startMigration(request);
  const phases: string[] = [];
  for await (const s of task.events()) if (phases.at(-1) !== s.phase) phases.push(s.phase);
  const result = await task.wait();
  return { task, phases, result };
}

const summary = (result: Awaited<ReturnType<typeof follow>>["result"]) => ({ outcome: result.outcome, vmLocation: result.vmLocation, errorCode: result.error?.code ?? null });

export const TRANSCRIPT_SCENARIOS: readonly TranscriptScenario[] = [
  {
    name: "inventory",
    description: "listVms in pages of 5, getVm of a VM and of a missing id, listHosts",
    async run(client, s) {
      const pages = [];
      for await (const page of client.listVms({ pageSize: 5 })) pages.push(page.items.map((v) => `${v.name}@${v.hostId}:${v.powerState}`));
      const vm = await client.getVm(s.liveVm);
      const hosts = await client.listHosts().all();
      return {
        pages,
        vm: { name: vm.name, hostId: vm.hostId, powerState: vm.powerState, memoryBytes: vm.memoryBytes },
        missing: await codeOf(() => client.getVm(s.missingVmId)),
        hosts: hosts.map((h) => ({ id: h.id, schedulable: h.schedulable, freeMemoryBytes: h.freeMemoryBytes, maxConcurrentMigrations: h.maxConcurrentMigrations, auth: h.labels?.["hyperv.migrationAuthentication"] })),
      };
    },
  },
  {
    name: "preflight",
    description: "preflight of the running VM to a good host, a host without memory and a host with migration disabled",
    async run(client, s) {
      const out: Record<string, unknown> = {};
      for (const [label, host] of [["good", s.targetHost], ["full", s.fullHost], ["incompatible", s.incompatibleHost]] as const) {
        const report = await client.preflight({ vmId: s.liveVm, targetHostId: host });
        out[label] = { ok: report.ok, checks: report.checks.map((c) => `${c.severity}:${c.category}:${c.id}`) };
      }
      return out;
    },
  },
  {
    name: "live-migrate",
    description: "live migration of the running VM to the good host, followed to completion",
    async run(client, s) {
      const { phases, result } = await follow(client, { vmId: s.liveVm, targetHostId: s.targetHost });
      return { phases, ...summary(result) };
    },
  },
  {
    name: "live-cancel",
    description: "a slow live migration cancelled while transferring",
    async run(client, s, faults) {
      faults.slowDown?.(s.liveVm);
      const task = await client.startMigration({ vmId: s.liveVm, targetHostId: s.targetHost });
      for await (const snap of task.events()) if (snap.phase === "transferring" || isTerminalPhase(snap.phase)) break;
      const result = await task.cancel();
      return summary(result);
    },
  },
  {
    name: "live-failure",
    description: "a live migration whose WMI job fails at 40 % (connection lost)",
    async run(client, s, faults) {
      faults.failDuringTransfer?.(s.liveVm);
      const { result } = await follow(client, { vmId: s.liveVm, targetHostId: s.targetHost });
      return summary(result);
    },
  },
  {
    name: "live-refused",
    description: "live migrations refused by the platform: target without memory, target with migration disabled",
    async run(client, s) {
      return {
        full: await codeOf(() => client.startMigration({ vmId: s.liveVm, targetHostId: s.fullHost })),
        disabled: await codeOf(() => client.startMigration({ vmId: s.liveVm, targetHostId: s.incompatibleHost })),
      };
    },
  },
  {
    name: "cold-migrate",
    description: "cold migration: stop, move, start on the good host",
    async run(client, s) {
      const { phases, result } = await follow(client, { vmId: s.coldVm, targetHostId: s.targetHost, mode: "cold" });
      return { phases, ...summary(result) };
    },
  },
  {
    name: "cold-refused",
    description: "a cold migration to a host with migration disabled is refused before the VM is stopped",
    async run(client, s) {
      const code = await codeOf(() => client.startMigration({ vmId: s.coldVm, targetHostId: s.incompatibleHost, mode: "cold" }));
      const vm = await client.getVm(s.coldVm);
      return { code, vm: { hostId: vm.hostId, powerState: vm.powerState } };
    },
  },
  {
    name: "cold-start-fails",
    description: "cold migration whose start on the target fails; the VM is moved back and started on its source",
    async run(client, s, faults) {
      faults.failColdStartOnTarget?.(s.coldVm);
      const { result } = await follow(client, { vmId: s.coldVm, targetHostId: s.targetHost, mode: "cold" });
      return summary(result);
    },
  },
];
