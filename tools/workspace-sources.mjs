// Workspace runs of vmshift from source. Published packages resolve `@vmshift/<name>` to their built
// dist/ (package.json `exports`); inside this repository, commands and tests run the TypeScript
// sources directly (Node strips types outside node_modules), so this hook, preloaded with
// `--import` (root package.json scripts, vitest's NODE_OPTIONS for child processes), maps each
// workspace package to its src/index.ts. Nothing here ships.
import { readdirSync, readFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** `@vmshift/<name>` → file URL of its src/index.ts, for every workspace package. */
function workspaceEntries() {
  const dirs = [...readdirSync(join(root, "packages")).map((d) => join(root, "packages", d)), join(root, "adapters-conformance")];
  const entries = new Map();
  for (const dir of dirs) {
    let name;
    try {
      name = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name;
    } catch {
      continue;
    }
    if (typeof name === "string" && name.startsWith("@vmshift/")) entries.set(name, pathToFileURL(join(dir, "src", "index.ts")).href);
  }
  return entries;
}

const entries = workspaceEntries();

// Node < 22.15 has no synchronous hooks: there the packages resolve to dist/ as for users (and
// vmshift itself says which Node it needs).
nodeModule.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    const url = entries.get(specifier);
    return url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true };
  },
});
