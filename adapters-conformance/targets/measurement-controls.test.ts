/**
 * The measurement controls of every local target (used by bench/adapters.ts) return sensible
 * values: after one completed live migration, `platformCompletedAt` lies between its start and now
 * (and is undefined for an unknown id), and `requestLog` has one entry per counted request,
 * including the request that started the migration.
 */
import { describe, expect, test } from "vitest";
import { labAvailability } from "../libvirt-lab/lab.ts";
import type { ConformanceTarget } from "../src/target.ts";
import { hypervTranscriptsTarget } from "./hyperv-transcripts.ts";
import { kubevirtEnvTarget } from "./kubevirt-env.ts";
import { libvirtLocalTarget } from "./libvirt-local.ts";
import { nutanixServerTarget } from "./nutanix-server.ts";
import { vcsimMissing } from "./vsphere-launcher.ts";
import { vsphereVcsimTarget } from "./vsphere-vcsim.ts";

interface Case {
  readonly target: ConformanceTarget;
  /** The start request, as the target's requestLog names it. */
  readonly startRequest: (kind: string) => boolean;
  /** An id no migration has, when the target can tell. */
  readonly unknownId?: string;
  readonly runsHere: boolean;
  readonly timeoutMs: number;
}

const CASES: readonly Case[] = [
  { target: kubevirtEnvTarget, startRequest: (k) => k.startsWith("POST /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstancemigrations"), unknownId: "default/no-such-migration", runsHere: true, timeoutMs: 60_000 },
  { target: nutanixServerTarget, startRequest: (k) => k.endsWith("/$actions/migrate-to-host"), unknownId: "not-an-id", runsHere: true, timeoutMs: 60_000 },
  { target: vsphereVcsimTarget, startRequest: (k) => k === "RelocateVM_Task", unknownId: "live/vm-1/host-1/host-2/task-999999", runsHere: vcsimMissing() === undefined, timeoutMs: 60_000 },
  { target: hypervTranscriptsTarget, startRequest: (k) => k === "startLive", runsHere: true, timeoutMs: 60_000 },
  { target: libvirtLocalTarget, startRequest: (k) => k === "virsh migrate", runsHere: (await labAvailability()).ok, timeoutMs: 900_000 },
];

describe.each(CASES.map((c) => [c.target.name, c] as const))("%s measurement controls", (_name, c) => {
  test.skipIf(!c.runsHere && process.env["CI"] !== "true")("report the platform's completion time and one log entry per request", { timeout: c.timeoutMs }, async () => {
    const session = await c.target.open();
    try {
      const { client, subjects, controls } = session;
      const startedAt = Date.now();
      const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
      expect((await task.wait()).outcome).toBe("completed");
      const doneAt = await controls.platformCompletedAt!(task.id);
      expect(doneAt).toBeGreaterThanOrEqual(startedAt);
      expect(doneAt).toBeLessThanOrEqual(Date.now());
      if (c.unknownId !== undefined) expect(await controls.platformCompletedAt!(c.unknownId)).toBeUndefined();
      const log = controls.requestLog!();
      expect(log.length).toBe(controls.requestCount!());
      expect(log.some(c.startRequest), `no start request among: ${[...new Set(log)].join(", ")}`).toBe(true);
    } finally {
      await session.close();
      await c.target.dispose?.();
    }
  });
});
