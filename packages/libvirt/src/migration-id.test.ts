import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMigrationId, encodeMigrationId } from "./migration-id.ts";

describe("migration ids", () => {
  it("round-trip whatever host ids and request ids they carry", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.uuid(), fc.constantFrom("live" as const, "cold" as const), fc.nat(), fc.string(), (source, target, domain, mode, startedAt, requestId) => {
        const ref = { source, target, domain, mode, startedAt, requestId };
        const id = encodeMigrationId(ref);
        expect(id).toMatch(/^lv1\.[A-Za-z0-9_-]+$/);
        expect(decodeMigrationId(id)).toEqual(ref);
      }),
    );
  });

  it("answers NOT_FOUND for ids that are not ours", () => {
    for (const id of ["", "lv1.", "lv1.!!!", "vm-1", `lv1.${Buffer.from('{"s":"a"}').toString("base64url")}`, `lv1.${Buffer.from('{"s":"a","t":"b","d":"x","m":"live","at":1,"r":"r"}').toString("base64url")}`]) {
      expect(() => decodeMigrationId(id)).toThrowError(/NOT_FOUND/);
    }
  });
});
