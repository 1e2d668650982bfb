import { describe, expect, it } from "vitest";
import { allSupported } from "../../test/fake-adapter.ts";
import { vm } from "../../test/fake-fleet.ts";
import { type CapabilityTable, unsupported } from "../capabilities.ts";
import { chooseMode } from "./strategy.ts";

const GiB = 1024 ** 3;
const noExtras: CapabilityTable = { ...allSupported, "migration.autoConverge": unsupported("no"), "migration.postCopy": unsupported("no") };
const base = { capabilities: noExtras, allowCold: true, bandwidthBytesPerSecond: 1e9 };

describe("chooseMode", () => {
  it("moves a stopped VM cold", () => {
    expect(chooseMode({ ...base, vm: vm("v", "h", 4, { powerState: "stopped" }) })).toMatchObject({ ok: true, mode: "cold", strategy: "cold" });
  });

  it("moves a running, live-migratable VM live when nothing else is known, estimating memory ÷ bandwidth", () => {
    const d = chooseMode({ ...base, vm: vm("v", "h", 1) });
    expect(d).toMatchObject({ ok: true, mode: "live", strategy: "live" });
    expect(d.ok && d.estimatedMs).toBeCloseTo((GiB / 1e9) * 1000, 6);
  });

  it("uses the planner when a dirty rate is known: at or above the bandwidth it goes cold", () => {
    const d = chooseMode({ ...base, vm: vm("v", "h", 1), hint: { dirtyRateBytesPerSecond: 2e9 } });
    expect(d).toMatchObject({ ok: true, mode: "cold", strategy: "cold" });
    expect(d.ok && d.reason).toMatch(/dirty faster than they transfer/);
  });

  it("refuses a cold move of a running VM when cold is not allowed, with the planner's reason", () => {
    const d = chooseMode({ ...base, allowCold: false, vm: vm("v", "h", 1), hint: { dirtyRateBytesPerSecond: 2e9 } });
    expect(d).toMatchObject({ ok: false, code: "INVALID_STATE" });
  });

  it("prefers post-copy when the adapter offers it", () => {
    const d = chooseMode({ ...base, capabilities: allSupported, vm: vm("v", "h", 1), hint: { dirtyRateBytesPerSecond: 2e9 } });
    expect(d).toMatchObject({ ok: true, mode: "live", strategy: "live-post-copy" });
  });

  it("moves a VM the platform cannot move live cold, and skips it when cold is not allowed", () => {
    expect(chooseMode({ ...base, vm: vm("v", "h", 1, { liveMigratable: false }) })).toMatchObject({ ok: true, mode: "cold" });
    expect(chooseMode({ ...base, allowCold: false, vm: vm("v", "h", 1, { liveMigratable: false }) })).toMatchObject({ ok: false });
  });

  it("honours an explicit cold request, and refuses live for a stopped VM", () => {
    expect(chooseMode({ ...base, allowCold: false, requested: "cold", vm: vm("v", "h", 1) })).toMatchObject({ ok: true, mode: "cold" });
    expect(chooseMode({ ...base, requested: "live", vm: vm("v", "h", 1, { powerState: "stopped" }) })).toMatchObject({ ok: false, code: "INVALID_STATE" });
  });

  it("skips a VM that is already migrating", () => {
    expect(chooseMode({ ...base, vm: vm("v", "h", 1, { powerState: "migrating" }) })).toMatchObject({ ok: false, code: "CONFLICT" });
  });
});
