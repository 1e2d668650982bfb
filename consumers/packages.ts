/**
 * The publishable packages and how to pack them as npm would publish them: `pnpm pack` runs each
 * package's `prepack` (tsc -b into dist/, LICENSE copied in), applies `publishConfig` (exports and
 * bin point at dist/) and turns `workspace:` ranges into versions.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Every package that is published, as a directory relative to {@link ROOT}, dependencies first. */
export const PUBLISHED_DIRS = [
  "packages/core",
  "packages/simulator",
  "packages/kubevirt",
  "packages/vsphere",
  "packages/nutanix",
  "packages/hyperv",
  "packages/libvirt",
  "packages/move",
  "packages/restate",
  "adapters-conformance",
  "packages/cli",
] as const;

/** One packed package. */
export interface Packed {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the .tgz. */
  readonly file: string;
  /** The package.json inside the tarball (publishConfig applied). */
  readonly manifest: Record<string, unknown> & { name: string; version: string };
}

/** Packs every published package into `dest` and reads each tarball's manifest back. */
export function packAll(dest: string): Packed[] {
  mkdirSync(dest, { recursive: true });
  return PUBLISHED_DIRS.map((dir) => {
    const before = new Set(readdirSync(dest));
    execFileSync("pnpm", ["pack", "--pack-destination", dest], { cwd: join(ROOT, dir), stdio: ["ignore", "ignore", "inherit"] });
    const made = readdirSync(dest).filter((f) => f.endsWith(".tgz") && !before.has(f));
    if (made.length !== 1) throw new Error(`pnpm pack in ${dir} made ${made.length} tarballs`);
    const file = join(dest, made[0]!);
    const manifest = JSON.parse(execFileSync("tar", ["-xzOf", file, "package/package.json"], { encoding: "utf8" })) as Packed["manifest"];
    return { name: manifest.name, version: manifest.version, file, manifest };
  });
}
