import { describe, expect, it } from "vitest";
import { asArray, bool, moRef, moRefs, num, objectContents, text, xsiType } from "./decode.ts";
import { toHost, toVm } from "./inventory.ts";

/** Shapes as `soap` parses vcsim's answers (values are strings with their xsi:type in attributes). */
const VM = {
  obj: { attributes: { type: "VirtualMachine" }, $value: "vm-63" },
  propSet: [
    { name: "name", val: { attributes: { "XMLSchema-instance:type": "xsd:string" }, $value: "DC0_C0_RP0_VM0" } },
    { name: "runtime.powerState", val: { attributes: { "XMLSchema-instance:type": "VirtualMachinePowerState" }, $value: "poweredOn" } },
    { name: "runtime.host", val: { attributes: { "XMLSchema-instance:type": "ManagedObjectReference", type: "HostSystem" }, $value: "host-34" } },
    { name: "summary.config.memorySizeMB", val: { attributes: { "XMLSchema-instance:type": "xsd:int" }, $value: "32" } },
    { name: "summary.config.numCpu", val: { attributes: { "XMLSchema-instance:type": "xsd:int" }, $value: "1" } },
  ],
};

describe("decoding soap's view of vim25 values", () => {
  it("reads simple values, morefs, and xsi:type under any prefix", () => {
    expect(text({ $value: "a" })).toBe("a");
    expect(num({ $value: "42" })).toBe(42);
    expect(num({ $value: "" })).toBeUndefined();
    expect(bool({ $value: "false" })).toBe(false);
    expect(bool("1")).toBe(true);
    expect(moRef({ attributes: { type: "Task" }, $value: "task-1" })).toEqual({ type: "Task", value: "task-1" });
    expect(moRef("task-1")).toBeUndefined();
    expect(xsiType({ attributes: { "XMLSchema-instance:type": "RequestCanceled" } })).toBe("RequestCanceled");
    expect(xsiType({ attributes: { "xsi:type": "InvalidState" } })).toBe("InvalidState");
  });

  it("treats one element like a list of one (soap collapses single children)", () => {
    expect(asArray(undefined)).toEqual([]);
    expect(asArray({ a: 1 })).toEqual([{ a: 1 }]);
    const one = { ManagedObjectReference: { attributes: { type: "VirtualMachine" }, $value: "vm-1" } };
    expect(moRefs(one)).toEqual([{ type: "VirtualMachine", value: "vm-1" }]);
    expect(moRefs({ ManagedObjectReference: [one.ManagedObjectReference, { attributes: { type: "VirtualMachine" }, $value: "vm-2" }] })).toHaveLength(2);
  });

  it("turns ObjectContent into vmshift's Vm", () => {
    const [o] = objectContents(VM);
    expect(toVm(o!)).toEqual({ id: "vm-63", name: "DC0_C0_RP0_VM0", powerState: "running", hostId: "host-34", memoryBytes: 32 * 1024 * 1024, cpus: 1, liveMigratable: true });
  });

  it("turns host properties into vmshift's Host: maintenance is not schedulable, cluster from the parent", () => {
    const host = toHost({
      ref: { type: "HostSystem", value: "host-58" },
      props: {
        name: "esx-4",
        parent: { attributes: { type: "ClusterComputeResource" }, $value: "domain-c7" },
        "runtime.connectionState": "connected",
        "runtime.inMaintenanceMode": "true",
        "summary.hardware.memorySize": "4294430720",
        "summary.hardware.numCpuCores": "2",
      },
    });
    expect(host).toMatchObject({ id: "host-58", clusterId: "domain-c7", connectionState: "connected", maintenance: true, schedulable: false, memoryBytes: 4294430720, cpuCores: 2, maxConcurrentMigrations: 8 });
    const standalone = toHost({ ref: { type: "HostSystem", value: "host-21" }, props: { parent: { attributes: { type: "ComputeResource" }, $value: "domain-s1" }, "runtime.connectionState": "notResponding" } });
    expect(standalone.clusterId).toBeUndefined();
    expect(standalone).toMatchObject({ connectionState: "disconnected", schedulable: false });
  });
});
