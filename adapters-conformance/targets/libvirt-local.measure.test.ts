/** Unit tests of the libvirt-local target's request and event parsing for the measurement controls (the controls themselves: measurement-controls.test.ts). */
import { expect, test } from "vitest";
import { parseEventLine } from "../libvirt-lab/events.ts";

test("parseEventLine reads virsh's timestamped lifecycle events", () => {
  expect(parseEventLine("a", "2026-11-25 21:00:01.234+0000: event 'lifecycle' for domain 'vmshift-lab-1': Stopped Migrated")).toEqual({ host: "a", at: Date.parse("2026-11-25T21:00:01.234Z"), domain: "vmshift-lab-1", detail: "Stopped Migrated" });
  expect(parseEventLine("b", "2026-11-25 23:00:01.234+0200: event 'lifecycle' for domain 'x': Resumed Migrated")?.at).toBe(Date.parse("2026-11-25T21:00:01.234Z"));
  expect(parseEventLine("a", "events received: 0")).toBeUndefined();
});
