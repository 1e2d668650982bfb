/**
 * `vmshift conformance --suite move` without running a move: the listing of move-capable targets
 * comes from the registry (sides.ts), and pairs the registry cannot form are usage errors naming
 * what is there.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.ts";
import { MOVE_SIDES } from "../src/move/sides.ts";

describe("vmshift conformance --suite move (listing and refusals)", () => {
  it("--list prints every registry entry with what it can be", async () => {
    const r = await runCli(["conformance", "--suite", "move", "--list"]);
    expect(r.code, r.stderr).toBe(0);
    for (const e of MOVE_SIDES) {
      const line = r.stdout.split("\n").find((l) => l.startsWith(`${e.name} `));
      expect(line, e.name).toBeDefined();
      expect(line!.includes("source")).toBe(e.source !== undefined);
      expect(line!.includes("target")).toBe(e.target !== undefined);
    }
    expect(r.stdout).toMatch(/^libvirt-local\s+source \+ target$/m);
    expect(r.stdout).toMatch(/^kubevirt-env\s+target$/m);
  });

  it("refuses a target-only side as --from, an unknown --to, a missing --to and another suite name", async () => {
    const from = await runCli(["conformance", "--suite", "move", "--from", "kubevirt-env", "--to", "libvirt-local"]);
    expect(from.code).toBe(2);
    expect(from.stderr).toMatch(/--from kubevirt-env is no move source \(sources: .*libvirt-local/);
    const to = await runCli(["conformance", "--suite", "move", "--from", "libvirt-local", "--to", "nowhere"]);
    expect(to.code).toBe(2);
    expect(to.stderr).toMatch(/--to nowhere is no move target \(targets: .*kubevirt-env/);
    const half = await runCli(["conformance", "--suite", "move", "--from", "libvirt-local"]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("--suite move needs --from <source> --to <target>");
    const other = await runCli(["conformance", "--suite", "live", "--from", "a", "--to", "b"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("--suite live: the only other suite is move");
    const stray = await runCli(["conformance", "--target", "simulator", "--from", "libvirt-local"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("--from and --to belong to --suite move");
  });
});
