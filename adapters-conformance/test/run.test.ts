/** The runner's promises: capability gating by platform and core set, the location check, request budgets. */
import { type HypervisorAdapter, unsupported } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { allowed } from "../src/budget.ts";
import { lacking, offered } from "../src/platform.ts";
import { runConformance } from "../src/run.ts";
import { type Scenario, expectVmAt } from "../src/scenario.ts";
import { SCENARIOS } from "../src/scenarios/index.ts";
import type { ConformanceTarget } from "../src/target.ts";
import { SIMULATOR_BUDGET, simulatorTargetFor } from "../src/targets/simulator.ts";

const scenario = (id: string) => SCENARIOS.find((s) => s.id === id)!;

/** The simulator's adapter with one capability turned off, and the platform's word on it. */
function withoutCancel(platformSays: "offers" | "lacks" | "silent", extra: Partial<ConformanceTarget> = {}): ConformanceTarget {
  const base = simulatorTargetFor(({ api }) => ({ ...api, name: "no-cancel", capabilities: { ...api.capabilities, "migration.cancel": unsupported("not implemented yet") } }));
  const { "migration.cancel": _drop, ...rest } = base.platform!.capabilities;
  const cancel = platformSays === "offers" ? { "migration.cancel": offered("the platform's docs: DELETE cancels") } : platformSays === "lacks" ? { "migration.cancel": lacking("the platform's docs: migrations run to the end") } : {};
  return { ...base, platform: { name: "a test platform", capabilities: { ...rest, ...cancel } }, ...extra };
}

describe("capability gating", () => {
  it("fails a scenario whose capability the platform offers but the adapter declares unsupported, citing the source", async () => {
    const report = await runConformance(withoutCancel("offers"), { only: ["live.cancel-during-transfer"] });
    expect(report.scenarios[0]).toMatchObject({
      status: "failed",
      reason: "capability migration.cancel is declared unsupported by the adapter (not implemented yet), but a test platform offers it: the platform's docs: DELETE cancels",
    });
  });

  it("skips it, with the platform's source, when the platform lacks it", async () => {
    const report = await runConformance(withoutCancel("lacks"), { only: ["live.cancel-during-transfer"] });
    expect(report.scenarios[0]).toMatchObject({ status: "skipped", reason: "capability migration.cancel unsupported: not implemented yet (a test platform lacks it: the platform's docs: migrations run to the end)" });
  });

  it("fails it when the target does not say whether its platform offers it", async () => {
    const report = await runConformance(withoutCancel("silent"), { only: ["live.cancel-during-transfer"] });
    expect(report.scenarios[0]?.status).toBe("failed");
    expect(report.scenarios[0]?.reason).toMatch(/and target simulator\/no-cancel does not declare whether a test platform offers it$/);
  });

  it("skips what the session withholds on purpose, with its reason", async () => {
    const target = withoutCancel("offers");
    const withheld: ConformanceTarget = { ...target, async open() {
      return { ...(await target.open()), withheld: { "migration.cancel": "read-only run" } };
    } };
    const report = await runConformance(withheld, { only: ["live.cancel-during-transfer"] });
    expect(report.scenarios[0]).toMatchObject({ status: "skipped", reason: "target withholds migration.cancel: read-only run" });
  });

  it("fails the core set whatever the platform says", async () => {
    const target = simulatorTargetFor(({ api }) => ({ ...api, name: "no-attach", capabilities: { ...api.capabilities, "migration.attach": unsupported("later") } }));
    const report = await runConformance({ ...target, platform: { name: "p", capabilities: { "migration.attach": lacking("whatever") } } }, { only: ["attach.", "contract.core"] });
    expect(report.scenarios.map((s) => [s.id, s.status])).toEqual([
      ["attach.after-restart", "failed"],
      ["contract.core", "failed"],
    ]);
    expect(report.scenarios[0]?.reason).toMatch(/^core set: capability migration\.attach is declared unsupported by the adapter \(later\), but every migration adapter must offer migration\.attach/);
    expect(report.scenarios[1]?.reason).toBe("core set: the adapter lacks what every migration adapter must offer: migration.attach (attaching to a migration by id) is declared unsupported: later");
  });
});

