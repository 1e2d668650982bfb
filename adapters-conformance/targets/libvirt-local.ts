/**
 * Conformance target `libvirt-local`: two libvirt daemons on this machine as two hosts, one tiny
 * TCG guest (128 MiB, dirtying 32 MiB at 5 MiB/s) that really migrates between them. Built by
 * `.ci/setup.d/40-libvirt.sh`; the lab lives under `.cache/libvirt-lab/`.
 *
 * Controls: `slowDown` caps the domain's migration bandwidth (migrate-setspeed), and
 * `failDuringTransfer` kills the destination's QEMU by PID once the next migration is moving data,
 * `failColdStartOnTarget` arms a one-shot refusal in the target daemon's qemu hook. The
 * incompatible host is the one the guest already runs on (libvirt refuses a same-host move).
 * The fault controls (`failTransiently`, `loseNextStartResponse`) act in a runner between the
 * adapter and the real virsh (libvirt-lab/faulty-runner.ts).
 *
 * Measurement: `requestLog` is the runner's record of virsh subcommands; `platformCompletedAt` is
 * when a `virsh event` listener on the source daemon received the guest's `Stopped Migrated`
 * lifecycle event (libvirt's Confirm phase, the last step of the migration on the platform),
 * timestamped by that listener on this machine's clock (libvirt-lab/events.ts).
 */
import { rmSync, writeFileSync } from "node:fs";
import { createClient, type VmshiftClient } from "@vmshift/core";
import { type LibvirtHostConfig, createLibvirtAdapter, decodeMigrationId, spawnVirshRunner } from "@vmshift/libvirt";
import { listenToLabEvents } from "../libvirt-lab/events.ts";
import { faultyRunner } from "../libvirt-lab/faulty-runner.ts";
import {
  LAB_HOSTS, type LabHost, acquireLab, bootGuest, defineGuest, failStartFlag, labAvailability, labUri, qemuPid, readHealth, removeDomain, startDaemons, stopDaemons, virsh, waitForTicks, whereRunning,
} from "../libvirt-lab/lab.ts";
import { libvirtBudget } from "../src/budgets.ts";
import { LIBVIRT_PLATFORM } from "../src/platforms.ts";
import type { ConformanceSession, ConformanceTarget, PlatformLocation } from "../src/target.ts";

const LAB_POWER: Readonly<Record<string, PlatformLocation["powerState"]>> = { running: "running", paused: "paused", "shut off": "stopped", "in shutdown": "running", pmsuspended: "suspended" };

/** Where the lab guest is, per the daemons themselves (virsh domstate on each host, outside the adapter): the running copy first. */
async function labLocation(name: string): Promise<PlatformLocation> {
  let found: PlatformLocation | undefined;
  for (const h of LAB_HOSTS) {
    const s = await virsh(h, ["domstate", "--domain", name]);
    if (s.code !== 0) continue;
    const powerState = LAB_POWER[s.stdout.trim()] ?? "unknown";
    if (powerState === "running") return { hostId: h, powerState };
    found ??= { hostId: h, powerState };
  }
  return found ?? { powerState: "unknown" };
}

/** Name of the lab guest. */
export const LAB_VM = "vmshift-lab-1";
const MEMORY_MIB = 128;
const WORKLOAD = { fillMiB: 32, dirtyMiB: 32, rateMiBps: 5 } as const;
const UNLIMITED_MIBPS = "8796093022207";
/** Bandwidth cap of `slowDown`, MiB/s: the first pass alone then takes several seconds. */
const SLOW_MIBPS = 12;

/** A stopped second domain, so listings have several pages. */
export const LAB_VM_STOPPED = "vmshift-lab-2";
/** The lab's hosts as adapter configuration. */
export function labHosts(): LibvirtHostConfig[] {
  return LAB_HOSTS.map((h) => ({ id: h, uri: labUri(h), migrationAddress: "127.0.0.1", name: `lab-${h}` }));
}

