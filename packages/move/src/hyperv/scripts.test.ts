/** The Hyper-V source's scripts under tree-sitter-powershell: they parse, read values only from `$vmshift_` variables, and call the documented cmdlets. */
import { describe, expect, it } from "vitest";
import { nodesOfType, powershellParser } from "../../../../test-support/powershell-parser.ts";
import { moveSourceWarmCheckpoint, moveSourceWarmDrop, moveSourceWarmFinish, moveSourceWarmPass, moveSourceWarmSettle } from "./rct-scripts.ts";
import { moveSourceDefinition, moveSourceStart, moveSourceState, moveSourceStop } from "./scripts.ts";

const ALL = [moveSourceDefinition, moveSourceState, moveSourceStop, moveSourceStart, moveSourceWarmCheckpoint, moveSourceWarmPass, moveSourceWarmSettle, moveSourceWarmFinish, moveSourceWarmDrop];

describe("Hyper-V move source scripts", () => {
  it.each(ALL.map((t) => [t.name, t] as const))("%s parses without errors and every $vmshift_ variable it reads is a declared parameter", async (_name, template) => {
    const tree = (await powershellParser()).parse(template.body)!;
    expect(nodesOfType(tree.rootNode, "ERROR")).toEqual([]);
    const read = new Set(nodesOfType(tree.rootNode, "variable").map((v) => v.text).filter((t) => t.startsWith("$vmshift_")).map((t) => t.slice("$vmshift_".length)));
    read.delete("result");
    expect([...read].sort()).toEqual([...template.params].sort());
  });

  it("the definition reads disks, VHDs, DVD drives, adapters, firmware and checkpoints with the Hyper-V cmdlets", async () => {
    const tree = (await powershellParser()).parse(moveSourceDefinition.body)!;
    const commands = new Set(nodesOfType(tree.rootNode, "command").map((c) => c.text.split(/\s/)[0]));
    for (const c of ["Get-VM", "Get-VMHardDiskDrive", "Get-VHD", "Get-VMDvdDrive", "Get-VMNetworkAdapter", "Get-VMFirmware", "Get-VMSnapshot"]) expect(commands, c).toContain(c);
  });

  it("a warm pass takes a recovery checkpoint (SnapshotType 32768), renames the one with the Id it is given, and asks GetVirtualDiskChanges for the changes since the reference point", async () => {
    const parser = await powershellParser();
    const invoked = (body: string) => nodesOfType(parser.parse(body)!.rootNode, "command").filter((c) => c.text.startsWith("Invoke-CimMethod")).map((c) => /-MethodName (\w+)/.exec(c.text)?.[1]);
    expect(invoked(moveSourceWarmCheckpoint.body)).toEqual(["CreateSnapshot"]);
    expect(invoked(moveSourceWarmPass.body)).toEqual(["GetVirtualDiskChanges"]);
    expect(moveSourceWarmCheckpoint.body).toContain("SnapshotType = [uint16]32768");
    expect(moveSourceWarmCheckpoint.body).toContain("$created.ResultingSnapshot");
    expect(moveSourceWarmCheckpoint.body).not.toMatch(/Rename-VMSnapshot|Sort-Object|Select-Object -Last/);
    expect(moveSourceWarmPass.body).toContain("Where-Object { $_.Id -eq [guid][string]$vmshift_checkpointId }");
    expect(moveSourceWarmSettle.body).toContain("-MethodName ConvertToReferencePoint");
    expect(moveSourceWarmFinish.body).toContain("-MethodName DestroyReferencePoint");
  });

  it("stop falls back to a turn-off guarded by the VM's state after the shutdown", async () => {
    const tree = (await powershellParser()).parse(moveSourceStop.body)!;
    const turnOff = nodesOfType(tree.rootNode, "command").filter((c) => c.text.startsWith("Stop-VM") && /-TurnOff\b/.test(c.text));
    expect(turnOff).toHaveLength(1);
    let guard = turnOff[0]!.parent;
    while (guard && guard.type !== "if_statement") guard = guard.parent;
    expect(guard?.text).toMatch(/^if \(\$vm\.State\.ToString\(\) -ne 'Off'\)/);
  });
});
