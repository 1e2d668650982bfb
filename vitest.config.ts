import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Tests run the workspace's sources: `@vmshift/<name>` resolves to src/index.ts here (aliases), and
 * in every child process a test starts (tools/workspace-sources.mjs through NODE_OPTIONS). What users
 * install resolves to dist/ instead; consumers/ tests that.
 */
const sources = Object.fromEntries([
  ...readdirSync(here("./packages")).map((name) => [`@vmshift/${name}`, here(`./packages/${name}/src/index.ts`)]),
  ["@vmshift/conformance", here("./adapters-conformance/src/index.ts")],
]);

export default defineConfig({
  resolve: { alias: Object.entries(sources).map(([find, replacement]) => ({ find: new RegExp(`^${find}$`), replacement })) },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "adapters-conformance/**/*.test.ts", "docs/**/*.test.ts", "bench/**/*.test.ts", "consumers/**/*.test.ts", "ansible/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 30_000,
    pool: "forks",
    env: {
      // The repository's local conformance targets, as the workspace's `pnpm vmshift` sees them.
      VMSHIFT_CONFORMANCE_TARGETS: here("./adapters-conformance/targets/index.ts"),
      // Child processes (the CLI, benches) resolve @vmshift/* to the sources too.
      NODE_OPTIONS: `--import=${here("./tools/workspace-sources.mjs")} ${process.env["NODE_OPTIONS"] ?? ""}`.trim(),
    },
  },
});
