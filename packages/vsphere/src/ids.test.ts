import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMigrationId, encodeMigrationId } from "./ids.ts";

describe("migration ids", () => {
  it("round-trip any parts, including separators and non-ASCII", () => {
    const part = fc.string({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(fc.constantFrom("live" as const), part, part, part, part, (mode, vmId, sourceHostId, targetHostId, key) => {
        const ref = { mode, vmId, sourceHostId, targetHostId, key };
        expect(decodeMigrationId(encodeMigrationId(ref))).toEqual(ref);
      }),
    );
  });

  it("read as the documented shape", () => {
    expect(encodeMigrationId({ mode: "live", vmId: "vm-63", sourceHostId: "host-34", targetHostId: "host-42", key: "task-101" })).toBe("live/vm-63/host-34/host-42/task-101");
  });

  it.each(["", "live/vm-1/h/h", "warp/vm/h/h/k", "cold/vm/h/h/not-a-time", "live/vm//h/k", "live/%E0%A4%A/h/h/k", "live/a/b/c/d/e"])("refuse %j with INVALID_ARGUMENT", (id) => {
    expect(() => decodeMigrationId(id)).toThrow(/INVALID_ARGUMENT/);
  });
});
