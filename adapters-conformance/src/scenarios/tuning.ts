/**
 * Tuned live migrations: a bandwidth limit, auto-converge, post-copy or a downtime limit asked for
 * at the start must reach the platform. Each scenario starts one live migration with one setting,
 * follows it to completion, reads from the platform (`controls.migrationTuning`, never the adapter's
 * result) what the migration ran with, and checks where the VM ended.
 */
import type { Capability, MigrationRequest } from "@vmshift/core";
import { checkSequence, collect, expect, expectVmAt, locate, type Scenario } from "../scenario.ts";
import type { PlatformTuning } from "../target.ts";

const MIB = 2 ** 20;

/** One setting: the capability it needs, the request field, and whether the platform's record shows it. */
interface Setting {
  readonly id: string;
  readonly capability: Capability;
  readonly what: string;
  readonly request: Partial<MigrationRequest>;
  /** Why the platform's record does not show the setting, or undefined when it does. */
  readonly mismatch: (tuning: PlatformTuning) => string | undefined;
}

/** 2 GiB/s: a whole number of MiB/s (KubeVirt rounds down to MiB/s, libvirt up), short enough not to slow the suite. */
const BANDWIDTH = 2048 * MIB;
/** A downtime limit no platform uses as its default (KubeVirt and QEMU default to 300 ms). */
const MAX_DOWNTIME_MS = 250;

const SETTINGS: readonly Setting[] = [
  {
    id: "tuning.bandwidth-limit",
    capability: "migration.bandwidthLimit",
    what: `a bandwidth limit of ${BANDWIDTH / MIB} MiB/s`,
    request: { bandwidthBytesPerSecond: BANDWIDTH },
    mismatch: (t) => {
      const got = t.bandwidthBytesPerSecond;
      // Platforms count whole MiB/s: one MiB/s either way is the same request.
      return got !== undefined && got > 0 && Math.abs(got - BANDWIDTH) < MIB ? undefined : `bandwidth ${got === undefined || got === 0 ? "unlimited" : `${got} B/s`}, asked ${BANDWIDTH} B/s`;
    },
  },
  {
    id: "tuning.auto-converge",
    capability: "migration.autoConverge",
    what: "auto-converge",
    request: { allowAutoConverge: true },
    mismatch: (t) => (t.allowAutoConverge === true ? undefined : `auto-converge ${t.allowAutoConverge === false ? "off" : "not set"}, asked on`),
  },
  {
    id: "tuning.post-copy",
    capability: "migration.postCopy",
    what: "post-copy allowed",
    request: { allowPostCopy: true },
    mismatch: (t) => (t.allowPostCopy === true ? undefined : `post-copy ${t.allowPostCopy === false ? "off" : "not set"}, asked allowed`),
  },
  {
    id: "tuning.max-downtime",
    capability: "migration.maxDowntime",
    what: `a downtime limit of ${MAX_DOWNTIME_MS} ms`,
    request: { maxDowntimeMs: MAX_DOWNTIME_MS },
    mismatch: (t) => (t.maxDowntimeMs === MAX_DOWNTIME_MS ? undefined : `max downtime ${t.maxDowntimeMs === undefined ? "not set" : `${t.maxDowntimeMs} ms`}, asked ${MAX_DOWNTIME_MS} ms`),
  },
];

function tunedScenario(setting: Setting): Scenario {
  return {
    id: setting.id,
    title: `live migration with ${setting.what}: it completes on the target, and the platform's record of the migration carries the setting`,
    requires: ["migration.live", "migration.explicitTarget", setting.capability],
    controls: ["migrationTuning"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      const before = await locate(client, subjects.liveVm);
      const { task, snapshots, result } = await meter.measure(`live migration with ${setting.what}`, (r) => ({ tuned: 1, updates: r?.snapshots.length ?? 0 }), async () => {
        const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost, ...setting.request });
        return { task, ...(await collect(task)) };
      });
      checkSequence(client, snapshots, "live");
      expect(result.outcome === "completed", `ended ${result.outcome}: ${result.error?.message ?? ""}`);
      const tuning = await controls.migrationTuning!(task.id, subjects.liveVm);
      expect(tuning !== undefined, `the platform has no record of migration ${task.id} (the id the adapter returned) to read its tuning from`);
      const wrong = setting.mismatch(tuning);
      expect(wrong === undefined, `the platform ran migration ${task.id} without ${setting.what} (read back from ${tuning.source}): ${wrong}`);
      await expectVmAt(
        context,
        subjects.liveVm,
        { hostId: subjects.targetHost, side: "target", powerState: "running", reported: result.vmLocation, sourceHostId: before.hostId, targetHostId: subjects.targetHost },
        `after a completed live migration with ${setting.what}`,
      );
    },
  };
}

export const tuningScenarios: readonly Scenario[] = SETTINGS.map(tunedScenario);