/** A running, healthy lab guest: reused when one is ticking, booted on host `a` otherwise. */
async function ensureGuest(): Promise<{ uuid: string; host: LabHost }> {
  for (const h of LAB_HOSTS) await virsh(h, ["domjobabort", "--domain", LAB_VM]);
  const host = await whereRunning(LAB_VM);
  const health = readHealth(LAB_VM);
  if (host && !health.crashed && !health.verifyFailed) {
    try {
      await waitForTicks(LAB_VM, health.lastTick, 1, 5000);
      for (const other of LAB_HOSTS) if (other !== host) {
        await virsh(other, ["destroy", "--domain", LAB_VM]);
        await virsh(other, ["undefine", "--domain", LAB_VM]);
      }
      await virsh(host, ["migrate-setspeed", "--domain", LAB_VM, "--bandwidth", UNLIMITED_MIBPS]);
      const uuid = (await virsh(host, ["domuuid", "--domain", LAB_VM])).stdout.trim();
      if (uuid) return { uuid, host };
    } catch {
      // not ticking: boot a fresh one
    }
  }
  const uuid = await bootGuest(LAB_VM, "a", MEMORY_MIB, WORKLOAD);
  return { uuid, host: "a" };
}

/** Defines the stopped second domain on host `a` unless some host has it. */
async function ensureStoppedVm(): Promise<void> {
  for (const h of LAB_HOSTS) if ((await virsh(h, ["domstate", "--domain", LAB_VM_STOPPED])).code === 0) return;
  await defineGuest(LAB_VM_STOPPED, "a", 64, { fillMiB: 0, dirtyMiB: 0, rateMiBps: -1 });
}

/** Clears armed one-shot faults left by an earlier session. */
function disarmFaults(): void {
  for (const h of LAB_HOSTS) rmSync(failStartFlag(h, LAB_VM), { force: true });
}

/** Kills the destination QEMU once the next migration of the lab guest has moved some data. */
function armDestinationKill(target: LabHost, source: LabHost, timeoutMs = 120_000): void {
  const deadline = Date.now() + timeoutMs;
  const tick = async (): Promise<void> => {
    if (Date.now() > deadline) return;
    const job = await virsh(source, ["domjobinfo", "--domain", LAB_VM, "--rawstats"]);
    const processed = Number(/^data_processed: (\d+)/m.exec(job.stdout)?.[1] ?? 0);
    const pid = qemuPid(target, LAB_VM);
    if (/^Job type: 2/m.test(job.stdout) && processed > 8 * 1024 ** 2 && pid !== undefined) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
      return;
    }
    setTimeout(() => void tick(), 200);
  };
  setTimeout(() => void tick(), 200);
}

let releaseLab: (() => void) | undefined;

/** Holds the lab for this process from the first session until `dispose`. */
async function holdLab(): Promise<void> {
  releaseLab ??= await acquireLab("conformance libvirt-local");
}

/** What {@link openLibvirtLab} hands out. */
export interface LibvirtLab {
  readonly client: VmshiftClient;
  /** The guest's id (domain UUID). */
  readonly vmId: string;
  /** The host the guest runs on. */
  readonly sourceHostId: string;
  /** The other lab host. */
  readonly targetHostId: string;
  /** Closes the client and lets others use the lab; the daemons keep running (`stopLibvirtLab` stops them). */
  close(): Promise<void>;
}

