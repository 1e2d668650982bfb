/**
 * Each package's README is its page on the registry, where relative links lead nowhere: every link
 * is absolute, and every link into this repository names a file or folder that exists.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PUBLISHED_DIRS, ROOT } from "./packages.ts";

/** Where the repository is published (package.json `repository`). */
const REPOSITORY = "https://github.com/vmshift/vmshift";

describe.each(PUBLISHED_DIRS.map((d) => [d]))("%s/README.md", (dir) => {
  const text = readFileSync(join(ROOT, dir, "README.md"), "utf8");
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);

  it("links only absolutely", () => {
    expect(links.filter((l) => !/^https?:\/\//.test(l))).toEqual([]);
  });

  it("links into the repository only to paths that exist", () => {
    const inside = links.filter((l) => l.startsWith(`${REPOSITORY}/`)).map((l) => /\/(?:blob|tree)\/main\/([^#?]+)/.exec(l)?.[1]);
    expect(inside.filter((p) => p === undefined || !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it("its package.json names the same repository", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { repository: { url: string; directory: string } };
    expect(pkg.repository).toEqual({ type: "git", url: `git+${REPOSITORY}.git`, directory: dir });
  });
});
