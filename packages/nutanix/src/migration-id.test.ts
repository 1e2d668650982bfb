import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { type ColdId, type LiveId, formatMigrationId, parseMigrationId } from "./migration-id.ts";

const id = fc.string({ minLength: 1, maxLength: 40 });

describe("migration ids", () => {
  it("round-trip live ids, whatever the VM and host ids contain", () => {
    fc.assert(
      fc.property(id, fc.option(id, { nil: undefined }), fc.option(id, { nil: undefined }), fc.option(id, { nil: undefined }), (vm, source, target, cluster) => {
        const live: LiveId = {
          kind: "live",
          vmExtId: vm,
          ...(source ? { sourceHostId: source } : {}),
          ...(target ? { targetHostId: target } : {}),
          ...(cluster ? { targetClusterId: cluster } : {}),
          taskExtId: "ZXJnb24=:f1e19e35-8c51-53f5-a699-70dd11f8724d",
        };
        expect(parseMigrationId(formatMigrationId(live))).toEqual(live);
      }),
    );
  });

  it("keep a host id that is exactly the absent marker `-` (found by the property above)", () => {
    const live: LiveId = { kind: "live", vmExtId: " ", targetHostId: "-", taskExtId: "t" };
    expect(parseMigrationId(formatMigrationId(live))).toEqual(live);
  });

  it("round-trip cold ids, including request ids with slashes", () => {
    fc.assert(
      fc.property(id, id, fc.boolean(), fc.option(fc.nat(), { nil: undefined }), (vm, requestId, wasOn, timeout) => {
        const cold: ColdId = { kind: "cold", vmExtId: vm, targetHostId: "h/2", wasOn, ...(timeout === undefined ? {} : { shutdownTimeoutMs: timeout }), restartOnSource: !wasOn, requestId: `${requestId}/x` };
        expect(parseMigrationId(formatMigrationId(cold))).toEqual(cold);
      }),
    );
  });

  it("accept a bare Prism task id and refuse anything else with INVALID_ARGUMENT", () => {
    expect(parseMigrationId("ZXJnb24=:f1e19e35-8c51-53f5-a699-70dd11f8724d")).toEqual({ kind: "task", taskExtId: "ZXJnb24=:f1e19e35-8c51-53f5-a699-70dd11f8724d" });
    for (const bad of ["web-01", "live/only/a/b", "cold/a/b/c/d/maybe/-/1/r", "cold/a/b/c/d/on/-5/1/r", "live/%E0%A4%A/-/-/-/t"]) {
      const error = (() => {
        try {
          parseMigrationId(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isVmshiftError(error, "INVALID_ARGUMENT"), bad).toBe(true);
    }
  });
});
