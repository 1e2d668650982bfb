/** The cold-migration scripts under tree-sitter-powershell: what runs when the guest shutdown fails. */
import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import { nodesOfType, powershellParser } from "../../../../test-support/powershell-parser.ts";
import { renderScript } from "../script.ts";
import { stopVm } from "./cold.ts";

const ancestors = (node: Node): Node[] => {
  const out: Node[] = [];
  for (let n = node.parent; n; n = n.parent) out.push(n);
  return out;
};

describe("stopVm", () => {
  it("a failed graceful shutdown (Stop-VM job failing under ErrorActionPreference Stop) falls back to turn-off instead of rethrowing", async () => {
    const script = renderScript(stopVm, { vmId: "6f1c2a40-0000-4000-8000-000000000001", hostList: ["HV-A"], timeoutSeconds: 60 });
    expect(script).toContain("$ErrorActionPreference = 'Stop'");
    const tree = (await powershellParser()).parse(script)!;
    const commands = nodesOfType(tree.rootNode, "command");
    const named = (name: string) => commands.filter((c) => c.text.startsWith(name));
    // Receive-Job rethrows the job's errors under 'Stop': each one must be caught, inside the script's own catch-all envelope.
    const receives = named("Receive-Job");
    expect(receives.length).toBeGreaterThan(0);
    for (const r of receives) expect(ancestors(r).filter((a) => a.type === "try_statement").length, r.text).toBeGreaterThanOrEqual(2);
    // The turn-off is decided by the VM's state after the shutdown attempt, not by the job having timed out.
    const turnOff = named("Stop-VM").filter((c) => /-TurnOff\b/.test(c.text));
    expect(turnOff).toHaveLength(1);
    const guard = ancestors(turnOff[0]!).find((a) => a.type === "if_statement");
    expect(guard?.text).toMatch(/^if \(\$vm\.State\.ToString\(\) -ne 'Off'\)/);
    expect(script).toMatch(/shutdownError = /);
  });
});
