/**
 * The Node.js binaries the consumer test runs on: 24 (the toolchain's, or the system's when it is
 * current) and 22, installed from the npm registry's `node@22` package into `.cache/node22` once.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./packages.ts";

/** Path of a Node.js 22 binary (installed on first use). */
export function node22(): string {
  const prefix = join(ROOT, ".cache", "node22");
  const bin = join(prefix, "node_modules", "node", "bin", "node");
  if (!existsSync(bin)) execFileSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", "node@22"], { stdio: ["ignore", "ignore", "inherit"] });
  return bin;
}

/** The major version a binary reports. */
export function majorOf(node: string): number {
  // Without the workspace's NODE_OPTIONS: its resolve hook is not for a consumer's Node (nor for Node 20).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "NODE_OPTIONS"));
  return Number(execFileSync(node, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8", env }).trim());
}