/** Starts the lab (daemons + a running guest) and returns a client on it. For `vmshift demo --real`. */
export async function openLibvirtLab(): Promise<LibvirtLab> {
  const availability = await labAvailability();
  if (!availability.ok) throw new Error(`libvirt lab unavailable: ${availability.reason}`);
  const release = await acquireLab("openLibvirtLab");
  try {
    await startDaemons();
    const guest = await ensureGuest();
    const client = createClient(createLibvirtAdapter({ hosts: labHosts(), defaults: { shutdownTimeoutMs: 3000 } }));
    return {
      client, vmId: guest.uuid, sourceHostId: guest.host, targetHostId: LAB_HOSTS.find((h) => h !== guest.host)!,
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Destroys the lab guest and stops both daemons. */
export async function stopLibvirtLab(): Promise<void> {
  await removeDomain(LAB_VM);
  await stopDaemons();
}

/** The target. */
export const libvirtLocalTarget: ConformanceTarget = {
  name: "libvirt-local",
  adapter: "libvirt",
  description: "two libvirt 11 daemons on this machine, a 128 MiB TCG guest migrating for real (QEMU 10)",
  platform: { ...LIBVIRT_PLATFORM, name: "two libvirt 11 daemons with QEMU 10 (TCG) on this machine (adapters-conformance/libvirt-lab)" },
  // Polls: the start waits for the job every 150 ms; core's follower polls from 200 ms (≥ 160 ms apart). Inventory: the two lab hosts, the guest and the stopped domain.
  budget: libvirtBudget(150, { hosts: LAB_HOSTS.length, domains: 2 }),
  available: labAvailability,
  async open(): Promise<ConformanceSession> {
    await holdLab();
    await startDaemons();
    disarmFaults();
    const guest = await ensureGuest();
    await ensureStoppedVm();
    const target = LAB_HOSTS.find((h) => h !== guest.host)!;
    const runner = faultyRunner(spawnVirshRunner());
    const make = () => createClient(createLibvirtAdapter({ hosts: labHosts(), runner, defaults: { shutdownTimeoutMs: 3000 } }));
    const client = make();
    const events = await listenToLabEvents();
    return {
      client,
      timeScale: 4,
      subjects: { liveVm: guest.uuid, targetHost: target, incompatibleHost: guest.host, minVmCount: 2, pageSize: 1, missingVmId: "00000000-0000-4000-8000-00000000dead" },
      controls: {
        async slowDown() {
          const host = (await whereRunning(LAB_VM)) ?? guest.host;
          await virsh(host, ["migrate-setspeed", "--domain", LAB_VM, "--bandwidth", String(SLOW_MIBPS)]);
        },
        async failDuringTransfer() {
          const host = (await whereRunning(LAB_VM)) ?? guest.host;
          await virsh(host, ["migrate-setspeed", "--domain", LAB_VM, "--bandwidth", String(SLOW_MIBPS)]);
          armDestinationKill(LAB_HOSTS.find((h) => h !== host)!, host);
        },
        async failColdStartOnTarget() {
          const host = (await whereRunning(LAB_VM)) ?? guest.host;
          writeFileSync(failStartFlag(LAB_HOSTS.find((h) => h !== host)!, LAB_VM), "armed by the libvirt-local conformance target\n");
        },
        restart: async () => make(),
        requestCount: () => runner.count(),
        locateVm: async (vmId) => labLocation(vmId === guest.uuid ? LAB_VM : vmId),
        async failTransiently(where, times) {
          runner.failTransiently(where, times);
        },
        async loseNextStartResponse() {
          runner.loseNextStartResponse();
        },
        migrationCount: async (vmId) => runner.migrationCount(vmId),
        requestLog: () => runner.log(),
        async platformCompletedAt(migrationId) {
          let ref;
          try {
            ref = decodeMigrationId(migrationId);
          } catch {
            return undefined;
          }
          if (ref.mode !== "live" || ref.domain !== guest.uuid) return undefined;
          const done = await events.find((e) => e.host === ref.source && e.domain === LAB_VM && e.detail === "Stopped Migrated" && e.at >= ref.startedAt);
          return done?.at;
        },
      },
      absent: {
        migrationTuning: "no read-back of what the lab's daemons ran a migration with is implemented yet (the flags virsh migrate was given are the adapter's side, not the platform's record)",
        storageVm: "the lab guest boots its kernel directly and has no disks to move (libvirt-lab/lab.ts: 'direct kernel boot, serial to a file, no disks')",
      },
      async close() {
        events.stop();
        disarmFaults();
        await client.close();
        for (const h of LAB_HOSTS) await virsh(h, ["domjobabort", "--domain", LAB_VM]);
      },
    };
  },
  async dispose() {
    try {
      await stopLibvirtLab();
    } finally {
      releaseLab?.();
      releaseLab = undefined;
    }
  },
};

export default libvirtLocalTarget;
