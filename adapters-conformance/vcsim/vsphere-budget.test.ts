/**
 * The vSphere budget's accounting: one WaitForUpdatesEx per counted progress update, the platform's
 * progress cadence for windows that count none, enforced everywhere.
 */
import { describe, expect, it } from "vitest";
import { allowed } from "../src/budget.ts";
import { vsphereBudget } from "../src/budgets.ts";
import { VCSIM_BUDGET, VCSIM_PROGRESS_EVERY_MS } from "../targets/vsphere-vcsim.ts";

describe("the vSphere budget", () => {
  it("allows one WaitForUpdatesEx per progress update the window counted, plus the first state, whatever the window's length", () => {
    expect(allowed(VCSIM_BUDGET, { live: 1, updates: 5 }, 10_000)).toMatchObject({ requests: 4, polls: 6 });
    expect(allowed(VCSIM_BUDGET, { live: 1, updates: 0 }, 10_000).polls).toBe(1);
  });

  it("bounds a window that counts no updates (a cancel, waits that give up) by the platform's progress cadence", () => {
    expect(VCSIM_PROGRESS_EVERY_MS).toBe(250);
    expect(allowed(VCSIM_BUDGET, { live: 1, cancel: 1 }, 1_100)).toMatchObject({ requests: 6, polls: 5 });
    // Without a cadence (a vCenter not measured yet) such a window allows the first state only.
    expect(allowed(vsphereBudget(), { live: 1, cancel: 1 }, 1_100).polls).toBe(1);
  });

  it("stays within the issue's figure for a live migration: 4 plus one WaitForUpdatesEx per update", () => {
    for (const updates of [0, 1, 7, 40]) {
      const a = allowed(VCSIM_BUDGET, { live: 1, updates }, 60_000);
      expect(a.requests + a.polls).toBe(4 + updates + 1);
    }
  });

  it("is enforced on vcsim, every kind of window", () => {
    expect(VCSIM_BUDGET.budgetEnforced).not.toBe(false);
    expect(VCSIM_BUDGET.unenforced).toBeUndefined();
    expect(VCSIM_BUDGET.todo).toBeUndefined();
  });
});
