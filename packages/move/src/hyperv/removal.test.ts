/**
 * The Hyper-V removal script and its reading, with a recording runner (one layer: PowerShell):
 * the VM reaches the script only as `$vmshift_` parameters, the script refuses a VM that is not
 * Off before Remove-VM, deletes no file itself, and the result names the files that remain: a
 * checkpoint chain's root VHDX, not the AVHDX files Remove-VM merges away (5.1's single-element
 * arrays print as their element). The stand-in runs it in adapters-conformance/hyperv-pwsh/move-removal.test.ts.
 */
import { describe, expect, it } from "vitest";
import { filesAfterRemoveVm, hypervSourceRemoval, moveSourceRemove } from "./removal.ts";

describe("Hyper-V source removal (Remove-VM)", () => {
  it("runs moveSourceRemove with the VM id as a parameter and names the VHDX files kept", async () => {
    const calls: unknown[] = [];
    const removal = hypervSourceRemoval(async (script, vmId, operation) => (calls.push([script.name, vmId, operation]), { name: "web-01", disks: [{ chain: ["D:\\VMs\\a.vhdx"] }, { chain: ["D:\\VMs\\b.vhdx"] }] }));
    const what = await removal.removeVm("6f1c2a40-0000-4000-8000-000000000001", { signal: AbortSignal.timeout(1000) });
    expect(calls).toEqual([["moveSourceRemove", "6f1c2a40-0000-4000-8000-000000000001", "move.removeSource"]]);
    expect(what).toBe("VM web-01 (6f1c2a40-0000-4000-8000-000000000001) removed with Remove-VM (configuration and checkpoints); virtual hard disks kept: D:\\VMs\\a.vhdx, D:\\VMs\\b.vhdx");
    // 5.1 prints a single-element array as its element.
    const single = hypervSourceRemoval(async () => ({ name: "web-01", disks: { chain: "D:\\VMs\\a.vhdx" } }));
    expect(await single.removeVm("x", { signal: AbortSignal.timeout(1000) })).toMatch(/kept: D:\\VMs\\a\.vhdx$/);
  });

  it("a drive on a checkpoint chain: the root VHDX is kept, the AVHDX/AVHD files are named as merged; a differencing VHDX of the user's own is kept", () => {
    expect(filesAfterRemoveVm([{ chain: ["D:\\VMs\\a_2.AVHDX", "D:\\VMs\\a_1.avhdx", "D:\\VMs\\a.vhdx"] }, { chain: ["E:\\old_9.avhd", "E:\\old.vhd"] }])).toEqual({
      kept: ["D:\\VMs\\a.vhdx", "E:\\old.vhd"],
      merged: ["D:\\VMs\\a_2.AVHDX", "D:\\VMs\\a_1.avhdx", "E:\\old_9.avhd"],
    });
    expect(filesAfterRemoveVm([{ chain: ["D:\\VMs\\diff.vhdx"] }])).toEqual({ kept: ["D:\\VMs\\diff.vhdx"], merged: [] });
    // A chain Get-VHD could not follow to its root names its last file.
    expect(filesAfterRemoveVm([{ chain: ["D:\\VMs\\a_2.avhdx"] }])).toEqual({ kept: ["D:\\VMs\\a_2.avhdx"], merged: [] });
  });

  it("the script follows Get-VHD ParentPath only through checkpoint files and takes no value but $vmshift_ parameters", () => {
    const body = moveSourceRemove.body;
    expect(body).toContain("-match '\\.avhdx?$'");
    expect(body).toContain("(Get-VHD -ComputerName $vm.ComputerName -Path $chain[-1]).ParentPath");
    expect(body.indexOf("ParentPath")).toBeLessThan(body.indexOf("Remove-VM -VM $vm -Force"));
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
