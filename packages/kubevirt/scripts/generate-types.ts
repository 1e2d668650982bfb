/**
 * Regenerates src/generated/kubevirt.ts from the pinned spec (spec/openapi3.json) with
 * openapi-typescript. Only the schemas the adapter uses (and everything they reference) are kept,
 * so the generated file stays a few hundred KB instead of 1.4 MB.
 *
 * Run: node packages/kubevirt/scripts/generate-types.ts   (add --check to fail when the file is stale)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const specPath = join(here, "..", "spec", "openapi3.json");
const outPath = join(here, "..", "src", "generated", "kubevirt.ts");

/** The schemas the adapter and its test environment read or write. */
export const ROOT_SCHEMAS = [
  "v1.VirtualMachine",
  "v1.VirtualMachineList",
  "v1.VirtualMachineInstance",
  "v1.VirtualMachineInstanceList",
  "v1.VirtualMachineInstanceMigration",
  "v1.VirtualMachineInstanceMigrationList",
  "v1.KubeVirt",
  "v1.KubeVirtList",
  "v1alpha1.MigrationPolicy",
  "v1alpha1.MigrationPolicyList",
  "v1.StartOptions",
  "v1.StopOptions",
  "k8s.io.apimachinery.pkg.apis.meta.v1.Status",
] as const;

type Schemas = Record<string, unknown>;

/** The root schemas and every schema they reference, transitively. */
export function closure(schemas: Schemas, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    if (!(name in schemas)) throw new Error(`schema ${name} is not in the spec`);
    seen.add(name);
    for (const match of JSON.stringify(schemas[name]).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) stack.push(match[1]!);
  }
  return [...seen].sort();
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as { openapi: string; info: unknown; components: { schemas: Schemas } };
  const names = closure(spec.components.schemas, ROOT_SCHEMAS);
  const subset = {
    openapi: spec.openapi,
    info: { title: "KubeVirt API (subset)", version: "v1.9.0" },
    paths: {},
    components: { schemas: Object.fromEntries(names.map((n) => [n, spec.components.schemas[n]])) },
  };
  const ast = await openapiTS(subset as never, { alphabetize: true, exportType: true });
  const header = [
    "/**",
    " * GENERATED FILE — DO NOT EDIT BY HAND.",
    " * Source: packages/kubevirt/spec/openapi3.json (KubeVirt v1.9.0, see spec/README.md),",
    ` * ${names.length} schemas reachable from: ${ROOT_SCHEMAS.join(", ")}.`,
    " * Generator: openapi-typescript 7 via packages/kubevirt/scripts/generate-types.ts.",
    " */",
    "/* eslint-disable */",
    "",
  ].join("\n");
  const text = header + astToString(ast);
  if (process.argv.includes("--check")) {
    const current = readFileSync(outPath, "utf8");
    if (current !== text) {
      console.error(`${outPath} is stale: run node packages/kubevirt/scripts/generate-types.ts`);
      process.exit(1);
    }
    console.log("generated types are up to date");
    return;
  }
  writeFileSync(outPath, text);
  console.log(`wrote ${outPath} (${names.length} schemas, ${text.length} bytes)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
