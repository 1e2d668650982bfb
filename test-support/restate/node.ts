/** How this repository's scripts start Node for workspace sources (tools/workspace-sources.mjs maps @vmshift/* to src/). */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const HOOK = fileURLToPath(new URL("../../tools/workspace-sources.mjs", import.meta.url));

/** Node arguments that make `@vmshift/*` resolve to the workspace sources (none when the hook is already preloaded or absent). */
export function workspaceNodeArgs(): string[] {
  const preloaded = `${process.env["NODE_OPTIONS"] ?? ""} ${process.execArgv.join(" ")}`.includes("workspace-sources.mjs");
  return preloaded || !existsSync(HOOK) ? [] : ["--import", HOOK];
}

export { CLI_BIN } from "../cli-bin.ts";
