import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "adapters-conformance/**/*.test.ts", "docs/**/*.test.ts", "bench/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 30_000,
    pool: "forks",
  },
});
