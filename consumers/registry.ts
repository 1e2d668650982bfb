/**
 * A scoped npm registry on loopback for the consumer test: it serves the `@vmshift/*` tarballs just
 * packed, the way the public registry would after a publish (packument with `dist.tarball`,
 * `shasum`, `integrity`). npm is pointed at it for the scope only (`--@vmshift:registry=<url>`), so
 * every other dependency comes from the usual registry, exactly as a user's install resolves it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { basename } from "node:path";
import type { Packed } from "./packages.ts";

/** A running registry. */
export interface ScopedRegistry {
  /** e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** Packuments and tarballs requested so far (proves npm came here). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** Serves `packages` until closed. */
export async function startScopedRegistry(packages: readonly Packed[]): Promise<ScopedRegistry> {
  const tarballs = new Map(packages.map((p) => [basename(p.file), readFileSync(p.file)]));
  const requests: string[] = [];
  let base = "";
  const packument = (name: string) => {
    const versions = packages.filter((p) => p.name === name);
    if (versions.length === 0) return undefined;
    return {
      name,
      "dist-tags": { latest: versions.at(-1)!.version },
      versions: Object.fromEntries(
        versions.map((p) => {
          const body = tarballs.get(basename(p.file))!;
          const dist = {
            tarball: `${base}-/${basename(p.file)}`,
            shasum: createHash("sha1").update(body).digest("hex"),
            integrity: `sha512-${createHash("sha512").update(body).digest("base64")}`,
          };
          return [p.version, { ...p.manifest, _id: `${name}@${p.version}`, dist }];
        }),
      ),
    };
  };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    requests.push(`${req.method} ${path}`);
    if (path.startsWith("/-/")) {
      const body = tarballs.get(path.slice(3));
      if (body) return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
    } else {
      const doc = packument(path.slice(1));
      if (doc) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("registry has no port");
  base = `http://127.0.0.1:${address.port}/`;
  return { url: base, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
