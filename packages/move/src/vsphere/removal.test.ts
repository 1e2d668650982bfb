/**
 * The vSphere source's removal against a recording test double of `VsphereMoveApi` (one layer: the
 * vCenter client): Destroy_Task on the powered-off VM, its task waited for, the result naming the
 * deleted disk files; a VM that is not powered off is refused before any call; a task fault is
 * the removal's error. adapters-conformance/vcsim/move-removal.test.ts runs it against vcsim.
 */
import { VmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import type { VimRef, VsphereMoveApi, VsphereMoveCall } from "./api.ts";
import { vsphereSourceRemoval } from "./removal.ts";

const ctx = () => ({ signal: AbortSignal.timeout(10_000) });
const DEVICES = { VirtualDevice: [
  { attributes: { "xsi:type": "VirtualLsiLogicController" }, key: "1000" },
  { attributes: { "xsi:type": "VirtualDisk" }, key: "2000", backing: { attributes: { "xsi:type": "VirtualDiskFlatVer2BackingInfo" }, fileName: "[ds1] db/db.vmdk" } },
  { attributes: { "xsi:type": "VirtualDisk" }, key: "2001", backing: { attributes: { "xsi:type": "VirtualDiskFlatVer2BackingInfo" }, fileName: "[ds1] db/db_1.vmdk" } },
] };

function fakeApi(power: string, taskFault?: VmshiftError) {
  const calls: string[] = [];
  const api: VsphereMoveApi = {
    async properties(ref: VimRef) {
      calls.push(`properties ${ref.value}`);
      return { name: "db", "runtime.powerState": power, "config.hardware.device": DEVICES };
    },
    async invoke(method: VsphereMoveCall, self: VimRef) {
      calls.push(`${method} ${self.type}:${self.value}`);
      return { attributes: { type: "Task" }, $value: "task-7" };
    },
    async waitTask(task: VimRef) {
      calls.push(`waitTask ${task.value}`);
      if (taskFault) throw taskFault;
    },
    download: async () => 0,
  };
  return { api, calls };
}

describe("vSphere source removal (Destroy_Task)", () => {
  it("destroys the powered-off VM, waits for its task, and names the disk files deleted with it", async () => {
    const { api, calls } = fakeApi("poweredOff");
    const what = await vsphereSourceRemoval(api).removeVm("vm-9", ctx());
    expect(calls).toEqual(["properties vm-9", "Destroy_Task VirtualMachine:vm-9", "waitTask task-7"]);
    expect(what).toContain("disks deleted: [ds1] db/db.vmdk, [ds1] db/db_1.vmdk");
  });

  it("refuses a VM that is not powered off, calling nothing", async () => {
    const { api, calls } = fakeApi("poweredOn");
    await expect(vsphereSourceRemoval(api).removeVm("vm-9", ctx())).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(calls).toEqual(["properties vm-9"]);
  });

  it("a failed Destroy task is the removal's error", async () => {
    const { api } = fakeApi("poweredOff", new VmshiftError("MIGRATION_FAILED", "Destroy: file locked"));
    await expect(vsphereSourceRemoval(api).removeVm("vm-9", ctx())).rejects.toThrow(/file locked/);
  });
});
