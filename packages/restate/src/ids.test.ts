import type { FleetPlan } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { isPlanId, planIdOf, stepKey, stepRequestId } from "./ids.ts";

describe("ids", () => {
  it("a step's request id is a UUID derived from plan and step: the same for every retry, different across steps and plans", () => {
    const a = stepRequestId("evacuate-1", 3, "vm-1");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stepRequestId("evacuate-1", 3, "vm-1")).toBe(a);
    expect(stepRequestId("evacuate-1", 4, "vm-1")).not.toBe(a);
    expect(stepRequestId("evacuate-2", 3, "vm-1")).not.toBe(a);
  });

  it("a plan's default id follows its content", () => {
    const plan = { kind: "evacuate", migrations: [], skipped: [] } as unknown as FleetPlan;
    expect(planIdOf(plan)).toMatch(/^evacuate-[0-9a-f]{16}$/);
    expect(planIdOf(plan)).toBe(planIdOf(JSON.parse(JSON.stringify(plan)) as FleetPlan));
    expect(planIdOf({ ...plan, createdAt: "x" } as FleetPlan)).not.toBe(planIdOf(plan));
    expect(isPlanId(planIdOf(plan))).toBe(true);
  });

  it("plan ids are URL- and key-safe", () => {
    expect(isPlanId("maint-2026-01.rack4_a")).toBe(true);
    for (const bad of ["", "-x", "a/b", "a b", "a:b", "x".repeat(101)]) expect(isPlanId(bad), bad).toBe(false);
    expect(stepKey("p", 7)).toBe("p:7");
  });
});
