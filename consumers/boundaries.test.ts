/**
 * Product code never imports test infrastructure: no module under packages/ (tests aside) imports
 * nock or anything under adapters-conformance/, and the CLI reaches the conformance suite only
 * through the dynamic import in its conformance-loader.ts. And the other way round: test
 * infrastructure (adapters-conformance/, bench/, consumers/, ansible/, docs/, test-support/)
 * reaches the packages by name only, never by a relative path into packages/.
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

/** Every TypeScript file of the test infrastructure. */
function infrastructureSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
    }
  };
  for (const dir of ["adapters-conformance", "bench", "consumers", "ansible", "docs", "test-support"]) walk(join(ROOT, dir));
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

  it("test infrastructure imports the packages by name, never by a path into packages/", () => {
    const infrastructure = infrastructureSources();
    expect(infrastructure.some((f) => f.endsWith("test-support/run-cli.ts"))).toBe(true);
    const offenders = infrastructure.flatMap((f) =>
      importsOf(readFileSync(f, "utf8"))
        .filter((i) => i.specifier.startsWith(".") && /(^|\/)packages\//.test(i.specifier))
        .map((i) => `${relative(ROOT, f)}: ${i.specifier}`),
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
