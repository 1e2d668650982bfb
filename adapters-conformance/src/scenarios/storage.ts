/**
 * Storage live migration: a start with `targetStorageId` moves the VM's disks, live, to that
 * storage. Read back from the platform (`controls.vmStorage`): every disk the VM ran on now sits in
 * a new place in the target storage, in what the VM runs on and in its definition, and the VM runs.
 */
import { checkSequence, collect, expect, expectVmAt, locate, type Scenario } from "../scenario.ts";
import type { PlatformDisk } from "../target.ts";

const show = (disks: readonly PlatformDisk[]) => disks.map((d) => `${d.name}=${d.location}@${d.storageId ?? "?"}`).join(", ") || "none";

export const storageScenarios: readonly Scenario[] = [
  {
    id: "storage.live-to-storage",
    title: "live storage migration (targetStorageId): every disk moves to new places in the target storage, and the VM runs",
    requires: ["migration.live", "migration.storage"],
    subjects: ["storageVm", "targetStorage"],
    controls: ["vmStorage"],
    async run(context) {
      const { client, subjects, controls, meter } = context;
      const vmId = subjects.storageVm!;
      const storage = subjects.targetStorage!;
      const before = await controls.vmStorage!(vmId);
      expect(before !== undefined && before.running.length > 0, `the platform shows no disks of ${vmId}`);
      expect(before.running.every((d) => d.storageId !== storage), `the target chose a subject already in ${storage}: ${show(before.running)}`);
      const where = await locate(client, vmId);
      const { snapshots, result } = await meter.measure("storage live migration", (r) => ({ storage: 1, updates: r?.snapshots.length ?? 0 }), async () =>
        collect(await client.startMigration({ vmId, targetStorageId: storage })),
      );
      checkSequence(client, snapshots, "live");
      expect(result.outcome === "completed", `ended ${result.outcome}: ${result.error?.message ?? ""}`);
      const after = await controls.vmStorage!(vmId);
      expect(after !== undefined, `the platform shows no disks of ${vmId} after its storage migration`);
      for (const [what, disks] of [["runs on", after.running], ["is defined with", after.defined]] as const) {
        if (disks === undefined) continue;
        for (const old of before.running) {
          const now = disks.find((d) => d.name === old.name);
          const state = `${vmId} ${what} ${show(disks)} (before: ${show(before.running)})`;
          expect(now !== undefined, `disk ${old.name} is gone after the storage migration: ${state}`);
          expect(now.storageId === storage, `disk ${old.name} is not in ${storage} after the storage migration: ${state}`);
          expect(now.location !== old.location, `disk ${old.name} still uses ${old.location}: ${state}`);
        }
      }
      await expectVmAt(
        context,
        vmId,
        { powerState: "running", reported: result.vmLocation, sourceHostId: where.hostId, targetHostId: result.targetHostId ?? result.vmLocation.hostId },
        "after a completed storage live migration",
      );
    },
  },
];
