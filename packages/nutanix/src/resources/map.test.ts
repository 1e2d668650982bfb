import { describe, expect, it } from "vitest";
import { inMaintenance, powerState, toHost, toVm } from "./map.ts";

describe("mapping Prism objects", () => {
  it("treats $UNKNOWN, $REDACTED and UNDETERMINED power states as unknown", () => {
    expect(["ON", "OFF", "PAUSED", "UNDETERMINED", "$UNKNOWN", "$REDACTED", undefined].map((s) => powerState(s as never))).toEqual(["running", "stopped", "paused", "unknown", "unknown", "unknown", "unknown"]);
  });

  it("maps a powered-off VM without a host (host is null while OFF on AHV)", () => {
    expect(toVm({ extId: "v", name: "n", powerState: "OFF", host: null, isLiveMigrateCapable: null, cluster: { extId: "c" }, memorySizeBytes: 1024, numSockets: 2, numCoresPerSocket: 2 })).toEqual({
      id: "v",
      name: "n",
      powerState: "stopped",
      clusterId: "c",
      memoryBytes: 1024,
      cpus: 4,
    });
  });

  it("only ACROPOLIS_NORMAL, connected, non-maintenance hosts are schedulable; $REDACTED states are not", () => {
    const host = (state: string, maintenanceState = "normal", conn = "CONNECTED") => toHost({ extId: "h", hypervisor: { state: state as never, acropolisConnectionState: conn as never }, maintenanceState });
    expect(host("ACROPOLIS_NORMAL").schedulable).toBe(true);
    expect(host("ENTERED_MAINTENANCE_MODE")).toMatchObject({ schedulable: false, maintenance: true });
    expect(host("ACROPOLIS_NORMAL", "enteredMaintenanceMode")).toMatchObject({ schedulable: false, maintenance: true });
    expect(host("RESERVED_FOR_HA_FAILOVER")).toMatchObject({ schedulable: false, maintenance: false });
    expect(host("$REDACTED")).toMatchObject({ schedulable: false, maintenance: false });
    expect(host("ACROPOLIS_NORMAL", "normal", "DISCONNECTED")).toMatchObject({ schedulable: false, connectionState: "disconnected" });
    expect(inMaintenance({ maintenanceState: "$REDACTED" })).toBe(false);
  });
});
