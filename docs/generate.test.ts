import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CAPABILITY_NAMES, ERROR_CODES } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { generated, loadMoveTables, loadTables } from "./generate.ts";

const here = dirname(fileURLToPath(import.meta.url));

describe("generated docs", () => {
  it("are fresh (run `pnpm docs:generate` after changing a capability table or an error code)", async () => {
    for (const [file, content] of Object.entries(await generated())) {
      expect(readFileSync(join(here, file), "utf8"), `docs/${file} is stale`).toBe(content);
    }
  });

  it("cover every capability of every adapter, and every error code", async () => {
    const tables = await loadTables();
    expect(tables.map((t) => t.adapter)).toContain("simulator");
    for (const { adapter, table } of tables) for (const c of CAPABILITY_NAMES) expect(table[c], `${adapter} ${c}`).toBeDefined();
    const errors = readFileSync(join(here, "errors.md"), "utf8");
    for (const code of ERROR_CODES) expect(errors).toContain(`\`${code}\``);
  });

  it("show every platform's move capabilities as @vmshift/move declares them", async () => {
    const moves = (await loadMoveTables())!;
    expect(Object.keys(moves)).toContain("libvirt");
    const matrix = readFileSync(join(here, "support-matrix.md"), "utf8");
    const section = matrix.slice(matrix.indexOf("## Cross-platform moves"));
    for (const capability of ["move.source.cold", "move.source.warm", "move.target", "move.source.remove"] as const) {
      const row = section.split("\n").find((l) => l.startsWith(`| \`${capability}\` |`));
      expect(row, capability).toBeDefined();
      expect(row!.split("|").slice(2, -1).map((c) => c.trim().replace(/<sup>\d+<\/sup>$/, ""))).toEqual(
        Object.values(moves).map((m) => ({ supported: "✅", partial: "🟡", unsupported: "—" })[m[capability].status]),
      );
    }
  });
});
