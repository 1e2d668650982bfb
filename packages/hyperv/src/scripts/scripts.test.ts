import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as snippets from "./snippets.ts";
import { SCRIPTS } from "./index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "..");

describe("script templates", () => {
  it("splice only the constant snippets into their text, never a value", () => {
    const allowed = new Set(Object.keys(snippets));
    for (const file of readdirSync(here).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      const text = readFileSync(join(here, file), "utf8");
      const spliced = [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!.trim());
      for (const name of spliced) expect(allowed.has(name), `${file} splices \${${name}}`).toBe(true);
    }
  });

  it("use only their declared parameters", () => {
    for (const template of Object.values(SCRIPTS)) {
      const used = new Set([...template.body.matchAll(/\$vmshift_([A-Za-z0-9]+)/g)].map((m) => m[1]!));
      for (const name of ["result", "err", "ex"]) used.delete(name);
      expect([...used].sort(), template.name).toEqual([...template.params].sort());
    }
  });

  it("the adapter never uses node-powershell's unescaped template helpers", () => {
    for (const file of readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      const text = readFileSync(join(src, file), "utf8");
      expect(text, file).not.toMatch(/PowerShell\s*\.\s*(\$\$?|command|invoke)\b/);
    }
  });
});
