#!/usr/bin/env node
/**
 * The `vmshift` executable. It checks the Node.js version before it loads anything (an older Node
 * gets one line saying what is needed, not a stack trace from deep inside a dependency), then hands
 * the process to {@link ./process-main.ts}. Kept free of imports so it parses and runs everywhere.
 */
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`vmshift needs Node.js >= 22.12, this is ${process.version}: install a current Node.js (https://nodejs.org) and run it again\n`);
  process.exit(1);
}
// Node's on-disk compile cache (22.1+) makes every later start skip parsing and compiling the
// CLI and its dependencies again; it is ignored when the cache directory cannot be written.
process.getBuiltinModule("node:module").enableCompileCache?.();
await import("./process-main.ts");
