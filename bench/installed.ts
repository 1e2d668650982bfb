/**
 * vmshift as users install it, for benches that measure installed packages: every published
 * package packed and served from a loopback npm registry (the @vmshift scope only), installed with
 * npm, run in an environment without the workspace's hooks.
 */
import { spawn } from "node:child_process";
import { delimiter, dirname, join } from "node:path";

/** This process's environment without what the workspace sets for its own runs (the sources hook, VMSHIFT_*), plus `extra`. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VMSHIFT_") && k !== "NODE_OPTIONS" && k !== "NODE_COMPILE_CACHE"));
  return { ...env, PATH: [dirname(process.execPath), env["PATH"] ?? ""].join(delimiter), ...extra };
}

/** npm, asynchronously (the registry answers from this process), with the @vmshift scope on `registry`. */
export function npm(args: readonly string[], cwd: string, registry: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", [...args, `--@vmshift:registry=${registry}`, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, env: cleanEnv({}), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(" ")} failed (${code}):\n${stderr}`))));
  });
}

/**
 * Packs every published package into `<work>/tarballs`, serves them, installs `@vmshift/cli`
 * globally under `<work>/global` and runs `more(registryUrl)` while the registry is up (to install
 * other packages). Returns the path of the installed `vmshift`.
 */
export async function installCli(work: string, more?: (registryUrl: string) => Promise<void>): Promise<string> {
  const { packAll } = await import("../consumers/packages.ts");
  const { startScopedRegistry } = await import("../consumers/registry.ts");
  const registry = await startScopedRegistry(packAll(join(work, "tarballs")));
  try {
    await npm(["install", "--global", "--prefix", join(work, "global"), "@vmshift/cli"], work, registry.url);
    await more?.(registry.url);
  } finally {
    await registry.close();
  }
  return join(work, "global", "bin", "vmshift");
}
