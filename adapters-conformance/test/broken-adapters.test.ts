/**
 * The suite can fail: three broken adapters, each run through the CLI's `--adapter` against the
 * simulator's world, must fail it with a message that names the promise they break.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.ts";

const adapter = (name: string) => fileURLToPath(new URL(`./adapters/${name}.mjs`, import.meta.url));

async function run(name: string): Promise<{ code: number; failed: Map<string, string>; skipped: string[]; passed: string[] }> {
  const out = await runCli(["conformance", "--adapter", adapter(name), "--format", "json"]);
  const report = JSON.parse(out.stdout) as { scenarios: { id: string; status: string; reason?: string }[] };
  return {
    code: out.code,
    failed: new Map(report.scenarios.filter((s) => s.status === "failed").map((s) => [s.id, s.reason ?? ""])),
    skipped: report.scenarios.filter((s) => s.status === "skipped").map((s) => s.id),
    passed: report.scenarios.filter((s) => s.status === "passed").map((s) => s.id),
  };
}

describe("vmshift conformance --adapter fails broken adapters", { timeout: 120_000 }, () => {
  it("a hollow adapter (everything unsupported) fails the core set instead of skipping its way through", async () => {
    const r = await run("hollow");
    expect(r.code).toBe(7);
    expect(r.failed.get("contract.core")).toMatch(/^core set: the adapter lacks what every migration adapter must offer: vm\.list/);
    expect(r.failed.get("live.explicit-target")).toMatch(/^core set: capability migration\.live is declared unsupported by the adapter/);
    // Nothing is skipped "for want of a capability"; only bad input is still refused as it should be.
    expect(r.skipped).toEqual([]);
    expect(r.passed).toEqual(["contract.invalid-argument"]);
  });

  it("a lying adapter (reports completed, the VM stays on its source) fails where the platform is read back", async () => {
    const r = await run("lying");
    expect(r.code).toBe(7);
    expect(r.failed.get("live.explicit-target")).toBe("where the VM ended (read back from the platform) after a completed live migration: web-01 is running on host-1, expected running on host-2 (the target)");
    expect(r.failed.get("live.scheduler-target")).toMatch(/^where the VM ended \(read back from the platform\) after a completed live migration to a host of the platform's choice: web-01 is running on host-1/);
  });

  it("a chatty adapter (re-reads the inventory before every start) fails its request budget", async () => {
    const r = await run("chatty");
    expect(r.code).toBe(7);
    expect(r.failed.get("live.explicit-target")).toMatch(/^request budget exceeded on chatty-on-simulator: live migration: 12 requests \(12 \+ 0 polls\), budget 2 \+ \d+ polls in \d+ ms \[listVms×6, listHosts×1, getVm×3, startMigration×1, watchMigration×1\]/);
    // Everything that does not start a migration stays within budget.
    for (const id of ["inventory.list-paged", "inventory.get-vm", "preflight.good-target", "contract.core"]) expect(r.failed.has(id), id).toBe(false);
  });
});
