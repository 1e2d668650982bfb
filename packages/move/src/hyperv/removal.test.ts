/**
 * The Hyper-V removal script and its reading, with a recording runner (one layer: PowerShell):
 * the VM reaches the script only as `$vmshift_` parameters, the script refuses a VM that is not
 * Off before Remove-VM, deletes no file itself, and the result names the VHDX files kept (5.1's
 * single-element arrays print as a string). The stand-in runs it in adapters-conformance/hyperv-pwsh/move-removal.test.ts.
 */
import { describe, expect, it } from "vitest";
import { hypervSourceRemoval, moveSourceRemove } from "./removal.ts";

describe("Hyper-V source removal (Remove-VM)", () => {
  it("runs moveSourceRemove with the VM id as a parameter and names the VHDX files kept", async () => {
    const calls: unknown[] = [];
    const removal = hypervSourceRemoval(async (script, vmId, operation) => (calls.push([script.name, vmId, operation]), { name: "web-01", kept: ["D:\\VMs\\a.vhdx", "D:\\VMs\\b.vhdx"] }));
    const what = await removal.removeVm("6f1c2a40-0000-4000-8000-000000000001", { signal: AbortSignal.timeout(1000) });
    expect(calls).toEqual([["moveSourceRemove", "6f1c2a40-0000-4000-8000-000000000001", "move.removeSource"]]);
    expect(what).toBe("VM web-01 (6f1c2a40-0000-4000-8000-000000000001) removed with Remove-VM (configuration and checkpoints); virtual hard disks kept: D:\\VMs\\a.vhdx, D:\\VMs\\b.vhdx");
    const single = hypervSourceRemoval(async () => ({ name: "web-01", kept: "D:\\VMs\\a.vhdx" }));
    expect(await single.removeVm("x", { signal: AbortSignal.timeout(1000) })).toMatch(/kept: D:\\VMs\\a\.vhdx$/);
  });

  it("the script checks Off (and not clustered) before Remove-VM -Force, and deletes no file", () => {
    const body = moveSourceRemove.body;
    expect(moveSourceRemove.params).toEqual(["vmId", "hostList"]);
    expect(body.indexOf("VmshiftVmNotOff")).toBeGreaterThan(-1);
    expect(body.indexOf("VmshiftVmNotOff")).toBeLessThan(body.indexOf("Remove-VM -VM $vm -Force"));
    expect(body.indexOf("VmshiftVmClustered")).toBeLessThan(body.indexOf("Remove-VM -VM $vm -Force"));
    expect(body).not.toMatch(/Remove-Item|\.Delete\(|Remove-VHD/);
  });
});
