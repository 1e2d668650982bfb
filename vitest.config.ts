import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "adapters-conformance/**/*.test.ts", "docs/**/*.test.ts", "bench/**/*.test.ts", "consumers/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 30_000,
    pool: "forks",
    // The repository's local conformance targets, as the workspace's `pnpm vmshift` sees them.
    env: { VMSHIFT_CONFORMANCE_TARGETS: fileURLToPath(new URL("./adapters-conformance/targets/index.ts", import.meta.url)) },
  },
});
