/**
 * Product code never imports test infrastructure: no module under packages/ (tests aside) imports
 * nock or anything under adapters-conformance/, and the CLI reaches the conformance suite only
 * through the dynamic import in its conformance-loader.ts.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./packages.ts";

/** Every non-test source file of a published package's src/. */
function productSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) out.push(path);
    }
  };
  for (const pkg of readdirSync(join(ROOT, "packages"))) walk(join(ROOT, "packages", pkg, "src"));
  return out;
}

/** `[specifier, isTypeOnly, isDynamic]` of every import in a file. */
function importsOf(text: string): { specifier: string; typeOnly: boolean; dynamic: boolean }[] {
  const found: { specifier: string; typeOnly: boolean; dynamic: boolean }[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm)) found.push({ specifier: m[3]!, typeOnly: m[2] !== undefined, dynamic: false });
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push({ specifier: m[1]!, typeOnly: false, dynamic: true });
  return found;
}

describe("product code and test infrastructure", () => {
  const files = productSources();

  it("finds the product sources", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.endsWith("packages/cli/src/conformance-loader.ts"))).toBe(true);
  });

  it("no product module imports nock or a path into adapters-conformance/", () => {
    const offenders = files.flatMap((f) =>
      importsOf(readFileSync(f, "utf8"))
        .filter((i) => i.specifier === "nock" || i.specifier.startsWith("nock/") || i.specifier.includes("adapters-conformance"))
        .map((i) => `${relative(ROOT, f)}: ${i.specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it("@vmshift/conformance is loaded at run time only by the CLI's conformance-loader.ts", () => {
    const offenders = files.flatMap((f) =>
      importsOf(readFileSync(f, "utf8"))
        .filter((i) => i.specifier === "@vmshift/conformance" && !i.typeOnly)
        .filter((i) => !(i.dynamic && f.endsWith("packages/cli/src/conformance-loader.ts")))
        .map((i) => `${relative(ROOT, f)}: ${i.dynamic ? "import()" : "static import"}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the import scanner sees static, type-only and dynamic imports", () => {
    const seen = importsOf('import { a } from "x";\nimport type { B } from "y";\nexport { c } from "z";\nconst m = await import("w");\n');
    expect(seen).toEqual([
      { specifier: "x", typeOnly: false, dynamic: false },
      { specifier: "y", typeOnly: true, dynamic: false },
      { specifier: "z", typeOnly: false, dynamic: false },
      { specifier: "w", typeOnly: false, dynamic: true },
    ]);
  });
});
