import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stepRequestId } from "./request-id.ts";

describe("stepRequestId", () => {
  it("is a UUID, stable for the same request and step, different across steps", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (requestId, a, b) => {
        const id = stepRequestId(requestId, a);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(stepRequestId(requestId, a)).toBe(id);
        if (a !== b) expect(stepRequestId(requestId, b)).not.toBe(id);
      }),
    );
  });
});
