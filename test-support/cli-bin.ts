/** Where the `vmshift` executable's source is in the workspace, found by package name. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The CLI's executable in the workspace (its sources: run it with tools/workspace-sources.mjs preloaded). */
export const CLI_BIN = join(dirname(createRequire(import.meta.url).resolve("@vmshift/cli/package.json")), "src", "bin.ts");
