import { describe, expect, it } from "vitest";
import { type Measured, TARGETS, series, startupRows } from "./startup.ts";

describe("startup bench arithmetic", () => {
  it("reports the first run as cold and the p50 of the others as warm", () => {
    expect(series([900, 40, 30, 50, 20, 60])).toEqual({ cold: 900, warm: 40, runs: 5 });
    expect(series([5, 7])).toEqual({ cold: 5, warm: 7, runs: 1 });
    expect(() => series([5])).toThrow(/at least 2 runs/);
  });

  const measured: Measured = {
    node: { cold: 80, warm: 60, runs: 10 },
    help: { cold: 400, warm: 180, runs: 10 },
    helpEmptyCache: { cold: 420, warm: 300, runs: 10 },
    vsphere: { ours: { cold: 300, warm: 130, runs: 10 }, phases: { bootMs: 50, importMs: 45, firstAnswerMs: 30 }, govc: { cold: 40, warm: 25, runs: 10 }, cli: { cold: 500, warm: 200, runs: 10 } },
  };

  it("compares warm with warm and cold with cold, against the issue's peers", () => {
    const rows = startupRows(measured);
    const help = rows.find((r) => r.metric.startsWith("vmshift --help") && r.metric.includes("warm"))!;
    expect(help).toMatchObject({ value: 180, peer: { name: "node -e 0", value: 60 } });
    expect(help.value / help.peer!.value).toBe(3);
    expect(help.note).toBe(`within the target ≤ ${TARGETS.help}×`);
    expect(rows.find((r) => r.metric.startsWith("vmshift --help, cold"))).toMatchObject({ value: 400, peer: { value: 80 } });
    expect(rows.find((r) => r.metric.startsWith("vmshift --help with an empty compile cache"))).toMatchObject({ value: 300, peer: { value: 60 }, note: "over the target ≤ 4×" });
    expect(rows.find((r) => r.metric.startsWith("vmshift vms with a vSphere profile"))).toMatchObject({ value: 200, peer: { name: "govc vm.info", value: 25 } });
    const vsphere = rows.find((r) => r.metric.startsWith("vSphere process") && r.metric.includes("warm"))!;
    expect(vsphere).toMatchObject({ value: 130, peer: { name: "govc vm.info", value: 25 } });
    expect(vsphere.note).toBe(`over the target ≤ ${TARGETS.vsphere}×; 2.2× node -e 0`);
    expect(rows.find((r) => r.metric.startsWith("vSphere process") && r.metric.includes("cold"))).toMatchObject({ value: 300, peer: { value: 40 } });
    expect(rows.filter((r) => r.metric.startsWith("vSphere script")).map((r) => r.value)).toEqual([50, 45, 30]);
  });

  it("exactly at the target is within it", () => {
    const rows = startupRows({ ...measured, help: { cold: 1, warm: 240, runs: 10 } });
    expect(rows.find((r) => r.metric.startsWith("vmshift --help") && r.metric.includes("warm"))!.note).toBe("within the target ≤ 4×");
  });

  it("leaves the vSphere rows out without vcsim, and says what is missing without govc", () => {
    const { vsphere: _, ...noVsphere } = measured;
    expect(startupRows(noVsphere).some((r) => /vSphere/.test(r.metric))).toBe(false);
    const { govc: __, ...noGovc } = measured.vsphere!;
    const rows = startupRows({ ...measured, vsphere: noGovc });
    expect(rows.find((r) => r.metric.startsWith("vSphere process"))).toMatchObject({ note: "govc not built (adapters-conformance/vcsim/build-govc.sh)" });
    expect(rows.find((r) => r.metric.startsWith("vSphere process"))!.peer).toBeUndefined();
  });
});
