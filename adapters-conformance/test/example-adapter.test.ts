/**
 * The example third-party adapter (examples/acme-adapter) passes the suite through
 * `vmshift conformance --adapter`, run as the real executable from a scratch directory that holds
 * nothing but a copy of the module; and docs/writing-an-adapter.md shows its code as it is.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const EXAMPLE = fileURLToPath(new URL("../../examples/acme-adapter/acme-adapter.mjs", import.meta.url));
const BIN = fileURLToPath(new URL("../../packages/cli/src/bin.ts", import.meta.url));
const GUIDE = fileURLToPath(new URL("../../docs/writing-an-adapter.md", import.meta.url));

describe("examples/acme-adapter", () => {
  it("passes `vmshift conformance --adapter ./acme-adapter.mjs` run from a scratch directory", { timeout: 120_000 }, () => {
    const scratch = mkdtempSync(join(tmpdir(), "vmshift-adapter-"));
    try {
      copyFileSync(EXAMPLE, join(scratch, "acme-adapter.mjs"));
      const run = spawnSync(process.execPath, [BIN, "conformance", "--adapter", "./acme-adapter.mjs", "--format", "json"], {
        cwd: scratch,
        // NODE_OPTIONS carries the workspace's source mapping (vitest.config.ts); an installed CLI needs none.
        env: { PATH: process.env["PATH"] ?? "", ...(process.env["NODE_OPTIONS"] ? { NODE_OPTIONS: process.env["NODE_OPTIONS"] } : {}), XDG_CONFIG_HOME: join(scratch, "no-config") },
        encoding: "utf8",
      });
      expect(run.stderr).not.toMatch(/^failed/m);
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout) as { target: string; adapter: string; scenarios: { id: string; status: string; reason?: string; requests?: { checks: { within: boolean }[] } }[] };
      expect(report).toMatchObject({ target: "acme-on-simulator", adapter: "acme" });
      // Acme declares storage and cross-cluster moves unsupported, and the simulator's world has neither: skipped with its source.
      expect(report.scenarios.filter((s) => s.status === "skipped").map((s) => `${s.id}: ${s.reason}`)).toEqual([
        expect.stringMatching(/^storage\.live-to-storage: capability migration\.storage unsupported: .+ \(the vmshift simulator \(in-memory reference platform\) lacks it: .+disks are not modelled/),
        expect.stringMatching(/^cross-cluster\.live: capability migration\.crossCluster unsupported: .+ \(the vmshift simulator \(in-memory reference platform\) lacks it: .+no other cluster exists\)$/),
        "faults.session-expiry: target offers no expireSession control",
      ]);
      expect(report.scenarios.filter((s) => s.status === "passed").length).toBe(report.scenarios.length - 3);
      expect(report.scenarios.flatMap((s) => s.requests?.checks ?? []).every((c) => c.within)).toBe(true);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("docs/writing-an-adapter.md shows the example's code as it is", () => {
    const source = readFileSync(EXAMPLE, "utf8");
    const guide = readFileSync(GUIDE, "utf8");
    const blocks = [...guide.matchAll(/<!-- example: examples\/acme-adapter\/acme-adapter\.mjs#([\w-]+) -->\n```js\n([\s\S]*?)```/g)];
    expect(blocks.map((b) => b[1])).toEqual(["adapter", "target"]);
    for (const [, name, code] of blocks) {
      const region = new RegExp(`// #region ${name}\\n([\\s\\S]*?)\\n// #endregion ${name}\\n`).exec(source);
      expect(region, name).not.toBeNull();
      expect(code!.trim(), name).toBe(region![1]!.trim());
    }
  });
});
