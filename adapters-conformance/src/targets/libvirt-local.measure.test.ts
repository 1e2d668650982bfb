/** The measurement controls of the libvirt-local target (bench/adapters.ts) return sensible values. */
import { expect, test } from "vitest";
import { parseEventLine } from "../../libvirt-lab/events.ts";
import { labAvailability } from "../../libvirt-lab/lab.ts";
import { libvirtLocalTarget } from "./libvirt-local.ts";

test("parseEventLine reads virsh's timestamped lifecycle events", () => {
  expect(parseEventLine("a", "2026-11-25 21:00:01.234+0000: event 'lifecycle' for domain 'vmshift-lab-1': Stopped Migrated")).toEqual({ host: "a", at: Date.parse("2026-11-25T21:00:01.234Z"), domain: "vmshift-lab-1", detail: "Stopped Migrated" });
  expect(parseEventLine("b", "2026-11-25 23:00:01.234+0200: event 'lifecycle' for domain 'x': Resumed Migrated")?.at).toBe(Date.parse("2026-11-25T21:00:01.234Z"));
  expect(parseEventLine("a", "events received: 0")).toBeUndefined();
});

const lab = await labAvailability();

test.skipIf(!lab.ok)("a completed live migration has the source's Stopped Migrated time and a request log matching the count", async () => {
  const session = await libvirtLocalTarget.open();
  try {
    const { client, subjects, controls } = session;
    const startedAt = Date.now();
    const task = await client.startMigration({ vmId: subjects.liveVm, targetHostId: subjects.targetHost });
    const result = await task.wait();
    expect(result.outcome).toBe("completed");
    const doneAt = await controls.platformCompletedAt!(task.id);
    expect(doneAt).toBeGreaterThanOrEqual(startedAt);
    expect(doneAt).toBeLessThanOrEqual(Date.now());
    const log = controls.requestLog!();
    expect(log.length).toBe(controls.requestCount!());
    expect(log).toContain("virsh migrate");
  } finally {
    await session.close();
    await libvirtLocalTarget.dispose?.();
  }
}, 900_000);