describe("where the VM ends", () => {
  it("a scenario that never reads the VM back from the platform fails", async () => {
    const lazy: Scenario = { id: "test.lazy", title: "checks nothing", async run() {} };
    const report = await runConformance(simulatorTargetFor(({ api }) => api), { scenarios: [lazy] });
    expect(report.scenarios[0]).toMatchObject({ status: "failed", reason: "scenario test.lazy did not check where its VM ended (read back from the platform)" });
  });

  it("a result whose side disagrees with the platform fails (a source reported as the target)", async () => {
    const check: Scenario = {
      id: "test.side",
      title: "side",
      async run(context) {
        await expectVmAt(context, "web-01", { hostId: "host-1", reported: { hostId: "host-1", side: "target", powerState: "running" }, sourceHostId: "host-1", targetHostId: "host-2" }, "after a cancel");
      },
    };
    const report = await runConformance(simulatorTargetFor(({ api }) => api), { scenarios: [check] });
    expect(report.scenarios[0]?.reason).toBe("where the VM ended (read back from the platform) after a cancel: web-01 is running on host-1, but the adapter's result says it is on its target");
  });

  it("a target that cannot observe the VM (a replay) leaves a note instead", async () => {
    const base = simulatorTargetFor(({ api }) => api);
    const blind: ConformanceTarget = { ...base, async open() {
      const s = await base.open();
      return { ...s, controls: { ...s.controls, locateVm: async () => undefined } };
    } };
    const report = await runConformance(blind, { only: ["inventory.get-vm"] });
    expect(report.scenarios[0]).toMatchObject({ status: "passed", notes: ["as getVm says: where web-01 ended is not observable on this target"] });
  });
});

describe("request budgets", () => {
  const chatty = (budget: Partial<ConformanceTarget["budget"]> = {}) =>
    simulatorTargetFor(
      ({ api }): HypervisorAdapter => ({
        ...api,
        name: "chatty",
        getVm: async (id, ctx) => {
          await api.getVm!(id, ctx);
          return api.getVm!(id, ctx);
        },
      }),
      { budget },
    );

  it("fails a scenario over budget, with the breakdown", async () => {
    const report = await runConformance(chatty(), { only: ["inventory.get-vm"] });
    expect(report.scenarios[0]?.status).toBe("failed");
    expect(report.scenarios[0]?.reason).toMatch(/^request budget exceeded on simulator\/chatty: getVm: 2 requests \(2 \+ 0 polls\), budget 1 \[getVm×2\] \(the budget: the simulated platform's API/);
    expect(report.scenarios[0]?.requests).toMatchObject({ requests: 3, enforced: true });
  });

  it("reports, without failing, on a target whose budget is not enforced yet, and the report carries its TODO", async () => {
    const report = await runConformance(chatty({ budgetEnforced: false, todo: "TODO: read once" }), { only: ["inventory.get-vm"] });
    expect(report.scenarios[0]?.status).toBe("passed");
    expect(report.scenarios[0]?.notes?.[0]).toMatch(/^over budget, not enforced \(TODO: TODO: read once\): getVm: 2 requests/);
    expect(report.budget).toMatchObject({ enforced: false, todo: "TODO: read once" });
  });

  it("a budget that leaves one kind of work unenforced fails an over-budget window of other work", async () => {
    const report = await runConformance(chatty({ unenforced: ["listPages"], todo: "TODO: read once" }), { only: ["inventory.get-vm"] });
    expect(report.scenarios[0]?.status).toBe("failed");
    expect(report.scenarios[0]?.reason).toMatch(/^request budget exceeded on simulator\/chatty: getVm: 2 requests/);
  });

  it("a budget that leaves one kind of work unenforced reports its over-budget windows with the TODO, and passes", async () => {
    const report = await runConformance(chatty({ unenforced: ["getVm"], todo: "TODO: read once" }), { only: ["inventory.get-vm"] });
    expect(report.scenarios[0]?.status).toBe("passed");
    expect(report.scenarios[0]?.notes?.[0]).toMatch(/^over budget, not enforced \(TODO: TODO: read once\): getVm: 2 requests/);
    expect(report.scenarios[0]?.requests?.checks[0]).toMatchObject({ within: false, enforced: false });
  });

  it("bounds polls by the backoff schedule: one per everyMs of the window, plus one", () => {
    const budget = { ...SIMULATOR_BUDGET, liveMigration: { requests: 3, polls: { kinds: /^poll$/, everyMs: 80 } } };
    expect(allowed(budget, { live: 1 }, 800)).toMatchObject({ requests: 3, polls: 11, flexible: 0 });
    expect(allowed(budget, { live: 2, cancel: 1, retry: 1 }, 79)).toMatchObject({ requests: 6 + SIMULATOR_BUDGET.cancel, polls: 1, flexible: SIMULATOR_BUDGET.retry });
    const push = { ...SIMULATOR_BUDGET, liveMigration: { requests: 4, polls: { kinds: /^WaitForUpdatesEx$/, perUpdate: true } } };
    expect(allowed(push, { live: 1, updates: 5 }, 10_000).polls).toBe(6);
  });
});
