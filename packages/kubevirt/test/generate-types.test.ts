import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT_SCHEMAS, closure } from "../scripts/generate-types.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

describe("generated types", () => {
  it("src/generated/kubevirt.ts is what the generator makes from the pinned spec", () => {
    const out = execFileSync(process.execPath, [here("../scripts/generate-types.ts"), "--check"], { encoding: "utf8" });
    expect(out).toContain("up to date");
  }, 60_000);

  it("is marked generated and covers every root schema", () => {
    const text = readFileSync(here("../src/generated/kubevirt.ts"), "utf8");
    expect(text.startsWith("/**\n * GENERATED FILE — DO NOT EDIT BY HAND.")).toBe(true);
    for (const root of ROOT_SCHEMAS) expect(text).toContain(`"${root}": {`);
  });

  it("closure follows $refs and refuses unknown names", () => {
    const schemas = { a: { $ref: "#/components/schemas/b" }, b: { properties: { c: { $ref: "#/components/schemas/c" } } }, c: {}, d: {} };
    expect(closure(schemas, ["a"])).toEqual(["a", "b", "c"]);
    expect(() => closure(schemas, ["zz"])).toThrow(/not in the spec/);
  });
});
